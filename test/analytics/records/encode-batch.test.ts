import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchFromRows, rowsFromBatch, type ColumnDef, type Row } from '../../../src/exec/arrow.js';
import { doubleToString, realToString } from '../../../src/exec/functions/cast.js';
import type { Value } from '../../../src/exec/values.js';
import { parseSqlType } from '../../../src/sql/catalog.js';
import type { SqlType } from '../../../src/sql/bind/types.js';
import { valueText } from '../../../src/analytics/records/convert.js';
import { digitsText } from '../../../src/analytics/records/encode.js';
import { encodeBatch, encodeRows, type EncodedRecords } from '../../../src/analytics/records/index.js';

const dec = new TextDecoder();
const recordTexts = ({ bytes, ends, count }: EncodedRecords): string[] =>
  Array.from({ length: count }, (_, i) => dec.decode(bytes.subarray(i === 0 ? 0 : ends[i - 1]!, ends[i]!)));

// ---- the reference: each cell's text from the general functions, one string per record ---------------------------------

function csvQuote(s: string): string {
  return s === '' || /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function cellText(v: Value, type: SqlType, json: boolean): string {
  if (v === null) return json ? 'null' : '';
  switch (type.kind) {
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
      return String(v);
    case 'REAL':
    case 'DOUBLE': {
      const x = v as number;
      if (Number.isFinite(x)) return type.kind === 'REAL' ? realToString(x) : doubleToString(x);
      return json ? 'null' : csvQuote(valueText(x, type));
    }
    case 'DECIMAL':
      return Number.isFinite(v as number) ? valueText(v, type) : json ? 'null' : csvQuote(valueText(v, type));
    case 'CHAR':
    case 'VARCHAR':
      return json ? JSON.stringify(v) : csvQuote(v as string);
    case 'VARBINARY':
      return json ? JSON.stringify(Buffer.from(v as Uint8Array).toString('base64')) : Buffer.from(v as Uint8Array).toString('base64');
    default:
      return json ? JSON.stringify(valueText(v, type)) : csvQuote(valueText(v, type));
  }
}

function reference(rows: Row[], defs: ColumnDef[], names: string[], json: boolean): string[] {
  const typeOf = (n: string) => defs.find((d) => d.name === n)!.type;
  return rows.map((r) => {
    const cells = names.map((n) => (json ? JSON.stringify(n) + ':' : '') + cellText(r[n] ?? null, typeOf(n), json));
    return json ? '{' + cells.join(',') + '}' : cells.join(',') + '\n';
  });
}

// ---- number text: the digit arithmetic against cast.ts's general functions ---------------------------------------------

const bitsToFloat = (bits: number) => new Float32Array(new Int32Array([bits]).buffer)[0]!;

/** Doubles where text is hard: every bit pattern, the plain range, short decimals, averages of cents, powers of 2 and 10 nudged. */
const hardDouble = fc.oneof(
  fc.double(),
  fc.double({ min: 1e-3, max: 1e7, noNaN: true }),
  fc.tuple(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 12 })).map(([n, k]) => n / 10 ** k),
  fc.array(fc.integer({ min: 100, max: 99_999 }), { minLength: 1, maxLength: 40 }).map((cs) => cs.reduce((s, c) => s + Math.fround(c / 100), 0) / cs.length),
  fc.tuple(fc.integer({ min: -12, max: 24 }), fc.integer({ min: -3, max: 3 }), fc.boolean()).map(([p, ulps, ten]) => {
    const x = ten ? Number(`1e${p % 8}`) : 2 ** p;
    return x + ulps * Number.EPSILON * x;
  }),
);

/** float32s likewise: every bit pattern, cents, integers, powers of 2 and 10. */
const hardFloat = fc.oneof(
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(bitsToFloat),
  fc.float(),
  fc.integer({ min: 0, max: 10_000_000 }).map((c) => Math.fround(c / 100)),
  fc.integer({ min: -(2 ** 24), max: 2 ** 24 }).map(Math.fround),
  fc.tuple(fc.integer({ min: -12, max: 24 }), fc.boolean()).map(([p, ten]) => Math.fround(ten ? Number(`1e${p % 8}`) : 2 ** p)),
);

describe('number text', () => {
  it('DOUBLE: the digits are Double.toString wherever they are given, and given for nearly all of [1e-3, 1e7)', () => {
    let asked = 0;
    let given = 0;
    fc.assert(
      fc.property(hardDouble, (x) => {
        const text = Number.isFinite(x) ? digitsText(x, false) : null;
        if (text !== null) expect(text).toBe(doubleToString(x));
        if (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e7) {
          asked++;
          if (text !== null) given++;
        }
      }),
      // a fixed seed: the share checked below must not vary by run
      { numRuns: 20_000, seed: 20261126 },
    );
    expect(asked).toBeGreaterThan(10_000);
    expect(given / asked).toBeGreaterThan(0.99);
  });

  it('REAL: the digits are Float.toString wherever they are given, and given for nearly all of [1e-3, 1e7)', () => {
    let asked = 0;
    let given = 0;
    fc.assert(
      fc.property(hardFloat, (x) => {
        const text = Number.isFinite(x) ? digitsText(x, true) : null;
        if (text !== null) expect(text).toBe(realToString(x));
        if (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e7) {
          asked++;
          if (text !== null) given++;
        }
      }),
      { numRuns: 20_000, seed: 20261126 },
    );
    expect(asked).toBeGreaterThan(5_000);
    expect(given / asked).toBeGreaterThan(0.99);
  });

  for (const [type, arb] of [['DOUBLE', hardDouble], ['REAL', hardFloat]] as const) {
    it(`${type} cells: the general text, NaN and ±Infinity as null (JSON) or their text (CSV), -0 as -0.0`, () => {
      const defs = [{ name: 'X', type: parseSqlType(type) }];
      fc.assert(
        fc.property(fc.array(fc.oneof(arb, fc.constantFrom(NaN, Infinity, -Infinity, -0, 0)), { maxLength: 200 }), (xs) => {
          const batch = batchFromRows(defs, xs.map((X) => ({ X })));
          const rows = rowsFromBatch(batch);
          for (const format of ['JSON', 'CSV'] as const) expect(recordTexts(encodeBatch(batch, ['X'], format))).toEqual(reference(rows, defs, ['X'], format === 'JSON'));
        }),
        { numRuns: 100 },
      );
    });
  }

  it('REAL texts come the same from the cache, whether a value is new, repeated or evicted by another', () => {
    // 20,000 distinct cents (more than the cache's 4096 slots, so slots are shared), each three times, in an order
    // that mixes first sightings, hits and misses after eviction; then the same batch again, the cache warm
    const distinct = Array.from({ length: 20_000 }, (_, i) => Math.fround((1 + i * 7) / 100));
    const order = Array.from({ length: 60_000 }, (_, i) => distinct[(i * 7919) % distinct.length]!);
    const defs = [{ name: 'P', type: parseSqlType('REAL') }];
    const batch = batchFromRows(defs, order.map((P) => ({ P })));
    const want = order.map((p) => `{"P":${realToString(p)}}`);
    expect(recordTexts(encodeBatch(batch, ['P'], 'JSON'))).toEqual(want);
    expect(recordTexts(encodeBatch(batch, ['P'], 'JSON'))).toEqual(want);
  });
});

// ---- whole records: encodeBatch = encodeRows = the reference, for every type -------------------------------------------

const TYPES = ['VARCHAR(12)', 'VARCHAR(300)', 'CHAR(3)', 'INTEGER', 'SMALLINT', 'TINYINT', 'BIGINT', 'REAL', 'DOUBLE', 'BOOLEAN', 'TIMESTAMP', 'DECIMAL(10,2)', 'DATE', 'VARBINARY(8)'];

function valueOf(type: string): fc.Arbitrary<unknown> {
  const v = ((): fc.Arbitrary<unknown> => {
    switch (type) {
      case 'VARCHAR(12)':
        return fc.oneof(fc.string({ maxLength: 12, unit: 'binary' }), fc.string({ maxLength: 12, unit: fc.constantFrom('a', ',', '"', '\n', '\r', '\\', '\t', ' ', 'é', '漢', '😀') }));
      case 'VARCHAR(300)':
        return fc.string({ minLength: 100, maxLength: 300, unit: fc.constantFrom('a', 'Z', ',', '"', 'é') });
      case 'CHAR(3)':
        return fc.string({ minLength: 3, maxLength: 3, unit: fc.constantFrom('a', 'b', ' ', ',') });
      case 'INTEGER':
        return fc.integer();
      case 'SMALLINT':
        return fc.integer({ min: -32768, max: 32767 });
      case 'TINYINT':
        return fc.integer({ min: -128, max: 127 });
      case 'BIGINT':
        return fc.oneof(fc.maxSafeInteger(), fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 62, -(2 ** 63), 999_999_999, 1_000_000_000));
      case 'REAL':
        return hardFloat;
      case 'DOUBLE':
        return hardDouble;
      case 'BOOLEAN':
        return fc.boolean();
      case 'TIMESTAMP':
        return fc.integer({ min: 0, max: 253402300799 }).chain((s) => fc.integer({ min: 0, max: 999 }).map((ms) => s * 1000 + ms));
      case 'DATE':
        return fc.integer({ min: 0, max: 2932896 }).map((d) => d * 86_400_000);
      case 'DECIMAL(10,2)':
        return fc.integer({ min: -9_999_999_99, max: 9_999_999_99 }).map((c) => c / 100);
      case 'VARBINARY(8)':
        return fc.uint8Array({ maxLength: 8 });
      default:
        throw new Error(type);
    }
  })();
  return fc.option(v, { freq: 5 });
}

const NAME = fc.stringMatching(/^[A-Za-z_é][A-Za-z0-9_ ]{0,8}$/);

const batches = fc
  .uniqueArray(NAME, { minLength: 1, maxLength: 6, selector: (n) => n })
  .chain((names) => fc.tuple(fc.constant(names), fc.array(fc.constantFrom(...TYPES), { minLength: names.length, maxLength: names.length })))
  .chain(([names, types]) => {
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    names.forEach((n, i) => (record[n] = valueOf(types[i]!)));
    return fc.tuple(fc.constant(names), fc.constant(types), fc.array(fc.record(record), { maxLength: 40 }), fc.nat(), fc.nat(), fc.func(fc.boolean()));
  });

describe('encodeBatch', () => {
  for (const format of ['JSON', 'CSV'] as const) {
    it(`${format}: records are the reference texts, encodeRows gives the same bytes, on whole and sliced batches`, () => {
      fc.assert(
        fc.property(batches, ([names, types, rows, a, b, pick]) => {
          const defs: ColumnDef[] = names.map((name, i) => ({ name, type: parseSqlType(types[i]!) }));
          const whole = batchFromRows(defs, rows as Row[]);
          // a slice has an offset into the buffers (validity bits included); the listed columns, some in another order
          const from = rows.length === 0 ? 0 : a % rows.length;
          const batch = whole.slice(from, from + (b % (rows.length - from + 1)));
          const some = names.filter((n) => pick(n)).reverse();
          const listed = some.length > 0 ? some : names;
          const out = encodeBatch(batch, listed, format);
          expect(out.count).toBe(batch.numRows);
          expect(out.ends.length).toBe(batch.numRows);
          expect(out.bytes.length).toBe(batch.numRows === 0 ? 0 : out.ends[batch.numRows - 1]);
          expect(recordTexts(out)).toEqual(reference(rowsFromBatch(batch), defs, listed, format === 'JSON'));
          const records = encodeRows(batch, listed, format);
          expect(records.map((r) => Buffer.from(r).toString('base64'))).toEqual(Array.from({ length: out.count }, (_, i) => Buffer.from(out.bytes.subarray(i === 0 ? 0 : out.ends[i - 1]!, out.ends[i]!)).toString('base64')));
        }),
        { numRuns: 300 },
      );
    });
  }

  it('the buffer grows as needed: long and escaped strings, many rows', () => {
    const defs = [
      { name: 'S', type: parseSqlType('VARCHAR(2000)') },
      { name: 'D', type: parseSqlType('DOUBLE') },
    ];
    const rows = Array.from({ length: 3000 }, (_, i) => ({ S: i % 3 === 0 ? 'x'.repeat(i % 2000) : i % 3 === 1 ? '"\\\n'.repeat(i % 600) + 'é' : '', D: i / 7 }));
    const batch = batchFromRows(defs, rows);
    for (const format of ['JSON', 'CSV'] as const) {
      const out = encodeBatch(batch, ['S', 'D'], format);
      expect(recordTexts(out)).toEqual(reference(rowsFromBatch(batch), defs, ['S', 'D'], format === 'JSON'));
    }
  });

  it('a schema seen before with other columns or format gets its own layout', () => {
    const defs = [
      { name: 'A', type: parseSqlType('INTEGER') },
      { name: 'B', type: parseSqlType('VARCHAR(4)') },
    ];
    const batch = batchFromRows(defs, [{ A: 1, B: 'x' }]);
    expect(recordTexts(encodeBatch(batch, ['A', 'B'], 'JSON'))).toEqual(['{"A":1,"B":"x"}']);
    expect(recordTexts(encodeBatch(batch, ['B', 'A'], 'JSON'))).toEqual(['{"B":"x","A":1}']);
    expect(recordTexts(encodeBatch(batch, ['B'], 'JSON'))).toEqual(['{"B":"x"}']);
    expect(recordTexts(encodeBatch(batch, ['B'], 'CSV'))).toEqual(['x\n']);
    expect(recordTexts(encodeBatch(batch, [defs[0]!], 'JSON'))).toEqual(['{"A":1}']);
    expect(() => encodeBatch(batch, ['C'], 'JSON')).toThrow(/"C"/);
  });

  it('no column listed: each JSON record is an empty object, each CSV record an empty line', () => {
    const batch = batchFromRows([{ name: 'A', type: parseSqlType('INTEGER') }], [{ A: 1 }, { A: 2 }]);
    expect(recordTexts(encodeBatch(batch, [], 'JSON'))).toEqual(['{}', '{}']);
    expect(recordTexts(encodeBatch(batch, [], 'CSV'))).toEqual(['\n', '\n']);
  });
});
