/**
 * Numeric helpers (range checks per integer width, rounding to a DECIMAL scale) and the numeric built-ins ABS, CEIL,
 * CEILING, FLOOR, EXP, LN, LOG10, SQRT, POWER, MOD.
 */
import type { SqlType } from '../../sql/bind/types.js';
import { show } from '../../sql/bind/types.js';
import { SqlRuntimeError, type Value } from '../values.js';
import type { ScalarFunction } from './index.js';

/** Smallest and largest value of each integer type (BIGINT: ±2^63, exact in JS only up to 2^53). */
export const INT_MIN: Record<string, number> = { TINYINT: -128, SMALLINT: -32768, INTEGER: -2147483648, BIGINT: -9223372036854775808 };
export const INT_MAX: Record<string, number> = { TINYINT: 127, SMALLINT: 32767, INTEGER: 2147483647, BIGINT: 9223372036854775807 };

export const isIntegerKind = (k: string): boolean => k === 'TINYINT' || k === 'SMALLINT' || k === 'INTEGER' || k === 'BIGINT';

export function outOfRange(v: number, t: SqlType): never {
  throw new SqlRuntimeError('NUMERIC_OUT_OF_RANGE', `${v} is out of range for ${show(t)}`);
}

/** A function that checks an integral value against the range of `t` (an integer type). */
export function integerCheck(t: SqlType): (v: number) => number {
  const lo = INT_MIN[t.kind]!;
  const hi = INT_MAX[t.kind]!;
  // BIGINT: 2^63 itself is representable as a double and is out of range
  if (t.kind === 'BIGINT') {
    return (v) => {
      if (!(v >= lo && v < 9223372036854775808)) outOfRange(v, t);
      return v;
    };
  }
  return (v) => {
    if (!(v >= lo && v <= hi)) outOfRange(v, t);
    return v;
  };
}

/** Round half away from zero to an integer, treating values within a few ulps of .5 as .5 (1.005 * 100 is 100.4999...). */
export function roundHalfAway(x: number): number {
  const a = Math.abs(x);
  if (!(a < 4503599627370496)) return x; // 2^52: already integral (or NaN/Infinity)
  let n = Math.floor(a);
  const frac = a - n;
  if (frac >= 0.5 || (frac > 0.375 && frac >= 0.5 - a * 4.440892098500626e-16)) n += 1;
  return x < 0 ? -n : n;
}

const POW10: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** Round half away from zero to `scale` decimal places (no allocation). */
export function roundToScale(x: number, scale: number): number {
  if (scale <= 0) return roundHalfAway(x);
  const f = POW10[scale] ?? 10 ** scale;
  const y = x * f;
  if (!(Math.abs(y) < 4503599627370496)) return x;
  return roundHalfAway(y) / f;
}

/** CAST to DECIMAL(p,s): round to s places, then check that fewer than p-s integer digits remain. */
export function decimalCheck(t: SqlType): (v: number) => number {
  const scale = t.scale ?? 0;
  const p = t.precision ?? 19;
  const limit = POW10[p - scale] ?? 10 ** (p - scale);
  return (v) => {
    const r = roundToScale(v, scale);
    if (!(Math.abs(r) < limit)) outOfRange(v, t);
    return r === 0 ? 0 : r;
  };
}

/**
 * The remainder (sign of the dividend) for operands of these types; with a DECIMAL operand it is computed on the scaled
 * integers, so 0.3 % 0.1 is 0 rather than 0.09999999999999998.
 */
export function remainder(args: SqlType[]): (a: number, b: number) => number {
  let scale = 0;
  for (const t of args) if (t.kind === 'DECIMAL') scale = Math.max(scale, t.scale ?? 0);
  if (scale === 0) return (a, b) => (a % b) + 0;
  const f = POW10[scale] ?? 10 ** scale;
  return (a, b) => {
    const x = a * f;
    const y = b * f;
    if (!(Math.abs(x) < 4503599627370496 && Math.abs(y) < 4503599627370496)) return (a % b) + 0;
    return (roundHalfAway(x) % roundHalfAway(y)) / f + 0;
  };
}

function invalid(msg: string): never {
  throw new SqlRuntimeError('INVALID_ARGUMENT', msg);
}

const n = (v: Value) => v as number;

function sameType(impl: (t: SqlType) => (x: number) => number): ScalarFunction {
  return { nulls: 'strict', make: (args) => impl(args[0]!) as (...a: Value[]) => Value };
}

export const NUMERIC_FUNCTIONS: Record<string, ScalarFunction> = {
  ABS: sameType((t) => {
    if (isIntegerKind(t.kind)) {
      const check = integerCheck(t);
      return (x) => check(x < 0 ? 0 - x : x);
    }
    return Math.abs;
  }),
  CEIL: sameType((t) => (isIntegerKind(t.kind) ? (x) => x : (x) => Math.ceil(x) + 0)),
  CEILING: sameType((t) => (isIntegerKind(t.kind) ? (x) => x : (x) => Math.ceil(x) + 0)),
  FLOOR: sameType((t) => (isIntegerKind(t.kind) ? (x) => x : Math.floor)),
  EXP: { nulls: 'strict', make: () => (x) => Math.exp(n(x)) },
  LN: {
    nulls: 'strict',
    make: () => (x) => (n(x) > 0 ? Math.log(n(x)) : invalid(`LN of ${x}: the argument must be positive`)),
  },
  LOG10: {
    nulls: 'strict',
    make: () => (x) => (n(x) > 0 ? Math.log10(n(x)) : invalid(`LOG10 of ${x}: the argument must be positive`)),
  },
  SQRT: {
    nulls: 'strict',
    make: () => (x) => (n(x) >= 0 ? Math.sqrt(n(x)) : invalid(`SQRT of ${x}: the argument must not be negative`)),
  },
  POWER: {
    nulls: 'strict',
    make: () => (b, e) => {
      const x = n(b);
      const y = n(e);
      if (x === 0 && y < 0) invalid(`POWER(0, ${y}): zero cannot be raised to a negative power`);
      if (x < 0 && !Number.isInteger(y)) invalid(`POWER(${x}, ${y}): a negative base needs an integer exponent`);
      return Math.pow(x, y);
    },
  },
  MOD: {
    nulls: 'strict',
    make: (args) => {
      const mod = remainder(args);
      return (a, b) => {
        if (n(b) === 0) throw new SqlRuntimeError('DIVISION_BY_ZERO', `MOD(${a}, 0): division by zero`);
        return mod(n(a), n(b));
      };
    },
  },
};
