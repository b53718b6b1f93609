/**
 * Resharding: random puts interleaved with SplitShard, MergeShards and UpdateShardCount, then every record is read
 * exactly once and in per-key order (by the lineage-following StreamReader and by the raw API following ChildShards),
 * and the shard map keeps its invariants. Errors change nothing. In-memory and data-directory logs, VirtualClock only.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKENDS, bytesArb, expectCode, withLog, type Backend, type Harness } from './harness.js';
import {
  MAX_HASH_KEY,
  type ErrorCode,
  type Log,
  type LogRecord,
  type ShardDescription,
  type StreamDescription,
  type StreamReader,
} from '../../src/index.js';

// ---- harness ----------------------------------------------------------------------------------------------------

const STREAM = 'lineage';
const SPACE = 1n << 128n;

/** MD5 of the key's UTF-8 bytes as an unsigned 128-bit integer, computed without the module under test. */
const md5Key = (key: string): bigint => BigInt(`0x${createHash('md5').update(key, 'utf8').digest('hex')}`);
const start = (s: ShardDescription) => BigInt(s.hashKeyRange.startingHashKey);
const end = (s: ShardDescription) => BigInt(s.hashKeyRange.endingHashKey);
const isOpen = (s: ShardDescription) => s.sequenceNumberRange.endingSequenceNumber === undefined;
const openShards = (d: StreamDescription) => d.shards.filter(isOpen).sort((a, b) => (start(a) < start(b) ? -1 : 1));

// ---- invariants of the shard map --------------------------------------------------------------------------------

/**
 * Open shards tile 0..2^128-1; every shard made by resharding names its parents, which are closed; a closed shard
 * has an ending sequence number and either two split children that tile its range or one merge child that it forms
 * with an adjacent parent.
 */
function checkShardMap(d: StreamDescription, initialShards: number): void {
  const byId = new Map(d.shards.map((s) => [s.shardId, s]));
  expect(byId.size).toBe(d.shards.length);
  const open = openShards(d);
  expect(open.length).toBe(d.openShardCount);
  expect(start(open[0]!)).toBe(0n);
  expect(end(open[open.length - 1]!)).toBe(MAX_HASH_KEY);
  for (let i = 0; i + 1 < open.length; i++) expect(start(open[i + 1]!)).toBe(end(open[i]!) + 1n);
  for (const s of d.shards) {
    expect(start(s) <= end(s)).toBe(true);
    const from = BigInt(s.sequenceNumberRange.startingSequenceNumber);
    if (!isOpen(s)) expect(BigInt(s.sequenceNumberRange.endingSequenceNumber!)).toBeGreaterThanOrEqual(from);
    if (s.parentShardId === undefined) {
      // Only CreateStream's shards have no parent.
      expect(s.adjacentParentShardId).toBeUndefined();
      expect(Number(s.shardId.slice('shardId-'.length))).toBeLessThan(initialShards);
      continue;
    }
    const parents = [s.parentShardId, s.adjacentParentShardId].filter((p): p is string => p !== undefined).map((p) => byId.get(p)!);
    for (const p of parents) {
      expect(p, `parent of ${s.shardId}`).toBeDefined();
      expect(isOpen(p)).toBe(false);
      // Every record of a child sorts after every record of its parents.
      expect(from).toBeGreaterThan(BigInt(p.sequenceNumberRange.endingSequenceNumber!));
    }
    if (parents.length === 2) {
      const [lo, hi] = start(parents[0]!) < start(parents[1]!) ? parents : [parents[1]!, parents[0]!];
      expect(end(lo!) + 1n).toBe(start(hi!));
      expect([start(s), end(s)]).toEqual([start(lo!), end(hi!)]);
    } else {
      expect(start(s) >= start(parents[0]!) && end(s) <= end(parents[0]!)).toBe(true);
    }
  }
  for (const p of d.shards.filter((s) => !isOpen(s))) {
    const children = d.shards.filter((c) => c.parentShardId === p.shardId || c.adjacentParentShardId === p.shardId);
    const merged = children.filter((c) => c.adjacentParentShardId !== undefined);
    if (merged.length > 0) {
      expect(children).toHaveLength(1);
    } else {
      expect(children).toHaveLength(2);
      const [a, b] = start(children[0]!) < start(children[1]!) ? children : [children[1]!, children[0]!];
      expect([start(a!), end(a!) + 1n, end(b!)]).toEqual([start(p), start(b!), end(p)]);
    }
  }
}

function checkEven(d: StreamDescription, n: number): void {
  const open = openShards(d);
  expect(open).toHaveLength(n);
  const width = SPACE / BigInt(n);
  open.forEach((s, i) => {
    expect(start(s)).toBe(width * BigInt(i));
    expect(end(s)).toBe(i === n - 1 ? MAX_HASH_KEY : width * BigInt(i + 1) - 1n);
  });
}

/**
 * Bytes of a random length filled from a random seed (xorshift). Records need distinct, arbitrary-looking contents, not
 * a byte-level search: this shrinks by length and seed, where a plain uint8Array of kilobytes shrinks byte by byte for
 * minutes once a property fails.
 */
// ---- workloads ----------------------------------------------------------------------------------------------------

type Op =
  | { kind: 'puts'; recs: { key: number; data: Uint8Array; ehk: bigint | undefined }[] }
  | { kind: 'split'; pick: number; at: bigint; where: 'low' | 'high' | 'any' }
  | { kind: 'merge'; pick: number }
  | { kind: 'scale'; pick: number }
  | { kind: 'read'; limit: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'reopen'; pick: number };

const MAX_OPEN = 16;

const opArb = (backend: Backend): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('puts' as const),
        recs: fc.array(
          fc.record({
            key: fc.nat(),
            data: fc.oneof({ weight: 9, arbitrary: bytesArb(0, 40) }, { weight: 1, arbitrary: bytesArb(500, 1500) }),
            // Now and then routed by an explicit hash key, from a small set so that such keys repeat too.
            ehk: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(0n, 1n << 100n, 1n << 127n, MAX_HASH_KEY) }, { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: MAX_HASH_KEY }) }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('split' as const), pick: fc.nat(), at: fc.bigInt({ min: 0n, max: MAX_HASH_KEY }), where: fc.constantFrom('low' as const, 'high' as const, 'any' as const, 'any' as const) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('merge' as const), pick: fc.nat() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('scale' as const), pick: fc.nat() }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), limit: fc.integer({ min: 1, max: 30 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 10_000 }) }) },
    { weight: backend === 'directory' ? 1 : 0, arbitrary: fc.record({ kind: fc.constant('reopen' as const), pick: fc.nat() }) },
  );

interface Workload {
  shardCount: number;
  keys: string[];
  ops: Op[];
  segmentBytes: number | undefined;
  limits: number[];
}

/**
 * At most this many shrink attempts per failure: a failing workload replays the whole log, and unbounded shrinking of
 * a few hundred records takes minutes. Counterexamples stay small enough to read.
 */
const MAX_SHRINKS = 500;

const workloadArb = (backend: Backend): fc.Arbitrary<Workload> =>
  fc.limitShrink(
    fc.record({
      shardCount: fc.integer({ min: 1, max: 5 }),
      keys: fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 10 }),
      ops: fc.array(opArb(backend), { minLength: 1, maxLength: 40, size: 'max' }),
      segmentBytes: fc.constantFrom(4096, undefined),
      limits: fc.array(fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 60 }), fc.constant(10_000)), { minLength: 1, maxLength: 6 }),
    }),
    MAX_SHRINKS,
  );

interface Acked {
  partitionKey: string;
  data: string;
  sequenceNumber: string;
  shardId: string;
}

/** The ops' reshards, each checked as it happens; returns every acknowledged record and what a live reader saw. */
async function applyWorkload(h: Harness, w: Workload): Promise<{ acked: Acked[]; live: LogRecord[] }> {
  await h.log.createStream({ streamName: STREAM, shardCount: w.shardCount });
  const acked: Acked[] = [];
  const live: LogRecord[] = [];
  let reader: StreamReader = h.log.reader(STREAM);
  for (const op of w.ops) {
    const before = await h.log.describeStream(STREAM);
    const open = openShards(before);
    switch (op.kind) {
      case 'puts': {
        const records = op.recs.map((r) => {
          // A record routed by an explicit hash key gets a key of its own, so per-key order still means one lineage.
          const partitionKey = r.ehk === undefined ? w.keys[r.key % w.keys.length]! : `ehk:${r.ehk}`;
          return r.ehk === undefined ? { partitionKey, data: r.data } : { partitionKey, data: r.data, explicitHashKey: r.ehk.toString() };
        });
        const result = await h.log.putRecords({ streamName: STREAM, records });
        expect(result.failedRecordCount).toBe(0);
        result.records.forEach((r, i) => {
          if (!('sequenceNumber' in r)) throw new Error(r.errorMessage);
          // New records go to the open shard whose range holds the hash key.
          const shard = open.find((s) => s.shardId === r.shardId);
          expect(shard, `${r.shardId} is not open`).toBeDefined();
          const hashKey = op.recs[i]!.ehk ?? md5Key(records[i]!.partitionKey);
          expect(start(shard!) <= hashKey && hashKey <= end(shard!)).toBe(true);
          acked.push({ partitionKey: records[i]!.partitionKey, data: Buffer.from(records[i]!.data).toString('hex'), sequenceNumber: r.sequenceNumber, shardId: r.shardId });
        });
        continue;
      }
      case 'split': {
        const candidates = open.filter((s) => end(s) - start(s) >= 3n);
        if (candidates.length === 0 || open.length >= MAX_OPEN) continue;
        const parent = candidates[op.pick % candidates.length]!;
        // Valid keys are start+2 .. end-1.
        const lo = start(parent) + 2n;
        const hi = end(parent) - 1n;
        const key = op.where === 'low' ? lo : op.where === 'high' ? hi : lo + (op.at % (hi - lo + 1n));
        await h.log.splitShard({ streamName: STREAM, shardToSplit: parent.shardId, newStartingHashKey: key.toString() });
        const after = await h.log.describeStream(STREAM);
        const children = after.shards.filter((s) => s.parentShardId === parent.shardId);
        expect(children.map((c) => [start(c), end(c), c.adjacentParentShardId])).toEqual([
          [start(parent), key - 1n, undefined],
          [key, end(parent), undefined],
        ]);
        expect(after.openShardCount).toBe(before.openShardCount + 1);
        break;
      }
      case 'merge': {
        if (open.length < 2) continue;
        const i = op.pick % (open.length - 1);
        // Either order of the pair is a valid request.
        const [a, b] = op.pick % 2 === 0 ? [open[i]!, open[i + 1]!] : [open[i + 1]!, open[i]!];
        await h.log.mergeShards({ streamName: STREAM, shardToMerge: a.shardId, adjacentShardToMerge: b.shardId });
        const after = await h.log.describeStream(STREAM);
        const child = after.shards.filter((s) => s.parentShardId === a.shardId);
        expect(child).toHaveLength(1);
        expect(child[0]!.adjacentParentShardId).toBe(b.shardId);
        expect([start(child[0]!), end(child[0]!)]).toEqual([start(open[i]!), end(open[i + 1]!)]);
        expect(after.openShardCount).toBe(before.openShardCount - 1);
        break;
      }
      case 'scale': {
        const n = open.length;
        const lo = Math.ceil(n / 2);
        const hi = Math.min(2 * n, MAX_OPEN);
        const target = lo + (op.pick % (hi - lo + 1));
        const result = await h.log.updateShardCount({ streamName: STREAM, targetShardCount: target, scalingType: 'UNIFORM_SCALING' });
        expect(result).toEqual({ currentShardCount: n, targetShardCount: target });
        const after = await h.log.describeStream(STREAM);
        checkEven(after, target);
        expect(after.openShardCount).toBe(target);
        break;
      }
      case 'read': {
        const got = reader.read(op.limit);
        expect(got.length).toBeLessThanOrEqual(op.limit);
        live.push(...got);
        continue;
      }
      case 'tick':
        h.clock.advance(op.ms);
        continue;
      case 'reopen': {
        const checkpoint = reader.checkpoint();
        const shardId = before.shards[op.pick % before.shards.length]!.shardId;
        const iterator = await h.log.getShardIterator({ streamName: STREAM, shardId, shardIteratorType: 'TRIM_HORIZON' });
        const page = await h.log.getRecords({ shardIterator: iterator });
        await h.reopen();
        reader = h.log.reader(STREAM, checkpoint);
        // Reopening changes nothing that describeStream shows, and iterators issued before it still read the same.
        expect(await h.log.describeStream(STREAM)).toEqual(before);
        expect((await h.log.getRecords({ shardIterator: iterator })).records.map(flat)).toEqual(page.records.map(flat));
        continue;
      }
    }
    checkShardMap(await h.log.describeStream(STREAM), w.shardCount);
  }
  live.push(...reader.readAll());
  return { acked, live };
}

/** Every acknowledged record exactly once, with its bytes and sequence number, and each key's records in put order. */
function expectExactlyOnceInKeyOrder(read: { partitionKey: string; data: string; sequenceNumber: string }[], acked: Acked[]): void {
  const bySeq = new Map(read.map((r) => [r.sequenceNumber, r]));
  expect(bySeq.size, 'a record was read twice').toBe(read.length);
  expect(read.length).toBe(acked.length);
  for (const a of acked) expect(bySeq.get(a.sequenceNumber), a.sequenceNumber).toEqual({ partitionKey: a.partitionKey, data: a.data, sequenceNumber: a.sequenceNumber });
  const order = (list: { partitionKey: string; sequenceNumber: string }[]) => {
    const byKey = new Map<string, string[]>();
    for (const r of list) {
      let seqs = byKey.get(r.partitionKey);
      if (!seqs) byKey.set(r.partitionKey, (seqs = []));
      seqs.push(r.sequenceNumber);
    }
    return byKey;
  };
  expect(order(read)).toEqual(order(acked));
}

const flat = (r: LogRecord) => ({ partitionKey: r.partitionKey, data: Buffer.from(r.data).toString('hex'), sequenceNumber: r.sequenceNumber });

/**
 * Reads the whole stream the way a KCL-style consumer does with the raw API: each shard from TRIM_HORIZON until
 * NextShardIterator is null (closed) or a read comes back empty (open), then the ChildShards whose parents are all done.
 */
async function readRaw(log: Log, limits: number[]): Promise<LogRecord[]> {
  const d = await log.describeStream(STREAM);
  const byId = new Map(d.shards.map((s) => [s.shardId, s]));
  const queue = d.shards.filter((s) => s.parentShardId === undefined).map((s) => s.shardId);
  const done = new Set<string>();
  const out: LogRecord[] = [];
  let call = 0;
  for (let q = 0; q < queue.length; q++) {
    const shard = byId.get(queue[q]!)!;
    let iterator: string | null = await log.getShardIterator({ streamName: STREAM, shardId: shard.shardId, shardIteratorType: 'TRIM_HORIZON' });
    while (iterator !== null) {
      const limit = limits[call++ % limits.length]!;
      const page = await log.getRecords({ shardIterator: iterator, limit });
      expect(page.records.length).toBeLessThanOrEqual(limit);
      for (const r of page.records) {
        // A shard holds only records of its own sequence number range.
        expect(BigInt(r.sequenceNumber)).toBeGreaterThanOrEqual(BigInt(shard.sequenceNumberRange.startingSequenceNumber));
        if (!isOpen(shard)) expect(BigInt(r.sequenceNumber)).toBeLessThanOrEqual(BigInt(shard.sequenceNumberRange.endingSequenceNumber!));
      }
      out.push(...page.records);
      iterator = page.nextShardIterator;
      if (iterator !== null) {
        expect(page.childShards).toBeUndefined();
        if (page.records.length === 0) {
          // Caught up. Only an open shard may stay readable with nothing left in it.
          expect(isOpen(shard), `${shard.shardId} is closed but its read did not end`).toBe(true);
          break;
        }
        continue;
      }
      expect(isOpen(shard), `${shard.shardId} ended but is open`).toBe(false);
      done.add(shard.shardId);
      const expected = d.shards
        .filter((c) => c.parentShardId === shard.shardId || c.adjacentParentShardId === shard.shardId)
        .map((c) => ({ shardId: c.shardId, parentShards: [c.parentShardId, c.adjacentParentShardId].filter((p) => p !== undefined), hashKeyRange: c.hashKeyRange }));
      expect(page.childShards).toEqual(expected);
      for (const child of page.childShards!) {
        if (child.parentShards.every((p) => done.has(p)) && !queue.includes(child.shardId)) queue.push(child.shardId);
      }
    }
  }
  // Every shard was reached.
  expect([...queue].sort()).toEqual(d.shards.map((s) => s.shardId).sort());
  return out;
}

// ---- properties ---------------------------------------------------------------------------------------------------

describe.each(BACKENDS)('resharding under load (%s log)', (backend) => {
  it('keeps every record exactly once and each key in order, by StreamReader and by the raw API; the shard map stays sound', async () => {
    await fc.assert(
      fc.asyncProperty(workloadArb(backend), async (w) => {
        await withLog(backend, { segmentBytes: w.segmentBytes }, async (h) => {
          const { acked, live } = await applyWorkload(h, w);
          // (a) a reader that followed along, and a fresh one from TRIM_HORIZON
          expectExactlyOnceInKeyOrder(live.map(flat), acked);
          expectExactlyOnceInKeyOrder(h.log.reader(STREAM).readAll().map(flat), acked);
          // (b) the raw API following ChildShards
          expectExactlyOnceInKeyOrder((await readRaw(h.log, w.limits)).map(flat), acked);
          // (c) the shard map
          const d = await h.log.describeStream(STREAM);
          checkShardMap(d, w.shardCount);
          // Each shard holds exactly the records whose put named it, in put order.
          const perShard = new Map<string, string[]>();
          for (const a of acked) perShard.set(a.shardId, [...(perShard.get(a.shardId) ?? []), a.sequenceNumber]);
          for (const [shardId, seqs] of perShard) {
            let it: string | null = await h.log.getShardIterator({ streamName: STREAM, shardId, shardIteratorType: 'TRIM_HORIZON' });
            const got: string[] = [];
            for (;;) {
              const page = await h.log.getRecords({ shardIterator: it! });
              got.push(...page.records.map((r) => r.sequenceNumber));
              it = page.nextShardIterator;
              if (it === null || page.records.length === 0) break;
            }
            expect(got).toEqual(seqs);
          }
        });
      }),
      { numRuns: 60 },
    );
  });

  it('scales to any valid target with UpdateShardCount: exactly the target number of even open shards', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.limitShrink(fc.array(fc.nat(), { minLength: 1, maxLength: 5 }), MAX_SHRINKS), async (initial, picks) => {
        await withLog(backend, {}, async (h) => {
          await h.log.createStream({ streamName: STREAM, shardCount: initial });
          let n = initial;
          const seqs: string[] = [];
          for (const pick of picks) {
            const lo = Math.ceil(n / 2);
            const hi = Math.min(2 * n, 24);
            const target = lo + (pick % (hi - lo + 1));
            const put = await h.log.putRecords({ streamName: STREAM, records: Array.from({ length: 10 }, (_, i) => ({ partitionKey: `k${i}`, data: Buffer.from(`${seqs.length + i}`) })) });
            for (const r of put.records) if ('sequenceNumber' in r) seqs.push(r.sequenceNumber);
            expect(await h.log.updateShardCount({ streamName: STREAM, targetShardCount: target })).toEqual({ currentShardCount: n, targetShardCount: target });
            const d = await h.log.describeStream(STREAM);
            checkEven(d, target);
            checkShardMap(d, initial);
            n = target;
          }
          expect(h.log.reader(STREAM).readAll().map((r) => r.sequenceNumber).sort()).toEqual([...seqs].sort());
        });
      }),
      { numRuns: 40 },
    );
  });
});

// ---- errors change nothing ----------------------------------------------------------------------------------------

describe.each(BACKENDS)('resharding errors (%s log)', (backend) => {
  it('raise the AWS error code and leave the stream exactly as it was', async () => {
    await withLog(backend, { shardLimit: 5 }, async ({ log }) => {
      await log.createStream({ streamName: STREAM, shardCount: 2 });
      for (let i = 0; i < 20; i++) await log.putRecord({ streamName: STREAM, partitionKey: `k${i}`, data: Buffer.from(`${i}`) });
      const half = SPACE / 2n;
      await log.splitShard({ streamName: STREAM, shardToSplit: 'shardId-000000000000', newStartingHashKey: (half / 2n).toString() });
      // Shards now: 0 (closed), 1 [2^127, max], 2 [0, 2^126-1], 3 [2^126, 2^127-1].
      const snapshot = await log.describeStream(STREAM);
      const unchanged = async () => expect(await log.describeStream(STREAM)).toEqual(snapshot);
      const split = (shardToSplit: string, key: bigint | string) => () => log.splitShard({ streamName: STREAM, shardToSplit, newStartingHashKey: key.toString() });
      const merge = (a: string, b: string) => () => log.mergeShards({ streamName: STREAM, shardToMerge: a, adjacentShardToMerge: b });
      const scale = (target: number) => () => log.updateShardCount({ streamName: STREAM, targetShardCount: target });

      const cases: [string, () => Promise<unknown>, ErrorCode][] = [
        ['split of a closed shard', split('shardId-000000000000', half / 4n), 'InvalidArgumentException'],
        ['split of an unknown shard', split('shardId-000000000099', half + 10n), 'ResourceNotFoundException'],
        ['split at the starting hash key', split('shardId-000000000001', half), 'InvalidArgumentException'],
        ['split at starting hash key + 1', split('shardId-000000000001', half + 1n), 'InvalidArgumentException'],
        ['split at the ending hash key', split('shardId-000000000001', MAX_HASH_KEY), 'InvalidArgumentException'],
        ['split below the range', split('shardId-000000000001', half - 1n), 'InvalidArgumentException'],
        ['split above the range', split('shardId-000000000003', half + 5n), 'InvalidArgumentException'],
        ['split above 2^128-1', split('shardId-000000000001', SPACE), 'InvalidArgumentException'],
        ['split at a negative key', split('shardId-000000000001', '-5'), 'InvalidArgumentException'],
        ['split at a key that is not a number', split('shardId-000000000001', '12ab'), 'InvalidArgumentException'],
        ['merge of non-adjacent shards', merge('shardId-000000000002', 'shardId-000000000001'), 'InvalidArgumentException'],
        ['merge of non-adjacent shards, reversed', merge('shardId-000000000001', 'shardId-000000000002'), 'InvalidArgumentException'],
        ['merge with a closed shard', merge('shardId-000000000000', 'shardId-000000000001'), 'InvalidArgumentException'],
        ['merge of an open shard with its closed parent', merge('shardId-000000000002', 'shardId-000000000000'), 'InvalidArgumentException'],
        ['merge of a shard with itself', merge('shardId-000000000001', 'shardId-000000000001'), 'InvalidArgumentException'],
        ['merge with an unknown shard', merge('shardId-000000000003', 'shardId-000000000042'), 'ResourceNotFoundException'],
        ['scale above double', scale(7), 'InvalidArgumentException'],
        ['scale far above double', scale(100), 'InvalidArgumentException'],
        ['scale below half', scale(1), 'InvalidArgumentException'],
        ['scale within double but over the shard limit', scale(6), 'LimitExceededException'],
      ];
      for (const [what, action, code] of cases) {
        const err = await expectCode(action, code);
        expect(err.message.length, what).toBeGreaterThan(0);
        await unchanged();
      }
      // A stream that does not exist.
      await expectCode(() => log.splitShard({ streamName: 'nope', shardToSplit: 'shardId-000000000001', newStartingHashKey: (half + 10n).toString() }), 'ResourceNotFoundException');
      await expectCode(() => log.mergeShards({ streamName: 'nope', shardToMerge: 'shardId-000000000002', adjacentShardToMerge: 'shardId-000000000003' }), 'ResourceNotFoundException');
      await expectCode(() => log.updateShardCount({ streamName: 'nope', targetShardCount: 2 }), 'ResourceNotFoundException');
      await unchanged();

      // Up to the shard limit of 5 splits succeed, then the next is LimitExceededException and changes nothing.
      await log.splitShard({ streamName: STREAM, shardToSplit: 'shardId-000000000001', newStartingHashKey: (half + half / 2n).toString() });
      await log.splitShard({ streamName: STREAM, shardToSplit: 'shardId-000000000002', newStartingHashKey: (half / 4n).toString() });
      const full = await log.describeStream(STREAM);
      expect(full.openShardCount).toBe(5);
      // Failed calls used no shard ids: the shards made since are numbered straight on.
      expect(full.shards.map((s) => s.shardId)).toEqual(Array.from({ length: 8 }, (_, i) => `shardId-00000000000${i}`));
      await expectCode(split('shardId-000000000003', half / 2n + half / 4n), 'LimitExceededException');
      await expectCode(scale(6), 'LimitExceededException');
      expect(await log.describeStream(STREAM)).toEqual(full);
      await expectCode(() => log.createStream({ streamName: 'big', shardCount: 6 }), 'LimitExceededException');
      expect(await log.listStreams()).toEqual([STREAM]);
      // Every record written before the errors is still there, once.
      expect(log.reader(STREAM).readAll().map((r) => r.data.toString()).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `${i}`).sort());
    });
  });
});

// ---- closed shards through the raw API ------------------------------------------------------------------------------

describe.each(BACKENDS)('reading a closed shard (%s log)', (backend) => {
  it('ends with ChildShards and a null NextShardIterator, at once for LATEST and after the last record otherwise', async () => {
    await withLog(backend, {}, async ({ log }) => {
      await log.createStream({ streamName: STREAM, shardCount: 1 });
      const seqs: string[] = [];
      for (let i = 0; i < 5; i++) seqs.push((await log.putRecord({ streamName: STREAM, partitionKey: `k${i}`, data: Buffer.from(`${i}`) })).sequenceNumber);
      const open = await log.getShardIterator({ streamName: STREAM, shardId: 'shardId-000000000000', shardIteratorType: 'TRIM_HORIZON' });
      await log.splitShard({ streamName: STREAM, shardToSplit: 'shardId-000000000000', newStartingHashKey: (SPACE / 3n).toString() });
      const children = [
        { shardId: 'shardId-000000000001', parentShards: ['shardId-000000000000'], hashKeyRange: { startingHashKey: '0', endingHashKey: (SPACE / 3n - 1n).toString() } },
        { shardId: 'shardId-000000000002', parentShards: ['shardId-000000000000'], hashKeyRange: { startingHashKey: (SPACE / 3n).toString(), endingHashKey: MAX_HASH_KEY.toString() } },
      ];
      // An iterator issued while the shard was open reads on to the end and then learns of the children.
      const first = await log.getRecords({ shardIterator: open, limit: 4 });
      expect(first.records.map((r) => r.sequenceNumber)).toEqual(seqs.slice(0, 4));
      expect(first.nextShardIterator).not.toBeNull();
      expect(first.childShards).toBeUndefined();
      const last = await log.getRecords({ shardIterator: first.nextShardIterator!, limit: 4 });
      expect(last.records.map((r) => r.sequenceNumber)).toEqual(seqs.slice(4));
      expect(last.nextShardIterator).toBeNull();
      expect(last.childShards).toEqual(children);
      expect(last.millisBehindLatest).toBe(0);
      const latest = await log.getShardIterator({ streamName: STREAM, shardId: 'shardId-000000000000', shardIteratorType: 'LATEST' });
      const none = await log.getRecords({ shardIterator: latest });
      expect(none.records).toEqual([]);
      expect(none.nextShardIterator).toBeNull();
      expect(none.childShards).toEqual(children);
      const after = await log.getShardIterator({ streamName: STREAM, shardId: 'shardId-000000000000', shardIteratorType: 'AFTER_SEQUENCE_NUMBER', startingSequenceNumber: seqs[4]! });
      expect((await log.getRecords({ shardIterator: after })).nextShardIterator).toBeNull();
    });
  });
});
