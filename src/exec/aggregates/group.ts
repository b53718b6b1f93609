/**
 * Aggregate state for many groups at once (tumbling, stagger, hop and session windows). A group is a slot number the
 * operator assigns (from its key hash table); each accumulator keeps the state of all slots in a few typed arrays
 * (numbers in Float64Array, other values in one plain array), so a million groups are a few arrays, not a million
 * objects. Only COUNT/SUM/... (DISTINCT) keep a per-group Set of seen values, created when the group sees its first row.
 *
 * Conventions (see AggregateSpec):
 * - `ensureCapacity(n)` before using slots < n; slots past the capacity are not checked on the hot path.
 * - `add(slot, value, rowtime)`: NULLs are ignored (pass them or skip them) except by COUNT(*) (call with `undefined`
 *   or anything: every call counts) and by FIRST_VALUE / LAST_VALUE with RESPECT NULLS (the default; see
 *   `respectsNulls`), which must be passed NULLs to see them.
 * - `addF64(slot, x, rowtime)`: the same for a non-NULL number; numeric accumulators skip the type tests.
 * - `result(slot)`: NULL for an empty group, 0 for COUNT.
 * - `clear(slot)`: the slot is empty again (ready for a new group).
 * - `merge(dst, src)`: dst becomes the aggregate of dst's rows followed by src's rows (hop panes, session merges);
 *   src is unchanged.
 * - `save(slot)` / `load(slot, saved)`: JSON-serialisable state of one slot (NaN/Infinity/-0 and bytes encoded).
 *
 * Numerics: SUM and AVG use Neumaier-compensated sums (integer inputs give exact sums while |sum| < 2^53, as BIGINT is
 * exact up to 2^53 by values.ts); the variance family uses Welford's update and Chan's merge. EXP_AVG weighs a row at
 * time t by 2^((t − T)/h) where T is the latest row time and h the half-life (`params[0]`, ms), so a row one
 * half-life older than another counts half as much (KDA reference, EXP_AVG); the weighted mean does not depend on T.
 */
import { SqlRuntimeError, type Value } from '../values.js';
import {
  compareValues, decNum, decValue, encNum, encValue, finisher, isNumberType, kahanAdd, kahanValue, valueKey,
  type AggregateSpec,
} from './spec.js';

export interface GroupAccumulator {
  readonly spec: AggregateSpec;
  ensureCapacity(slots: number): void;
  /** Add one row's argument value to a group. NULLs are ignored except by COUNT(*) and RESPECT NULLS FIRST/LAST_VALUE. */
  add(slot: number, value: Value | undefined, rowtime: number): void;
  /** add() for a non-NULL number (faster for numeric aggregates). */
  addF64(slot: number, x: number, rowtime: number): void;
  /**
   * add() for rows from ≤ i < to of a numeric column: row i goes to slot slots[i] with value xs[i] and ROWTIME
   * rowtimes[i], or NULL when bit i (LSB first, as Arrow) of `valid` is 0; `valid` null means no NULLs. One call per
   * batch keeps the loop inside the accumulator (monomorphic), which is what makes it fast.
   */
  addF64Batch(slots: ArrayLike<number>, xs: ArrayLike<number>, valid: Uint8Array | null, rowtimes: ArrayLike<number>, from: number, to: number): void;
  /** NULL for an empty group except COUNT → 0. */
  result(slot: number): Value;
  /** The slot is reused for a new group. */
  clear(slot: number): void;
  /** dst := dst's rows followed by src's rows; src unchanged. */
  merge(dst: number, src: number): void;
  /** Save/restore the state of one slot as JSON-serialisable data (checkpoints). */
  save(slot: number): unknown;
  load(slot: number, saved: unknown): void;
}

const growF64 = (a: Float64Array, n: number): Float64Array<ArrayBuffer> => {
  const b = new Float64Array(n);
  b.set(a);
  return b;
};
const growU8 = (a: Uint8Array, n: number): Uint8Array<ArrayBuffer> => {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
};
const growValues = (a: Value[], n: number): void => {
  for (let i = a.length; i < n; i++) a.push(null);
};

abstract class Base implements GroupAccumulator {
  protected cap = 0;
  constructor(readonly spec: AggregateSpec) {}
  ensureCapacity(slots: number): void {
    if (slots <= this.cap) return;
    const n = Math.max(slots, this.cap * 2, 16);
    this.grow(n);
    this.cap = n;
  }
  protected abstract grow(n: number): void;
  abstract add(slot: number, value: Value | undefined, rowtime: number): void;
  addF64(slot: number, x: number, rowtime: number): void {
    this.add(slot, x, rowtime);
  }
  addF64Batch(slots: ArrayLike<number>, xs: ArrayLike<number>, valid: Uint8Array | null, rowtimes: ArrayLike<number>, from: number, to: number): void {
    for (let i = from; i < to; i++) {
      if (valid === null || (valid[i >> 3]! >> (i & 7)) & 1) this.addF64(slots[i]!, xs[i]!, rowtimes[i]!);
      else this.add(slots[i]!, null, rowtimes[i]!);
    }
  }
  abstract result(slot: number): Value;
  abstract clear(slot: number): void;
  abstract merge(dst: number, src: number): void;
  abstract save(slot: number): unknown;
  abstract load(slot: number, saved: unknown): void;
}

// ---- COUNT ----------------------------------------------------------------------------------------------------------
class CountAcc extends Base {
  private c = new Float64Array(0);
  protected grow(n: number) {
    this.c = growF64(this.c, n);
  }
  add(slot: number, v: Value | undefined) {
    if (this.spec.star || (v !== null && v !== undefined)) this.c[slot]++;
  }
  override addF64(slot: number) {
    this.c[slot]++;
  }
  override addF64Batch(slots: ArrayLike<number>, _xs: ArrayLike<number>, valid: Uint8Array | null, _t: ArrayLike<number>, from: number, to: number) {
    const c = this.c;
    if (valid === null || this.spec.star) for (let i = from; i < to; i++) c[slots[i]!]++;
    else for (let i = from; i < to; i++) if ((valid[i >> 3]! >> (i & 7)) & 1) c[slots[i]!]++;
  }
  result(slot: number): Value {
    return this.c[slot]!;
  }
  clear(slot: number) {
    this.c[slot] = 0;
  }
  merge(d: number, s: number) {
    this.c[d] += this.c[s]!;
  }
  save(slot: number) {
    return this.c[slot]!;
  }
  load(slot: number, j: unknown) {
    this.c[slot] = decNum(j);
  }
}

// ---- SUM, AVG -------------------------------------------------------------------------------------------------------
class SumAcc extends Base {
  private n = new Float64Array(0);
  private s = new Float64Array(0);
  private c = new Float64Array(0);
  private readonly fin;
  constructor(spec: AggregateSpec, private readonly avg: boolean) {
    super(spec);
    this.fin = finisher(spec.resultType);
  }
  protected grow(n: number) {
    this.n = growF64(this.n, n);
    this.s = growF64(this.s, n);
    this.c = growF64(this.c, n);
  }
  add(slot: number, v: Value | undefined) {
    if (typeof v === 'number') this.addF64(slot, v);
  }
  override addF64(slot: number, x: number) {
    this.n[slot]++;
    kahanAdd(this.s, this.c, slot, x);
  }
  override addF64Batch(slots: ArrayLike<number>, xs: ArrayLike<number>, valid: Uint8Array | null, _t: ArrayLike<number>, from: number, to: number) {
    const n = this.n;
    const s = this.s;
    const c = this.c;
    for (let i = from; i < to; i++) {
      if (valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0) continue;
      const g = slots[i]!;
      const x = xs[i]!;
      n[g]++;
      const a = s[g]!;
      const t = a + x;
      if (Math.abs(a) >= Math.abs(x)) c[g] += a - t + x;
      else c[g] += x - t + a;
      s[g] = t;
    }
  }
  result(slot: number): Value {
    const n = this.n[slot]!;
    if (n === 0) return null;
    const t = kahanValue(this.s[slot]!, this.c[slot]!);
    return this.fin(this.avg ? t / n : t);
  }
  clear(slot: number) {
    this.n[slot] = 0;
    this.s[slot] = 0;
    this.c[slot] = 0;
  }
  merge(d: number, s: number) {
    if (this.n[s] === 0) return;
    this.n[d] += this.n[s]!;
    kahanAdd(this.s, this.c, d, this.s[s]!);
    kahanAdd(this.s, this.c, d, this.c[s]!);
  }
  save(slot: number) {
    return [this.n[slot]!, encNum(this.s[slot]!), encNum(this.c[slot]!)];
  }
  load(slot: number, j: unknown) {
    const a = j as unknown[];
    this.n[slot] = decNum(a[0]);
    this.s[slot] = decNum(a[1]);
    this.c[slot] = decNum(a[2]);
  }
}

// ---- MIN, MAX -------------------------------------------------------------------------------------------------------
class MinMaxF64 extends Base {
  private v = new Float64Array(0);
  private h = new Uint8Array(0);
  constructor(spec: AggregateSpec, private readonly max: boolean) {
    super(spec);
  }
  protected grow(n: number) {
    this.v = growF64(this.v, n);
    this.h = growU8(this.h, n);
  }
  add(slot: number, v: Value | undefined) {
    if (typeof v === 'number') this.addF64(slot, v);
  }
  override addF64(slot: number, x: number) {
    if (this.h[slot] === 0) {
      this.h[slot] = 1;
      this.v[slot] = x;
    } else if (this.max ? x > this.v[slot]! : x < this.v[slot]!) this.v[slot] = x;
  }
  override addF64Batch(slots: ArrayLike<number>, xs: ArrayLike<number>, valid: Uint8Array | null, _t: ArrayLike<number>, from: number, to: number) {
    const v = this.v;
    const h = this.h;
    const max = this.max;
    for (let i = from; i < to; i++) {
      if (valid !== null && ((valid[i >> 3]! >> (i & 7)) & 1) === 0) continue;
      const g = slots[i]!;
      const x = xs[i]!;
      if (h[g] === 0) {
        h[g] = 1;
        v[g] = x;
      } else if (max ? x > v[g]! : x < v[g]!) v[g] = x;
    }
  }
  result(slot: number): Value {
    return this.h[slot] === 0 ? null : this.v[slot]!;
  }
  clear(slot: number) {
    this.h[slot] = 0;
    this.v[slot] = 0;
  }
  merge(d: number, s: number) {
    if (this.h[s] !== 0) this.addF64(d, this.v[s]!);
  }
  save(slot: number) {
    return this.h[slot] === 0 ? null : encNum(this.v[slot]!);
  }
  load(slot: number, j: unknown) {
    this.h[slot] = j === null ? 0 : 1;
    this.v[slot] = j === null ? 0 : decNum(j);
  }
}

class MinMaxAny extends Base {
  private v: Value[] = [];
  constructor(spec: AggregateSpec, private readonly max: boolean) {
    super(spec);
  }
  protected grow(n: number) {
    growValues(this.v, n);
  }
  add(slot: number, v: Value | undefined) {
    if (v === null || v === undefined) return;
    const cur = this.v[slot]!;
    if (cur === null) this.v[slot] = v;
    else {
      const c = compareValues(v, cur);
      if (this.max ? c > 0 : c < 0) this.v[slot] = v;
    }
  }
  result(slot: number): Value {
    return this.v[slot]!;
  }
  clear(slot: number) {
    this.v[slot] = null;
  }
  merge(d: number, s: number) {
    this.add(d, this.v[s]!);
  }
  save(slot: number) {
    return encValue(this.v[slot]!);
  }
  load(slot: number, j: unknown) {
    this.v[slot] = decValue(j);
  }
}

// ---- FIRST_VALUE, LAST_VALUE ----------------------------------------------------------------------------------------
const EMPTY = 0;
const HAS = 1;
const IS_NULL = 2;

class FirstLastAcc extends Base {
  /** EMPTY, HAS (value in f or o) or IS_NULL. */
  private h = new Uint8Array(0);
  private f = new Float64Array(0);
  private o: Value[] = [];
  private readonly num: boolean;
  private readonly ignore: boolean;
  constructor(spec: AggregateSpec, private readonly last: boolean) {
    super(spec);
    this.num = isNumberType(spec.argTypes[0]);
    this.ignore = !!spec.ignoreNulls;
  }
  protected grow(n: number) {
    this.h = growU8(this.h, n);
    if (this.num) this.f = growF64(this.f, n);
    else growValues(this.o, n);
  }
  add(slot: number, v: Value | undefined) {
    if (!this.last && this.h[slot] !== EMPTY) return;
    if (v === null || v === undefined) {
      if (!this.ignore) this.h[slot] = IS_NULL;
      return;
    }
    this.h[slot] = HAS;
    if (this.num) this.f[slot] = v as number;
    else this.o[slot] = v;
  }
  override addF64(slot: number, x: number) {
    if (!this.last && this.h[slot] !== EMPTY) return;
    this.h[slot] = HAS;
    if (this.num) this.f[slot] = x;
    else this.o[slot] = x;
  }
  result(slot: number): Value {
    return this.h[slot] !== HAS ? null : this.num ? this.f[slot]! : this.o[slot]!;
  }
  clear(slot: number) {
    this.h[slot] = EMPTY;
    if (!this.num) this.o[slot] = null;
  }
  merge(d: number, s: number) {
    const hs = this.h[s]!;
    if (hs === EMPTY || (!this.last && this.h[d] !== EMPTY)) return;
    this.h[d] = hs;
    if (this.num) this.f[d] = this.f[s]!;
    else this.o[d] = this.o[s]!;
  }
  save(slot: number) {
    return [this.h[slot]!, encValue(this.result(slot))];
  }
  load(slot: number, j: unknown) {
    const [h, v] = j as [number, unknown];
    this.h[slot] = h;
    const x = decValue(v);
    if (this.num) this.f[slot] = (x as number | null) ?? 0;
    else this.o[slot] = x;
  }
}

// ---- EXP_AVG --------------------------------------------------------------------------------------------------------
/** The half-life of EXP_AVG in ms, from params[0]. */
export function halfLife(spec: AggregateSpec): number {
  const h = spec.params[0];
  if (typeof h !== 'number' || !(h > 0) || !Number.isFinite(h)) {
    throw new SqlRuntimeError('INVALID_ARGUMENT', 'EXP_AVG needs a positive time interval (half-life)');
  }
  return h;
}

class ExpAvgAcc extends Base {
  private n = new Float64Array(0);
  /** Σ w·x and Σ w with weights relative to T (the newest row time): w = 2^((t − T)/h). */
  private s = new Float64Array(0);
  private w = new Float64Array(0);
  private t = new Float64Array(0);
  private readonly h: number;
  constructor(spec: AggregateSpec) {
    super(spec);
    this.h = halfLife(spec);
  }
  protected grow(n: number) {
    this.n = growF64(this.n, n);
    this.s = growF64(this.s, n);
    this.w = growF64(this.w, n);
    this.t = growF64(this.t, n);
  }
  add(slot: number, v: Value | undefined, rowtime: number) {
    if (typeof v === 'number') this.addF64(slot, v, rowtime);
  }
  override addF64(slot: number, x: number, rowtime: number) {
    this.addWeighted(slot, x, 1, rowtime);
  }
  /** Add Σw·x = sx, Σw = w, both relative to time `at`. */
  private addWeighted(slot: number, sx: number, w: number, at: number, n = 1) {
    if (this.n[slot] === 0) {
      this.s[slot] = sx;
      this.w[slot] = w;
      this.t[slot] = at;
    } else {
      const T = this.t[slot]!;
      if (at >= T) {
        const f = at === T ? 1 : 2 ** ((T - at) / this.h);
        this.s[slot] = this.s[slot]! * f + sx;
        this.w[slot] = this.w[slot]! * f + w;
        this.t[slot] = at;
      } else {
        const f = 2 ** ((at - T) / this.h);
        this.s[slot] += sx * f;
        this.w[slot] += w * f;
      }
    }
    this.n[slot] += n;
  }
  result(slot: number): Value {
    return this.n[slot] === 0 ? null : this.s[slot]! / this.w[slot]!;
  }
  clear(slot: number) {
    this.n[slot] = 0;
    this.s[slot] = 0;
    this.w[slot] = 0;
    this.t[slot] = 0;
  }
  merge(d: number, s: number) {
    if (this.n[s] !== 0) this.addWeighted(d, this.s[s]!, this.w[s]!, this.t[s]!, this.n[s]!);
  }
  save(slot: number) {
    return [this.n[slot]!, encNum(this.s[slot]!), encNum(this.w[slot]!), encNum(this.t[slot]!)];
  }
  load(slot: number, j: unknown) {
    const a = j as unknown[];
    this.n[slot] = decNum(a[0]);
    this.s[slot] = decNum(a[1]);
    this.w[slot] = decNum(a[2]);
    this.t[slot] = decNum(a[3]);
  }
}

// ---- VAR_POP, VAR_SAMP, STDDEV_POP, STDDEV_SAMP, STDDEV ------------------------------------------------------------
export type VarianceKind = 'VAR_POP' | 'VAR_SAMP' | 'STDDEV_POP' | 'STDDEV_SAMP';

/** The variance-family result from a count and Welford's M2 (sum of squared deviations). */
export function varianceResult(kind: VarianceKind, n: number, m2: number): Value {
  const pop = kind === 'VAR_POP' || kind === 'STDDEV_POP';
  if (n === 0 || (!pop && n < 2)) return null;
  const v = Math.max(0, m2) / (pop ? n : n - 1);
  return kind === 'VAR_POP' || kind === 'VAR_SAMP' ? v : Math.sqrt(v);
}

class VarianceAcc extends Base {
  private n = new Float64Array(0);
  private m = new Float64Array(0);
  private q = new Float64Array(0);
  constructor(spec: AggregateSpec, private readonly kind: VarianceKind) {
    super(spec);
  }
  protected grow(n: number) {
    this.n = growF64(this.n, n);
    this.m = growF64(this.m, n);
    this.q = growF64(this.q, n);
  }
  add(slot: number, v: Value | undefined) {
    if (typeof v === 'number') this.addF64(slot, v);
  }
  override addF64(slot: number, x: number) {
    const n = ++this.n[slot];
    const mean = this.m[slot]!;
    const d = x - mean;
    const m2 = mean + d / n;
    this.m[slot] = m2;
    this.q[slot] += d * (x - m2);
  }
  result(slot: number): Value {
    return varianceResult(this.kind, this.n[slot]!, this.q[slot]!);
  }
  clear(slot: number) {
    this.n[slot] = 0;
    this.m[slot] = 0;
    this.q[slot] = 0;
  }
  merge(d: number, s: number) {
    const nb = this.n[s]!;
    if (nb === 0) return;
    const na = this.n[d]!;
    const n = na + nb;
    const delta = this.m[s]! - this.m[d]!;
    this.m[d] = na === 0 ? this.m[s]! : this.m[d]! + (delta * nb) / n;
    this.q[d] = this.q[d]! + this.q[s]! + (na === 0 ? 0 : (delta * delta * na * nb) / n);
    this.n[d] = n;
  }
  save(slot: number) {
    return [this.n[slot]!, encNum(this.m[slot]!), encNum(this.q[slot]!)];
  }
  load(slot: number, j: unknown) {
    const a = j as unknown[];
    this.n[slot] = decNum(a[0]);
    this.m[slot] = decNum(a[1]);
    this.q[slot] = decNum(a[2]);
  }
}

// ---- ANY, EVERY -----------------------------------------------------------------------------------------------------
class AnyEveryAcc extends Base {
  private n = new Float64Array(0);
  private t = new Float64Array(0);
  constructor(spec: AggregateSpec, private readonly every: boolean) {
    super(spec);
  }
  protected grow(n: number) {
    this.n = growF64(this.n, n);
    this.t = growF64(this.t, n);
  }
  add(slot: number, v: Value | undefined) {
    if (typeof v !== 'boolean') return;
    this.n[slot]++;
    if (v) this.t[slot]++;
  }
  result(slot: number): Value {
    const n = this.n[slot]!;
    if (n === 0) return null;
    return this.every ? this.t[slot] === n : this.t[slot]! > 0;
  }
  clear(slot: number) {
    this.n[slot] = 0;
    this.t[slot] = 0;
  }
  merge(d: number, s: number) {
    this.n[d] += this.n[s]!;
    this.t[d] += this.t[s]!;
  }
  save(slot: number) {
    return [this.n[slot]!, this.t[slot]!];
  }
  load(slot: number, j: unknown) {
    const a = j as number[];
    this.n[slot] = a[0]!;
    this.t[slot] = a[1]!;
  }
}

// ---- DISTINCT -------------------------------------------------------------------------------------------------------
/** agg(DISTINCT x): passes each group's first occurrence of a value to the inner accumulator. */
class DistinctAcc implements GroupAccumulator {
  /** slot → (value key → [value, rowtime of its first occurrence]); only for groups that have seen a row. */
  private seen = new Map<number, Map<unknown, [Value, number]>>();
  constructor(
    readonly spec: AggregateSpec,
    private readonly inner: GroupAccumulator,
  ) {}
  ensureCapacity(slots: number) {
    this.inner.ensureCapacity(slots);
  }
  add(slot: number, v: Value | undefined, rowtime: number) {
    if (v === null || v === undefined) return this.inner.add(slot, v, rowtime);
    let set = this.seen.get(slot);
    if (!set) this.seen.set(slot, (set = new Map()));
    const k = valueKey(v);
    if (set.has(k)) return;
    set.set(k, [v, rowtime]);
    this.inner.add(slot, v, rowtime);
  }
  addF64(slot: number, x: number, rowtime: number) {
    this.add(slot, x, rowtime);
  }
  addF64Batch(slots: ArrayLike<number>, xs: ArrayLike<number>, valid: Uint8Array | null, rowtimes: ArrayLike<number>, from: number, to: number) {
    for (let i = from; i < to; i++) {
      this.add(slots[i]!, valid === null || (valid[i >> 3]! >> (i & 7)) & 1 ? xs[i]! : null, rowtimes[i]!);
    }
  }
  result(slot: number) {
    return this.inner.result(slot);
  }
  clear(slot: number) {
    this.seen.delete(slot);
    this.inner.clear(slot);
  }
  merge(d: number, s: number) {
    const src = this.seen.get(s);
    if (src) for (const [v, t] of src.values()) this.add(d, v, t);
  }
  save(slot: number) {
    const set = this.seen.get(slot);
    return { inner: this.inner.save(slot), seen: set ? [...set.values()].map(([v, t]) => [encValue(v), encNum(t)]) : [] };
  }
  load(slot: number, j: unknown) {
    const o = j as { inner: unknown; seen: [unknown, unknown][] };
    this.inner.load(slot, o.inner);
    this.seen.delete(slot);
    if (o.seen.length === 0) return;
    const set = new Map<unknown, [Value, number]>();
    for (const [v, t] of o.seen) {
      const x = decValue(v);
      set.set(valueKey(x), [x, decNum(t)]);
    }
    this.seen.set(slot, set);
  }
}

// ---- factory --------------------------------------------------------------------------------------------------------
/** The accumulator for one aggregate call of a GROUP BY (or stagger/hop/session) window. Throws on an unknown name. */
export function groupAccumulator(spec: AggregateSpec): GroupAccumulator {
  const name = spec.name.toUpperCase();
  const acc = plain(spec, name);
  if (spec.distinct && name !== 'MIN' && name !== 'MAX' && name !== 'ANY' && name !== 'EVERY') return new DistinctAcc(spec, acc);
  return acc;
}

function plain(spec: AggregateSpec, name: string): GroupAccumulator {
  const num = isNumberType(spec.argTypes[0]);
  switch (name) {
    case 'COUNT':
      return new CountAcc(spec);
    case 'SUM':
      return new SumAcc(spec, false);
    case 'AVG':
      return new SumAcc(spec, true);
    case 'MIN':
    case 'MAX':
      return num ? new MinMaxF64(spec, name === 'MAX') : new MinMaxAny(spec, name === 'MAX');
    case 'FIRST_VALUE':
    case 'LAST_VALUE':
      return new FirstLastAcc(spec, name === 'LAST_VALUE');
    case 'EXP_AVG':
      return new ExpAvgAcc(spec);
    case 'VAR_POP':
    case 'VAR_SAMP':
    case 'STDDEV_POP':
    case 'STDDEV_SAMP':
      return new VarianceAcc(spec, name);
    case 'STDDEV':
      return new VarianceAcc(spec, 'STDDEV_SAMP');
    case 'ANY':
    case 'EVERY':
      return new AnyEveryAcc(spec, name === 'EVERY');
    default:
      throw new Error(`no group accumulator for aggregate ${spec.name}`);
  }
}
