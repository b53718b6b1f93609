import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openLog, VirtualClock, type Log, type PackedRecords } from '../../src/index.js';
import { BACKENDS, expectCode, withLog } from './harness.js';

/**
 * Packed appends (`Log.appendPacked`): records given as two byte buffers with end offsets go through the same path as
 * PutRecords. The oracle is PutRecords itself: the same keys and data appended both ways land on the same shards with
 * the same bytes, and bad records are refused with the field named, writing nothing.
 */

interface Rec {
  key: string;
  data: Uint8Array;
}

function pack(records: readonly Rec[], from = 0, to = records.length): PackedRecords {
  const keys = records.map((r) => Buffer.from(r.key, 'utf8'));
  const keyEnds = new Uint32Array(records.length);
  const dataEnds = new Uint32Array(records.length);
  let k = 0;
  let d = 0;
  records.forEach((r, i) => {
    keyEnds[i] = k += keys[i]!.length;
    dataEnds[i] = d += r.data.byteLength;
  });
  return { from, to, keys: Buffer.concat(keys), keyEnds, data: Buffer.concat(records.map((r) => r.data)), dataEnds };
}

/** Every record of the stream as (shard, key, data), in the order a stream reader gives them. */
function contents(log: Log, streamName: string): string[] {
  return log.reader(streamName).readAll().map((r) => `${r.shardId} ${r.partitionKey} ${r.data.toString('hex')}`);
}

const key = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 256 }).filter((s) => s.isWellFormed()),
);
const record = fc.record({ key, data: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 257, maxLength: 600 })) });

describe('appendPacked', () => {
  for (const backend of BACKENDS) {
    it(`stores what PutRecords stores, on the same shards (${backend})`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 4 }), async (records, shardCount) => {
          await withLog(backend, {}, async ({ log }) => {
            await log.createStream({ streamName: 'viaPut', shardCount });
            await log.createStream({ streamName: 'viaPacked', shardCount });
            await log.putRecords({ streamName: 'viaPut', records: records.map((r) => ({ partitionKey: r.key, data: r.data })) });
            const appended = await log.appendPacked('viaPacked', pack(records));
            expect(appended.failedRecordCount).toBe(0);
            expect(contents(log, 'viaPacked')).toEqual(contents(log, 'viaPut'));
          });
        }),
        { numRuns: backend === 'memory' ? 60 : 15, seed: 7 },
      );
    });
  }

  it('appends only records from..to-1 of the buffers', async () => {
    await withLog('memory', {}, async ({ log }) => {
      await log.createStream({ streamName: 's', shardCount: 1 });
      const records = ['a', 'b', 'c', 'd'].map((k) => ({ key: k, data: Buffer.from(`data-${k}`) }));
      await log.appendPacked('s', pack(records, 1, 3));
      const got = log.reader('s').readAll();
      expect(got.map((r) => [r.partitionKey, r.data.toString()])).toEqual([
        ['b', 'data-b'],
        ['c', 'data-c'],
      ]);
    });
  });

  it('refuses a bad record naming it, and writes nothing of the call', async () => {
    await withLog('memory', {}, async ({ log }) => {
      await log.createStream({ streamName: 's', shardCount: 2 });
      const good = { key: 'k', data: Buffer.from('x') };
      const cases: [Rec[], RegExp][] = [
        [[good, { key: '', data: Buffer.from('x') }], /Records\[1\]\.PartitionKey.*greater than or equal to 1/],
        [[good, { key: 'é'.repeat(257), data: Buffer.from('x') }], /Records\[1\]\.PartitionKey.*less than or equal to 256, this one has 257/],
        [[{ key: 'k', data: Buffer.alloc(1024 * 1024) }], /Records\[0\]\.Data: record size 1048577 bytes/],
      ];
      for (const [records, message] of cases) {
        const err = await expectCode(() => log.appendPacked('s', pack(records)), 'InvalidArgumentException');
        expect(err.message).toMatch(message);
      }
      await expectCode(() => log.appendPacked('s', pack([good], 1, 1)), 'InvalidArgumentException');
      await expectCode(() => log.appendPacked('s', pack([good], 0, 2)), 'InvalidArgumentException');
      expect(log.reader('s').readAll()).toEqual([]);
    });
  });

  it('takes a 256-character key of multi-byte characters (the limit counts characters, not bytes)', async () => {
    await withLog('memory', {}, async ({ log }) => {
      await log.createStream({ streamName: 's', shardCount: 3 });
      const k = 'é'.repeat(128) + '😀'.repeat(64);
      expect(k.length).toBe(256);
      await log.appendPacked('s', pack([{ key: k, data: Buffer.from('x') }]));
      await log.putRecords({ streamName: 's', records: [{ partitionKey: k, data: Buffer.from('y') }] });
      const got = log.reader('s').readAll();
      expect(got.map((r) => r.partitionKey)).toEqual([k, k]);
      expect(new Set(got.map((r) => r.shardId)).size).toBe(1);
    });
  });

  it("is held to the shards' throughput limits like PutRecords: refused records are reported and not written", async () => {
    const log = await openLog({ clock: new VirtualClock(), limits: true });
    try {
      await log.createStream({ streamName: 's', shardCount: 1 });
      const records = Array.from({ length: 1_200 }, (_, i) => ({ key: `k${i}`, data: Buffer.from(String(i)) }));
      const appended = await log.appendPacked('s', pack(records));
      expect(appended.failedRecordCount).toBe(200);
      expect(appended.refused(999)).toBe(false);
      expect(appended.refused(1_000)).toBe(true);
      const got = log.reader('s').readAll();
      expect(got.map((r) => r.partitionKey)).toEqual(records.slice(0, 1_000).map((r) => r.key));
    } finally {
      await log.close();
    }
  });
});
