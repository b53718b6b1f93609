import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { castValue, makeCast } from '../../../src/exec/functions/index.js';
import { doubleToString, realToString } from '../../../src/exec/functions/cast.js';
import { T, errorOf, ts } from './helpers.js';

const V = T.VARCHAR();
const cast = castValue;

describe('CAST between numbers', () => {
  it('to integer types rounds half away from zero and checks the range', () => {
    expect(cast(2.7, T.DOUBLE, T.INTEGER)).toBe(3);
    expect(cast(2.5, T.DEC(3, 1), T.INTEGER)).toBe(3);
    expect(cast(-2.5, T.DOUBLE, T.INTEGER)).toBe(-3);
    expect(cast(2.4, T.DOUBLE, T.INTEGER)).toBe(2);
    expect(Object.is(cast(-0.4, T.DOUBLE, T.INTEGER), 0)).toBe(true);
    expect(cast(127, T.INTEGER, T.TINYINT)).toBe(127);
    expect(errorOf(() => cast(128, T.INTEGER, T.TINYINT))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(errorOf(() => cast(-32769, T.INTEGER, T.SMALLINT))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(errorOf(() => cast(2 ** 31, T.BIGINT, T.INTEGER))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(errorOf(() => cast(2 ** 63, T.DOUBLE, T.BIGINT))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(errorOf(() => cast(NaN, T.DOUBLE, T.BIGINT))).toBe('NUMERIC_OUT_OF_RANGE');
  });

  it('to DECIMAL rounds to the scale and checks the precision; to REAL uses float32', () => {
    expect(cast(1.005, T.DOUBLE, T.DEC(5, 2))).toBe(1.01);
    expect(cast(-1.235, T.DOUBLE, T.DEC(5, 2))).toBe(-1.24);
    expect(cast(999.994, T.DOUBLE, T.DEC(5, 2))).toBe(999.99);
    expect(errorOf(() => cast(999.996, T.DOUBLE, T.DEC(5, 2)))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(errorOf(() => cast(100, T.INTEGER, T.DEC(2, 0)))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(cast(0.1, T.DOUBLE, T.REAL)).toBe(Math.fround(0.1));
    expect(errorOf(() => cast(1e300, T.DOUBLE, T.REAL))).toBe('NUMERIC_OUT_OF_RANGE');
    expect(cast(null, T.DOUBLE, T.REAL)).toBe(null);
  });
});

describe('CAST from text', () => {
  it('numbers', () => {
    expect(cast(' 42 ', V, T.INTEGER)).toBe(42);
    expect(cast('-1.5', V, T.INTEGER)).toBe(-2);
    expect(cast('1e3', V, T.BIGINT)).toBe(1000);
    expect(cast('.5', V, T.DOUBLE)).toBe(0.5);
    expect(cast('12.345', V, T.DEC(5, 2))).toBe(12.35);
    expect(cast('NaN', V, T.DOUBLE)).toBeNaN();
    expect(cast('-Infinity', V, T.REAL)).toBe(-Infinity);
    for (const bad of ['', ' ', 'abc', '12abc', '0x10', '1,000', 'NaN']) {
      expect(errorOf(() => cast(bad, V, T.INTEGER)), bad).toBe('CONVERSION_FAILED');
    }
    expect(errorOf(() => cast('99999999999', V, T.INTEGER))).toBe('NUMERIC_OUT_OF_RANGE');
  });

  it('booleans', () => {
    expect(cast('true', V, T.BOOLEAN)).toBe(true);
    expect(cast(' FALSE ', V, T.BOOLEAN)).toBe(false);
    expect(cast('TrUe', V, T.BOOLEAN)).toBe(true);
    expect(errorOf(() => cast('yes', V, T.BOOLEAN))).toBe('CONVERSION_FAILED');
    expect(errorOf(() => cast('1', V, T.BOOLEAN))).toBe('CONVERSION_FAILED');
  });

  it('datetimes and intervals', () => {
    expect(cast('2026-01-01 11:00:20', V, T.TIMESTAMP)).toBe(ts('2026-01-01 11:00:20'));
    expect(cast('2026-01-01 11:00:20.5', V, T.TIMESTAMP)).toBe(ts('2026-01-01 11:00:20.500'));
    expect(cast('2026-01-01T11:00:20.123Z', V, T.TIMESTAMP)).toBe(ts('2026-01-01 11:00:20.123'));
    expect(cast('2026-01-01T11:00:20+02:00', V, T.TIMESTAMP)).toBe(ts('2026-01-01 09:00:20'));
    expect(cast('2026-01-01', V, T.TIMESTAMP)).toBe(ts('2026-01-01'));
    expect(cast('2026-01-01', V, T.DATE)).toBe(ts('2026-01-01'));
    expect(cast('11:00:20', V, T.TIME)).toBe(39_620_000);
    expect(cast('1 02:00:00', V, T.INTERVAL)).toBe(93_600_000);
    for (const bad of ['2026-02-30', '2026-13-01', '2026-01-01 24:00:00', 'yesterday', '']) {
      expect(errorOf(() => cast(bad, V, T.TIMESTAMP)), bad).toBe('CONVERSION_FAILED');
    }
    expect(errorOf(() => cast('25:00', V, T.TIME))).toBe('CONVERSION_FAILED');
    expect(errorOf(() => cast('2026-01-01 10:00', V, T.DATE))).toBe('CONVERSION_FAILED');
  });

  it('strings and binary', () => {
    expect(cast('abc', V, T.CHAR(5))).toBe('abc  ');
    expect(cast('abcdef', V, T.CHAR(3))).toBe('abc');
    expect(cast('abcdef', T.CHAR(6), T.VARCHAR(2))).toBe('ab');
    expect(cast('abc', V, V)).toBe('abc');
    expect(cast('0aFF', V, T.VARBINARY())).toEqual(new Uint8Array([10, 255]));
    expect(cast('0a', V, T.BINARY(3))).toEqual(new Uint8Array([10, 0, 0]));
    expect(errorOf(() => cast('xyz', V, T.VARBINARY()))).toBe('CONVERSION_FAILED');
  });
});

describe('CAST to text', () => {
  it('numbers as Java prints them', () => {
    expect(cast(42, T.INTEGER, V)).toBe('42');
    expect(cast(1, T.DOUBLE, V)).toBe('1.0');
    expect(cast(-0.5, T.DOUBLE, V)).toBe('-0.5');
    expect(cast(1234567, T.DOUBLE, V)).toBe('1234567.0');
    expect(cast(12345678, T.DOUBLE, V)).toBe('1.2345678E7');
    expect(cast(0.001, T.DOUBLE, V)).toBe('0.001');
    expect(cast(0.0001, T.DOUBLE, V)).toBe('1.0E-4');
    expect(cast(1e21, T.DOUBLE, V)).toBe('1.0E21');
    expect(cast(0.1 + 0.2, T.DOUBLE, V)).toBe('0.30000000000000004');
    expect(cast(-0, T.DOUBLE, V)).toBe('-0.0');
    expect(cast(NaN, T.DOUBLE, V)).toBe('NaN');
    expect(cast(-Infinity, T.DOUBLE, V)).toBe('-Infinity');
    expect(cast(Math.fround(0.1), T.REAL, V)).toBe('0.1');
    expect(cast(Math.fround(84.51), T.REAL, V)).toBe('84.51');
    expect(cast(1.5, T.DEC(5, 2), V)).toBe('1.50');
    expect(cast(-0.001, T.DEC(5, 2), V)).toBe('0.00');
    expect(cast(7, T.DEC(5, 0), V)).toBe('7');
  });

  it('booleans, datetimes, intervals, binary', () => {
    expect(cast(true, T.BOOLEAN, V)).toBe('TRUE');
    expect(cast(false, T.BOOLEAN, V)).toBe('FALSE');
    expect(cast(ts('2026-01-01 11:00:20'), T.TIMESTAMP, V)).toBe('2026-01-01 11:00:20.000');
    expect(cast(ts('1969-12-31 23:59:59.999'), T.TIMESTAMP, V)).toBe('1969-12-31 23:59:59.999');
    expect(cast(ts('2026-01-01'), T.DATE, V)).toBe('2026-01-01');
    expect(cast(39_620_000, T.TIME, V)).toBe('11:00:20');
    expect(cast(39_620_005, T.TIME, V)).toBe('11:00:20.005');
    expect(cast(-93_600_500, T.INTERVAL, V)).toBe('-1 02:00:00.500');
    expect(cast(new Uint8Array([1, 171]), T.VARBINARY(), V)).toBe('01AB');
  });

  it('lengths: CHAR pads, a too-long non-string fails', () => {
    expect(cast(42, T.INTEGER, T.CHAR(4))).toBe('42  ');
    expect(cast(ts('2008-08-23'), T.DATE, T.VARCHAR(10))).toBe('2008-08-23');
    expect(errorOf(() => cast(ts('2008-08-23'), T.DATE, T.VARCHAR(9)))).toBe('CONVERSION_FAILED');
  });
});

describe('CAST between datetimes, intervals, binary', () => {
  it('works', () => {
    const t = ts('2026-01-01 11:00:20.250');
    expect(cast(t, T.TIMESTAMP, T.DATE)).toBe(ts('2026-01-01'));
    expect(cast(t, T.TIMESTAMP, T.TIME)).toBe(39_620_250);
    expect(cast(ts('1969-12-31 23:00:00'), T.TIMESTAMP, T.DATE)).toBe(ts('1969-12-31'));
    expect(cast(ts('2026-01-01'), T.DATE, T.TIMESTAMP)).toBe(ts('2026-01-01'));
    expect(cast(5000, T.TIME, T.TIMESTAMP)).toBe(5000);
    expect(cast(65_500, T.INTERVAL, T.BIGINT)).toBe(65_500);
    expect(cast(new Uint8Array([1, 2, 3]), T.VARBINARY(), T.BINARY(2))).toEqual(new Uint8Array([1, 2]));
    expect(cast(new Uint8Array([1]), T.VARBINARY(), T.BINARY(2))).toEqual(new Uint8Array([1, 0]));
  });

  it('unknown source types decide on the value', () => {
    expect(cast('12', T.ANY, T.INTEGER)).toBe(12);
    expect(cast(12, T.ANY, V)).toBe('12.0');
    expect(makeCast(T.NULL, T.INTEGER)('7')).toBe(7);
  });
});

describe('round trips through VARCHAR', () => {
  it('DOUBLE', () => {
    fc.assert(fc.property(fc.double({ noNaN: true }), (x) => Object.is(cast(cast(x, T.DOUBLE, V), V, T.DOUBLE), x)), { numRuns: 1000 });
  });
  it('REAL', () => {
    fc.assert(fc.property(fc.float({ noNaN: true }), (x) => Object.is(cast(cast(x, T.REAL, V), V, T.REAL), x)), { numRuns: 1000 });
  });
  it('BIGINT and INTEGER', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (x) => cast(cast(x, T.BIGINT, V), V, T.BIGINT) === x));
    fc.assert(fc.property(fc.integer(), (x) => cast(cast(x, T.INTEGER, V), V, T.INTEGER) === x));
  });
  it('DECIMAL(10,3)', () => {
    const d = T.DEC(10, 3);
    fc.assert(fc.property(fc.integer({ min: -9_999_999_999, max: 9_999_999_999 }), (n) => {
      const x = n / 1000;
      return cast(cast(x, d, V), V, d) === x;
    }));
  });
  it('TIMESTAMP, DATE, TIME', () => {
    const ms = fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 });
    fc.assert(fc.property(ms, (x) => cast(cast(x, T.TIMESTAMP, V), V, T.TIMESTAMP) === x));
    fc.assert(fc.property(ms, (x) => {
      const d = cast(x, T.TIMESTAMP, T.DATE);
      return cast(cast(d, T.DATE, V), V, T.DATE) === d;
    }));
    fc.assert(fc.property(fc.integer({ min: 0, max: 86_399_999 }), (x) => cast(cast(x, T.TIME, V), V, T.TIME) === x));
  });
  it('Java number text matches known Double.toString output', () => {
    expect(doubleToString(100)).toBe('100.0');
    expect(doubleToString(1e7)).toBe('1.0E7');
    expect(doubleToString(9999999.5)).toBe('9999999.5');
    expect(doubleToString(5e-324)).toBe('4.9E-324');
    expect(doubleToString(Number.MAX_VALUE)).toBe('1.7976931348623157E308');
    expect(realToString(Math.fround(3.4028235e38))).toBe('3.4028235E38');
    expect(realToString(Math.fround(1e-45))).toBe('1.4E-45');
  });
});
