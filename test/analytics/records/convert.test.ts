import { describe, expect, it } from 'vitest';
import { makeDecoder, makeGenericDecoder } from '../../../src/analytics/records/index.js';
import { jsonSchema, records, values } from './helpers.js';

const ts = (s: string) => Date.parse(s.replace(' ', 'T') + 'Z');

/** [SqlType, JSON value text, expected value | {error: substring}] — one rule of docs/kda-sql.md per group. */
const CASES: [string, string, unknown][] = [
  // null / missing → NULL in every type
  ['INTEGER', 'null', null],
  ['VARCHAR(4)', 'null', null],
  ['BOOLEAN', 'null', null],
  ['TIMESTAMP', 'null', null],
  // true/false → 1/0 in numeric columns
  ['INTEGER', 'true', 1],
  ['TINYINT', 'false', 0],
  ['BIGINT', 'true', 1],
  ['DOUBLE', 'true', 1],
  ['REAL', 'false', 0],
  ['DECIMAL(5,2)', 'true', 1],
  // booleans elsewhere
  ['BOOLEAN', 'true', true],
  ['BOOLEAN', 'false', false],
  ['VARCHAR(8)', 'true', 'TRUE'],
  ['VARCHAR(3)', 'false', 'FAL'],
  ['TIMESTAMP', 'true', { error: 'TIMESTAMP' }],
  // the string "true" (any case) → TRUE in BOOLEAN, anything else FALSE
  ['BOOLEAN', '"true"', true],
  ['BOOLEAN', '"TRUE"', true],
  ['BOOLEAN', '"tRuE"', true],
  ['BOOLEAN', '"false"', false],
  ['BOOLEAN', '"yes"', false],
  ['BOOLEAN', '" true"', false],
  ['BOOLEAN', '""', false],
  ['BOOLEAN', '0', false],
  ['BOOLEAN', '2.5', true],
  // over-long strings are cut silently; CHAR pads
  ['VARCHAR(4)', '"AMAZON"', 'AMAZ'],
  ['VARCHAR(4)', '"AMZN"', 'AMZN'],
  ['VARCHAR(2)', '"é漢字"', 'é漢'],
  ['VARCHAR(3)', '"a\\"bcd"', 'a"b'],
  ['VARCHAR', '"unbounded text"', 'unbounded text'],
  ['CHAR(4)', '"ab"', 'ab  '],
  ['CHAR(2)', '"abcd"', 'ab'],
  // numbers into text
  ['VARCHAR(10)', '12', '12'],
  ['VARCHAR(10)', '-0.5', '-0.5'],
  ['VARCHAR(2)', '12345', '12'],
  // numbers that fit
  ['TINYINT', '127', 127],
  ['TINYINT', '-128', -128],
  ['SMALLINT', '32767', 32767],
  ['INTEGER', '2147483647', 2147483647],
  ['INTEGER', '-2147483648', -2147483648],
  ['BIGINT', '9007199254740991', 9007199254740991],
  ['INTEGER', '1.0', 1],
  ['INTEGER', '1e3', 1000],
  ['REAL', '84.51', Math.fround(84.51)],
  ['REAL', '-0.23', Math.fround(-0.23)],
  ['DOUBLE', '1.7976931348623157e308', 1.7976931348623157e308],
  ['DECIMAL(5,2)', '123.456', 123.46],
  ['DECIMAL(5,2)', '-1.005', -1.01],
  // numbers that don't fit → error
  ['TINYINT', '128', { error: 'TINYINT' }],
  ['TINYINT', '-129', { error: 'TINYINT' }],
  ['SMALLINT', '40000', { error: 'SMALLINT' }],
  ['INTEGER', '2147483648', { error: 'INTEGER' }],
  ['INTEGER', '1.5', { error: 'INTEGER' }],
  ['BIGINT', '1e19', { error: 'BIGINT' }],
  ['REAL', '1e39', { error: 'REAL' }],
  ['DOUBLE', '1e309', { error: 'DOUBLE' }],
  ['DECIMAL(5,2)', '1000', { error: 'DECIMAL(5,2)' }],
  // numeric strings parse as numbers; other strings are errors
  ['INTEGER', '"42"', 42],
  ['DOUBLE', '"-1.5e2"', -150],
  ['REAL', '"84.51"', Math.fround(84.51)],
  ['INTEGER', '"4.5"', { error: 'INTEGER' }],
  ['INTEGER', '"abc"', { error: 'INTEGER' }],
  ['INTEGER', '" 42"', { error: 'INTEGER' }],
  ['DOUBLE', '""', { error: 'DOUBLE' }],
  ['DOUBLE', '"NaN"', { error: 'DOUBLE' }],
  // objects and arrays go only into CHAR/VARCHAR, as JSON text
  ['VARCHAR(64)', '{"a": 1, "b": [true, null]}', '{"a":1,"b":[true,null]}'],
  ['VARCHAR(64)', '[1, "x"]', '[1,"x"]'],
  ['VARCHAR(5)', '[1, 2, 3]', '[1,2,'],
  ['INTEGER', '{"a": 1}', { error: 'INTEGER' }],
  ['BOOLEAN', '[true]', { error: 'BOOLEAN' }],
  ['DOUBLE', '[]', { error: 'DOUBLE' }],
  ['TIMESTAMP', '{}', { error: 'TIMESTAMP' }],
  // timestamps from ISO-8601 / 'YYYY-MM-DD HH:MM:SS.fff' text or epoch-ms numbers
  ['TIMESTAMP', '"2024-03-01 10:20:30.456"', ts('2024-03-01 10:20:30.456')],
  ['TIMESTAMP', '"2024-03-01 10:20:30"', ts('2024-03-01 10:20:30')],
  ['TIMESTAMP', '"2024-03-01T10:20:30.456Z"', ts('2024-03-01 10:20:30.456')],
  ['TIMESTAMP', '"2024-03-01T12:20:30+02:00"', ts('2024-03-01 10:20:30')],
  ['TIMESTAMP', '1709288430456', 1709288430456],
  ['TIMESTAMP', '"yesterday"', { error: 'TIMESTAMP' }],
  ['DATE', '"2024-03-01"', ts('2024-03-01 00:00:00')],
  ['TIME', '"10:20:30.5"', 37230500],
  // binary: base64
  ['VARBINARY(4)', '"AQID"', new Uint8Array([1, 2, 3])],
  ['BINARY(4)', '"AQID"', new Uint8Array([1, 2, 3, 0])],
  ['VARBINARY(4)', '"not base64!"', { error: 'VARBINARY(4)' }],
];

describe('JSON → SQL conversions (kda-sql.md "JSON to SQL")', () => {
  for (const generic of [false, true]) {
    const make = generic ? makeGenericDecoder : makeDecoder;
    it.each(CASES)(`${generic ? 'generic' : 'specialised'}: %s ← %s`, (type, json, expected) => {
      const dec = make(jsonSchema([{ Name: 'v', SqlType: type, Mapping: '$.v' }]));
      const out = dec.decode(records([`{"v": ${json}}`]), 0);
      if (expected !== null && typeof expected === 'object' && 'error' in expected) {
        expect(out.batch.numRows).toBe(0);
        expect(out.errors).toHaveLength(1);
        expect(out.errors[0]!.message).toContain('"v"');
        expect(out.errors[0]!.message).toContain((expected as { error: string }).error);
        expect(out.errors[0]!.message).toContain(JSON.stringify(JSON.parse(json)).slice(0, 10));
      } else {
        expect(out.errors).toEqual([]);
        expect(values(out)).toEqual([{ v: expected }]);
      }
    });
  }

  it('a missing key is NULL; mappings are case-sensitive', () => {
    const dec = makeDecoder(jsonSchema([
      { Name: 'A', SqlType: 'INTEGER', Mapping: '$.A' },
      { Name: 'a', SqlType: 'INTEGER', Mapping: '$.a' },
      { Name: 'B', SqlType: 'VARCHAR(4)', Mapping: '$.B' },
    ]));
    expect(values(dec.decode(records(['{"a": 1}', '{"A": 2, "B": "x"}']), 0))).toEqual([
      { A: null, a: 1, B: null },
      { A: 2, a: null, B: 'x' },
    ]);
  });

  it('one failing column sends the whole record to errors; the other records go on', () => {
    const dec = makeDecoder(jsonSchema([
      { Name: 'S', SqlType: 'VARCHAR(4)', Mapping: '$.S' },
      { Name: 'N', SqlType: 'SMALLINT', Mapping: '$.N' },
    ]));
    const out = dec.decode(records(['{"S": "ok", "N": 1}', '{"S": "bad", "N": 99999}', 'not json', '{"S": "ok2", "N": 2}']), 0);
    expect(values(out)).toEqual([{ S: 'ok', N: 1 }, { S: 'ok2', N: 2 }]);
    expect(out.errors.map((e) => e.index)).toEqual([1, 2]);
    expect(out.errors[0]!.message).toBe('column "N": cannot convert 99999 to SMALLINT (out of range)');
    expect(out.errors[1]!.message).toMatch(/not valid JSON/);
  });
});
