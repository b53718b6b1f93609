import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { javaDateFormat } from '../../../src/exec/functions/java-date-format.js';
import { T, errorOf, fn, ts } from './helpers.js';

const fmt = (p: string, ms: number) => javaDateFormat(p).format(ms);
const parse = (p: string, s: string) => javaDateFormat(p).parse(s);

describe('SimpleDateFormat patterns', () => {
  const t = ts('2026-03-07 05:04:03.009');
  it('formats numbers with the letter count as minimum width', () => {
    expect(fmt('yyyy-MM-dd HH:mm:ss.SSS', t)).toBe('2026-03-07 05:04:03.009');
    expect(fmt('y/M/d H:m:s.S', t)).toBe('2026/3/7 5:4:3.9');
    expect(fmt('yy', t)).toBe('26');
    expect(fmt('yyyyy', t)).toBe('02026');
    expect(fmt('D', t)).toBe('66');
    expect(fmt('SSSS', t)).toBe('0009');
  });

  it('formats names, AM/PM, 12/24-hour clocks and zones', () => {
    expect(fmt('MMM MMMM EEE EEEE', t)).toBe('Mar March Sat Saturday');
    expect(fmt('hh:mm a', ts('2026-03-07 00:15:00'))).toBe('12:15 AM');
    expect(fmt('h a', ts('2026-03-07 12:15:00'))).toBe('12 PM');
    expect(fmt('K k', ts('2026-03-07 00:15:00'))).toBe('0 24');
    expect(fmt('z Z X', t)).toBe('UTC +0000 Z');
    expect(fmt('u', t)).toBe('6');
  });

  it('quoted text', () => {
    expect(fmt("yyyy-MM-dd'T'HH:mm", t)).toBe('2026-03-07T05:04');
    expect(fmt("hh 'o''clock' a", t)).toBe("05 o'clock AM");
    expect(fmt("''yy''", t)).toBe("'26'");
  });

  it('parses leniently, as Java does', () => {
    expect(parse('yyyy-MM-dd', '2026-3-7')).toBe(ts('2026-03-07'));
    expect(parse('yyyy-MM-dd', '2026-13-01')).toBe(ts('2027-01-01'));
    expect(parse('yyyyMMddHHmmss', '20260307050403')).toBe(ts('2026-03-07 05:04:03'));
    expect(parse('dd MMM yyyy', '07 march 2026')).toBe(ts('2026-03-07'));
    expect(parse('EEE, dd MMM yyyy HH:mm:ss z', 'Sat, 07 Mar 2026 05:04:03 GMT')).toBe(ts('2026-03-07 05:04:03'));
    expect(parse('yyyy-MM-dd HH:mm:ssXXX', '2026-03-07 05:04:03+01:00')).toBe(ts('2026-03-07 04:04:03'));
    expect(parse('hh:mm a', '01:30 PM')).toBe(13.5 * 3_600_000);
    expect(parse('hh:mm a', '12:30 AM')).toBe(0.5 * 3_600_000);
    expect(parse('yyyy-MM-dd', '2026-03-07 trailing text')).toBe(ts('2026-03-07'));
    expect(parse('MMM d HH:mm:ss', 'Mar  7 05:04:03')).toBe(ts('1970-03-07 05:04:03'));
    const y = parse('yy', '26');
    expect(new Date(y).getUTCFullYear() % 100).toBe(26);
    expect(errorOf(() => parse('yyyy-MM-dd', '2026/03/07'))).toBe('CONVERSION_FAILED');
    expect(errorOf(() => parse('yyyy-MM-dd', ''))).toBe('CONVERSION_FAILED');
    expect(errorOf(() => parse('MMM', 'Foo'))).toBe('CONVERSION_FAILED');
  });

  it('rejects unknown letters and unterminated quotes', () => {
    expect(errorOf(() => javaDateFormat('yyyy-bb'))).toBe('INVALID_ARGUMENT');
    expect(errorOf(() => javaDateFormat("yyyy'T"))).toBe('INVALID_ARGUMENT');
  });

  it('caches compiled patterns', () => {
    expect(javaDateFormat('yyyy-MM-dd')).toBe(javaDateFormat('yyyy-MM-dd'));
  });
});

describe('TIMESTAMP_TO_CHAR then CHAR_TO_TIMESTAMP round-trips', () => {
  const toChar = fn('TIMESTAMP_TO_CHAR', [T.VARCHAR(), T.TIMESTAMP], T.VARCHAR());
  const toTs = fn('CHAR_TO_TIMESTAMP', [T.VARCHAR(), T.VARCHAR()], T.TIMESTAMP);
  const patterns = [
    'yyyy-MM-dd HH:mm:ss.SSS',
    "yyyy-MM-dd'T'HH:mm:ss.SSSX",
    'dd/MMM/yyyy:HH:mm:ss.SSS Z',
    'EEE, d MMMM yyyy hh:mm:ss.SSS a',
    'EEEE yyyy-D kk:mm:ss:SSS z',
    'yyyyMMddHHmmssSSS',
  ];
  it.each(patterns)('%s', (p) => {
    // years 1000..9999 (the abutting pattern reads exactly four year digits)
    const ms = fc.integer({ min: -30_610_224_000_000, max: 253_402_300_799_999 });
    fc.assert(fc.property(ms, (m) => toTs(p, toChar(p, m)) === m), { numRuns: 300 });
  });
});
