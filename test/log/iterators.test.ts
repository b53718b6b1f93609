/**
 * Shard iterators: a model-based test of every iterator type against an array model of one shard, and unit tests for
 * expiry, malformed and tampered iterators, deleted streams, MillisBehindLatest and independent consumers. Everything
 * runs against the in-memory log and a data-directory log, on a VirtualClock.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKENDS, bytesArb, expectCode, withLog } from './harness.js';
import {
  VirtualClock,
  type Log,
  type LogRecord,
  type ShardIteratorType,
} from '../../src/index.js';

// ---- harness ----------------------------------------------------------------------------------------------------

const STREAM = 'events';
const SHARD = 'shardId-000000000000';
const LIFETIME_MS = 5 * 60 * 1000;

const put = (log: Log, data: string, partitionKey = 'k') => log.putRecord({ streamName: STREAM, partitionKey, data: Buffer.from(data) });
const iteratorOf = (log: Log, shardIteratorType: ShardIteratorType, more: { startingSequenceNumber?: string; timestamp?: number } = {}) =>
  log.getShardIterator({ streamName: STREAM, shardId: SHARD, shardIteratorType, ...more });
const texts = (records: LogRecord[]) => records.map((r) => r.data.toString());

/** Reads with the raw API until a read comes back empty; returns the records and the iterator to go on with. */
async function drain(log: Log, iterator: string, limit = 10_000): Promise<{ records: LogRecord[]; iterator: string }> {
  const records: LogRecord[] = [];
  for (;;) {
    const page = await log.getRecords({ shardIterator: iterator, limit });
    expect(page.nextShardIterator).not.toBeNull();
    iterator = page.nextShardIterator!;
    if (page.records.length === 0) return { records, iterator };
    records.push(...page.records);
  }
}

/**
 * Bytes of a random length filled from a random seed (xorshift). Records need distinct, arbitrary-looking contents, not
 * a byte-level search: this shrinks by length and seed, where a plain uint8Array of kilobytes shrinks byte by byte for
 * minutes once a property fails.
 */
/**
 * At most this many shrink attempts per failure: a failing workload replays the whole log, and unbounded shrinking of
 * a few hundred records takes minutes. Counterexamples stay small enough to read.
 */
const MAX_SHRINKS = 500;

// ---- the model ----------------------------------------------------------------------------------------------------

interface ModelRecord {
  seq: string;
  ts: number;
  data: string;
  key: string;
}
interface Held {
  iterator: string;
  /** Index in `records` of the next record the iterator reads. */
  pos: number;
  issuedAt: number;
}
interface Model {
  records: ModelRecord[];
  held: Held[];
  now: number;
  /** Whether a read must return all it may (one segment holds everything), or may stop short at a segment's end. */
  exact: boolean;
}
interface Real {
  log: Log;
  clock: VirtualClock;
}
type Cmd = fc.AsyncCommand<Model, Real, true>;

const MAX_HELD = 8;
const hold = (m: Model, h: Held) => {
  m.held.push(h);
  if (m.held.length > MAX_HELD) m.held.shift();
};

class PutCommand implements Cmd {
  constructor(
    readonly recs: { key: string; data: Uint8Array }[],
    readonly batch: boolean,
  ) {}
  async check() {
    return true;
  }
  async run(m: Model, r: Real) {
    const input = this.recs.map((x) => ({ partitionKey: x.key, data: x.data }));
    const results =
      !this.batch && input.length === 1
        ? [await r.log.putRecord({ streamName: STREAM, ...input[0]! })]
        : (await r.log.putRecords({ streamName: STREAM, records: input })).records;
    results.forEach((res, i) => {
      if (!('sequenceNumber' in res)) throw new Error(res.errorMessage);
      expect(res.shardId).toBe(SHARD);
      const last = m.records[m.records.length - 1];
      if (last) expect(res.sequenceNumber > last.seq).toBe(true);
      m.records.push({ seq: res.sequenceNumber, ts: r.clock.now(), data: Buffer.from(input[i]!.data).toString('hex'), key: input[i]!.partitionKey });
    });
  }
  toString() {
    return `put(${this.recs.length}${this.batch ? ', batch' : ''})`;
  }
}

class AdvanceCommand implements Cmd {
  constructor(readonly ms: number) {}
  async check() {
    return true;
  }
  async run(m: Model, r: Real) {
    r.clock.advance(this.ms);
    m.now += this.ms;
  }
  toString() {
    return `advance(${this.ms})`;
  }
}

/** Moves the clock to exactly a held iterator's expiry, or a millisecond either side of it. */
class AdvanceToExpiryCommand implements Cmd {
  constructor(
    readonly pick: number,
    readonly offset: -1 | 0 | 1,
  ) {}
  async check(m: Model) {
    return m.held.length > 0;
  }
  async run(m: Model, r: Real) {
    const target = m.held[this.pick % m.held.length]!.issuedAt + LIFETIME_MS + this.offset;
    if (target <= m.now) return;
    r.clock.set(target);
    m.now = target;
  }
  toString() {
    return `advanceToExpiry(#${this.pick}, ${this.offset})`;
  }
}

type Where = { type: 'TRIM_HORIZON' } | { type: 'LATEST' } | { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; pick: number } | { type: 'AT_TIMESTAMP'; pick: number; delta: number; anyTime: boolean };

class GetIteratorCommand implements Cmd {
  constructor(readonly where: Where) {}
  async check(m: Model) {
    return (this.where.type !== 'AT_SEQUENCE_NUMBER' && this.where.type !== 'AFTER_SEQUENCE_NUMBER') || m.records.length > 0;
  }
  async run(m: Model, r: Real) {
    const w = this.where;
    const n = m.records.length;
    let pos: number;
    let iterator: string;
    switch (w.type) {
      case 'TRIM_HORIZON':
      case 'LATEST':
        pos = w.type === 'LATEST' ? n : 0;
        iterator = await iteratorOf(r.log, w.type);
        break;
      case 'AT_SEQUENCE_NUMBER':
      case 'AFTER_SEQUENCE_NUMBER': {
        const i = w.pick % n;
        pos = w.type === 'AT_SEQUENCE_NUMBER' ? i : i + 1;
        iterator = await iteratorOf(r.log, w.type, { startingSequenceNumber: m.records[i]!.seq });
        break;
      }
      case 'AT_TIMESTAMP': {
        // A time no later than now: just around a record's arrival, or anywhere in the last while.
        const base = n > 0 && !w.anyTime ? m.records[w.pick % n]!.ts + w.delta : m.now - (w.pick % 20_000);
        const timestamp = Math.min(base, m.now);
        pos = m.records.findIndex((rec) => rec.ts >= timestamp);
        if (pos < 0) pos = n;
        // GetShardIterator takes milliseconds or a Date.
        iterator = await r.log.getShardIterator({ streamName: STREAM, shardId: SHARD, shardIteratorType: 'AT_TIMESTAMP', timestamp: w.pick % 2 === 0 ? timestamp : new Date(timestamp) });
        break;
      }
    }
    expect(typeof iterator).toBe('string');
    expect(iterator.length).toBeGreaterThan(0);
    expect(iterator.length).toBeLessThanOrEqual(512);
    hold(m, { iterator, pos, issuedAt: m.now });
  }
  toString() {
    return `getIterator(${JSON.stringify(this.where)})`;
  }
}

class ReadCommand implements Cmd {
  constructor(
    readonly pick: number,
    readonly limit: number,
    readonly keepOld: boolean,
  ) {}
  async check(m: Model) {
    return m.held.length > 0;
  }
  async run(m: Model, r: Real) {
    const index = this.pick % m.held.length;
    const h = m.held[index]!;
    if (m.now - h.issuedAt > LIFETIME_MS) {
      await expectCode(() => r.log.getRecords({ shardIterator: h.iterator, limit: this.limit }), 'ExpiredIteratorException');
      m.held.splice(index, 1);
      return;
    }
    const page = await r.log.getRecords({ shardIterator: h.iterator, limit: this.limit });
    const expected = m.records.slice(h.pos, h.pos + this.limit);
    const got = page.records.map((rec) => ({ seq: rec.sequenceNumber, ts: rec.approximateArrivalTimestamp, data: rec.data.toString('hex'), key: rec.partitionKey }));
    if (m.exact || expected.length === 0) {
      expect(got).toEqual(expected);
    } else {
      // A read may stop at the end of a segment, but it never skips, and returns something when something is there.
      expect(got.length).toBeGreaterThan(0);
      expect(got).toEqual(expected.slice(0, got.length));
    }
    const next = h.pos + got.length;
    if (next === m.records.length) {
      expect(page.millisBehindLatest).toBe(0);
    } else {
      expect(page.millisBehindLatest).toBeGreaterThanOrEqual(m.now - m.records[next]!.ts);
      expect(page.millisBehindLatest).toBeLessThanOrEqual(m.now - m.records[h.pos]!.ts);
    }
    expect(page.nextShardIterator).not.toBeNull();
    expect(page.childShards).toBeUndefined();
    const follow = { iterator: page.nextShardIterator!, pos: next, issuedAt: m.now };
    if (this.keepOld) hold(m, follow);
    else m.held[index] = follow;
  }
  toString() {
    return `read(#${this.pick}, limit ${this.limit}${this.keepOld ? ', keep' : ''})`;
  }
}

const whereArb: fc.Arbitrary<Where> = fc.oneof(
  fc.constant({ type: 'TRIM_HORIZON' as const }),
  fc.constant({ type: 'LATEST' as const }),
  fc.record({ type: fc.constantFrom('AT_SEQUENCE_NUMBER' as const, 'AFTER_SEQUENCE_NUMBER' as const), pick: fc.nat() }),
  fc.record({ type: fc.constant('AT_TIMESTAMP' as const), pick: fc.nat(), delta: fc.constantFrom(-1, 0, 1, -5000, 5000), anyTime: fc.boolean() }),
);

const commandArbs: fc.Arbitrary<Cmd>[] = [
  fc
    .tuple(fc.array(fc.record({ key: fc.string({ minLength: 1, maxLength: 8 }), data: bytesArb(0, 600) }), { minLength: 1, maxLength: 6 }), fc.boolean())
    .map(([recs, batch]) => new PutCommand(recs, batch)),
  fc.oneof(fc.integer({ min: 0, max: 2_000 }), fc.integer({ min: 0, max: 90_000 }), fc.integer({ min: 250_000, max: 320_000 })).map((ms) => new AdvanceCommand(ms)),
  fc.tuple(fc.nat(), fc.constantFrom(-1 as const, 0 as const, 1 as const)).map(([pick, offset]) => new AdvanceToExpiryCommand(pick, offset)),
  whereArb.map((w) => new GetIteratorCommand(w)),
  whereArb.map((w) => new GetIteratorCommand(w)),
  fc.tuple(fc.nat(), fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 50 }), fc.constant(10_000)), fc.boolean()).map(([p, l, k]) => new ReadCommand(p, l, k)),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 10 }), fc.boolean()).map(([p, l, k]) => new ReadCommand(p, l, k)),
];

describe.each(BACKENDS)('iterators against an array model of one shard (%s log)', (backend) => {
  it('reads exactly the model slice for every iterator type, position, limit and clock move', async () => {
    await fc.assert(
      fc.asyncProperty(fc.limitShrink(fc.commands(commandArbs, { maxCommands: 80, size: 'max' }), MAX_SHRINKS), fc.constantFrom(4096, undefined), async (cmds, segmentBytes) => {
        await withLog(backend, { segmentBytes }, async ({ log, clock }) => {
          await log.createStream({ streamName: STREAM, shardCount: 1 });
          const setup = () => ({ model: { records: [], held: [], now: clock.now(), exact: segmentBytes === undefined } as Model, real: { log, clock } });
          await fc.asyncModelRun(setup, cmds);
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe.each(BACKENDS)('iterator positions in a long shard (%s log)', (backend) => {
  it('start exactly where the model says, across sparse index entries, segments and runs of equal arrival times', async () => {
    const batchArb = fc.record({ count: fc.integer({ min: 1, max: 30 }), size: fc.integer({ min: 1, max: 1_500 }), dt: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 1_000 })) });
    const queryArb = fc.record({ type: fc.constantFrom('AT_SEQUENCE_NUMBER' as const, 'AFTER_SEQUENCE_NUMBER' as const, 'AT_TIMESTAMP' as const), pick: fc.nat(), delta: fc.constantFrom(-1, 0, 1), limit: fc.integer({ min: 1, max: 5 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.limitShrink(fc.array(batchArb, { minLength: 1, maxLength: 30, size: 'max' }), MAX_SHRINKS),
        fc.limitShrink(fc.array(queryArb, { minLength: 1, maxLength: 30 }), MAX_SHRINKS),
        fc.constantFrom(undefined, 64 * 1024, 4096),
        async (batches, queries, segmentBytes) => {
          await withLog(backend, { segmentBytes }, async ({ log, clock }) => {
            await log.createStream({ streamName: STREAM, shardCount: 1 });
            const model: { seq: string; ts: number }[] = [];
            for (const b of batches) {
              clock.advance(b.dt);
              const result = await log.putRecords({ streamName: STREAM, records: Array.from({ length: b.count }, (_, i) => ({ partitionKey: `k${i}`, data: Buffer.alloc(b.size, i) })) });
              for (const r of result.records) if ('sequenceNumber' in r) model.push({ seq: r.sequenceNumber, ts: clock.now() });
            }
            for (const q of queries) {
              const i = q.pick % model.length;
              let pos: number;
              let it: string;
              if (q.type === 'AT_TIMESTAMP') {
                const timestamp = model[i]!.ts + q.delta;
                pos = model.findIndex((m) => m.ts >= timestamp);
                if (pos < 0) pos = model.length;
                it = await iteratorOf(log, 'AT_TIMESTAMP', { timestamp });
              } else {
                pos = q.type === 'AT_SEQUENCE_NUMBER' ? i : i + 1;
                it = await iteratorOf(log, q.type, { startingSequenceNumber: model[i]!.seq });
              }
              const got = (await log.getRecords({ shardIterator: it, limit: q.limit })).records.map((r) => r.sequenceNumber);
              const expected = model.slice(pos, pos + q.limit).map((m) => m.seq);
              if (expected.length > 0) expect(got.length).toBeGreaterThan(0);
              expect(got).toEqual(expected.slice(0, got.length));
            }
          });
        },
      ),
      { numRuns: 15 },
    );
  });
});

// ---- expiry -------------------------------------------------------------------------------------------------------

describe.each(BACKENDS)('iterator expiry (%s log)', (backend) => {
  it('is valid for exactly five minutes of clock time: 5:00 reads, 5:00.001 is ExpiredIteratorException', async () => {
    await withLog(backend, {}, async ({ log, clock }) => {
      await log.createStream({ streamName: STREAM, shardCount: 1 });
      await put(log, 'a');
      const issuedAt = clock.now();
      const it = await iteratorOf(log, 'TRIM_HORIZON');
      clock.advance(LIFETIME_MS);
      const page = await log.getRecords({ shardIterator: it });
      expect(texts(page.records)).toEqual(['a']);
      // Reading does not use an iterator up: the same one still works at 5:00.
      expect(texts((await log.getRecords({ shardIterator: it })).records)).toEqual(['a']);
      clock.set(issuedAt + LIFETIME_MS + 1);
      await expectCode(() => log.getRecords({ shardIterator: it }), 'ExpiredIteratorException');
      // The NextShardIterator of the 5:00 read was issued then, so it lives until 10:00.
      await put(log, 'b');
      clock.set(issuedAt + 2 * LIFETIME_MS);
      expect(texts((await log.getRecords({ shardIterator: page.nextShardIterator! })).records)).toEqual(['b']);
      clock.advance(1);
      await expectCode(() => log.getRecords({ shardIterator: page.nextShardIterator! }), 'ExpiredIteratorException');
    });
  });

  it('counts from when the iterator was issued, not from when the stream or the records were made', async () => {
    await withLog(backend, {}, async ({ log, clock }) => {
      await log.createStream({ streamName: STREAM, shardCount: 1 });
      await put(log, 'old');
      clock.advance(3 * 60 * 60 * 1000);
      const it = await iteratorOf(log, 'TRIM_HORIZON');
      clock.advance(LIFETIME_MS - 1);
      expect(texts((await log.getRecords({ shardIterator: it })).records)).toEqual(['old']);
      clock.advance(2);
      await expectCode(() => log.getRecords({ shardIterator: it }), 'ExpiredIteratorException');
    });
  });
});

// ---- malformed, tampered, too long ----------------------------------------------------------------------------------

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Ways to change an iterator string or its bytes; each gives a string other than the original. */
type Tamper =
  | { kind: 'replace'; at: number; ch: number }
  | { kind: 'delete'; at: number }
  | { kind: 'insert'; at: number; ch: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; suffix: string }
  | { kind: 'swap'; at: number }
  | { kind: 'flipByte'; at: number; mask: number }
  | { kind: 'dropByte'; at: number };

const tamperArb: fc.Arbitrary<Tamper> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), ch: fc.nat(63) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), ch: fc.nat(63) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), suffix: fc.string({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('flipByte' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('dropByte' as const), at: fc.nat() }),
);

function tamper(it: string, t: Tamper): string {
  const bytes = Buffer.from(it, 'base64');
  switch (t.kind) {
    case 'replace': {
      const at = t.at % it.length;
      let ch = BASE64[t.ch]!;
      if (ch === it[at]) ch = BASE64[(t.ch + 1) % 64]!;
      return it.slice(0, at) + ch + it.slice(at + 1);
    }
    case 'delete': {
      const at = t.at % it.length;
      return it.slice(0, at) + it.slice(at + 1);
    }
    case 'insert': {
      const at = t.at % (it.length + 1);
      return it.slice(0, at) + BASE64[t.ch]! + it.slice(at);
    }
    case 'truncate':
      return it.slice(0, t.at % it.length);
    case 'append':
      return it + t.suffix;
    case 'swap': {
      // Swaps the first pair of differing neighbours at or after `at` (wrapping around).
      for (let k = 0; k < it.length - 1; k++) {
        const at = (t.at + k) % (it.length - 1);
        if (it[at] !== it[at + 1]) return it.slice(0, at) + it[at + 1] + it[at] + it.slice(at + 2);
      }
      return `${it}A`;
    }
    case 'flipByte': {
      bytes[t.at % bytes.length]! ^= t.mask;
      return bytes.toString('base64');
    }
    case 'dropByte': {
      const at = t.at % bytes.length;
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]).toString('base64');
    }
  }
}

describe.each(BACKENDS)('malformed iterators (%s log)', (backend) => {
  it('rejects garbage strings with InvalidArgumentException', async () => {
    await withLog(backend, {}, async ({ log }) => {
      await log.createStream({ streamName: STREAM, shardCount: 1 });
      await put(log, 'a');
      for (const bad of ['', 'x', 'not an iterator', '====', 'djF8', Buffer.from('v1|events|0|shardId-000000000000|0|0').toString('base64'), Buffer.from('v1|||||').toString('base64')]) {
        await expectCode(() => log.getRecords({ shardIterator: bad }), 'InvalidArgumentException');
      }
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string({ minLength: 1, maxLength: 600 }),
            fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }),
            fc.uint8Array({ minLength: 1, maxLength: 380 }).map((b) => Buffer.from(b).toString('base64')),
          ),
          async (garbage) => {
            await expectCode(() => log.getRecords({ shardIterator: garbage }), 'InvalidArgumentException');
          },
        ),
        { numRuns: 200 },
      );
    });
  });

  it('rejects any tampering with a valid iterator with InvalidArgumentException', async () => {
    await withLog(backend, {}, async ({ log, clock }) => {
      await log.createStream({ streamName: STREAM, shardCount: 1 });
      for (let i = 0; i < 20; i++) await put(log, `r${i}`);
      clock.advance(1234);
      const seqs = (await log.getRecords({ shardIterator: await iteratorOf(log, 'TRIM_HORIZON') })).records.map((r) => r.sequenceNumber);
      const valid = [
        await iteratorOf(log, 'TRIM_HORIZON'),
        await iteratorOf(log, 'LATEST'),
        await iteratorOf(log, 'AT_SEQUENCE_NUMBER', { startingSequenceNumber: seqs[7]! }),
        await iteratorOf(log, 'AFTER_SEQUENCE_NUMBER', { startingSequenceNumber: seqs[12]! }),
        (await log.getRecords({ shardIterator: await iteratorOf(log, 'TRIM_HORIZON'), limit: 3 })).nextShardIterator!,
      ];
      await fc.assert(
        fc.asyncProperty(fc.nat(valid.length - 1), tamperArb, async (which, t) => {
          const original = valid[which]!;
          const forged = tamper(original, t);
          fc.pre(forged !== original);
          await expectCode(() => log.getRecords({ shardIterator: forged }), 'InvalidArgumentException');
        }),
        { numRuns: 400 },
      );
      // The originals still work.
      for (const it of valid) await log.getRecords({ shardIterator: it });
    });
  });

  it('rejects iterators longer than 512 characters, and still accepts the longest a stream name can give', async () => {
    await withLog(backend, {}, async ({ log }) => {
      const longName = 'n'.repeat(128);
      await log.createStream({ streamName: longName, shardCount: 1 });
      await log.putRecord({ streamName: longName, partitionKey: 'k', data: Buffer.from('x') });
      const it = await log.getShardIterator({ streamName: longName, shardId: SHARD, shardIteratorType: 'TRIM_HORIZON' });
      expect(it.length).toBeLessThanOrEqual(512);
      expect(texts((await log.getRecords({ shardIterator: it })).records)).toEqual(['x']);
      await expectCode(() => log.getRecords({ shardIterator: 'A'.repeat(513) }), 'InvalidArgumentException');
      await expectCode(() => log.getRecords({ shardIterator: it + 'A'.repeat(513 - it.length) }), 'InvalidArgumentException');
      await expectCode(() => log.getRecords({ shardIterator: it.repeat(Math.ceil(600 / it.length)) }), 'InvalidArgumentException');
    });
  });
});

// ---- deleted streams ----------------------------------------------------------------------------------------------

describe.each(BACKENDS)('iterators of deleted streams (%s log)', (backend) => {
  it('give ResourceNotFoundException once the stream is deleted', async () => {
    await withLog(backend, {}, async ({ log }) => {
      await log.createStream({ streamName: STREAM, shardCount: 2 });
      await put(log, 'a');
      const it = await iteratorOf(log, 'TRIM_HORIZON');
      await log.deleteStream({ streamName: STREAM });
      await expectCode(() => log.getRecords({ shardIterator: it }), 'ResourceNotFoundException');
      await expectCode(() => iteratorOf(log, 'TRIM_HORIZON'), 'ResourceNotFoundException');
    });
  });

  it.each([
    ['later', 1],
    ['in the same millisecond', 0],
  ])('never read a new stream of the same name, even one created %s', async (_when, waitMs) => {
    await withLog(backend, {}, async ({ log, clock }) => {
      await log.createStream({ streamName: STREAM, shardCount: 1 });
      await put(log, 'old');
      const it = await iteratorOf(log, 'TRIM_HORIZON');
      const latest = await iteratorOf(log, 'LATEST');
      await log.deleteStream({ streamName: STREAM });
      clock.advance(waitMs);
      await log.createStream({ streamName: STREAM, shardCount: 1 });
      await put(log, 'new');
      await expectCode(() => log.getRecords({ shardIterator: it }), 'ResourceNotFoundException');
      await expectCode(() => log.getRecords({ shardIterator: latest }), 'ResourceNotFoundException');
      // The new stream itself reads normally.
      expect(texts((await log.getRecords({ shardIterator: await iteratorOf(log, 'TRIM_HORIZON') })).records)).toEqual(['new']);
    });
  });
});

// ---- MillisBehindLatest -------------------------------------------------------------------------------------------

describe.each(BACKENDS)('MillisBehindLatest (%s log)', (backend) => {
  it('is above 0 while records remain unread and 0 once caught up', async () => {
    await withLog(backend, {}, async ({ log, clock }) => {
      await log.createStream({ streamName: STREAM, shardCount: 1 });
      const t0 = clock.now();
      for (const d of ['a', 'b', 'c']) {
        await put(log, d);
        clock.advance(1_000);
      }
      clock.set(t0 + 10_000);
      let it = await iteratorOf(log, 'TRIM_HORIZON');
      const first = await log.getRecords({ shardIterator: it, limit: 1 });
      expect(texts(first.records)).toEqual(['a']);
      expect(first.millisBehindLatest).toBeGreaterThan(0);
      expect(first.millisBehindLatest).toBeLessThanOrEqual(10_000);
      expect(first.millisBehindLatest).toBeGreaterThanOrEqual(10_000 - 1_000);
      const second = await log.getRecords({ shardIterator: first.nextShardIterator!, limit: 1 });
      expect(second.millisBehindLatest).toBeGreaterThan(0);
      expect(second.millisBehindLatest).toBeLessThanOrEqual(first.millisBehindLatest);
      const rest = await log.getRecords({ shardIterator: second.nextShardIterator! });
      expect(texts(rest.records)).toEqual(['c']);
      expect(rest.millisBehindLatest).toBe(0);
      // Caught up and idle for an hour is still 0.
      clock.advance(3_600_000);
      it = await iteratorOf(log, 'LATEST');
      expect((await log.getRecords({ shardIterator: it })).millisBehindLatest).toBe(0);
      // A LATEST consumer that reads the one new record is caught up; one reading from the start is behind.
      await put(log, 'd');
      clock.advance(2_500);
      const behind = await log.getRecords({ shardIterator: it, limit: 1 });
      expect(texts(behind.records)).toEqual(['d']);
      expect(behind.millisBehindLatest).toBe(0);
      const lagging = await log.getRecords({ shardIterator: await iteratorOf(log, 'TRIM_HORIZON'), limit: 2 });
      expect(lagging.millisBehindLatest).toBeGreaterThan(0);
    });
  });
});

// ---- independent consumers ----------------------------------------------------------------------------------------

describe.each(BACKENDS)('independent consumers (%s log)', (backend) => {
  it('each of several iterators and stream readers on one shard sees every record once, in order', async () => {
    const RAW = 3;
    const READERS = 2;
    await fc.assert(
      fc.asyncProperty(
        fc.limitShrink(
          fc.array(
            fc.oneof(
              fc.record({ kind: fc.constant('put' as const), n: fc.integer({ min: 1, max: 12 }) }),
              fc.record({ kind: fc.constant('read' as const), consumer: fc.nat(RAW + READERS - 1), limit: fc.integer({ min: 1, max: 20 }) }),
              fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 60_000 }) }),
            ),
            { maxLength: 40, size: 'max' },
          ),
          MAX_SHRINKS,
        ),
        fc.constantFrom(4096, undefined),
        async (ops, segmentBytes) => {
          await withLog(backend, { segmentBytes }, async ({ log, clock }) => {
            await log.createStream({ streamName: STREAM, shardCount: 1 });
            const written: string[] = [];
            const seen: string[][] = Array.from({ length: RAW + READERS }, () => []);
            // Raw consumers keep their iterator fresh by reading at least every few minutes of clock time.
            const iterators = await Promise.all(Array.from({ length: RAW }, () => iteratorOf(log, 'TRIM_HORIZON')));
            const issued = Array.from({ length: RAW }, () => clock.now());
            const readers = Array.from({ length: READERS }, () => log.reader(STREAM));
            const read = async (c: number, limit: number) => {
              if (c < RAW) {
                const page = await log.getRecords({ shardIterator: iterators[c]!, limit });
                iterators[c] = page.nextShardIterator!;
                issued[c] = clock.now();
                seen[c]!.push(...page.records.map((r) => `${r.sequenceNumber}:${r.data.toString()}`));
              } else {
                seen[c]!.push(...readers[c - RAW]!.read(limit).map((r) => `${r.sequenceNumber}:${r.data.toString()}`));
              }
            };
            for (const op of ops) {
              if (op.kind === 'put') {
                const base = written.length;
                const res = await log.putRecords({ streamName: STREAM, records: Array.from({ length: op.n }, (_, i) => ({ partitionKey: `p${i}`, data: Buffer.from(`d${base + i}`) })) });
                res.records.forEach((r, i) => {
                  if (!('sequenceNumber' in r)) throw new Error(r.errorMessage);
                  written.push(`${r.sequenceNumber}:d${base + i}`);
                });
              } else if (op.kind === 'tick') {
                clock.advance(Math.min(op.ms, 60_000));
                // Keep raw iterators alive the way a consumer would: read (nothing is lost by reading).
                for (let c = 0; c < RAW; c++) if (clock.now() - issued[c]! > LIFETIME_MS - 60_000) await read(c, 10_000);
              } else {
                await read(op.consumer, op.limit);
              }
            }
            for (let c = 0; c < RAW; c++) {
              const rest = await drain(log, iterators[c]!);
              seen[c]!.push(...rest.records.map((r) => `${r.sequenceNumber}:${r.data.toString()}`));
            }
            for (let c = 0; c < READERS; c++) seen[RAW + c]!.push(...readers[c]!.readAll().map((r) => `${r.sequenceNumber}:${r.data.toString()}`));
            for (const s of seen) expect(s).toEqual(written);
          });
        },
      ),
      { numRuns: 30 },
    );
  });
});
