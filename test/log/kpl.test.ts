import crypto from 'node:crypto';
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { aggregate, deaggregate, isAggregated, type StoredRecord, type UserRecordInput } from '../../src/log/kpl.js';

const MAGIC = [0xf3, 0x89, 0x9a, 0xc2];
const md5 = (b: Uint8Array) => crypto.createHash('md5').update(b).digest();
/** magic || proto || md5(proto), built without going through the module under test. */
const wrap = (proto: Uint8Array | number[]): Buffer => {
  const p = Buffer.from(proto);
  return Buffer.concat([Buffer.from(MAGIC), p, md5(p)]);
};
const ascii = (s: string) => [...Buffer.from(s, 'utf8')];
const stored = (data: Uint8Array, extra: Partial<StoredRecord> = {}): StoredRecord => ({
  data,
  partitionKey: 'outer-pk',
  sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
  approximateArrivalTimestamp: 1_700_000_000_000,
  ...extra,
});
const expectPlain = (rec: StoredRecord) => {
  const out = deaggregate(rec);
  expect(out).toEqual([{ ...rec, subSequenceNumber: 0, aggregated: false }]);
  expect(out[0]!.data).toBe(rec.data);
};

describe('aggregate: encoding checked against hand-built bytes', () => {
  it('one record, partition key only', () => {
    // AggregatedRecord { partition_key_table: ["pk"], records: [{ partition_key_index: 0, data: 01 02 03 }] }
    const proto = [0x0a, 0x02, ...ascii('pk'), 0x1a, 0x07, 0x08, 0x00, 0x1a, 0x03, 0x01, 0x02, 0x03];
    const out = aggregate([{ partitionKey: 'pk', data: Uint8Array.of(1, 2, 3) }]);
    expect([...out.data]).toEqual([...wrap(proto)]);
    expect(out.partitionKey).toBe('pk');
    expect(out).not.toHaveProperty('explicitHashKey');
  });

  it('one record with an explicit hash key', () => {
    const proto = [
      ...[0x0a, 0x02, ...ascii('pk')],
      ...[0x12, 0x02, ...ascii('12')],
      ...[0x1a, 0x09, 0x08, 0x00, 0x10, 0x00, 0x1a, 0x03, 0x01, 0x02, 0x03],
    ];
    const out = aggregate([{ partitionKey: 'pk', explicitHashKey: '12', data: Uint8Array.of(1, 2, 3) }]);
    expect([...out.data]).toEqual([...wrap(proto)]);
    expect(out.explicitHashKey).toBe('12');
  });

  it('de-duplicates keys into the tables', () => {
    const out = aggregate([
      { partitionKey: 'a', data: Uint8Array.of(7) },
      { partitionKey: 'b', data: Uint8Array.of(8) },
      { partitionKey: 'a', data: Uint8Array.of(9) },
    ]);
    const proto = [
      ...[0x0a, 0x01, ...ascii('a'), 0x0a, 0x01, ...ascii('b')],
      ...[0x1a, 0x05, 0x08, 0x00, 0x1a, 0x01, 0x07],
      ...[0x1a, 0x05, 0x08, 0x01, 0x1a, 0x01, 0x08],
      ...[0x1a, 0x05, 0x08, 0x00, 0x1a, 0x01, 0x09],
    ];
    expect([...out.data]).toEqual([...wrap(proto)]);
    expect(out.partitionKey).toBe('a');
  });

  it('throws RangeError for an empty list', () => {
    expect(() => aggregate([])).toThrow(RangeError);
  });
});

describe('deaggregate: decoding hand-built bytes', () => {
  it('accepts fields in any order and skips unknown fields and tags', () => {
    const proto = [
      // records first, before the tables they refer to
      ...[0x1a, 0x0f],
      ...[0x22, 0x05, 0x0a, 0x01, ...ascii('k'), 0x12, 0x00], // tags { key: "k", value: "" }
      ...[0x1a, 0x02, 0x05, 0x06], // data
      ...[0x10, 0x01, 0x08, 0x01], // ehk index 1, pk index 1
      ...[0x28, 0x96, 0x01], // unknown varint field 5
      ...[0x0a, 0x01, ...ascii('x'), 0x0a, 0x01, ...ascii('y')],
      ...[0x12, 0x01, ...ascii('1'), 0x12, 0x01, ...ascii('2')],
      ...[0x3d, 0x00, 0x00, 0x00, 0x00], // unknown fixed32 field 7
    ];
    const rec = stored(wrap(proto));
    expect(isAggregated(rec.data)).toBe(true);
    const out = deaggregate(rec);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ partitionKey: 'y', explicitHashKey: '2', subSequenceNumber: 0, aggregated: true });
    expect([...out[0]!.data]).toEqual([5, 6]);
  });

  it('omits explicitHashKey on sub-records without an index, and shares the sequence number', () => {
    const rec = stored(aggregate([{ partitionKey: 'p', data: Uint8Array.of(1) }, { partitionKey: 'q', explicitHashKey: '5', data: Uint8Array.of(2) }]).data, {
      explicitHashKey: '999',
    });
    const out = deaggregate(rec);
    expect(out.map((r) => r.subSequenceNumber)).toEqual([0, 1]);
    expect(out[0]).not.toHaveProperty('explicitHashKey');
    expect(out[1]!.explicitHashKey).toBe('5');
    for (const r of out) {
      expect(r.sequenceNumber).toBe(rec.sequenceNumber);
      expect(r.approximateArrivalTimestamp).toBe(rec.approximateArrivalTimestamp);
    }
  });

  it('returns sub-record data as views into the stored bytes', () => {
    const rec = stored(aggregate([{ partitionKey: 'p', data: Uint8Array.of(1, 2, 3) }]).data);
    const [sub] = deaggregate(rec);
    expect(sub!.data.buffer).toBe(rec.data.buffer);
  });

  it('also works on a plain Uint8Array (not a Buffer)', () => {
    const agg = aggregate([{ partitionKey: 'p', data: Uint8Array.of(4) }, { partitionKey: 'p', data: new Uint8Array(0) }]).data;
    const out = deaggregate(stored(new Uint8Array(agg)));
    expect(out.map((r) => [...r.data])).toEqual([[4], []]);
  });

  it('a well-formed aggregate with zero sub-records yields no user records', () => {
    expect(deaggregate(stored(wrap([0x0a, 0x01, ...ascii('a')])))).toEqual([]);
  });
});

describe('deaggregate: fallback to the plain record', () => {
  it('plain data without the magic comes back unchanged', () => {
    expectPlain(stored(Buffer.from('hello, world, this is longer than twenty bytes'), { explicitHashKey: '42' }));
  });

  it('magic but too short', () => {
    expectPlain(stored(Uint8Array.of(...MAGIC, 1, 2, 3)));
    expectPlain(stored(Uint8Array.of(...MAGIC)));
    expectPlain(stored(new Uint8Array(0)));
  });

  it('magic with a corrupted MD5', () => {
    const data = Buffer.from(aggregate([{ partitionKey: 'pk', data: Uint8Array.of(1) }]).data);
    data[data.length - 1]! ^= 0xff;
    expect(isAggregated(data)).toBe(false);
    expectPlain(stored(data));
  });

  it('magic with a correct MD5 over garbage protobuf', () => {
    for (const garbage of [
      [0xff, 0xff, 0xff], // truncated varint tag
      [0x0a, 0x10, 0x61], // string longer than the message
      [0x0f], // wire type 7
      [0x0c], // stray end-group
      [0x00], // field number 0
      [0x1a, 0x05, 0x08, 0x00, 0x1a], // sub-record longer than the message
      [0x0a, 0x01, 0x61, 0x1a, 0x04, 0x08, 0x00, 0x1a, 0x02, 0x01, 0x02], // data overruns its sub-record
      [0x0a, 0x01, 0x61, 0x1a, 0x02, 0x08, 0x00], // required data missing
      [0x0a, 0x01, 0x61, 0x1a, 0x03, 0x1a, 0x01, 0x01], // required partition_key_index missing
    ]) {
      const data = wrap(garbage);
      expect(isAggregated(data)).toBe(true);
      // Both reader flavours: protobufjs picks BufferReader for a Buffer and Reader for a plain Uint8Array.
      expectPlain(stored(data));
      expectPlain(stored(new Uint8Array(data)));
    }
  });

  it('an index out of range of its table', () => {
    const pkOut = [0x0a, 0x01, 0x61, 0x1a, 0x05, 0x08, 0x01, 0x1a, 0x01, 0x01];
    const ehkOut = [0x0a, 0x01, 0x61, 0x1a, 0x07, 0x08, 0x00, 0x10, 0x00, 0x1a, 0x01, 0x01]; // empty ehk table
    // 2^32 would wrap to 0 if read as uint32; 2^64-1 is the largest uint64.
    const pk2pow32 = [0x0a, 0x01, 0x61, 0x1a, 0x09, 0x08, 0x80, 0x80, 0x80, 0x80, 0x10, 0x1a, 0x01, 0x01];
    const pkMax = [0x0a, 0x01, 0x61, 0x1a, 0x0e, 0x08, ...Array(9).fill(0xff), 0x01, 0x1a, 0x01, 0x01];
    // A good first sub-record must not be returned on its own when a later one is bad.
    const laterBad = [0x0a, 0x01, 0x61, 0x1a, 0x05, 0x08, 0x00, 0x1a, 0x01, 0x01, ...pkOut.slice(3)];
    for (const proto of [pkOut, ehkOut, pk2pow32, pkMax, laterBad]) expectPlain(stored(wrap(proto)));
  });
});

const userRecord: fc.Arbitrary<UserRecordInput> = fc.record(
  {
    // A small pool as well as free text, so key de-duplication actually gets exercised.
    partitionKey: fc.oneof(fc.constantFrom('a', 'b', 'ü'), fc.string({ unit: 'binary', minLength: 1, maxLength: 256 })),
    explicitHashKey: fc.option(
      fc.oneof(fc.constantFrom('0', '1'), fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map(String)),
      { nil: undefined },
    ),
    data: fc.uint8Array({ maxLength: 64 }),
  },
  { requiredKeys: ['partitionKey', 'data'] },
);

describe('properties', () => {
  it('deaggregate(aggregate(x)) round-trips keys and data in order', () => {
    fc.assert(
      fc.property(fc.array(userRecord, { minLength: 1, maxLength: 30 }), (inputs) => {
        const agg = aggregate(inputs);
        expect(agg.partitionKey).toBe(inputs[0]!.partitionKey);
        expect(agg.explicitHashKey).toBe(inputs[0]!.explicitHashKey);
        expect(isAggregated(agg.data)).toBe(true);
        const out = deaggregate(stored(agg.data, { partitionKey: agg.partitionKey }));
        expect(out).toHaveLength(inputs.length);
        out.forEach((r, i) => {
          const input = inputs[i]!;
          expect(r.subSequenceNumber).toBe(i);
          expect(r.aggregated).toBe(true);
          expect(r.partitionKey).toBe(input.partitionKey);
          if (input.explicitHashKey === undefined) expect(r).not.toHaveProperty('explicitHashKey');
          else expect(r.explicitHashKey).toBe(input.explicitHashKey);
          expect(Buffer.from(r.data).equals(Buffer.from(input.data))).toBe(true);
        });
      }),
      { numRuns: 300 },
    );
  });

  const neverThrows = (data: Uint8Array) => {
    const rec = stored(data);
    const out = deaggregate(rec);
    expect(out.length === 0 || out.every((r) => r.sequenceNumber === rec.sequenceNumber)).toBe(true);
    if (!isAggregated(data)) expect(out).toEqual([{ ...rec, subSequenceNumber: 0, aggregated: false }]);
  };

  it('deaggregate never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), neverThrows), { numRuns: 1000 });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (tail) => neverThrows(Uint8Array.of(...MAGIC, ...tail))),
      { numRuns: 500 },
    );
  });

  it('deaggregate never throws on arbitrary protobuf bodies behind a valid magic and MD5', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (body) => neverThrows(wrap(body))), { numRuns: 1000 });
  });

  it('deaggregate never throws on mutated aggregates re-signed with a correct MD5', () => {
    fc.assert(
      fc.property(
        fc.array(userRecord, { minLength: 1, maxLength: 5 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (inputs, edits, cut) => {
          const body = Buffer.from(aggregate(inputs).data.subarray(4, -16));
          for (const [at, byte] of edits) body[at % body.length] = byte;
          neverThrows(wrap(body));
          neverThrows(wrap(body.subarray(0, cut % (body.length + 1))));
        },
      ),
      { numRuns: 500 },
    );
  });
});
