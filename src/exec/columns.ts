/**
 * Direct access to the buffers of Arrow columns, and builders that fill new ones. Compiled expressions and operators
 * read and write these typed arrays; nothing here allocates per row except string decoding.
 *
 * Storage kinds (how a value is laid out, whatever its SQL type):
 * - `num`: one JS number per slot in a typed array (Int8/16/32, Float32/64, TimeMillisecond);
 * - `i64`: Int64 or TimestampMillisecond, read as two Int32 halves (lo, hi) so no BigInt is made;
 * - `day`: DateDay (Int32 days), exposed as epoch ms;
 * - `bool`: a bitmap;
 * - `utf8` / `bin`: Int32 offsets into one byte buffer.
 */
import { DataType, makeData, type Data, type RecordBatch } from 'apache-arrow';
import type { SqlType } from '../sql/bind/types.js';
import { arrowType } from './arrow.js';
import { MS_PER_DAY, type Value } from './values.js';

export type StorageKind = 'num' | 'i64' | 'day' | 'bool' | 'utf8' | 'bin';

export function storageOf(type: SqlType): StorageKind {
  const ty = arrowType(type);
  if (DataType.isUtf8(ty)) return 'utf8';
  if (DataType.isBinary(ty)) return 'bin';
  if (DataType.isBool(ty)) return 'bool';
  if (DataType.isDate(ty)) return 'day';
  if ((DataType.isInt(ty) && ty.bitWidth === 64) || DataType.isTimestamp(ty)) return 'i64';
  return 'num';
}

/** A column's buffers, with the Arrow slice offset folded in where Arrow does not fold it (bitmaps, offsets). */
export interface ColumnView {
  kind: StorageKind;
  length: number;
  /** num: the typed array; i64: an Int32Array over the Int64 values; day: Int32Array; bool: bitmap; utf8/bin: bytes. */
  values: ArrayLike<number> & { [i: number]: number };
  /** utf8/bin: value i spans values[offsets[i] .. offsets[i + 1]). */
  offsets: Int32Array | null;
  /** Validity bitmap (bit set = valid), or null when the column has no nulls. */
  valid: Uint8Array | null;
  /** Bit offset into `valid` (and into the values bitmap of a bool column). */
  bitOffset: number;
  /** The column viewed (a projection passes a bare column reference through as it is). */
  data: Data;
}

export function viewOf(data: Data): ColumnView {
  const kind = storageFromData(data);
  const valid = data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 ? data.nullBitmap : null;
  let values: ColumnView['values'];
  if (kind === 'i64') {
    const v = data.values as BigInt64Array;
    values = new Int32Array(v.buffer, v.byteOffset, v.length * 2);
  } else {
    values = data.values as unknown as ColumnView['values'];
  }
  return { kind, length: data.length, values, offsets: kind === 'utf8' || kind === 'bin' ? data.valueOffsets : null, valid, bitOffset: data.offset, data };
}

function storageFromData(data: Data): StorageKind {
  const ty = data.type;
  if (DataType.isUtf8(ty)) return 'utf8';
  if (DataType.isBinary(ty)) return 'bin';
  if (DataType.isBool(ty)) return 'bool';
  if (DataType.isDate(ty)) return 'day';
  if ((DataType.isInt(ty) && ty.bitWidth === 64) || DataType.isTimestamp(ty)) return 'i64';
  return 'num';
}

export function viewsOf(batch: RecordBatch): ColumnView[] {
  const out: ColumnView[] = [];
  for (let k = 0; k < batch.numCols; k++) out.push(viewOf(batch.getChildAt(k)!.data[0]!));
  return out;
}

/** The validity bitmap of a view with row 0 at bit 0 (a copy only for a slice that starts inside a byte), or null. */
export function validFromRow0(c: ColumnView): Uint8Array | null {
  if (c.valid === null || c.bitOffset === 0) return c.valid;
  if ((c.bitOffset & 7) === 0) return c.valid.subarray(c.bitOffset >> 3);
  const out = new Uint8Array((c.length + 7) >> 3);
  for (let i = 0; i < c.length; i++) if (!isNull(c, i)) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

export const isNull = (c: ColumnView, i: number): boolean =>
  c.valid !== null && ((c.valid[(c.bitOffset + i) >> 3]! >> ((c.bitOffset + i) & 7)) & 1) === 0;

/** Read one value (conventions of values.ts). For operators' slow paths and state; compiled loops inline this. */
export function readValue(c: ColumnView, i: number): Value {
  if (isNull(c, i)) return null;
  switch (c.kind) {
    case 'num':
      return c.values[i]!;
    case 'i64':
      return c.values[2 * i + 1]! * 4294967296 + (c.values[2 * i]! >>> 0);
    case 'day':
      return c.values[i]! * MS_PER_DAY;
    case 'bool': {
      const j = c.bitOffset + i;
      return ((c.values[j >> 3]! >> (j & 7)) & 1) === 1;
    }
    case 'utf8':
      return decodeUtf8(c.values as Uint8Array, c.offsets![i]!, c.offsets![i + 1]!);
    case 'bin':
      return (c.values as Uint8Array).slice(c.offsets![i]!, c.offsets![i + 1]!);
  }
}

/** Read a numeric-storage value (num, i64, day), ignoring validity. */
export function readNumber(c: ColumnView, i: number): number {
  if (c.kind === 'i64') return c.values[2 * i + 1]! * 4294967296 + (c.values[2 * i]! >>> 0);
  if (c.kind === 'day') return c.values[i]! * MS_PER_DAY;
  return c.values[i]!;
}

const textDecoder = new TextDecoder();

/** UTF-8 bytes to a string; short ASCII strings skip TextDecoder, which costs more than the copy for them. */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 24) {
    let s = '';
    for (let k = start; k < end; k++) {
      const b = bytes[k]!;
      if (b >= 0x80) return textDecoder.decode(bytes.subarray(start, end));
      s += String.fromCharCode(b);
    }
    return s;
  }
  return textDecoder.decode(bytes.subarray(start, end));
}

// ---- builders ------------------------------------------------------------------------------------------------------
/**
 * Fills one output column row by row. `capacity` is a hint; strings grow their byte buffer as needed. `finish()`
 * returns Arrow Data (the validity bitmap only when some value is null).
 */
export class ColumnBuilder {
  readonly kind: StorageKind;
  length = 0;
  private nulls = 0;
  private valid: Uint8Array;
  private nums: Float64Array | Int32Array | Float32Array | Int16Array | Int8Array | null = null;
  private halves: Int32Array | null = null;
  private bits: Uint8Array | null = null;
  private offsets: Int32Array | null = null;
  private bytes: Uint8Array | null = null;

  constructor(
    readonly type: SqlType,
    private capacity = 1024,
  ) {
    this.kind = storageOf(type);
    capacity = Math.max(capacity, 8);
    this.capacity = capacity;
    this.valid = new Uint8Array((capacity + 7) >> 3);
    this.allocate(capacity);
  }

  private allocate(capacity: number): void {
    const ty = arrowType(this.type);
    switch (this.kind) {
      case 'num':
      case 'day': {
        const Ctor = (ty as unknown as { ArrayType: new (n: number) => Float64Array }).ArrayType;
        const next = new Ctor(capacity);
        if (this.nums) next.set(this.nums as Float64Array);
        this.nums = next;
        break;
      }
      case 'i64': {
        const next = new Int32Array(capacity * 2);
        if (this.halves) next.set(this.halves);
        this.halves = next;
        break;
      }
      case 'bool': {
        const next = new Uint8Array((capacity + 7) >> 3);
        if (this.bits) next.set(this.bits);
        this.bits = next;
        break;
      }
      default: {
        const next = new Int32Array(capacity + 1);
        if (this.offsets) next.set(this.offsets);
        this.offsets = next;
        if (!this.bytes) this.bytes = new Uint8Array(capacity * 8);
      }
    }
    if (this.valid.length < (capacity + 7) >> 3) {
      const v = new Uint8Array((capacity + 7) >> 3);
      v.set(this.valid);
      this.valid = v;
    }
    this.capacity = capacity;
  }

  private room(): void {
    if (this.length === this.capacity) this.allocate(this.capacity * 2);
  }

  appendNull(): void {
    this.room();
    const i = this.length++;
    this.nulls++;
    if (this.offsets) this.offsets[i + 1] = this.offsets[i]!;
  }

  /** Append a value by the conventions of values.ts (null allowed). */
  append(v: Value): void {
    if (v === null || v === undefined) return this.appendNull();
    this.room();
    const i = this.length++;
    this.valid[i >> 3]! |= 1 << (i & 7);
    switch (this.kind) {
      case 'num':
      case 'day':
      case 'i64':
        return this.setNumber(i, v as number);
      case 'bool':
        if (v === true) this.bits![i >> 3]! |= 1 << (i & 7);
        return;
      case 'utf8':
        // A row value (an array, from a log-parsing function) is stored as its JSON text.
        return this.appendText(i, Array.isArray(v) ? JSON.stringify(v) : (v as string));
      case 'bin':
        return this.appendBytes(i, v as Uint8Array);
    }
  }

  /** Append a non-NULL number to a column of numeric storage (num, i64, day): append() without boxing it. */
  appendNumber(x: number): void {
    this.room();
    const i = this.length++;
    this.valid[i >> 3]! |= 1 << (i & 7);
    this.setNumber(i, x);
  }

  private setNumber(i: number, x: number): void {
    if (this.kind === 'num') this.nums![i] = x;
    else if (this.kind === 'day') this.nums![i] = Math.floor(x / MS_PER_DAY);
    else {
      const hi = Math.floor(x / 4294967296);
      this.halves![2 * i] = x - hi * 4294967296;
      this.halves![2 * i + 1] = hi;
    }
  }

  private ensureBytes(extra: number): void {
    const need = this.offsets![this.length - 1]! + extra;
    if (need <= this.bytes!.length) return;
    const next = new Uint8Array(Math.max(need, this.bytes!.length * 2));
    next.set(this.bytes!);
    this.bytes = next;
  }

  private appendText(i: number, s: string): void {
    this.ensureBytes(s.length * 3);
    let at = this.offsets![i]!;
    const bytes = this.bytes!;
    for (let k = 0; k < s.length; k++) {
      const c = s.charCodeAt(k);
      if (c >= 0x80) {
        at += Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).write(s.slice(k), at, 'utf8');
        this.offsets![i + 1] = at;
        return;
      }
      bytes[at++] = c;
    }
    this.offsets![i + 1] = at;
  }

  private appendBytes(i: number, b: Uint8Array): void {
    this.ensureBytes(b.length);
    this.bytes!.set(b, this.offsets![i]!);
    this.offsets![i + 1] = this.offsets![i]! + b.length;
  }

  /** Copy value `i` of a view of the same storage kind (no decoding of strings). */
  appendFrom(c: ColumnView, i: number): void {
    if (isNull(c, i)) return this.appendNull();
    if (c.kind === 'utf8' || c.kind === 'bin') {
      this.room();
      const j = this.length++;
      this.valid[j >> 3]! |= 1 << (j & 7);
      const s = c.offsets![i]!;
      const e = c.offsets![i + 1]!;
      this.ensureBytes(e - s);
      this.bytes!.set((c.values as Uint8Array).subarray(s, e), this.offsets![j]!);
      this.offsets![j + 1] = this.offsets![j]! + (e - s);
      return;
    }
    this.append(readValue(c, i));
  }

  finish(): Data {
    const { nums, halves, bits, offsets, bytes } = this;
    return columnData(this.type, this.kind, this.length, this.nulls, this.valid, { nums, halves, bits, offsets, bytes });
  }
}

/** The arrays a column is built in; which of them are used depends on its StorageKind. */
export interface ColumnArrays {
  nums: Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | null;
  halves: Int32Array | null;
  bits: Uint8Array | null;
  offsets: Int32Array | null;
  bytes: Uint8Array | null;
}

/** The Arrow Data of a built column's first n values: views of its arrays (shared, not copied), the bitmap copied. */
export function columnData(type: SqlType, kind: StorageKind, n: number, nulls: number, valid: Uint8Array, a: ColumnArrays): Data {
  const nullBitmap = nulls > 0 ? valid.slice(0, (n + 7) >> 3) : undefined;
  const base = { type: arrowType(type), length: n, nullCount: nulls, nullBitmap } as const;
  switch (kind) {
    case 'num':
    case 'day':
      return makeData({ ...base, data: a.nums!.subarray(0, n) } as never);
    case 'i64':
      return makeData({ ...base, data: new BigInt64Array(a.halves!.buffer, 0, n) } as never);
    case 'bool':
      return makeData({ ...base, data: a.bits!.subarray(0, (n + 7) >> 3) } as never);
    default:
      return makeData({ ...base, valueOffsets: a.offsets!.subarray(0, n + 1), data: a.bytes!.subarray(0, a.offsets![n]!) } as never);
  }
}

/** A column of n copies of one value (a literal in a select list). */
export function constantColumn(type: SqlType, value: Value, n: number): Data {
  const b = new ColumnBuilder(type, n);
  for (let i = 0; i < n; i++) b.append(value);
  return b.finish();
}

/** The rows of `data` at positions `sel[0..count)`, as a new column. */
export function gather(data: Data, type: SqlType, sel: Int32Array, count: number): Data {
  const c = viewOf(data);
  if (c.kind === 'num' && c.valid === null) {
    const src = c.values as unknown as Float64Array;
    const out = new (src.constructor as Float64ArrayConstructor)(count);
    for (let k = 0; k < count; k++) out[k] = src[sel[k]!]!;
    return makeData({ type: data.type, length: count, nullCount: 0, data: out } as never);
  }
  if (c.kind === 'i64' && c.valid === null) {
    const src = c.values as Int32Array;
    const out = new Int32Array(count * 2);
    for (let k = 0; k < count; k++) {
      const j = sel[k]!;
      out[2 * k] = src[2 * j]!;
      out[2 * k + 1] = src[2 * j + 1]!;
    }
    return makeData({ type: data.type, length: count, nullCount: 0, data: new BigInt64Array(out.buffer) } as never);
  }
  const b = new ColumnBuilder(type, count);
  for (let k = 0; k < count; k++) b.appendFrom(c, sel[k]!);
  return b.finish();
}

/** ROWTIMEs of a batch's column 0 as plain numbers. */
export function rowtimes(batch: RecordBatch): Float64Array {
  const c = viewOf(batch.getChildAt(0)!.data[0]!);
  const out = new Float64Array(batch.numRows);
  if (c.kind !== 'i64') {
    for (let i = 0; i < out.length; i++) out[i] = readNumber(c, i);
    return out;
  }
  // TIMESTAMP, the usual ROWTIME storage: readNumber's i64 case without its kind test per row.
  const halves = c.values;
  for (let i = 0; i < out.length; i++) out[i] = halves[2 * i + 1]! * 4294967296 + (halves[2 * i]! >>> 0);
  return out;
}
