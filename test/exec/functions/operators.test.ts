import { describe, expect, it } from 'vitest';
import { T, errorOf, fn, ts } from './helpers.js';

describe('arithmetic', () => {
  it('integers: overflow and truncating division', () => {
    expect(fn('+', [T.INTEGER, T.INTEGER], T.INTEGER)(2, 3)).toBe(5);
    expect(errorOf(() => fn('+', [T.INTEGER, T.INTEGER], T.INTEGER)(2147483647, 1))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(errorOf(() => fn('*', [T.SMALLINT, T.SMALLINT], T.SMALLINT)(300, 300))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(errorOf(() => fn('-', [T.TINYINT, T.TINYINT], T.TINYINT)(-100, 100))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(fn('+', [T.BIGINT, T.BIGINT], T.BIGINT)(2147483647, 1)).toBe(2147483648);
    expect(errorOf(() => fn('*', [T.BIGINT, T.BIGINT], T.BIGINT)(2 ** 62, 4))).toBe('NUMERIC_OUT_OF_RANGE');
    const div = fn('/', [T.INTEGER, T.INTEGER], T.INTEGER);
    expect(div(7, 2)).toBe(3);
    expect(div(-7, 2)).toBe(-3);
    expect(Object.is(div(-1, 2), 0)).toBe(true);
    expect(errorOf(() => div(1, 0))).toBe('DIVISION_BY_ZERO');
    expect(errorOf(() => div(-2147483648, -1))).toBe('NUMERIC_OUT_OF_RANGE');
    const rem = fn('%', [T.INTEGER, T.INTEGER], T.INTEGER);
    expect(rem(-7, 2)).toBe(-1);
    expect(errorOf(() => rem(7, 0))).toBe('DIVISION_BY_ZERO');
    expect(fn('+', [T.INTEGER, T.INTEGER], T.INTEGER)(null, 1)).toBe(null);
  });

  it('DECIMAL rounds to the result scale and checks precision', () => {
    expect(fn('+', [T.DEC(3, 1), T.DEC(3, 1)], T.DEC(4, 1))(0.1, 0.2)).toBe(0.3);
    expect(fn('*', [T.DEC(4, 2), T.DEC(4, 2)], T.DEC(8, 4))(1.25, 1.25)).toBe(1.5625);
    expect(fn('/', [T.DEC(5, 0), T.DEC(5, 0)], T.DEC(19, 6))(2, 3)).toBe(0.666667);
    expect(errorOf(() => fn('/', [T.DEC(5, 0), T.DEC(5, 0)], T.DEC(19, 6))(2, 0))).toBe('DIVISION_BY_ZERO');
    expect(errorOf(() => fn('+', [T.DEC(2, 0), T.DEC(2, 0)], T.DEC(2, 0))(99, 1))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(fn('%', [T.DEC(3, 1), T.DEC(3, 1)], T.DEC(3, 1))(0.3, 0.1)).toBe(0);
    expect(fn('%', [T.DEC(3, 1), T.INTEGER], T.DEC(12, 1))(-5.5, 2)).toBe(-1.5);
    expect(errorOf(() => fn('%', [T.DEC(3, 1), T.DEC(3, 1)], T.DEC(3, 1))(0.3, 0))).toBe('DIVISION_BY_ZERO');
  });

  it('REAL rounds to float32, DOUBLE is IEEE', () => {
    expect(fn('+', [T.REAL, T.REAL], T.REAL)(0.1, 0.2)).toBe(Math.fround(0.1 + 0.2));
    expect(fn('/', [T.DOUBLE, T.DOUBLE], T.DOUBLE)(1, 0)).toBe(Infinity);
    expect(fn('/', [T.DOUBLE, T.INTEGER], T.DOUBLE)(1, 4)).toBe(0.25);
  });

  it('datetime arithmetic', () => {
    const t0 = ts('2026-01-01 11:00:20');
    expect(fn('+', [T.TIMESTAMP, T.INTERVAL], T.TIMESTAMP)(t0, 60_000)).toBe(ts('2026-01-01 11:01:20'));
    expect(fn('+', [T.INTERVAL, T.TIMESTAMP], T.TIMESTAMP)(60_000, t0)).toBe(ts('2026-01-01 11:01:20'));
    expect(fn('-', [T.TIMESTAMP, T.INTERVAL], T.TIMESTAMP)(t0, 20_000)).toBe(ts('2026-01-01 11:00:00'));
    expect(fn('-', [T.TIMESTAMP, T.TIMESTAMP], T.INTERVAL)(t0, ts('2026-01-01 11:00:00'))).toBe(20_000);
    expect(fn('+', [T.DATE, T.INTERVAL], T.DATE)(ts('2026-01-01'), 86_400_000 + 3_600_000)).toBe(ts('2026-01-02'));
    expect(fn('-', [T.DATE, T.INTERVAL], T.DATE)(ts('2026-01-01'), 3_600_000)).toBe(ts('2025-12-31'));
    expect(fn('+', [T.TIME, T.INTERVAL], T.TIME)(23 * 3_600_000, 2 * 3_600_000)).toBe(3_600_000);
    expect(fn('-', [T.TIME, T.INTERVAL], T.TIME)(3_600_000, 2 * 3_600_000)).toBe(23 * 3_600_000);
    expect(fn('-', [T.INTERVAL, T.INTERVAL], T.INTERVAL)(5000, 7000)).toBe(-2000);
    expect(fn('-', [T.DATE, T.DATE], T.INTERVAL)(ts('2026-01-02'), ts('2026-01-01'))).toBe(86_400_000);
    expect(fn('-', [T.TIME, T.TIME], T.INTERVAL)(1000, 3000)).toBe(-2000);
    expect(fn('+', [T.INTERVAL, T.INTERVAL], T.INTERVAL)(1000, 3000)).toBe(4000);
    expect(fn('-', [T.TIMESTAMP, T.ANY], T.ANY)(5000, 3000)).toBe(2000);
    expect(fn('*', [T.INTERVAL, T.INTEGER], T.INTERVAL)(1500, 3)).toBe(4500);
    expect(fn('*', [T.DOUBLE, T.INTERVAL], T.INTERVAL)(0.5, 1001)).toBe(500);
    expect(fn('/', [T.INTERVAL, T.INTEGER], T.INTERVAL)(65_000, 10)).toBe(6500);
    expect(errorOf(() => fn('/', [T.INTERVAL, T.INTEGER], T.INTERVAL)(65_000, 0))).toBe('DIVISION_BY_ZERO');
  });

  it('NEG', () => {
    expect(fn('NEG', [T.INTEGER], T.INTEGER)(5)).toBe(-5);
    expect(Object.is(fn('NEG', [T.INTEGER], T.INTEGER)(0), 0)).toBe(true);
    expect(errorOf(() => fn('NEG', [T.INTEGER], T.INTEGER)(-2147483648))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(fn('NEG', [T.INTERVAL], T.INTERVAL)(1000)).toBe(-1000);
    expect(fn('NEG', [T.DOUBLE], T.DOUBLE)(null)).toBe(null);
  });
});

describe('comparison', () => {
  it('numbers, strings, booleans, binary, mixed numeric types', () => {
    expect(fn('=', [T.INTEGER, T.DOUBLE], T.BOOLEAN)(1, 1.0)).toBe(true);
    expect(fn('<>', [T.INTEGER, T.INTEGER], T.BOOLEAN)(1, 2)).toBe(true);
    expect(fn('<', [T.VARCHAR(), T.VARCHAR()], T.BOOLEAN)('B', 'a')).toBe(true);
    expect(fn('>=', [T.BOOLEAN, T.BOOLEAN], T.BOOLEAN)(true, false)).toBe(true);
    expect(fn('<=', [T.TIMESTAMP, T.TIMESTAMP], T.BOOLEAN)(5, 5)).toBe(true);
    expect(fn('>', [T.VARBINARY(), T.VARBINARY()], T.BOOLEAN)(new Uint8Array([1, 2]), new Uint8Array([1]))).toBe(true);
    expect(fn('=', [T.VARBINARY(), T.VARBINARY()], T.BOOLEAN)(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(fn('=', [T.ANY, T.INTEGER], T.BOOLEAN)(3, 3)).toBe(true);
    expect(fn('=', [T.INTEGER, T.INTEGER], T.BOOLEAN)(null, 3)).toBe(null);
    expect(fn('=', [T.CHAR(6), T.CHAR(4)], T.BOOLEAN)('AMZN  ', 'AMZN')).toBe(true);
    expect(fn('<', [T.CHAR(6), T.CHAR(4)], T.BOOLEAN)('AMZ   ', 'AMZN')).toBe(true);
    expect(fn('=', [T.VARCHAR(), T.CHAR(4)], T.BOOLEAN)('AMZN  ', 'AMZN')).toBe(false);
    expect(fn('NULLIF', [T.CHAR(6), T.CHAR(4)], T.CHAR(6))('AMZN  ', 'AMZN')).toBe(null);
  });
});

describe('logic and IS', () => {
  const vals = [true, false, null] as const;
  it('AND / OR / NOT follow three-valued logic', () => {
    const and = fn('AND', [T.BOOLEAN, T.BOOLEAN], T.BOOLEAN);
    const or = fn('OR', [T.BOOLEAN, T.BOOLEAN], T.BOOLEAN);
    const not = fn('NOT', [T.BOOLEAN], T.BOOLEAN);
    const k = (v: boolean | null) => (v === null ? 0.5 : v ? 1 : 0);
    const back = (x: number) => (x === 0.5 ? null : x === 1);
    for (const a of vals) {
      expect(not(a)).toBe(a === null ? null : !a);
      for (const b of vals) {
        expect(and(a, b)).toBe(back(Math.min(k(a), k(b))));
        expect(or(a, b)).toBe(back(Math.max(k(a), k(b))));
      }
    }
  });

  it('IS tests never return NULL', () => {
    const expected: Record<string, [boolean, boolean, boolean]> = {
      'IS NULL': [false, false, true],
      'IS NOT NULL': [true, true, false],
      'IS TRUE': [true, false, false],
      'IS NOT TRUE': [false, true, true],
      'IS FALSE': [false, true, false],
      'IS NOT FALSE': [true, false, true],
      'IS UNKNOWN': [false, false, true],
      'IS NOT UNKNOWN': [true, true, false],
    };
    for (const [op, want] of Object.entries(expected)) {
      const f = fn(op, [T.BOOLEAN], T.BOOLEAN);
      expect(vals.map((v) => f(v)), op).toEqual(want);
    }
  });

  it('COALESCE and NULLIF', () => {
    expect(fn('COALESCE', [T.INTEGER, T.INTEGER], T.INTEGER)(null, 2)).toBe(2);
    expect(fn('COALESCE', [T.INTEGER, T.INTEGER, T.INTEGER], T.INTEGER)(null, null, 3)).toBe(3);
    expect(fn('COALESCE', [T.INTEGER, T.INTEGER, T.INTEGER], T.INTEGER)(null, null, null)).toBe(null);
    expect(fn('COALESCE', [T.VARCHAR()], T.VARCHAR())('x')).toBe('x');
    expect(fn('COALESCE', [T.REAL, T.DEC(2, 1)], T.REAL)(null, 0.1)).toBe(Math.fround(0.1));
    expect(fn('COALESCE', [T.INTEGER, T.DEC(2, 1)], T.DEC(11, 1))(3, 0.1)).toBe(3);
    const nullif = fn('NULLIF', [T.INTEGER, T.INTEGER], T.INTEGER);
    expect(nullif(1, 1)).toBe(null);
    expect(nullif(1, 2)).toBe(1);
    expect(nullif(1, null)).toBe(1);
    expect(nullif(null, 1)).toBe(null);
  });
});
