/**
 * Properties of the write and read paths of one stream without resharding: per-key order, exact read-back, sequence
 * numbers, MD5 routing and GetRecords paging. Every property runs against the in-memory log and a data-directory log.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKENDS, bytesArb, expectCode, withLog, type Harness } from './harness.js';
import {
  evenRanges,
  MAX_HASH_KEY,
  partitionKeyHash,
  type Log,
  type LogRecord,
} from '../../src/index.js';

// ---- harness ----------------------------------------------------------------------------------------------------

const STREAM = 'orders';

/** MD5 of the key's UTF-8 bytes as an unsigned 128-bit integer, computed without the module under test. */
const md5Key = (key: string): bigint => BigInt(`0x${createHash('md5').update(key, 'utf8').digest('hex')}`);

const inRange = (h: bigint, r: { startingHashKey: string; endingHashKey: string }) =>
  BigInt(r.startingHashKey) <= h && h <= BigInt(r.endingHashKey);

/** Reads one shard from TRIM_HORIZON with the raw API until a read comes back empty (or the shard ends). */
async function readShard(log: Log, shardId: string, limits: readonly number[] = [10_000]): Promise<LogRecord[]> {
  let iterator: string | null = await log.getShardIterator({ streamName: STREAM, shardId, shardIteratorType: 'TRIM_HORIZON' });
  const out: LogRecord[] = [];
  for (let call = 0; iterator !== null; call++) {
    const limit = limits[call % limits.length]!;
    const page = await log.getRecords({ shardIterator: iterator, limit });
    expect(page.records.length).toBeLessThanOrEqual(limit);
    out.push(...page.records);
    if (page.records.length === 0) break;
    iterator = page.nextShardIterator;
  }
  return out;
}

async function readEveryShard(log: Log, limits?: readonly number[]): Promise<Map<string, LogRecord[]>> {
  const { shards } = await log.describeStream(STREAM);
  const out = new Map<string, LogRecord[]>();
  for (const s of shards) out.set(s.shardId, await readShard(log, s.shardId, limits));
  return out;
}

// ---- workloads ----------------------------------------------------------------------------------------------------

/**
 * Bytes of a random length filled from a random seed (xorshift). Records need distinct, arbitrary-looking contents, not
 * a byte-level search: this shrinks by length and seed, where a plain uint8Array of kilobytes shrinks byte by byte for
 * minutes once a property fails.
 */
/** Partition keys: short ones of any code points (astral included), and some near the 256-character limit (U+0000..U+00FF). */
const keyArb = fc
  .oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }) },
    { weight: 1, arbitrary: bytesArb(240, 256).map((b) => String.fromCharCode(...b)) },
  )
  .filter((k) => k.length >= 1 && k.length <= 256);

/** Mostly small records; now and then one large enough to fill a good part of a 4 KiB segment. */
const dataArb = fc.oneof(
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 6 }) },
  { weight: 6, arbitrary: bytesArb(0, 48) },
  { weight: 1, arbitrary: bytesArb(600, 2500) },
);

/** Explicit hash keys: anywhere, at the ends of the key space, and on and beside the boundaries of even ranges. */
const ehkArb = fc.oneof(
  fc.bigInt({ min: 0n, max: MAX_HASH_KEY }),
  fc.constantFrom(0n, 1n, MAX_HASH_KEY - 1n, MAX_HASH_KEY),
  fc
    .tuple(fc.integer({ min: 1, max: 8 }), fc.nat(7), fc.constantFrom(-1n, 0n, 1n))
    .map(([n, i, d]) => {
      const k = evenRanges(n)[i % n]!.start + d;
      return k < 0n ? 0n : k > MAX_HASH_KEY ? MAX_HASH_KEY : k;
    }),
);

interface RecSpec {
  key: number;
  data: Uint8Array;
  ehk?: bigint;
}
type Op =
  /** `ordering` picks an earlier acknowledged sequence number to pass as SequenceNumberForOrdering. */
  | { kind: 'put'; rec: RecSpec; ordering?: number }
  | { kind: 'puts'; recs: RecSpec[] }
  | { kind: 'tick'; ms: number };

const recArb = (withEhk: boolean): fc.Arbitrary<RecSpec> =>
  fc.record({ key: fc.nat(), data: dataArb, ehk: withEhk ? fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: ehkArb }) : fc.constant(undefined) });

const opArb = (withEhk: boolean): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc.record(
        {
          kind: fc.constant('put' as const),
          rec: recArb(withEhk),
          ordering: fc.option(fc.nat(), { nil: undefined }),
        },
        { requiredKeys: ['kind', 'rec'] },
      ),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('puts' as const), recs: fc.array(recArb(withEhk), { minLength: 1, maxLength: 25, size: 'medium' }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5_000 })) }) },
  );

interface Workload {
  shardCount: number;
  keys: string[];
  ops: Op[];
  segmentBytes: number | undefined;
}

/**
 * At most this many shrink attempts per failure: a failing workload replays the whole log, and unbounded shrinking of
 * a few hundred records takes minutes. Counterexamples stay small enough to read.
 */
const MAX_SHRINKS = 500;

const workloadArb = (withEhk: boolean, maxOps = 30): fc.Arbitrary<Workload> =>
  fc.limitShrink(
    fc.record({
      shardCount: fc.integer({ min: 1, max: 8 }),
      keys: fc.uniqueArray(keyArb, { minLength: 1, maxLength: 8 }),
      ops: fc.array(opArb(withEhk), { minLength: 1, maxLength: maxOps, size: 'max' }),
      segmentBytes: fc.constantFrom(4096, undefined),
    }),
    MAX_SHRINKS,
  );

/** What a put acknowledged, with copies of what was sent. */
interface Acked {
  partitionKey: string;
  data: Buffer;
  explicitHashKey?: string;
  sequenceNumber: string;
  shardId: string;
  arrival: number;
}

/** Applies the workload, checking each acknowledgement as it comes; returns every acknowledged record in put order. */
async function applyWorkload({ log, clock }: Harness, w: Workload): Promise<Acked[]> {
  await log.createStream({ streamName: STREAM, shardCount: w.shardCount });
  const acked: Acked[] = [];
  const input = (r: RecSpec) => {
    const rec: { partitionKey: string; data: Uint8Array; explicitHashKey?: string } = {
      partitionKey: w.keys[r.key % w.keys.length]!,
      data: Uint8Array.from(r.data),
    };
    if (r.ehk !== undefined) rec.explicitHashKey = r.ehk.toString();
    return rec;
  };
  const note = (rec: ReturnType<typeof input>, result: { shardId: string; sequenceNumber: string }) => {
    const a: Acked = { partitionKey: rec.partitionKey, data: Buffer.from(rec.data), sequenceNumber: result.sequenceNumber, shardId: result.shardId, arrival: clock.now() };
    if (rec.explicitHashKey !== undefined) a.explicitHashKey = rec.explicitHashKey;
    acked.push(a);
    // The log must have copied the bytes: scribbling on the caller's buffer afterwards changes nothing stored.
    rec.data.fill(0xa5);
  };
  for (const op of w.ops) {
    if (op.kind === 'tick') {
      clock.advance(op.ms);
    } else if (op.kind === 'put') {
      const rec = input(op.rec);
      let ordering: string | undefined;
      if (op.ordering !== undefined && acked.length > 0) ordering = acked[op.ordering % acked.length]!.sequenceNumber;
      const result = await log.putRecord({ streamName: STREAM, ...rec, ...(ordering === undefined ? {} : { sequenceNumberForOrdering: ordering }) });
      if (ordering !== undefined) expect(BigInt(result.sequenceNumber)).toBeGreaterThan(BigInt(ordering));
      note(rec, result);
    } else {
      const recs = op.recs.map(input);
      const result = await log.putRecords({ streamName: STREAM, records: recs });
      expect(result.failedRecordCount).toBe(0);
      expect(result.records).toHaveLength(recs.length);
      result.records.forEach((r, i) => {
        if (!('sequenceNumber' in r)) throw new Error(`record ${i} failed: ${r.errorCode}`);
        note(recs[i]!, r);
      });
    }
  }
  return acked;
}

const view = (r: LogRecord) => ({
  sequenceNumber: r.sequenceNumber,
  partitionKey: r.partitionKey,
  data: Buffer.from(r.data).toString('hex'),
  approximateArrivalTimestamp: r.approximateArrivalTimestamp,
  explicitHashKey: r.explicitHashKey,
});
const viewAcked = (a: Acked) => ({
  sequenceNumber: a.sequenceNumber,
  partitionKey: a.partitionKey,
  data: a.data.toString('hex'),
  approximateArrivalTimestamp: a.arrival,
  explicitHashKey: a.explicitHashKey,
});

const RUNS = 60;

// ---- properties ---------------------------------------------------------------------------------------------------

describe.each(BACKENDS)('ordering and read-back (%s log)', (backend) => {
  it('gives each partition key its records in put order, all from one shard', async () => {
    await fc.assert(
      fc.asyncProperty(workloadArb(false), async (w) => {
        await withLog(backend, { segmentBytes: w.segmentBytes }, async (h) => {
          const acked = await applyWorkload(h, w);
          const read = await readEveryShard(h.log);
          const byKey = new Map<string, { shards: Set<string>; data: string[] }>();
          for (const [shardId, records] of read) {
            for (const r of records) {
              let entry = byKey.get(r.partitionKey);
              if (!entry) byKey.set(r.partitionKey, (entry = { shards: new Set(), data: [] }));
              entry.shards.add(shardId);
              entry.data.push(r.data.toString('hex'));
            }
          }
          const keysPut = new Set(acked.map((a) => a.partitionKey));
          expect([...byKey.keys()].sort()).toEqual([...keysPut].sort());
          for (const key of keysPut) {
            const got = byKey.get(key)!;
            expect(got.shards.size).toBe(1);
            expect(got.data).toEqual(acked.filter((a) => a.partitionKey === key).map((a) => a.data.toString('hex')));
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('reads back exactly what was acknowledged: bytes, keys, sequence numbers, arrival times, explicit hash keys', async () => {
    await fc.assert(
      fc.asyncProperty(workloadArb(true), async (w) => {
        await withLog(backend, { segmentBytes: w.segmentBytes }, async (h) => {
          const acked = await applyWorkload(h, w);
          const { shards } = await h.log.describeStream(STREAM);
          const read = await readEveryShard(h.log);
          expect([...read.keys()].sort()).toEqual(shards.map((s) => s.shardId).sort());
          let total = 0;
          for (const [shardId, records] of read) {
            // Nothing more, nothing less, in put order within the shard.
            expect(records.map(view)).toEqual(acked.filter((a) => a.shardId === shardId).map(viewAcked));
            total += records.length;
          }
          expect(total).toBe(acked.length);
          // Routing: the hash key (explicit, else MD5 of the partition key) lies in the range of the shard put chose.
          const range = new Map(shards.map((s) => [s.shardId, s.hashKeyRange]));
          for (const a of acked) {
            const hashKey = a.explicitHashKey !== undefined ? BigInt(a.explicitHashKey) : md5Key(a.partitionKey);
            expect(inRange(hashKey, range.get(a.shardId)!), `${a.shardId} holds ${hashKey}`).toBe(true);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('issues 56-digit sequence numbers, unique, strictly increasing per shard, string order = numeric order', async () => {
    await fc.assert(
      fc.asyncProperty(workloadArb(true), async (w) => {
        await withLog(backend, { segmentBytes: w.segmentBytes }, async (h) => {
          const acked = await applyWorkload(h, w);
          const seqs = acked.map((a) => a.sequenceNumber);
          for (const s of seqs) expect(s).toMatch(/^[0-9]{56}$/);
          expect(new Set(seqs).size).toBe(seqs.length);
          const byString = [...seqs].sort();
          const byNumber = [...seqs].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
          expect(byString).toEqual(byNumber);
          const { shards } = await h.log.describeStream(STREAM);
          for (const s of shards) {
            const inPutOrder = acked.filter((a) => a.shardId === s.shardId).map((a) => a.sequenceNumber);
            for (let i = 1; i < inPutOrder.length; i++) {
              expect(inPutOrder[i]! > inPutOrder[i - 1]!).toBe(true);
              expect(BigInt(inPutOrder[i]!)).toBeGreaterThan(BigInt(inPutOrder[i - 1]!));
            }
            // Every record sits at or after its shard's starting sequence number.
            for (const seq of inPutOrder) expect(BigInt(seq)).toBeGreaterThanOrEqual(BigInt(s.sequenceNumberRange.startingSequenceNumber));
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('pages with random limits following NextShardIterator to the same sequence as reading with the largest limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        workloadArb(true, 20),
        fc.limitShrink(fc.array(fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.constant(10_000)), { minLength: 1, maxLength: 8 }), 50),
        async (w, limits) => {
          await withLog(backend, { segmentBytes: w.segmentBytes }, async (h) => {
            const acked = await applyWorkload(h, w);
            const whole = await readEveryShard(h.log, [10_000]);
            const paged = await readEveryShard(h.log, limits);
            let total = 0;
            for (const [shardId, records] of whole) {
              expect(paged.get(shardId)!.map(view)).toEqual(records.map(view));
              total += records.length;
            }
            expect(total).toBe(acked.length);
          });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe.each(BACKENDS)('MD5 routing (%s log)', (backend) => {
  /** Keys of any UTF-16 content, unpaired surrogates included (Node encodes those as U+FFFD). */
  const anyKeyArb = fc.oneof(
    keyArb,
    fc
      .string({ unit: fc.oneof(fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\ufffd'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 6 })
      .filter((k) => k.length <= 256),
  );

  it('puts each record in the even range that holds MD5(partition key) computed with node:crypto', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.uniqueArray(anyKeyArb, { minLength: 1, maxLength: 20 }), async (n, keys) => {
        await withLog(backend, {}, async ({ log }) => {
          await log.createStream({ streamName: STREAM, shardCount: n });
          const { shards } = await log.describeStream(STREAM);
          const width = (1n << 128n) / BigInt(n);
          const ranges = evenRanges(n);
          // evenRanges is what the reference says, and it is what CreateStream made.
          expect(ranges.map((r) => r.start)).toEqual(Array.from({ length: n }, (_, i) => width * BigInt(i)));
          expect(ranges[n - 1]!.end).toBe(MAX_HASH_KEY);
          expect(shards.map((s) => [BigInt(s.hashKeyRange.startingHashKey), BigInt(s.hashKeyRange.endingHashKey)])).toEqual(ranges.map((r) => [r.start, r.end]));
          const expectedShard = (key: string) => shards[ranges.findIndex((r) => r.start <= md5Key(key) && md5Key(key) <= r.end)]!.shardId;

          const half = Math.ceil(keys.length / 2);
          const single = await Promise.all(keys.slice(0, half).map((k) => log.putRecord({ streamName: STREAM, partitionKey: k, data: Buffer.from(k) })));
          const batch = keys.length > half ? (await log.putRecords({ streamName: STREAM, records: keys.slice(half).map((k) => ({ partitionKey: k, data: Buffer.from(k) })) })).records : [];
          const results = [...single, ...batch];
          for (let i = 0; i < keys.length; i++) {
            const r = results[i]!;
            if (!('shardId' in r)) throw new Error(r.errorMessage);
            expect(partitionKeyHash(keys[i]!)).toBe(md5Key(keys[i]!));
            expect(r.shardId, JSON.stringify(keys[i])).toBe(expectedShard(keys[i]!));
          }
          // Read back, a record's (UTF-8 normalised) key still hashes into the range of the shard holding it.
          const read = await readEveryShard(log);
          let count = 0;
          for (const [shardId, records] of read) {
            for (const rec of records) {
              expect(rec.partitionKey).toBe(rec.data.toString('utf8'));
              expect(expectedShard(rec.partitionKey)).toBe(shardId);
              count++;
            }
          }
          expect(count).toBe(keys.length);
        });
      }),
      { numRuns: RUNS },
    );
  });
});

describe('MD5 routing: fixed vectors', () => {
  it('routes known keys to the shard the independent computation picks', async () => {
    await withLog('memory', {}, async ({ log }) => {
      await log.createStream({ streamName: STREAM, shardCount: 4 });
      // MD5("a") = 0cc175b9..., in the first quarter; MD5("b") = 92eb5ffe..., in the third; MD5("c") = 4a8a08f0..., second.
      const cases: [string, string][] = [
        ['a', 'shardId-000000000000'],
        ['b', 'shardId-000000000002'],
        ['c', 'shardId-000000000001'],
      ];
      for (const [key, shardId] of cases) {
        expect((await log.putRecord({ streamName: STREAM, partitionKey: key, data: Buffer.alloc(0) })).shardId).toBe(shardId);
      }
    });
  });
});

describe.each(BACKENDS)('records at the size limits (%s log)', (backend) => {
  it('reads back 1 MiB records put in 5 MiB batches byte for byte, in pages of at most 10 MiB', async () => {
    await withLog(backend, { segmentBytes: 3 * 1024 * 1024 }, async ({ log }) => {
      await log.createStream({ streamName: STREAM, shardCount: 1 });
      const MiB = 1024 * 1024;
      const written: string[] = [];
      const record = (i: number, size: number) => {
        const partitionKey = `key-${i}`;
        const data = Buffer.alloc(size - partitionKey.length, i % 251);
        data.writeUInt32BE(i, 0);
        written.push(data.toString('hex'));
        return { partitionKey, data };
      };
      // Two full batches of five 1 MiB records (data + key), then small ones around a last 1 MiB one.
      for (let b = 0; b < 2; b++) {
        const result = await log.putRecords({ streamName: STREAM, records: Array.from({ length: 5 }, () => record(written.length, MiB)) });
        expect(result.failedRecordCount).toBe(0);
      }
      await log.putRecords({ streamName: STREAM, records: [record(written.length, 10), record(written.length + 1, MiB), record(written.length + 2, 10)] });
      await expectCode(() => log.putRecord({ streamName: STREAM, ...record(999, MiB + 1) }), 'InvalidArgumentException');
      written.pop();
      const pages: LogRecord[][] = [];
      let iterator: string | null = await log.getShardIterator({ streamName: STREAM, shardId: 'shardId-000000000000', shardIteratorType: 'TRIM_HORIZON' });
      for (;;) {
        const page = await log.getRecords({ shardIterator: iterator! });
        if (page.records.length === 0) break;
        pages.push(page.records);
        iterator = page.nextShardIterator;
      }
      for (const page of pages) {
        const bytes = page.reduce((n, r) => n + r.data.length + Buffer.byteLength(r.partitionKey), 0);
        expect(bytes).toBeLessThanOrEqual(10 * MiB);
      }
      expect(pages.flat().map((r) => r.data.toString('hex'))).toEqual(written);
    });
  });
});

describe('SequenceNumberForOrdering', () => {
  it.each(BACKENDS)('makes the next record sort after the given number, even the latest one of another shard (%s log)', async (backend) => {
    await withLog(backend, {}, async ({ log }) => {
      await log.createStream({ streamName: STREAM, shardCount: 3 });
      // 'a' and 'b' route to different shards of three (MD5 0c.. and 92..).
      let previous = await log.putRecord({ streamName: STREAM, partitionKey: 'a', data: Buffer.from('0') });
      for (let i = 1; i < 20; i++) {
        const other = await log.putRecord({ streamName: STREAM, partitionKey: 'b', data: Buffer.from(`b${i}`) });
        expect(other.shardId).not.toBe(previous.shardId);
        const next = await log.putRecord({ streamName: STREAM, partitionKey: 'a', data: Buffer.from(`${i}`), sequenceNumberForOrdering: other.sequenceNumber });
        expect(next.sequenceNumber).toMatch(/^[0-9]{56}$/);
        expect(BigInt(next.sequenceNumber)).toBeGreaterThan(BigInt(other.sequenceNumber));
        expect(next.sequenceNumber > previous.sequenceNumber).toBe(true);
        previous = next;
      }
    });
  });

  it('rejects a malformed SequenceNumberForOrdering without writing anything', async () => {
    await withLog('memory', {}, async ({ log }) => {
      await log.createStream({ streamName: STREAM, shardCount: 1 });
      for (const bad of ['abc', '-1', '', '1'.repeat(130)]) {
        await expectCode(() => log.putRecord({ streamName: STREAM, partitionKey: 'p', data: Buffer.from('x'), sequenceNumberForOrdering: bad }), 'InvalidArgumentException');
      }
      expect(log.reader(STREAM).readAll()).toEqual([]);
    });
  });
});
