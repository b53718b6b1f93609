/** Naive reference computations over plain arrays, for the aggregate-state tests. */
import type { AggregateSpec } from '../../../src/exec/aggregates/index.js';
import { compareValues, valueKey } from '../../../src/exec/aggregates/index.js';
import type { SqlType } from '../../../src/sql/bind/types.js';
import type { Value } from '../../../src/exec/values.js';

export interface Row {
  v: Value;
  t: number;
}

export const ty = (kind: string): SqlType => ({ kind }) as SqlType;

export function spec(name: string, arg: string, result: string, extra: Partial<AggregateSpec> = {}): AggregateSpec {
  return { name, argTypes: [ty(arg)], resultType: ty(result), star: false, distinct: false, params: [], ...extra };
}

const isInt = (k: string) => ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT'].includes(k);

/** The aggregate over rows in order (the whole frame / group). */
export function naive(s: AggregateSpec, rows: Row[]): Value {
  const name = s.name.toUpperCase();
  if (name === 'COUNT' && s.star) return rows.length;
  let xs = rows;
  if (s.distinct) {
    const seen = new Set<unknown>();
    xs = rows.filter((r) => {
      if (r.v === null) return true;
      const k = valueKey(r.v);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  const nn = xs.filter((r) => r.v !== null);
  const nums = nn.map((r) => r.v as number);
  switch (name) {
    case 'COUNT':
      return nn.length;
    case 'SUM':
    case 'AVG': {
      if (nums.length === 0) return null;
      let sum: number;
      if (nums.every(Number.isInteger)) sum = Number(nums.reduce((a, x) => a + BigInt(x), 0n));
      else sum = exactSum(nums);
      const r = name === 'AVG' ? sum / nums.length : sum;
      if (isInt(s.resultType.kind)) return Math.trunc(r) + 0;
      if (s.resultType.kind === 'REAL') return Math.fround(r);
      return r;
    }
    case 'MIN':
    case 'MAX': {
      if (nn.length === 0) return null;
      let best = nn[0]!.v;
      for (const r of nn) {
        const c = compareValues(r.v, best);
        if (name === 'MIN' ? c < 0 : c > 0) best = r.v;
      }
      return best;
    }
    case 'FIRST_VALUE': {
      const src = s.ignoreNulls ? nn : xs;
      return src.length ? src[0]!.v : null;
    }
    case 'LAST_VALUE': {
      const src = s.ignoreNulls ? nn : xs;
      return src.length ? src[src.length - 1]!.v : null;
    }
    case 'NTH_VALUE': {
      const src = s.ignoreNulls ? nn : xs;
      const n = s.params[0] as number;
      if (src.length < n) return null;
      return s.fromLast ? src[src.length - n]!.v : src[n - 1]!.v;
    }
    case 'EXP_AVG': {
      if (nn.length === 0) return null;
      const h = s.params[0] as number;
      const T = Math.max(...nn.map((r) => r.t));
      let sw = 0;
      let w = 0;
      for (const r of nn) {
        const k = 2 ** ((r.t - T) / h);
        sw += k * (r.v as number);
        w += k;
      }
      return sw / w;
    }
    case 'VAR_POP':
    case 'VAR_SAMP':
    case 'STDDEV_POP':
    case 'STDDEV_SAMP':
    case 'STDDEV': {
      const n = nums.length;
      const pop = name.endsWith('_POP');
      if (n === 0 || (!pop && n < 2)) return null;
      const mean = exactSum(nums) / n;
      const m2 = exactSum(nums.map((x) => (x - mean) ** 2));
      const v = m2 / (pop ? n : n - 1);
      return name.startsWith('VAR') ? v : Math.sqrt(v);
    }
    case 'ANY':
      return nn.length === 0 ? null : nn.some((r) => r.v === true);
    case 'EVERY':
      return nn.length === 0 ? null : nn.every((r) => r.v === true);
    default:
      throw new Error(`naive: ${name}`);
  }
}

/** A correctly rounded-ish sum (Shewchuk's partials, as Python's fsum). */
export function exactSum(xs: number[]): number {
  const partials: number[] = [];
  for (let x of xs) {
    let i = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  return partials.reduce((a, b) => a + b, 0);
}

/** Equal values; numbers within `tol` (absolute). */
export function same(got: Value, want: Value, tol = 0): boolean {
  if (want === null || got === null) return want === got;
  if (typeof want === 'number') {
    if (typeof got !== 'number') return false;
    if (Object.is(got, want)) return true;
    return Math.abs(got - want) <= tol;
  }
  if (want instanceof Uint8Array) return got instanceof Uint8Array && compareValues(got, want) === 0;
  return got === want;
}

/** A tolerance for comparing a float aggregate over these rows with the naive value. */
export function tolerance(s: AggregateSpec, rows: Row[]): number {
  const nums = rows.map((r) => r.v).filter((v): v is number => typeof v === 'number');
  const maxAbs = nums.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
  const n = Math.max(1, nums.length);
  const name = s.name.toUpperCase();
  if (name.startsWith('VAR')) return 1e-12 * n * (maxAbs * maxAbs + 1) * 16;
  if (name.startsWith('STDDEV')) return Math.sqrt(1e-12 * n * (maxAbs * maxAbs + 1) * 16);
  if (name === 'SUM') return 1e-12 * n * (maxAbs + 1);
  return 1e-10 * n * (maxAbs + 1);
}
