import { describe, expect, it } from 'vitest';
import { parseColumnList } from '../../../src/exec/functions/log-parse.js';
import { T, errorOf, fn, ts } from './helpers.js';

const V = T.VARCHAR();
const LINE = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326';

describe('W3C_LOG_PARSE', () => {
  const w3c = fn('W3C_LOG_PARSE', [V, V], T.ROW);
  it('COMMON gives seven columns', () => {
    expect(w3c(LINE, 'COMMON')).toEqual(['127.0.0.1', '-', 'frank', '[10/Oct/2000:13:55:36 -0700]', 'GET /apache_pb.gif HTTP/1.0', '200', '2326']);
    expect(w3c(LINE, 'common')).toHaveLength(7);
  });
  it('COMMON WITH VHOST, NCSA EXTENDED / COMBINED, custom formats', () => {
    expect(w3c('www.example.com ' + LINE, 'COMMON WITH VHOST')).toEqual(['www.example.com', '127.0.0.1', '-', 'frank', '[10/Oct/2000:13:55:36 -0700]', 'GET /apache_pb.gif HTTP/1.0', '200', '2326']);
    const combined = LINE + ' "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';
    const want = ['127.0.0.1', '-', 'frank', '[10/Oct/2000:13:55:36 -0700]', 'GET /apache_pb.gif HTTP/1.0', '200', '2326', 'http://www.example.com/start.html', 'Mozilla/4.08 [en] (Win98; I ;Nav)'];
    expect(w3c(combined, 'NCSA EXTENDED')).toEqual(want);
    expect(w3c(combined, 'COMBINED')).toEqual(want);
    expect(w3c('Mozilla/5.0 (X11)', 'AGENT')).toEqual(['Mozilla/5.0 (X11)']);
    expect(w3c('10.0.0.1 | 404', '%h | %>s')).toEqual(['10.0.0.1', '404']);
  });
  it('a line that does not match gives NULL; NULL in gives NULL', () => {
    expect(w3c('garbage', 'COMMON')).toBe(null);
    const t0 = performance.now();
    expect(w3c('a '.repeat(5000) + '"', 'COMMON')).toBe(null);
    expect(w3c(LINE.replace('" 200', '" x y'), 'COMMON')).toBe(null);
    expect(performance.now() - t0).toBeLessThan(500);
    expect((w3c('h - u [t] "GET /a \\"q\\" HTTP/1.0" 200 5', 'COMMON') as unknown as string[])[4]).toBe('GET /a \\"q\\" HTTP/1.0');
    expect(w3c(null, 'COMMON')).toBe(null);
    expect(errorOf(() => w3c(LINE, 'no such format'))).toBe('INVALID_ARGUMENT');
  });
});

describe('REGEX_LOG_PARSE and FAST_REGEX_LOG_PARSER', () => {
  const rlp = fn('REGEX_LOG_PARSE', [V, V], T.ROW);
  const rlp3 = fn('REGEX_LOG_PARSE', [V, V, V], T.ROW);
  const frlp = fn('FAST_REGEX_LOG_PARSER', [V, V], T.ROW);
  it('matches the whole line and returns the groups', () => {
    expect(rlp('AAPL 100.5 buy', '(\\w+) ([\\d.]+) (\\w+)')).toEqual(['AAPL', '100.5', 'buy']);
    expect(rlp('AAPL 100.5 buy', '(\\w+) ([\\d.]+)')).toBe(null);
    expect(rlp('ab', '(a)(x)?b')).toEqual(['a', null]);
    expect(rlp('a'.repeat(2000), '(a*)')).toEqual(['a'.repeat(1024)]);
    expect(rlp3('AAPL 100.5', '(\\w+) ([\\d.]+)', 'SYM TYPE VARCHAR(4), PRICE TYPE DOUBLE')).toEqual(['AAPL', 100.5]);
    expect(errorOf(() => rlp('x', '(unclosed'))).toBe('INVALID_ARGUMENT');
  });
  it('the fast parser is lazy', () => {
    expect(rlp('a=1,b=2', '(.*)=(.*)')).toEqual(['a=1,b', '2']);
    expect(frlp('a=1,b=2', '(.*)=(.*)')).toEqual(['a', '1,b=2']);
  });
});

describe('SYS_LOG_PARSE', () => {
  it('reads the timestamp and the rest', () => {
    const sys = fn('SYS_LOG_PARSE', [V], T.ROW);
    expect(sys('Mar  7 05:04:03 myhost sshd[42]: Accepted')).toEqual([ts('1970-03-07 05:04:03'), 'myhost sshd[42]: Accepted']);
    expect(sys('not a syslog line')).toBe(null);
  });
});

describe('FIXED_COLUMN_LOG_PARSE', () => {
  const fixed = fn('FIXED_COLUMN_LOG_PARSE', [V, V], T.ROW);
  it('cuts fields by position and converts them', () => {
    const line = 'AAPL  00123.5020260101';
    const spec = "SYM TYPE VARCHAR(6) START 0 FOR 6, PRICE TYPE DECIMAL(8,2) START 6 FOR 8, DAY TYPE DATE 'yyyyMMdd' START 14";
    expect(fixed(line, spec)).toEqual(['AAPL  ', 123.5, ts('2026-01-01')]);
    expect(fixed('AB', 'A TYPE CHAR(1) START 0 FOR 1, N TYPE INTEGER START 5 FOR 2')).toEqual(['A', null]);
    expect(fixed('x 10/Oct/2000:13:55:36', "\"t\" TYPE TIMESTAMP 'dd/MMM/yyyy:HH:mm:ss' NOT NULL START 2")).toEqual([ts('2000-10-10 13:55:36')]);
    expect(errorOf(() => fixed('AB', 'N TYPE INTEGER NOT NULL START 5 FOR 2'))).toBe('CONVERSION_FAILED');
    expect(errorOf(() => fixed('AB', 'N TYPE INTEGER START 0 FOR 2'))).toBe('CONVERSION_FAILED');
    expect(errorOf(() => fixed('AB', 'N TYPE WIDGET START 0'))).toBe('INVALID_ARGUMENT');
  });
});

describe('VARIABLE_COLUMN_LOG_PARSE', () => {
  const v3 = fn('VARIABLE_COLUMN_LOG_PARSE', [V, T.INTEGER, V], T.ROW);
  const v4 = fn('VARIABLE_COLUMN_LOG_PARSE', [V, T.INTEGER, V, V], T.ROW);
  const v5 = fn('VARIABLE_COLUMN_LOG_PARSE', [V, T.INTEGER, V, V, V], T.ROW);
  it('splits by a delimiter into a count of columns', () => {
    expect(v3('a,b,c', 3, ',')).toEqual(['a', 'b', 'c']);
    expect(v3('a,b', 3, ',')).toEqual(['a', 'b', null]);
    expect(v3('a,b,c,d', 2, ',')).toEqual(['a', 'b']);
    expect(v3('a::b', 2, '::')).toEqual(['a', 'b']);
    expect(v3('a\tb', 2, '\t')).toEqual(['a', 'b']);
    expect(v4('a\\,b,c', 2, ',', '\\')).toEqual(['a,b', 'c']);
    expect(v5('"a,b",c', 2, ',', '', '"')).toEqual(['a,b', 'c']);
    expect(v5('[a,b],c', 2, ',', '', '[]')).toEqual(['a,b', 'c']);
    expect(fn('VARIABLE_COLUMN_LOG_PARSE', [V, T.INTEGER], T.ROW)('x,y', 2)).toEqual(['x', 'y']);
    expect(errorOf(() => v3('a', 1, ''))).toBe('INVALID_ARGUMENT');
  });
  it('converts to a column list', () => {
    const typed = fn('VARIABLE_COLUMN_LOG_PARSE', [V, V, V], T.ROW);
    expect(typed('AAPL|12.5|true', 'SYM TYPE VARCHAR(4), PRICE TYPE REAL, OK TYPE BOOLEAN', '|')).toEqual(['AAPL', Math.fround(12.5), true]);
  });
  it('column lists are parsed with names and types', () => {
    expect(parseColumnList('sym TYPE VARCHAR(4) NOT NULL, "Price" DOUBLE PRECISION, d DECIMAL(5, 2)')).toEqual([
      { name: 'SYM', type: { kind: 'VARCHAR', precision: 4 }, notNull: true },
      { name: 'Price', type: { kind: 'DOUBLE' }, notNull: false },
      { name: 'D', type: { kind: 'DECIMAL', precision: 5, scale: 2 }, notNull: false },
    ]);
  });
});
