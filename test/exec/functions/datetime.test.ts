import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daysFromCivil, formatTimestamp, parseTimestamp, toCivil, civil } from '../../../src/exec/functions/time.js';
import { T, errorOf, fn, ts } from './helpers.js';

const V = T.VARCHAR();
const H = 3_600_000;

describe('calendar arithmetic', () => {
  it('agrees with Date for days from -200000 to 200000', () => {
    fc.assert(
      fc.property(fc.integer({ min: -200_000, max: 200_000 }), (z) => {
        const d = new Date(z * 86_400_000);
        toCivil(z);
        return civil.year === d.getUTCFullYear() && civil.month === d.getUTCMonth() + 1 && civil.day === d.getUTCDate() &&
          daysFromCivil(civil.year, civil.month, civil.day) === z;
      }),
    );
  });
  it('rolls over months as Java does', () => {
    expect(daysFromCivil(2025, 13, 1)).toBe(daysFromCivil(2026, 1, 1));
    expect(daysFromCivil(2026, 0, 1)).toBe(daysFromCivil(2025, 12, 1));
    expect(daysFromCivil(2026, 1, 32)).toBe(daysFromCivil(2026, 2, 1));
  });
});

describe('date/time built-ins', () => {
  it('TSDIFF, UNIX_TIMESTAMP, TO_TIMESTAMP', () => {
    expect(fn('TSDIFF', [T.TIMESTAMP, T.TIMESTAMP], T.BIGINT)(ts('2026-01-01 00:00:01'), ts('2026-01-01 00:00:00'))).toBe(1000);
    expect(fn('TSDIFF', [T.BIGINT, T.TIMESTAMP], T.BIGINT)(500, 1500)).toBe(-1000);
    expect(fn('TSDIFF', [T.TIMESTAMP, T.TIMESTAMP], T.BIGINT)(null, 1)).toBe(null);
    expect(fn('UNIX_TIMESTAMP', [T.TIMESTAMP], T.BIGINT)(ts('1970-01-02 00:00:00'))).toBe(86_400_000);
    expect(fn('TO_TIMESTAMP', [T.BIGINT], T.TIMESTAMP)(1_700_000_000_000)).toBe(1_700_000_000_000);
  });

  it('CHAR_TO_* and *_TO_CHAR', () => {
    const c2ts = fn('CHAR_TO_TIMESTAMP', [V, V], T.TIMESTAMP);
    expect(c2ts('yyyy-MM-dd HH:mm:ss', '2026-01-01 11:00:20')).toBe(ts('2026-01-01 11:00:20'));
    expect(c2ts("yyyy-MM-dd'T'HH:mm:ss.SSSX", '2026-01-01T11:00:20.123Z')).toBe(ts('2026-01-01 11:00:20.123'));
    expect(c2ts('dd/MMM/yyyy:HH:mm:ss Z', '10/Oct/2000:13:55:36 -0700')).toBe(ts('2000-10-10 20:55:36'));
    expect(c2ts(null, 'x')).toBe(null);
    expect(errorOf(() => c2ts('yyyy-MM-dd', 'not a date'))).toBe('CONVERSION_FAILED');
    expect(fn('CHAR_TO_DATE', [V, V], T.DATE)('dd.MM.yyyy HH', '02.03.2026 10')).toBe(ts('2026-03-02'));
    expect(fn('CHAR_TO_TIME', [V, V], T.TIME)('HH:mm', '10:30')).toBe(10.5 * H);
    const t = ts('2026-01-01 11:00:20.007');
    expect(fn('TIMESTAMP_TO_CHAR', [V, T.TIMESTAMP], V)('yyyy-MM-dd HH:mm:ss.SSS', t)).toBe('2026-01-01 11:00:20.007');
    expect(fn('DATE_TO_CHAR', [V, T.DATE], V)('EEEE, d MMMM yy', ts('2026-01-01'))).toBe('Thursday, 1 January 26');
    expect(fn('TIME_TO_CHAR', [V, T.TIME], V)('h:mm a', 13 * H + 5 * 60_000)).toBe('1:05 PM');
    expect(errorOf(() => fn('TIMESTAMP_TO_CHAR', [V, T.TIMESTAMP], V)('yyyy-qq', t))).toBe('INVALID_ARGUMENT');
  });

  it('FLOOR_TO and CEIL_TO', () => {
    const floor = fn('FLOOR_TO', [T.TIMESTAMP, V], T.TIMESTAMP);
    const ceil = fn('CEIL_TO', [T.TIMESTAMP, V], T.TIMESTAMP);
    const t = ts('2026-05-17 11:42:20.500');
    expect(floor(t, 'YEAR')).toBe(ts('2026-01-01'));
    expect(floor(t, 'MONTH')).toBe(ts('2026-05-01'));
    expect(floor(t, 'DAY')).toBe(ts('2026-05-17'));
    expect(floor(t, 'HOUR')).toBe(ts('2026-05-17 11:00:00'));
    expect(floor(t, 'MINUTE')).toBe(ts('2026-05-17 11:42:00'));
    expect(floor(t, 'SECOND')).toBe(ts('2026-05-17 11:42:20'));
    expect(ceil(t, 'YEAR')).toBe(ts('2027-01-01'));
    expect(ceil(t, 'MONTH')).toBe(ts('2026-06-01'));
    expect(ceil(ts('2026-12-17'), 'MONTH')).toBe(ts('2027-01-01'));
    expect(ceil(t, 'MINUTE')).toBe(ts('2026-05-17 11:43:00'));
    expect(ceil(ts('2026-05-17 11:43:00'), 'MINUTE')).toBe(ts('2026-05-17 11:43:00'));
    expect(floor(ts('1969-12-31 23:59:59.500'), 'SECOND')).toBe(ts('1969-12-31 23:59:59'));
    expect(floor(null, 'DAY')).toBe(null);
    const ifloor = fn('FLOOR_TO', [T.INTERVAL, V], T.INTERVAL);
    expect(ifloor(65_500, 'SECOND')).toBe(65_000);
    expect(ifloor(-500, 'SECOND')).toBe(-1000);
    expect(fn('CEIL_TO', [T.INTERVAL, V], T.INTERVAL)(65_500, 'MINUTE')).toBe(120_000);
    expect(errorOf(() => ifloor(1, 'MONTH'))).toBe('INVALID_ARGUMENT');
    expect(fn('FLOOR_TO', [T.TIME, V], T.TIME)(13.5 * H, 'HOUR')).toBe(13 * H);
    expect(fn('CEIL_TO', [T.TIME, V], T.TIME)(23.5 * H, 'HOUR')).toBe(0);
  });

  it('STEP', () => {
    const step = fn('STEP', [T.TIMESTAMP, T.INTERVAL], T.TIMESTAMP);
    expect(step(ts('2026-01-01 11:00:20'), 60_000)).toBe(ts('2026-01-01 11:00:00'));
    expect(step(ts('2026-01-01 11:00:20'), 15_000)).toBe(ts('2026-01-01 11:00:15'));
    expect(step(-1, 1000)).toBe(-1000);
    expect(fn('STEP', [T.INTEGER, T.INTEGER], T.INTEGER)(17, 5)).toBe(15);
    expect(errorOf(() => step(5, 0))).toBe('INVALID_ARGUMENT');
  });

  it('EXTRACT', () => {
    const ex = fn('EXTRACT', [V, T.TIMESTAMP], T.BIGINT);
    const t = ts('2026-05-17 11:42:20.500');
    expect(['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND'].map((u) => ex(u, t))).toEqual([2026, 5, 17, 11, 42, 20]);
    expect(fn('EXTRACT', [V, T.DATE], T.BIGINT)('HOUR', ts('2026-05-17'))).toBe(0);
    expect(fn('EXTRACT', [V, T.TIME], T.BIGINT)('MINUTE', 13.5 * H)).toBe(30);
    expect(errorOf(() => fn('EXTRACT', [V, T.TIME], T.BIGINT)('YEAR', 0))).toBe('INVALID_ARGUMENT');
    const iv = fn('EXTRACT', [V, T.INTERVAL], T.BIGINT);
    const ms = -(2 * 86_400_000 + 3 * H + 4 * 60_000 + 5_678);
    expect(['DAY', 'HOUR', 'MINUTE', 'SECOND'].map((u) => iv(u, ms))).toEqual([-2, -3, -4, -5]);
  });

  it('INTERVAL_QUALIFIED truncates toward zero', () => {
    const q = fn('INTERVAL_QUALIFIED', [T.INTERVAL, V], T.INTERVAL);
    expect(q(65_500, 'SECOND')).toBe(65_500);
    expect(q(65_500, 'MINUTE')).toBe(60_000);
    expect(q(-65_500, 'MINUTE')).toBe(-60_000);
    expect(q(90 * H, 'DAY')).toBe(3 * 86_400_000);
    expect(q(90 * 60_000, 'HOUR')).toBe(H);
    expect(errorOf(() => q(1, 'YEAR'))).toBe('INVALID_ARGUMENT');
  });

  it('temporal predicates', () => {
    const p = (op: string, ...v: number[]) => fn(op, [T.TIMESTAMP, T.TIMESTAMP, T.TIMESTAMP, T.TIMESTAMP], T.BOOLEAN)(...v);
    expect(p('CONTAINS', 0, 10, 2, 5)).toBe(true);
    expect(p('CONTAINS', 0, 10, 0, 10)).toBe(true);
    expect(p('STRICTLY CONTAINS', 0, 10, 0, 10)).toBe(false);
    expect(p('OVERLAPS', 0, 10, 10, 20)).toBe(true);
    expect(p('STRICTLY OVERLAPS', 0, 10, 10, 20)).toBe(false);
    expect(p('OVERLAPS', 10, 0, 5, 20)).toBe(true); // end-first period is swapped
    expect(p('EQUALS', 0, 10, 0, 10)).toBe(true);
    expect(p('PRECEDES', 0, 10, 10, 20)).toBe(true);
    expect(p('STRICTLY PRECEDES', 0, 10, 10, 20)).toBe(false);
    expect(p('IMMEDIATELY PRECEDES', 0, 10, 10, 20)).toBe(true);
    expect(p('SUCCEEDS', 10, 20, 0, 10)).toBe(true);
    expect(p('IMMEDIATELY SUCCEEDS', 10, 20, 0, 10)).toBe(true);
    expect(p('STRICTLY SUCCEEDS', 11, 20, 0, 10)).toBe(true);
    expect(p('LEADS', 0, 10, 5, 15)).toBe(true);
    expect(p('LEADS', 5, 15, 0, 10)).toBe(false);
    expect(p('STRICTLY LEADS', 0, 10, 5, 15)).toBe(true);
    expect(p('IMMEDIATELY LEADS', 0, 10, 5, 10)).toBe(true);
    expect(p('LAGS', 5, 15, 0, 10)).toBe(true);
    expect(p('STRICTLY LAGS', 5, 15, 0, 10)).toBe(true);
    expect(p('IMMEDIATELY LAGS', 0, 15, 0, 10)).toBe(true);
    expect(fn('OVERLAPS', [T.TIMESTAMP, T.TIMESTAMP, T.TIMESTAMP, T.TIMESTAMP], T.BOOLEAN)(null, 1, 2, 3)).toBe(null);
  });
});

describe('timestamp text', () => {
  it('round-trips through formatTimestamp / parseTimestamp', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => parseTimestamp(formatTimestamp(ms)) === ms),
    );
  });
});
