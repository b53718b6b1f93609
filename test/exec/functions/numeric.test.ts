import { describe, expect, it } from 'vitest';
import { roundHalfAway, roundToScale } from '../../../src/exec/functions/numeric.js';
import { T, errorOf, fn } from './helpers.js';

describe('numeric built-ins', () => {
  it('ABS keeps the type and checks integer overflow', () => {
    expect(fn('ABS', [T.INTEGER], T.INTEGER)(-5)).toBe(5);
    expect(fn('ABS', [T.DOUBLE], T.DOUBLE)(-2.5)).toBe(2.5);
    expect(fn('ABS', [T.INTEGER], T.INTEGER)(null)).toBe(null);
    expect(errorOf(() => fn('ABS', [T.INTEGER], T.INTEGER)(-2147483648))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(fn('ABS', [T.BIGINT], T.BIGINT)(-2147483648)).toBe(2147483648);
  });

  it('CEIL, CEILING, FLOOR', () => {
    expect(fn('CEIL', [T.DOUBLE], T.DOUBLE)(1.2)).toBe(2);
    expect(fn('CEILING', [T.DEC(5, 2)], T.DEC(5, 2))(-1.2)).toBe(-1);
    expect(Object.is(fn('CEIL', [T.DOUBLE], T.DOUBLE)(-0.5), 0)).toBe(true);
    expect(fn('FLOOR', [T.DOUBLE], T.DOUBLE)(-1.2)).toBe(-2);
    expect(fn('FLOOR', [T.INTEGER], T.INTEGER)(7)).toBe(7);
    expect(fn('FLOOR', [T.DOUBLE], T.DOUBLE)(null)).toBe(null);
  });

  it('EXP, LN, LOG10, SQRT, POWER', () => {
    expect(fn('EXP', [T.INTEGER], T.DOUBLE)(0)).toBe(1);
    expect(fn('LN', [T.DOUBLE], T.DOUBLE)(Math.E)).toBe(1);
    expect(fn('LOG10', [T.INTEGER], T.DOUBLE)(1000)).toBe(3);
    expect(fn('SQRT', [T.INTEGER], T.DOUBLE)(16)).toBe(4);
    expect(fn('POWER', [T.INTEGER, T.INTEGER], T.DOUBLE)(2, 10)).toBe(1024);
    expect(fn('POWER', [T.DOUBLE, T.DOUBLE], T.DOUBLE)(4, 0.5)).toBe(2);
    expect(fn('POWER', [T.DOUBLE, T.DOUBLE], T.DOUBLE)(-2, 3)).toBe(-8);
    expect(errorOf(() => fn('LN', [T.DOUBLE], T.DOUBLE)(0))).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => fn('LOG10', [T.DOUBLE], T.DOUBLE)(-1))).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => fn('SQRT', [T.DOUBLE], T.DOUBLE)(-1))).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => fn('POWER', [T.DOUBLE, T.DOUBLE], T.DOUBLE)(0, -1))).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => fn('POWER', [T.DOUBLE, T.DOUBLE], T.DOUBLE)(-8, 1 / 3))).toBe('INVALID_ARGUMENT');
    expect(fn('POWER', [T.DOUBLE, T.DOUBLE], T.DOUBLE)(null, 2)).toBe(null);
  });

  it('MOD takes the sign of the dividend and rejects zero', () => {
    const mod = fn('MOD', [T.INTEGER, T.INTEGER], T.INTEGER);
    expect(mod(7, 3)).toBe(1);
    expect(mod(-7, 3)).toBe(-1);
    expect(mod(7, -3)).toBe(1);
    expect(Object.is(mod(-6, 3), 0)).toBe(true);
    expect(mod(null, 3)).toBe(null);
    expect(errorOf(() => mod(1, 0))).toBe('DIVISION_BY_ZERO');
  });

  it('rounds half away from zero, also for decimal fractions just below .5 in binary', () => {
    expect(roundHalfAway(2.5)).toBe(3);
    expect(roundHalfAway(-2.5)).toBe(-3);
    expect(roundHalfAway(2.4)).toBe(2);
    expect(roundToScale(1.005, 2)).toBe(1.01);
    expect(roundToScale(-1.005, 2)).toBe(-1.01);
    expect(roundToScale(0.1 + 0.2, 1)).toBe(0.3);
    expect(roundToScale(123.456, 0)).toBe(123);
    expect(roundToScale(1e300, 5)).toBe(1e300);
  });
});
