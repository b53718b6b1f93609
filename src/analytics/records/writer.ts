/**
 * Column writers for the decoders: like exec/columns.ts's ColumnBuilder, but they also take UTF-8 bytes straight from
 * a record (no string made), and can be cut back to an earlier length (a record that fails mapping half-way leaves no
 * rows behind).
 */
import type { Data } from 'apache-arrow';
import { arrowType } from '../../exec/arrow.js';
import { columnData, storageOf, type StorageKind } from '../../exec/columns.js';
import { MS_PER_DAY, type Value } from '../../exec/values.js';
import type { SqlType } from '../../sql/bind/types.js';

type NumArray = Float64Array | Float32Array | Int32Array | Int16Array | Int8Array;

export class ColumnWriter {
  readonly kind: StorageKind;
  n = 0;
  /** Nulls among the n values (counted as they come: finish need not scan the bitmap). */
  private nulls = 0;
  private cap: number;
  valid: Uint8Array;
  /** num / day storage. */
  nums: NumArray | null = null;
  /** i64 storage as (lo, hi) pairs. */
  halves: Int32Array | null = null;
  bits: Uint8Array | null = null;
  offsets: Int32Array | null = null;
  bytes: Uint8Array | null = null;

  constructor(
    readonly type: SqlType,
    capacity = 256,
  ) {
    this.kind = storageOf(type);
    this.cap = Math.max(8, capacity);
    this.valid = new Uint8Array((this.cap + 7) >> 3);
    const ty = arrowType(type);
    switch (this.kind) {
      case 'num':
      case 'day':
        this.nums = new (ty as unknown as { ArrayType: new (n: number) => NumArray }).ArrayType(this.cap);
        break;
      case 'i64':
        this.halves = new Int32Array(this.cap * 2);
        break;
      case 'bool':
        this.bits = new Uint8Array((this.cap + 7) >> 3);
        break;
      default:
        this.offsets = new Int32Array(this.cap + 1);
        this.bytes = unzeroed(this.cap * 16);
    }
  }

  private grow(): void {
    const cap = this.cap * 2;
    const v = new Uint8Array((cap + 7) >> 3);
    v.set(this.valid);
    this.valid = v;
    if (this.nums) {
      const next = new (this.nums.constructor as new (n: number) => NumArray)(cap);
      next.set(this.nums as Float64Array);
      this.nums = next;
    } else if (this.halves) {
      const next = new Int32Array(cap * 2);
      next.set(this.halves);
      this.halves = next;
    } else if (this.bits) {
      const next = new Uint8Array((cap + 7) >> 3);
      next.set(this.bits);
      this.bits = next;
    } else {
      const next = new Int32Array(cap + 1);
      next.set(this.offsets!);
      this.offsets = next;
    }
    this.cap = cap;
  }

  appendNull(): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.nulls++;
    if (this.offsets) this.offsets[i + 1] = this.offsets[i]!;
  }

  /** num storage: the number as is; day: epoch ms (floored to days); i64: an integral number. */
  appendNumber(x: number): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.valid[i >> 3]! |= 1 << (i & 7);
    if (this.kind === 'num') this.nums![i] = x;
    else if (this.kind === 'i64') {
      const hi = Math.floor(x / 4294967296);
      this.halves![2 * i] = x - hi * 4294967296;
      this.halves![2 * i + 1] = hi;
    } else if (this.kind === 'day') this.nums![i] = Math.floor(x / MS_PER_DAY);
  }

  appendBool(b: boolean): void {
    if (this.n === this.cap) this.grow();
    const i = this.n++;
    this.valid[i >> 3]! |= 1 << (i & 7);
    if (b) this.bits![i >> 3]! |= 1 << (i & 7);
  }

  private room(extra: number): number {
    const at = this.offsets![this.n]!;
    if (at + extra > this.bytes!.length) {
      const next = new Uint8Array(Math.max(at + extra, this.bytes!.length * 2));
      next.set(this.bytes!.subarray(0, at));
      this.bytes = next;
    }
    return at;
  }

  /** utf8/bin storage: bytes [s, e) of `src` (already valid UTF-8 for a utf8 column). */
  appendRaw(src: Uint8Array, s: number, e: number): void {
    if (this.n === this.cap) this.grow();
    let at = this.room(e - s);
    const out = this.bytes!;
    if (e - s < 32) for (let k = s; k < e; k++) out[at++] = src[k]!;
    else {
      out.set(src.subarray(s, e), at);
      at += e - s;
    }
    const i = this.n++;
    this.valid[i >> 3]! |= 1 << (i & 7);
    this.offsets![i + 1] = at;
  }

  appendText(str: string): void {
    if (this.n === this.cap) this.grow();
    let at = this.room(str.length * 3);
    const out = this.bytes!;
    for (let k = 0; k < str.length; k++) {
      const c = str.charCodeAt(k);
      if (c >= 0x80) {
        at += Buffer.from(out.buffer, out.byteOffset, out.length).write(str.slice(k), at, 'utf8');
        break;
      }
      out[at++] = c;
    }
    const i = this.n++;
    this.valid[i >> 3]! |= 1 << (i & 7);
    this.offsets![i + 1] = at;
  }

  /** A value by the conventions of exec/values.ts (already of this column's type). */
  append(v: Value): void {
    if (v === null) return this.appendNull();
    switch (this.kind) {
      case 'bool':
        return this.appendBool(v === true);
      case 'utf8':
        return this.appendText(v as string);
      case 'bin': {
        const b = v as Uint8Array;
        return this.appendRaw(b, 0, b.length);
      }
      default:
        return this.appendNumber(v as number);
    }
  }

  /** Cut back to `n` values. */
  truncate(n: number): void {
    for (let i = n; i < this.n; i++) {
      if (((this.valid[i >> 3]! >> (i & 7)) & 1) === 0) this.nulls--;
      this.valid[i >> 3]! &= ~(1 << (i & 7));
      if (this.bits) this.bits[i >> 3]! &= ~(1 << (i & 7));
    }
    this.n = Math.min(this.n, n);
  }

  /** The column (shares this writer's buffers: write no more after it). */
  finish(): Data {
    const { nums, halves, bits, offsets, bytes } = this;
    return columnData(this.type, this.kind, this.n, this.nulls, this.valid, { nums, halves, bits, offsets, bytes });
  }
}

/**
 * A byte array not cleared first: value bytes are always written before the offsets reach them, and `finish` hands out
 * only those (zeroing the whole array was a few per cent of decoding).
 */
function unzeroed(n: number): Uint8Array {
  const b = Buffer.allocUnsafe(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}
