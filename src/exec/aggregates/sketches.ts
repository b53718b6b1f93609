/**
 * The approximate tumbling functions' sketches.
 *
 * COUNT_DISTINCT_ITEMS_TUMBLING — HyperLogLog (Flajolet et al. 2007) with 2^p registers (p = 12 by default), estimated
 * with Ertl's improved raw estimator ("New cardinality estimation algorithms for HyperLogLog sketches", 2017), which
 * is unbiased over the whole range without empirical tables. Relative standard error ≈ 1.04 / √(2^p): 1.6 % for
 * p = 12, so an estimate is within 3 standard errors (4.9 %) of the truth about 99.7 % of the time. Hashes are 32 + p
 * bits (two independent 32-bit lanes: one picks the register, the other gives the rank), so collisions stay
 * negligible up to ~10^9 distinct items. `DistinctCounter` is what the function uses: exact (a Set) while the window
 * holds ≤ 10,000 distinct items, as the KDA reference promises, then HyperLogLog.
 *
 * TOP_K_ITEMS_TUMBLING — Space-Saving (Metwally, Agrawal, El Abbadi 2005) with m counters. After N items: every item
 * whose true count exceeds N/m is monitored; each monitored item's count overestimates its true count by at most its
 * recorded `error` ≤ the smallest counter ≤ N/m; and count − error ≤ true count ≤ count. A min-heap over the counters
 * makes each update O(log m).
 */
import type { Value } from '../values.js';
import { decNum, decValue, encNum, encValue, valueKey, type Json } from './spec.js';

// ---- hashing --------------------------------------------------------------------------------------------------------
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** murmur3's 32-bit finaliser: full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The second lane of the last hashValue() call. */
let lane2 = 0;

/**
 * A 32-bit hash of a non-NULL value (FNV-1a over UTF-16 code units / bytes / the float64 bits, murmur-finalised); a
 * second independent lane (multiplier 0x5bd1e995) is left in `hashLane2()`. Equal values hash equal (-0 = 0).
 */
export function hashValue(v: Value): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  if (typeof v === 'string') {
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    a ^= v.length;
  } else if (typeof v === 'number') {
    F64[0] = v === 0 ? 0 : v;
    a = Math.imul(a ^ U32[0]!, 0x01000193);
    a = Math.imul(a ^ U32[1]!, 0x01000193);
    b = Math.imul(b ^ U32[0]!, 0x5bd1e995);
    b ^= b >>> 15;
    b = Math.imul(b ^ U32[1]!, 0x5bd1e995);
    a ^= 0x6e756d; // 'num': keeps 1 and '1' apart
  } else if (typeof v === 'boolean') {
    a ^= v ? 0x74727565 : 0x66616c73;
    b ^= v ? 0x2545f491 : 0x4f6cdd1d;
  } else if (v instanceof Uint8Array) {
    for (let i = 0; i < v.length; i++) {
      const c = v[i]!;
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 15;
    }
    a ^= 0x62797465 ^ v.length;
  }
  lane2 = fmix32(b ^ 0x27d4eb2f);
  return fmix32(a);
}
export const hashLane2 = (): number => lane2;

// ---- HyperLogLog ----------------------------------------------------------------------------------------------------
/** Register values go up to 33 (32 rank bits + 1). */
const Q = 32;

export class HyperLogLog {
  readonly m: number;
  private reg: Uint8Array;

  /** 2^p registers, 4 ≤ p ≤ 18. */
  constructor(readonly p = 12) {
    if (!Number.isInteger(p) || p < 4 || p > 18) throw new Error('HyperLogLog precision must be 4..18');
    this.m = 1 << p;
    this.reg = new Uint8Array(this.m);
  }

  /** Relative standard error of the estimate, 1.04 / √m. */
  static standardError(p: number): number {
    return 1.04 / Math.sqrt(2 ** p);
  }

  /** Add a value (NULL is ignored). */
  add(v: Value): void {
    if (v === null) return;
    const a = hashValue(v);
    this.addHash(a, lane2);
  }

  /** Add by hash: `a` picks the register (top p bits), `b` gives the rank (leading zeros + 1). */
  addHash(a: number, b: number): void {
    const i = a >>> (32 - this.p);
    const r = Math.clz32(b) + 1;
    if (r > this.reg[i]!) this.reg[i] = r;
  }

  merge(other: HyperLogLog): void {
    if (other.p !== this.p) throw new Error('HyperLogLog precisions differ');
    for (let i = 0; i < this.m; i++) if (other.reg[i]! > this.reg[i]!) this.reg[i] = other.reg[i]!;
  }

  clear(): void {
    this.reg.fill(0);
  }

  /** Ertl's improved raw estimate. */
  estimate(): number {
    const m = this.m;
    const c = new Float64Array(Q + 2);
    for (let i = 0; i < m; i++) c[this.reg[i]!]++;
    let z = m * tau(1 - c[Q + 1]! / m);
    for (let k = Q; k >= 1; k--) z = 0.5 * (z + c[k]!);
    z += m * sigma(c[0]! / m);
    return (m * m) / (2 * Math.LN2 * z);
  }

  save(): unknown {
    return { p: this.p, r: Buffer.from(this.reg).toString('base64') };
  }
  load(s: unknown): void {
    const j = s as { p: number; r: string };
    if (j.p !== this.p) throw new Error('HyperLogLog precisions differ');
    this.reg = new Uint8Array(Buffer.from(j.r, 'base64'));
  }
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (;;) {
    x *= x;
    const prev = z;
    z += x * y;
    y += y;
    if (z === prev) return z;
  }
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (;;) {
    x = Math.sqrt(x);
    const prev = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
    if (z === prev) return z / 3;
  }
}

/**
 * COUNT_DISTINCT_ITEMS_TUMBLING's counter: exact while it has seen at most `exactLimit` (10,000) distinct items,
 * HyperLogLog after that.
 */
export class DistinctCounter {
  private exact: Set<unknown> | undefined = new Set();
  private readonly hll: HyperLogLog;
  constructor(
    p = 12,
    readonly exactLimit = 10_000,
  ) {
    this.hll = new HyperLogLog(p);
  }
  /** Add a value (NULL is ignored). */
  add(v: Value): void {
    if (v === null) return;
    this.hll.add(v);
    if (this.exact) {
      this.exact.add(valueKey(v));
      if (this.exact.size > this.exactLimit) this.exact = undefined;
    }
  }
  /** Distinct items seen: exact up to the limit, else the rounded HyperLogLog estimate (never below the limit). */
  count(): number {
    return this.exact ? this.exact.size : Math.max(this.exactLimit + 1, Math.round(this.hll.estimate()));
  }
  get isExact(): boolean {
    return this.exact !== undefined;
  }
  clear(): void {
    this.exact = new Set();
    this.hll.clear();
  }
  save(): unknown {
    return { hll: this.hll.save(), exact: this.exact ? [...this.exact].map((k) => encValue(k as Value)) : null };
  }
  load(s: unknown): void {
    const j = s as { hll: unknown; exact: Json[] | null };
    this.hll.load(j.hll);
    this.exact = j.exact ? new Set(j.exact.map((k) => valueKey(decValue(k)))) : undefined;
  }
}

// ---- Space-Saving ---------------------------------------------------------------------------------------------------
export interface TopItem {
  value: Value;
  /** Estimated count: true count ≤ count ≤ true count + error. */
  count: number;
  /** Overestimation bound for this item (≤ N / capacity). */
  error: number;
}

/** The number of Space-Saving counters Sluice uses for TOP_K_ITEMS_TUMBLING(..., k, ...): 4k, at least 64. */
export const topKCapacity = (k: number): number => Math.max(64, 4 * k);

export class SpaceSaving {
  /** Items counted (the N of the error bound). */
  total = 0;
  private size = 0;
  private readonly index = new Map<unknown, number>();
  private readonly keys: unknown[];
  private readonly vals: Value[];
  private readonly counts: Float64Array;
  private readonly errs: Float64Array;
  /** When the counter took its current item (tie-break: older first). */
  private readonly stamp: Float64Array;
  private clock = 0;
  /** Min-heap of counter numbers by (count, stamp), and each counter's heap position. */
  private readonly heap: Int32Array;
  private readonly pos: Int32Array;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error('Space-Saving needs at least one counter');
    this.keys = new Array<unknown>(capacity).fill(null);
    this.vals = new Array<Value>(capacity).fill(null);
    this.counts = new Float64Array(capacity);
    this.errs = new Float64Array(capacity);
    this.stamp = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity);
  }

  /** Count one occurrence of a value (NULL is ignored). */
  add(v: Value, weight = 1): void {
    if (v === null) return;
    this.total += weight;
    const key = valueKey(v);
    const c = this.index.get(key);
    if (c !== undefined) {
      this.counts[c] += weight;
      this.down(this.pos[c]!);
      return;
    }
    if (this.size < this.capacity) {
      const i = this.size++;
      this.set(i, key, v, weight, 0);
      this.heap[i] = i;
      this.pos[i] = i;
      this.up(i);
      return;
    }
    const i = this.heap[0]!;
    this.index.delete(this.keys[i]);
    const min = this.counts[i]!;
    this.set(i, key, v, min + weight, min);
    this.down(0);
  }

  private set(i: number, key: unknown, v: Value, count: number, err: number) {
    this.keys[i] = key;
    this.vals[i] = v;
    this.counts[i] = count;
    this.errs[i] = err;
    this.stamp[i] = this.clock++;
    this.index.set(key, i);
  }

  private less(a: number, b: number): boolean {
    const ca = this.counts[a]!;
    const cb = this.counts[b]!;
    return ca < cb || (ca === cb && this.stamp[a]! < this.stamp[b]!);
  }

  private swap(i: number, j: number) {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    this.pos[b] = i;
    this.pos[a] = j;
  }

  private up(i: number) {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.heap[i]!, this.heap[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number) {
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(this.heap[r]!, this.heap[l]!) ? r : l;
      if (!this.less(this.heap[c]!, this.heap[i]!)) break;
      this.swap(i, c);
      i = c;
    }
  }

  /** The smallest counter (0 until all counters are in use): every unmonitored item occurred at most this often. */
  get minCount(): number {
    return this.size < this.capacity ? 0 : this.counts[this.heap[0]!]!;
  }

  /** The k items with the highest counts, highest first (ties: the item monitored longer first). */
  top(k: number = this.size): TopItem[] {
    const idx = Array.from({ length: this.size }, (_, i) => i);
    idx.sort((a, b) => this.counts[b]! - this.counts[a]! || this.stamp[a]! - this.stamp[b]!);
    return idx.slice(0, k).map((i) => ({ value: this.vals[i]!, count: this.counts[i]!, error: this.errs[i]! }));
  }

  clear(): void {
    this.total = 0;
    this.size = 0;
    this.clock = 0;
    this.index.clear();
    this.keys.fill(null);
    this.vals.fill(null);
  }

  save(): unknown {
    const items = Array.from({ length: this.size }, (_, i) => [encValue(this.vals[i]!), encNum(this.counts[i]!), encNum(this.errs[i]!), this.stamp[i]!]);
    return { capacity: this.capacity, total: encNum(this.total), clock: this.clock, items, heap: Array.from(this.heap.subarray(0, this.size)) };
  }

  load(s: unknown): void {
    const j = s as { capacity: number; total: unknown; clock: number; items: unknown[][]; heap: number[] };
    if (j.capacity !== this.capacity) throw new Error('Space-Saving capacities differ');
    this.clear();
    this.total = decNum(j.total);
    this.clock = j.clock;
    j.items.forEach((it, i) => {
      const v = decValue(it[0]);
      const key = valueKey(v);
      this.keys[i] = key;
      this.vals[i] = v;
      this.counts[i] = decNum(it[1]);
      this.errs[i] = decNum(it[2]);
      this.stamp[i] = it[3] as number;
      this.index.set(key, i);
    });
    this.size = j.items.length;
    j.heap.forEach((c, i) => {
      this.heap[i] = c;
      this.pos[c] = i;
    });
  }
}
