/**
 * What an aggregate call is at run time, and the small pieces the group accumulators, the sliding-window state and
 * the sketches share: which values live in typed arrays, how a double becomes the SQL result type, how two values of
 * one type compare, and how state becomes JSON for checkpoints.
 */
import { isDatetime, isInteger, isNumeric, type SqlType } from '../../sql/bind/types.js';
import type { Value } from '../values.js';

/**
 * One aggregate (or analytic) call, as the planner hands it over.
 *
 * `params` are the constant extra arguments: EXP_AVG's half-life in ms; LAG's offset (default 1) and default value
 * (default NULL); NTH_VALUE's n (1-based).
 *
 * NULL treatment follows the KDA reference: FIRST_VALUE, LAST_VALUE, NTH_VALUE and LAG RESPECT NULLS unless
 * `ignoreNulls` is set (`IGNORE NULLS`); every other aggregate ignores NULLs, and COUNT(*) (`star`) counts rows.
 */
export interface AggregateSpec {
  name: string;
  argTypes: SqlType[];
  resultType: SqlType;
  star: boolean;
  distinct: boolean;
  /** constant extra arguments, e.g. EXP_AVG's interval in ms */
  params: Value[];
  /** `IGNORE NULLS` for FIRST_VALUE / LAST_VALUE / NTH_VALUE / LAG (default RESPECT NULLS). */
  ignoreNulls?: boolean;
  /** `NTH_VALUE(x, n) FROM LAST` (default FROM FIRST). */
  fromLast?: boolean;
}

/** Names the group accumulators accept (upper case). */
export const GROUP_AGGREGATES = [
  'COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'FIRST_VALUE', 'LAST_VALUE', 'EXP_AVG',
  'STDDEV_POP', 'STDDEV_SAMP', 'STDDEV', 'VAR_POP', 'VAR_SAMP', 'ANY', 'EVERY',
] as const;

/** Names the sliding-window state accepts: the group aggregates plus the analytic functions. */
export const SLIDING_AGGREGATES = [...GROUP_AGGREGATES, 'LAG', 'NTH_VALUE'] as const;

/**
 * Does the caller have to pass NULL arguments to `add` (rather than skip them)? True for the functions that RESPECT
 * NULLS (FIRST_VALUE, LAST_VALUE without IGNORE NULLS). Passing a NULL to any other accumulator is harmless: it is
 * ignored.
 */
export function respectsNulls(spec: AggregateSpec): boolean {
  const n = spec.name.toUpperCase();
  return (n === 'FIRST_VALUE' || n === 'LAST_VALUE' || n === 'NTH_VALUE' || n === 'LAG') && !spec.ignoreNulls;
}

/** Values of this type are JS numbers and can live in a Float64Array. */
export function isNumberType(t: SqlType | undefined): boolean {
  return t !== undefined && (isNumeric(t) || isDatetime(t) || t.kind === 'INTERVAL');
}

/**
 * Turns a double computed in the accumulator into a value of the result type: integer results truncate toward zero
 * (AVG of an INTEGER column is an INTEGER, as in SQL), REAL rounds to single precision, the rest are doubles
 * (DECIMAL is computed in double precision, see values.ts).
 */
export function finisher(t: SqlType): (x: number) => number {
  if (isInteger(t)) return (x) => Math.trunc(x) + 0;
  if (t.kind === 'REAL') return Math.fround;
  return (x) => x;
}

/** Orders two non-NULL values of one SQL type: numbers, strings (UTF-16 code units, as Java), booleans (false < true), bytes (unsigned, then length). */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' || typeof a === 'string') return a < (b as typeof a) ? -1 : a > (b as typeof a) ? 1 : 0;
  if (typeof a === 'boolean') return (a ? 1 : 0) - (b ? 1 : 0);
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  }
  return 0;
}

/** A key under which equal values are equal in a Map (DISTINCT, TOP_K). -0 and 0 are one key. */
export function valueKey(v: Value): string | number | boolean | null {
  if (v instanceof Uint8Array) return `\u0000b${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('latin1')}`;
  if (typeof v === 'number' && v === 0) return 0;
  return v;
}

// ---- JSON for checkpoints -------------------------------------------------------------------------------------------
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A number as JSON: NaN, ±Infinity and -0 become strings. */
export function encNum(x: number): number | string {
  if (Number.isFinite(x)) return x === 0 && 1 / x < 0 ? '-0' : x;
  return String(x);
}
export function decNum(j: unknown): number {
  if (typeof j === 'number') return j;
  if (j === '-0') return -0;
  return Number(j);
}
export const encNums = (a: ArrayLike<number>): (number | string)[] => Array.from(a, encNum);
export const decNums = (a: unknown): number[] => (a as unknown[]).map(decNum);

/** A Value as JSON: numbers that JSON cannot hold become {n}, bytes become {b: base64}. */
export function encValue(v: Value): Json {
  if (typeof v === 'number') return Number.isFinite(v) && !(v === 0 && 1 / v < 0) ? v : { n: encNum(v) };
  if (v instanceof Uint8Array) return { b: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  return v;
}
export function decValue(j: unknown): Value {
  if (j === null || typeof j === 'number' || typeof j === 'string' || typeof j === 'boolean') return j;
  const o = j as { n?: unknown; b?: string };
  if (o.b !== undefined) return new Uint8Array(Buffer.from(o.b, 'base64'));
  return decNum(o.n);
}

/** Neumaier's compensated sum: adds x to (s[i], c[i]). The true sum is s[i] + c[i]. */
export function kahanAdd(s: Float64Array, c: Float64Array, i: number, x: number): void {
  const a = s[i]!;
  const t = a + x;
  if (Math.abs(a) >= Math.abs(x)) c[i] += a - t + x;
  else c[i] += x - t + a;
  s[i] = t;
}

/** The value of a compensated sum (an overflow to ±Infinity stays infinite rather than turning NaN). */
export function kahanValue(s: number, c: number): number {
  return Number.isFinite(s) ? s + c : s;
}
