/**
 * State for sliding windows: `agg(x) OVER (PARTITION BY ... RANGE INTERVAL 'n' unit PRECEDING)` or `ROWS n PRECEDING`.
 * One output per input row; the frame of a row at time t is the rows of its partition with ROWTIME in [t − range, t]
 * (RANGE) or the row and the n rows before it (ROWS), in arrival order, the current row included.
 *
 * Per partition (an integer id the caller assigns, e.g. the slot of its key in a hash table): a ring buffer of the
 * frame's rows (rowtimes, argument values in Float64Array columns for numbers and one plain array for other values,
 * NULL flags), a few state words per aggregate and, where needed, monotonic deques of row sequence numbers. The cost
 * of a row does not grow with the frame:
 * - COUNT, SUM, AVG (Neumaier-compensated sums), VAR/STDDEV (Welford add and remove), ANY/EVERY (counts) and EXP_AVG
 *   (decayed sums) add the arriving row and subtract each evicted one; every row is added once and evicted once.
 *   A state whose frame has no non-NULL value is reset to exactly empty, so rounding never outlives a frame.
 * - MIN/MAX keep a monotonic deque: each row is pushed once and popped at most once (back or front).
 * - FIRST_VALUE reads the frame's head, LAST_VALUE the current row; NTH_VALUE and LAG index the ring buffer.
 *   With IGNORE NULLS they index a deque of the frame's non-NULL rows instead.
 * Ring buffers start at 4 rows, double when the frame fills them and halve when it falls below a quarter, so a row
 * costs O(aggregates) amortised and memory follows the frame; `stats` counts the work (tests assert the bound).
 *
 * Usage: `const w = new SlidingWindows({ frame: { unit: 'RANGE', ms: 10_000 }, aggregates: [specs...] })`; per batch
 * `w.push(partitionIds, rowtimes, args, out, n)` (args[k] is aggregate k's argument column, out[k] a builder that
 * receives its results, one per row); on each rowtime bound `w.expire(bound, id => freeKey(id))`; checkpoints with
 * `save()` / `load()`.
 *
 * Analytic functions: `LAG(x, n, default)` is the value n rows before the current row within the frame (params
 * [n = 1, default = NULL]; a row outside the frame gives the default); `NTH_VALUE(x, n)` is the frame's n-th row
 * (FROM FIRST, or FROM LAST with `fromLast`), NULL when the frame has fewer rows.
 *
 * Rowtimes must be non-decreasing within a partition (ROWTIME is non-decreasing per stream).
 */
import { isNull as isNullAt, readNumber, readValue, type ColumnBuilder, type ColumnView } from '../columns.js';
import type { Value } from '../values.js';
import { halfLife, varianceResult, type VarianceKind } from './group.js';
import {
  compareValues, decNum, decNums, decValue, encNum, encNums, encValue, finisher, isNumberType, type AggregateSpec, type Json,
} from './spec.js';

export type SlidingFrame = { unit: 'RANGE'; ms: number } | { unit: 'ROWS'; rows: number };

export interface SlidingSpec {
  frame: SlidingFrame;
  aggregates: AggregateSpec[];
}

/**
 * Work counters: the only loops in push() are evictions, deque pops and ring-buffer copies on resize, so these bound a
 * row's cost; tests check they stay O(1) per row amortised whatever the frame length.
 */
export interface SlidingStats {
  rows: number;
  evictions: number;
  dequePushes: number;
  dequePops: number;
  /** Rows copied when a ring buffer doubled. */
  copied: number;
}

// Aggregate kinds.
const COUNT_STAR = 0;
const COUNT = 1;
const SUM = 2;
const VAR = 3;
const EXP = 4;
const BOOL = 5;
const MINMAX = 6;
const FIRST = 7;
const LAST = 8;
const NTH = 9;
const LAG = 10;

/** State words per kind (a deque takes two: head and length). */
const WORDS = [0, 1, 3, 3, 4, 2, 2, 2, 2, 2, 2];

interface Plan {
  kind: number;
  /** Values in the Float64Array columns (true) or the Value columns. */
  num: boolean;
  /** Column index in f or o, or -1 when the values are not kept. */
  col: number;
  /** Offset of the state words in Part.s. */
  st: number;
  /** Deque index, or -1. */
  dq: number;
  max: boolean;
  avg: boolean;
  every: boolean;
  varKind: VarianceKind;
  fin: (x: number) => number;
  h: number;
  /** LAG offset / NTH_VALUE index (1-based). */
  n: number;
  dflt: Value;
  ignore: boolean;
  fromLast: boolean;
}

class Part {
  head = 0;
  n = 0;
  /** Sequence number (rows ever pushed to this partition) of the row at head. */
  seq0 = 0;
  last = -Infinity;
  t: Float64Array;
  f: Float64Array;
  o: Value[];
  z: Uint8Array;
  s: Float64Array;
  d: Float64Array;
  constructor(
    public cap: number,
    nf: number,
    no: number,
    nk: number,
    ns: number,
    nd: number,
  ) {
    this.t = new Float64Array(cap);
    this.f = new Float64Array(cap * nf);
    this.o = new Array<Value>(cap * no).fill(null);
    this.z = new Uint8Array(cap * nk);
    this.s = new Float64Array(ns);
    this.d = new Float64Array(cap * nd);
  }
}

const INITIAL_CAP = 4;
/** Ring buffers larger than this shrink when the frame holds less than a quarter of them. */
const SHRINK_ABOVE = 32;
const nextPow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(INITIAL_CAP, n)));

export class SlidingWindows {
  readonly stats: SlidingStats = { rows: 0, evictions: 0, dequePushes: 0, dequePops: 0, copied: 0 };
  private readonly plans: Plan[];
  private readonly nf: number;
  private readonly no: number;
  private readonly ns: number;
  private readonly nd: number;
  private readonly range: number;
  private readonly rows: number;
  /** Every aggregate is COUNT(*), or COUNT, SUM or AVG of numbers: push() runs pushSums, the common case's loop. */
  private readonly sumsOnly: boolean;
  private parts: (Part | undefined)[] = [];
  private live = 0;
  private lastScan = -Infinity;

  constructor(readonly spec: SlidingSpec) {
    const f = spec.frame;
    if (f.unit === 'RANGE') {
      if (!(f.ms >= 0)) throw new Error('RANGE frame needs a non-negative interval');
      this.range = f.ms;
      this.rows = -1;
    } else {
      if (!(f.rows >= 0) || !Number.isInteger(f.rows)) throw new Error('ROWS frame needs a non-negative integer');
      this.range = -1;
      this.rows = f.rows;
    }
    let nf = 0;
    let no = 0;
    let ns = 0;
    let nd = 0;
    this.plans = spec.aggregates.map((a) => {
      const name = a.name.toUpperCase();
      const kind = kindOf(name, a);
      const num = isNumberType(a.argTypes[0]) || kind === SUM || kind === VAR || kind === EXP;
      const keeps = kind !== COUNT_STAR && kind !== COUNT;
      const usesDeque = kind === MINMAX || ((kind === FIRST || kind === LAST || kind === NTH || kind === LAG) && !!a.ignoreNulls);
      const p: Plan = {
        kind,
        num,
        col: keeps ? (num ? nf++ : no++) : -1,
        st: ns,
        dq: usesDeque ? nd++ : -1,
        max: name === 'MAX',
        avg: name === 'AVG',
        every: name === 'EVERY',
        varKind: (name === 'STDDEV' ? 'STDDEV_SAMP' : name) as VarianceKind,
        fin: finisher(a.resultType),
        h: kind === EXP ? halfLife(a) : 0,
        n: kind === LAG ? intParam(a, 0, 1, 0) : kind === NTH ? intParam(a, 0, undefined, 1) : 0,
        dflt: kind === LAG ? (a.params[1] ?? null) : null,
        ignore: !!a.ignoreNulls,
        fromLast: !!a.fromLast,
      };
      ns += WORDS[kind]!;
      return p;
    });
    this.nf = nf;
    this.no = no;
    this.ns = ns;
    this.nd = nd;
    this.sumsOnly = this.plans.every((pl) => pl.kind === COUNT_STAR || ((pl.kind === COUNT || pl.kind === SUM) && pl.num));
  }

  /** Partitions holding state. */
  get partitions(): number {
    return this.live;
  }

  /**
   * Push rows 0 ≤ i < n of a batch: row i joins partition parts[i] (an id the caller assigns; -1 skips the row, whose
   * results are NULL) at rowtimes[i], with aggregate k's argument read from args[k] (a column of its argument type;
   * unused by COUNT(*)). Aggregate k's result for the frame ending at each row is appended to out[k], a builder of its
   * result type: numbers go in unboxed, so a numeric aggregate allocates nothing per row.
   */
  push(parts: Int32Array, rowtimes: ArrayLike<number>, args: readonly (ColumnView | undefined)[], out: readonly ColumnBuilder[], n: number): void {
    if (this.sumsOnly) return this.pushSums(parts, rowtimes, args, out, n);
    for (let i = 0; i < n; i++) {
      const p = parts[i]!;
      if (p < 0) for (const b of out) b.appendNull();
      else this.pushRow(this.admit(p, rowtimes[i]!), rowtimes[i]!, args, i, out);
    }
  }

  /**
   * push() when every aggregate is a count or a sum of numbers (sumsOnly, e.g. AVG(x) OVER ...): the state changes
   * pushRow makes for those kinds (the same helpers), in one loop without its per-kind dispatch and result calls,
   * which cost about a third of a row.
   */
  private pushSums(parts: Int32Array, rowtimes: ArrayLike<number>, args: readonly (ColumnView | undefined)[], out: readonly ColumnBuilder[], n: number): void {
    const plans = this.plans;
    for (let i = 0; i < n; i++) {
      const p = parts[i]!;
      if (p < 0) {
        for (const b of out) b.appendNull();
        continue;
      }
      const part = this.admit(p, rowtimes[i]!);
      const idx = this.place(part, rowtimes[i]!);
      const cap = part.cap;
      const s = part.s;
      for (let k = 0; k < plans.length; k++) {
        const pl = plans[k]!;
        const st = pl.st;
        const b = out[k]!;
        if (pl.kind === COUNT_STAR) {
          part.z[k * cap + idx] = 1;
          b.appendNumber(part.n);
          continue;
        }
        const c = args[k]!;
        const isNull = isNullAt(c, i);
        part.z[k * cap + idx] = isNull ? 1 : 0;
        if (pl.kind === COUNT) {
          if (!isNull) s[st]++;
          b.appendNumber(s[st]!);
          continue;
        }
        if (!isNull) {
          const x = c.kind === 'num' ? c.values[i]! : readNumber(c, i);
          part.f[pl.col * cap + idx] = x;
          addSum(s, st, x);
        }
        appendSum(b, s, st, pl);
      }
    }
  }

  /** Partition p with room for a row at `rowtime`: rows leaving the frame evicted, the ring buffer resized if due. */
  private admit(p: number, rowtime: number): Part {
    let part = this.parts[p];
    if (part === undefined) {
      part = new Part(INITIAL_CAP, this.nf, this.no, this.plans.length, this.ns, this.nd);
      this.parts[p] = part;
      this.live++;
    }
    if (this.range >= 0) {
      const lo = rowtime - this.range;
      while (part.n > 0 && part.t[part.head]! < lo) this.evict(part);
    } else {
      while (part.n > this.rows) this.evict(part);
    }
    if (part.n === part.cap) this.resize(part, part.cap * 2);
    else if (part.cap > SHRINK_ABOVE && part.n * 4 < part.cap) this.resize(part, part.cap / 2);
    return part;
  }

  /** Add a row at `rowtime` to the end of the partition's frame; its ring-buffer index. */
  private place(part: Part, rowtime: number): number {
    const idx = (part.head + part.n) & (part.cap - 1);
    part.t[idx] = rowtime;
    part.n++;
    part.last = rowtime;
    this.stats.rows++;
    return idx;
  }

  private pushRow(part: Part, rowtime: number, args: readonly (ColumnView | undefined)[], i: number, out: readonly ColumnBuilder[]): void {
    const seq = part.seq0 + part.n;
    const idx = this.place(part, rowtime);
    const cap = part.cap;
    const mask = cap - 1;
    const s = part.s;
    const plans = this.plans;
    for (let k = 0; k < plans.length; k++) {
      const pl = plans[k]!;
      const c = args[k]!;
      // Numeric arguments are read as plain numbers (x), the rest as values (v); COUNT(*) reads none (a NULL).
      let x = 0;
      let v: Value = null;
      let isNull = true;
      if (pl.kind !== COUNT_STAR && pl.num) {
        isNull = isNullAt(c, i);
        if (!isNull) x = c.kind === 'num' ? c.values[i]! : readNumber(c, i);
      } else if (pl.kind !== COUNT_STAR) {
        v = readValue(c, i);
        isNull = v === null;
      }
      part.z[k * cap + idx] = isNull ? 1 : 0;
      if (!isNull && pl.col >= 0) {
        if (pl.num) part.f[pl.col * cap + idx] = x;
        else part.o[pl.col * cap + idx] = v;
      }
      const st = pl.st;
      if (!isNull) {
        switch (pl.kind) {
          case COUNT:
            s[st]++;
            break;
          case SUM:
            addSum(s, st, x);
            break;
          case VAR: {
            const n = ++s[st];
            const mean = s[st + 1]!;
            const d = x - mean;
            const m = mean + d / n;
            s[st + 1] = m;
            s[st + 2] += d * (x - m);
            break;
          }
          case EXP: {
            if (s[st] === 0) {
              s[st + 1] = x;
              s[st + 2] = 1;
            } else {
              const dt = rowtime - s[st + 3]!;
              const f = dt === 0 ? 1 : 2 ** (-dt / pl.h);
              s[st + 1] = s[st + 1]! * f + x;
              s[st + 2] = s[st + 2]! * f + 1;
            }
            s[st + 3] = rowtime;
            s[st]++;
            break;
          }
          case BOOL:
            s[st]++;
            if (v === true) s[st + 1]++;
            break;
          case MINMAX: {
            const base = pl.dq * cap;
            const d = part.d;
            let len = s[st + 1]!;
            const h = s[st]!;
            if (pl.num) {
              while (len > 0) {
                const b = part.f[pl.col * cap + ((part.head + (d[base + ((h + len - 1) & mask)]! - part.seq0)) & mask)]!;
                if (pl.max ? b <= x : b >= x) {
                  len--;
                  this.stats.dequePops++;
                } else break;
              }
            } else {
              while (len > 0) {
                const b = part.o[pl.col * cap + ((part.head + (d[base + ((h + len - 1) & mask)]! - part.seq0)) & mask)]!;
                const cmp = compareValues(b, v);
                if (pl.max ? cmp <= 0 : cmp >= 0) {
                  len--;
                  this.stats.dequePops++;
                } else break;
              }
            }
            d[base + ((h + len) & mask)] = seq;
            s[st + 1] = len + 1;
            this.stats.dequePushes++;
            break;
          }
          case FIRST:
          case LAST:
          case NTH:
          case LAG:
            if (pl.dq >= 0) {
              part.d[pl.dq * cap + ((s[st]! + s[st + 1]!) & mask)] = seq;
              s[st + 1]++;
              this.stats.dequePushes++;
            }
            break;
        }
      }
      this.result(part, pl, k, seq, out[k]!);
    }
  }

  /** Append aggregate k's result for the frame ending at row `cur` to b. */
  private result(part: Part, pl: Plan, k: number, cur: number, b: ColumnBuilder): void {
    const s = part.s;
    const st = pl.st;
    switch (pl.kind) {
      case COUNT_STAR:
        return b.appendNumber(part.n);
      case COUNT:
        return b.appendNumber(s[st]!);
      case SUM:
        return appendSum(b, s, st, pl);
      case VAR:
        return b.append(varianceResult(pl.varKind, s[st]!, s[st + 2]!));
      case EXP:
        return s[st] === 0 ? b.appendNull() : b.appendNumber(s[st + 1]! / s[st + 2]!);
      case BOOL: {
        const n = s[st]!;
        if (n === 0) return b.appendNull();
        return b.append(pl.every ? s[st + 1] === n : s[st + 1]! > 0);
      }
      case MINMAX:
      case FIRST:
        if (pl.dq < 0) return this.appendAt(part, pl, k, part.seq0, b);
        return s[st + 1] === 0 ? b.appendNull() : this.appendAt(part, pl, k, this.dequeAt(part, pl, 0), b);
      case LAST:
        if (pl.dq < 0) return this.appendAt(part, pl, k, cur, b);
        return s[st + 1] === 0 ? b.appendNull() : this.appendAt(part, pl, k, this.dequeAt(part, pl, s[st + 1]! - 1), b);
      case NTH: {
        const i = pl.n - 1;
        if (pl.dq < 0) {
          if (i >= part.n) return b.appendNull();
          return this.appendAt(part, pl, k, pl.fromLast ? cur - i : part.seq0 + i, b);
        }
        const len = s[st + 1]!;
        if (i >= len) return b.appendNull();
        return this.appendAt(part, pl, k, this.dequeAt(part, pl, pl.fromLast ? len - 1 - i : i), b);
      }
      case LAG: {
        if (pl.n === 0) return this.appendAt(part, pl, k, cur, b);
        if (pl.dq < 0) return cur - pl.n >= part.seq0 ? this.appendAt(part, pl, k, cur - pl.n, b) : b.append(pl.dflt);
        const len = s[st + 1]!;
        const before = len - (part.z[k * part.cap + ((part.head + (cur - part.seq0)) & (part.cap - 1))] ? 0 : 1);
        return before >= pl.n ? this.appendAt(part, pl, k, this.dequeAt(part, pl, before - pl.n), b) : b.append(pl.dflt);
      }
    }
  }

  /** Append the argument value of aggregate k at row `seq` (which must be in the frame) to b. */
  private appendAt(part: Part, pl: Plan, k: number, seq: number, b: ColumnBuilder): void {
    const cap = part.cap;
    const idx = (part.head + (seq - part.seq0)) & (cap - 1);
    if (part.z[k * cap + idx]) b.appendNull();
    else if (pl.num) b.appendNumber(part.f[pl.col * cap + idx]!);
    else b.append(part.o[pl.col * cap + idx]!);
  }

  private dequeAt(part: Part, pl: Plan, i: number): number {
    return part.d[pl.dq * part.cap + ((part.s[pl.st]! + i) & (part.cap - 1))]!;
  }

  /** Remove the oldest row of the frame. */
  private evict(part: Part): void {
    const cap = part.cap;
    const mask = cap - 1;
    const idx = part.head;
    const seq = part.seq0;
    const s = part.s;
    const plans = this.plans;
    this.stats.evictions++;
    for (let k = 0; k < plans.length; k++) {
      const pl = plans[k]!;
      if (part.z[k * cap + idx]) continue;
      const st = pl.st;
      switch (pl.kind) {
        case COUNT:
          s[st]--;
          break;
        case SUM:
          removeSum(s, st, part.f[pl.col * cap + idx]!);
          break;
        case VAR: {
          const n = --s[st];
          if (n === 0) {
            s[st + 1] = 0;
            s[st + 2] = 0;
          } else {
            const x = part.f[pl.col * cap + idx]!;
            const mean = s[st + 1]!;
            const d = x - mean;
            const m = mean - d / n;
            s[st + 1] = m;
            s[st + 2] = Math.max(0, s[st + 2]! - d * (x - m));
          }
          break;
        }
        case EXP:
          if (--s[st] === 0) {
            s[st + 1] = 0;
            s[st + 2] = 0;
            s[st + 3] = 0;
          } else {
            const w = 2 ** ((part.t[idx]! - s[st + 3]!) / pl.h);
            s[st + 1] -= w * part.f[pl.col * cap + idx]!;
            s[st + 2] -= w;
          }
          break;
        case BOOL:
          s[st]--;
          if (part.o[pl.col * cap + idx] === true) s[st + 1]--;
          break;
        default:
          if (pl.dq >= 0 && s[st + 1]! > 0 && part.d[pl.dq * cap + s[st]!] === seq) {
            s[st] = (s[st]! + 1) & mask;
            s[st + 1]--;
            this.stats.dequePops++;
          }
      }
      if (pl.col >= 0 && !pl.num) part.o[pl.col * cap + idx] = null;
    }
    part.head = (idx + 1) & mask;
    part.seq0++;
    part.n--;
  }

  /**
   * Move a partition's ring buffers to capacity `nc` (a power of two ≥ its rows): doubled when the frame fills them,
   * halved when the frame shrinks below a quarter (after a burst), so memory follows the frame and every resize is
   * paid for by the rows pushed or evicted since the last one.
   */
  private resize(part: Part, nc: number): void {
    const cap = part.cap;
    const mask = cap - 1;
    const n = part.n;
    const g = new Part(nc, this.nf, this.no, this.plans.length, 0, this.nd);
    this.stats.copied += n;
    for (let i = 0; i < n; i++) {
      const from = (part.head + i) & mask;
      g.t[i] = part.t[from]!;
      for (let c = 0; c < this.nf; c++) g.f[c * nc + i] = part.f[c * cap + from]!;
      for (let c = 0; c < this.no; c++) g.o[c * nc + i] = part.o[c * cap + from]!;
      for (let k = 0; k < this.plans.length; k++) g.z[k * nc + i] = part.z[k * cap + from]!;
    }
    for (const pl of this.plans) {
      if (pl.dq < 0) continue;
      const h = part.s[pl.st]!;
      const len = part.s[pl.st + 1]!;
      for (let i = 0; i < len; i++) g.d[pl.dq * nc + i] = part.d[pl.dq * cap + ((h + i) & mask)]!;
      part.s[pl.st] = 0;
    }
    part.cap = nc;
    part.head = 0;
    part.t = g.t;
    part.f = g.f;
    part.o = g.o;
    part.z = g.z;
    part.d = g.d;
  }

  /**
   * Free the state of RANGE partitions whose newest row is older than `bound − range`: every row of their frame would
   * be evicted by any row at or after `bound`, so a fresh partition gives the same results. `onDrop` hears each
   * dropped id (so the caller can free its key). To keep the cost down the partitions are scanned at most once per
   * half range of bound progress; ROWS frames never expire (their frame is the last n rows, however old).
   * Returns how many partitions were dropped.
   */
  expire(bound: number, onDrop?: (p: number) => void): number {
    if (this.range < 0 || bound - this.lastScan < this.range / 2) return 0;
    this.lastScan = bound;
    const lo = bound - this.range;
    let dropped = 0;
    for (let p = 0; p < this.parts.length; p++) {
      const part = this.parts[p];
      if (part !== undefined && part.last < lo) {
        this.parts[p] = undefined;
        this.live--;
        dropped++;
        onDrop?.(p);
      }
    }
    return dropped;
  }

  /** The partitions holding state, in increasing order. */
  livePartitions(): number[] {
    const out: number[] = [];
    for (let p = 0; p < this.parts.length; p++) if (this.parts[p] !== undefined) out.push(p);
    return out;
  }

  /** Renumbers partitions: `live[i]` becomes i (the caller's keys were renumbered the same way); others are gone. */
  renumber(live: readonly number[]): void {
    this.parts = live.map((p) => this.parts[p]);
    this.live = live.length;
  }

  /** Forget partition p (its next row starts an empty frame). */
  drop(p: number): void {
    if (this.parts[p] !== undefined) {
      this.parts[p] = undefined;
      this.live--;
    }
  }

  /** JSON-serialisable state of all partitions (rows of each frame, aggregate state words, deques). */
  save(): unknown {
    const parts: Json[] = [];
    for (let p = 0; p < this.parts.length; p++) {
      const part = this.parts[p];
      if (part === undefined) continue;
      const cap = part.cap;
      const mask = cap - 1;
      const rows = Array.from({ length: part.n }, (_, i) => (part.head + i) & mask);
      const cols: Json[] = this.plans.map((pl, k) =>
        pl.col >= 0
          ? rows.map((idx) => encValue(part.z[k * cap + idx] ? null : pl.num ? part.f[pl.col * cap + idx]! : part.o[pl.col * cap + idx]!))
          : rows.map((idx) => part.z[k * cap + idx]!),
      );
      const dq: Json[] = this.plans
        .filter((pl) => pl.dq >= 0)
        .map((pl) => Array.from({ length: part.s[pl.st + 1]! }, (_, i) => part.d[pl.dq * cap + ((part.s[pl.st]! + i) & mask)]!));
      parts.push({
        p,
        seq0: part.seq0,
        last: encNum(part.last),
        t: encNums(rows.map((idx) => part.t[idx]!)),
        cols,
        s: encNums(part.s),
        dq,
      });
    }
    return { v: 1, parts, lastScan: encNum(this.lastScan) };
  }

  load(saved: unknown): void {
    const j = saved as { parts: { p: number; seq0: number; last: unknown; t: unknown[]; cols: unknown[][]; s: unknown[]; dq: number[][] }[]; lastScan: unknown };
    this.parts = [];
    this.live = 0;
    this.lastScan = decNum(j.lastScan);
    for (const q of j.parts) {
      const t = decNums(q.t);
      const n = t.length;
      const cap = nextPow2(n);
      const part = new Part(cap, this.nf, this.no, this.plans.length, this.ns, this.nd);
      part.n = n;
      part.seq0 = q.seq0;
      part.last = decNum(q.last);
      part.t.set(t);
      part.s.set(decNums(q.s));
      this.plans.forEach((pl, k) => {
        const col = q.cols[k]!;
        for (let i = 0; i < n; i++) {
          if (pl.col < 0) {
            part.z[k * cap + i] = col[i] as number;
            continue;
          }
          const v = decValue(col[i]);
          part.z[k * cap + i] = v === null ? 1 : 0;
          if (v !== null) {
            if (pl.num) part.f[pl.col * cap + i] = v as number;
            else part.o[pl.col * cap + i] = v;
          }
        }
      });
      let d = 0;
      for (const pl of this.plans) {
        if (pl.dq < 0) continue;
        const seqs = q.dq[d++]!;
        part.d.set(seqs, pl.dq * cap);
        part.s[pl.st] = 0;
        part.s[pl.st + 1] = seqs.length;
      }
      this.parts[q.p] = part;
      this.live++;
    }
  }
}

/** SUM/AVG state at s[st..st+2]: non-NULL count, compensated sum. Add x. */
function addSum(s: Float64Array, st: number, x: number): void {
  s[st]++;
  kadd(s, st + 1, x);
}

/** Remove x (an evicted row's value); the last one resets the sum to exactly empty. */
function removeSum(s: Float64Array, st: number, x: number): void {
  if (--s[st] === 0) {
    s[st + 1] = 0;
    s[st + 2] = 0;
  } else kadd(s, st + 1, -x);
}

/** The SUM or AVG of the frame: NULL when it has no non-NULL value. */
function appendSum(b: ColumnBuilder, s: Float64Array, st: number, pl: Plan): void {
  const n = s[st]!;
  if (n === 0) return b.appendNull();
  const x = Number.isFinite(s[st + 1]) ? s[st + 1]! + s[st + 2]! : s[st + 1]!;
  b.appendNumber(pl.fin(pl.avg ? x / n : x));
}

/** Neumaier add of x to the compensated sum in s[i] (sum) and s[i + 1] (compensation). */
function kadd(s: Float64Array, i: number, x: number): void {
  const a = s[i]!;
  const t = a + x;
  if (Math.abs(a) >= Math.abs(x)) s[i + 1] += a - t + x;
  else s[i + 1] += x - t + a;
  s[i] = t;
}

function kindOf(name: string, a: AggregateSpec): number {
  if (a.distinct && name !== 'MIN' && name !== 'MAX') throw new Error(`${name}(DISTINCT ...) is not supported over a sliding window`);
  switch (name) {
    case 'COUNT':
      return a.star ? COUNT_STAR : COUNT;
    case 'SUM':
    case 'AVG':
      return SUM;
    case 'VAR_POP':
    case 'VAR_SAMP':
    case 'STDDEV_POP':
    case 'STDDEV_SAMP':
    case 'STDDEV':
      return VAR;
    case 'EXP_AVG':
      return EXP;
    case 'ANY':
    case 'EVERY':
      return BOOL;
    case 'MIN':
    case 'MAX':
      return MINMAX;
    case 'FIRST_VALUE':
      return FIRST;
    case 'LAST_VALUE':
      return LAST;
    case 'NTH_VALUE':
      return NTH;
    case 'LAG':
      return LAG;
    default:
      throw new Error(`no sliding-window state for ${a.name}`);
  }
}

function intParam(a: AggregateSpec, i: number, dflt: number | undefined, min: number): number {
  const v = a.params[i] ?? dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`${a.name}: argument ${i + 2} must be an integer ≥ ${min}`);
  return v;
}
