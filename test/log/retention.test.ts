import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLog, SluiceError, VirtualClock, type Log, type LogOptions } from '../../src/index.js';

/** Retention on the virtual clock: what expires, when, and what it takes with it (reads, segments, shards). */

const H = 3_600_000;
const S = 's';

const dirs: string[] = [];
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const text = (s: string) => Buffer.from(s);

async function putAll(log: Log, values: string[], opts: { streamName?: string; explicitHashKey?: string } = {}): Promise<string[]> {
  const seqs: string[] = [];
  for (const v of values) {
    const input = { streamName: opts.streamName ?? S, partitionKey: `pk-${v}`, data: text(v) };
    const r = await log.putRecord(opts.explicitHashKey === undefined ? input : { ...input, explicitHashKey: opts.explicitHashKey });
    seqs.push(r.sequenceNumber);
  }
  return seqs;
}

/** Everything GetRecords returns from an iterator until it is caught up (or the shard ends). */
async function drain(log: Log, iterator: string): Promise<string[]> {
  const out: string[] = [];
  let it: string | null = iterator;
  while (it) {
    const r = await log.getRecords({ shardIterator: it });
    out.push(...r.records.map((x) => x.data.toString()));
    if (r.records.length === 0) break;
    it = r.nextShardIterator;
  }
  return out;
}

async function readFrom(log: Log, shardId: string, type: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP', timestamp?: number, streamName = S) {
  const input = { streamName, shardId, shardIteratorType: type };
  return drain(log, await log.getShardIterator(timestamp === undefined ? input : { ...input, timestamp }));
}

const SHARD0 = 'shardId-000000000000';

async function expectError(p: Promise<unknown>, code: string, field: string, ...words: string[]) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SluiceError);
  const e = err as SluiceError;
  expect(e.code).toBe(code);
  expect(e.field).toBe(field);
  for (const w of words) expect(e.message).toContain(w);
}

function files(dir: string, ext: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else if (e.name.endsWith(ext)) out.push(path.join(d, e.name));
    }
  };
  walk(path.join(dir, 'streams'));
  return out.sort();
}

async function openMem(clock: VirtualClock, extra: Partial<LogOptions> = {}) {
  return openLog({ clock, ...extra });
}

describe('retention: what expires and when', () => {
  it('defaults to 24 hours; CreateStream can ask for more', async () => {
    const clock = new VirtualClock();
    const log = await openMem(clock);
    await log.createStream({ streamName: S, shardCount: 1 });
    await log.createStream({ streamName: 'long', shardCount: 1, retentionPeriodHours: 100 });
    expect((await log.describeStream(S)).retentionPeriodHours).toBe(24);
    expect((await log.describeStream('long')).retentionPeriodHours).toBe(100);
  });

  it('a record is kept while exactly the retention old, and gone one millisecond later', async () => {
    const clock = new VirtualClock();
    const log = await openMem(clock);
    await log.createStream({ streamName: S, shardCount: 1 });
    await putAll(log, ['a']);
    clock.advance(H);
    await putAll(log, ['b']);
    clock.advance(23 * H);
    await log.trim();
    expect(await readFrom(log, SHARD0, 'TRIM_HORIZON')).toEqual(['a', 'b']);
    clock.advance(1);
    await log.trim();
    expect(await readFrom(log, SHARD0, 'TRIM_HORIZON')).toEqual(['b']);
    clock.advance(H);
    await log.trim();
    expect(await readFrom(log, SHARD0, 'TRIM_HORIZON')).toEqual([]);
  });

  it('reads apply retention by themselves: TRIM_HORIZON, AT_TIMESTAMP, sequence numbers and readers skip expired records', async () => {
    const clock = new VirtualClock();
    const log = await openMem(clock);
    await log.createStream({ streamName: S, shardCount: 1 });
    const t0 = clock.now();
    const startingSequenceNumber = (await log.describeStream(S)).shards[0]!.sequenceNumberRange.startingSequenceNumber;
    const oldSeqs = await putAll(log, ['a1', 'a2', 'a3']);
    clock.advance(12 * H);
    const t1 = clock.now();
    await putAll(log, ['b1', 'b2']);
    clock.advance(12 * H + 5000); // a* are 24 h 5 s old, b* 12 h 5 s

    expect(await readFrom(log, SHARD0, 'TRIM_HORIZON')).toEqual(['b1', 'b2']);
    // AT_TIMESTAMP before the horizon starts at the oldest record still there.
    expect(await readFrom(log, SHARD0, 'AT_TIMESTAMP', t0 - H)).toEqual(['b1', 'b2']);
    expect(await readFrom(log, SHARD0, 'AT_TIMESTAMP', t0)).toEqual(['b1', 'b2']);
    expect(await readFrom(log, SHARD0, 'AT_TIMESTAMP', t1)).toEqual(['b1', 'b2']);
    expect(await readFrom(log, SHARD0, 'AT_TIMESTAMP', t1 + 1)).toEqual([]);
    expect(await readFrom(log, SHARD0, 'LATEST')).toEqual([]);
    // A sequence number of an expired record never brings it back.
    for (const type of ['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'] as const) {
      const it = await log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: type, startingSequenceNumber: oldSeqs[0]! });
      expect(await drain(log, it)).toEqual(['b1', 'b2']);
    }
    expect(log.reader(S).readAll().map((r) => r.data.toString())).toEqual(['b1', 'b2']);
    // The shard's range still starts where it did: only the trim horizon moved.
    expect((await log.describeStream(S)).shards[0]!.sequenceNumberRange.startingSequenceNumber).toBe(startingSequenceNumber);
  });

  it('an iterator issued before the retention was decreased does not return what then expired', async () => {
    const clock = new VirtualClock();
    const log = await openMem(clock);
    await log.createStream({ streamName: S, shardCount: 1, retentionPeriodHours: 48 });
    await putAll(log, ['old']);
    clock.advance(30 * H);
    await putAll(log, ['new']);
    const it = await log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: 'TRIM_HORIZON' });
    await log.decreaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 24 });
    expect((await log.describeStream(S)).retentionPeriodHours).toBe(24);
    expect(await drain(log, it)).toEqual(['new']);
  });

  it('after IncreaseStreamRetentionPeriod records outlive 24 hours, and expire at the new retention', async () => {
    const clock = new VirtualClock();
    const log = await openMem(clock);
    await log.createStream({ streamName: S, shardCount: 1 });
    await putAll(log, ['x']);
    await log.increaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 72 });
    clock.advance(48 * H);
    expect(await readFrom(log, SHARD0, 'TRIM_HORIZON')).toEqual(['x']);
    clock.advance(24 * H + 2000);
    expect(await readFrom(log, SHARD0, 'TRIM_HORIZON')).toEqual([]);
  });

  it('retention is per stream', async () => {
    const clock = new VirtualClock();
    const log = await openMem(clock);
    await log.createStream({ streamName: 'short', shardCount: 1 });
    await log.createStream({ streamName: 'long', shardCount: 1, retentionPeriodHours: 48 });
    await putAll(log, ['s'], { streamName: 'short' });
    await putAll(log, ['l'], { streamName: 'long' });
    clock.advance(30 * H);
    await log.trim();
    expect(await readFrom(log, SHARD0, 'TRIM_HORIZON', undefined, 'short')).toEqual([]);
    expect(await readFrom(log, SHARD0, 'TRIM_HORIZON', undefined, 'long')).toEqual(['l']);
  });
});

describe('retention: segments on disk', () => {
  // Each record below is one frame of 12 + 23 + 1 (key) + 600 = 636 bytes: three fill a 2048-byte segment.
  const SEGMENT = 2048;
  const record = (tag: string, i: number) => {
    const data = Buffer.alloc(600, '.');
    data.write(`${tag}${i}`);
    return { streamName: S, partitionKey: 'k', data };
  };
  const tagOf = (d: Buffer) => d.toString('latin1').split('.')[0]!;
  async function putTagged(log: Log, tag: string, n: number) {
    for (let i = 0; i < n; i++) await log.putRecord(record(tag, i));
  }
  async function tags(log: Log): Promise<string[]> {
    const it = await log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: 'TRIM_HORIZON' });
    const out: string[] = [];
    let next: string | null = it;
    while (next) {
      const r = await log.getRecords({ shardIterator: next });
      out.push(...r.records.map((x) => tagOf(x.data)));
      if (r.records.length === 0) break;
      next = r.nextShardIterator;
    }
    return out;
  }

  it('expired whole segments (and their indexes) are deleted; a partly expired one stays, its old records hidden', async () => {
    const dir = tmpDir();
    const clock = new VirtualClock();
    const log = await openLog({ dir, clock, fsync: 'always', segmentBytes: SEGMENT });
    await log.createStream({ streamName: S, shardCount: 1 });
    await putTagged(log, 'a', 8); // segments [a0 a1 a2] [a3 a4 a5] [a6 a7 ...
    clock.advance(H);
    await putTagged(log, 'b', 4); // ... b0] [b1 b2 b3]
    expect(files(dir, '.seg')).toHaveLength(4);
    expect(files(dir, '.idx')).toHaveLength(3);

    clock.advance(23 * H + 1000); // a* expired, b* not
    await log.trim();
    expect(files(dir, '.seg')).toHaveLength(2);
    expect(files(dir, '.idx')).toHaveLength(1);
    expect(await tags(log)).toEqual(['b0', 'b1', 'b2', 'b3']);
    await log.close();

    // After a restart the hidden records stay hidden.
    const reopened = await openLog({ dir, clock, fsync: 'always', segmentBytes: SEGMENT });
    expect(await tags(reopened)).toEqual(['b0', 'b1', 'b2', 'b3']);
    clock.advance(H);
    await reopened.trim();
    expect(files(dir, '.seg')).toHaveLength(0);
    expect(await tags(reopened)).toEqual([]);
    // The shard keeps taking records after everything in it expired, with later sequence numbers.
    const r = await reopened.putRecord(record('c', 0));
    expect(await tags(reopened)).toEqual(['c0']);
    await reopened.close();
    const third = await openLog({ dir, clock, fsync: 'always', segmentBytes: SEGMENT });
    expect(await tags(third)).toEqual(['c0']);
    const r2 = await third.putRecord(record('c', 1));
    expect(r2.sequenceNumber > r.sequenceNumber).toBe(true);
    await third.close();
  });

  it('a producer that never reads still has its expired segments deleted', async () => {
    const dir = tmpDir();
    const clock = new VirtualClock();
    const log = await openLog({ dir, clock, fsync: 'always', segmentBytes: SEGMENT });
    await log.createStream({ streamName: S, shardCount: 1 });
    await putTagged(log, 'a', 9); // three full segments
    expect(files(dir, '.seg')).toHaveLength(3);
    clock.advance(25 * H);
    await putTagged(log, 'b', 1); // only writes: no read, describe or trim()
    expect(files(dir, '.seg')).toHaveLength(1);
    await log.close();
  });
});

describe('retention: Increase/DecreaseStreamRetentionPeriod', () => {
  async function setup() {
    const clock = new VirtualClock();
    const log = await openMem(clock);
    await log.createStream({ streamName: S, shardCount: 1 });
    return { clock, log };
  }
  const hours = async (log: Log) => (await log.describeStream(S)).retentionPeriodHours;

  it('accepts 24..8760 and says which field broke which bound', async () => {
    const { log } = await setup();
    await expectError(log.increaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 8761 }), 'ValidationException', 'RetentionPeriodHours', '8760');
    await expectError(log.decreaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 23 }), 'ValidationException', 'RetentionPeriodHours', '24');
    await expectError(log.increaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 0 }), 'ValidationException', 'RetentionPeriodHours', '24');
    await expectError(log.increaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 36.5 }), 'ValidationException', 'RetentionPeriodHours', 'integer');
    await expectError(log.createStream({ streamName: 'x', shardCount: 1, retentionPeriodHours: 9000 }), 'ValidationException', 'RetentionPeriodHours', '8760');
    await expectError(log.createStream({ streamName: 'x', shardCount: 1, retentionPeriodHours: 1 }), 'ValidationException', 'RetentionPeriodHours', '24');
    expect(await log.listStreams()).toEqual([S]);
    expect(await hours(log)).toBe(24);
    await log.increaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 8760 });
    expect(await hours(log)).toBe(8760);
    await log.decreaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 24 });
    expect(await hours(log)).toBe(24);
  });

  it('Increase cannot shorten and Decrease cannot lengthen', async () => {
    const { log } = await setup();
    await log.increaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 100 });
    await expectError(log.increaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 50 }), 'InvalidArgumentException', 'RetentionPeriodHours', '50', '100');
    expect(await hours(log)).toBe(100);
    await expectError(log.decreaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 200 }), 'InvalidArgumentException', 'RetentionPeriodHours', '200', '100');
    expect(await hours(log)).toBe(100);
    await log.decreaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 50 });
    expect(await hours(log)).toBe(50);
  });

  it('names the stream that does not exist', async () => {
    const { log } = await setup();
    await expectError(log.increaseStreamRetentionPeriod({ streamName: 'nope', retentionPeriodHours: 48 }), 'ResourceNotFoundException', 'StreamName', 'nope');
    await expectError(log.decreaseStreamRetentionPeriod({ streamName: 'nope', retentionPeriodHours: 24 }), 'ResourceNotFoundException', 'StreamName', 'nope');
  });
});

describe('retention: closed shards', () => {
  const ids = async (log: Log) => (await log.listShards(S)).map((s) => s.shardId);
  const mid = (lo: string, hi: string) => ((BigInt(lo) + BigInt(hi)) / 2n).toString();

  async function splitFirst(log: Log, shardId: string) {
    const s = (await log.listShards(S)).find((x) => x.shardId === shardId)!;
    await log.splitShard({ streamName: S, shardToSplit: shardId, newStartingHashKey: mid(s.hashKeyRange.startingHashKey, s.hashKeyRange.endingHashKey) });
    return (await log.listShards(S)).filter((x) => x.parentShardId === shardId).map((x) => x.shardId);
  }

  it('a closed parent vanishes from ListShards once all it held expired and its close time is past the horizon', async () => {
    const dir = tmpDir();
    const clock = new VirtualClock();
    const log = await openLog({ dir, clock, fsync: 'always' });
    await log.createStream({ streamName: S, shardCount: 1 });
    await putAll(log, ['p1', 'p2']);
    clock.advance(2 * H);
    const closedAt = clock.now();
    const children = await splitFirst(log, SHARD0);
    expect(children).toHaveLength(2);
    clock.advance(H);
    await putAll(log, ['c-low'], { explicitHashKey: '0' });

    // The parent's records are past the horizon, but it closed after it: it stays (empty) for now.
    clock.set(closedAt + 24 * H);
    await log.trim();
    expect(await ids(log)).toEqual([SHARD0, ...children]);
    expect(await readFrom(log, SHARD0, 'TRIM_HORIZON')).toEqual([]);

    clock.advance(1);
    await log.trim();
    expect(await ids(log)).toEqual(children);
    expect((await log.describeStream(S)).shards.map((s) => s.shardId)).toEqual(children);
    // The children keep naming their parent, as in Kinesis.
    for (const s of await log.listShards(S)) expect(s.parentShardId).toBe(SHARD0);
    await expectError(log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: 'TRIM_HORIZON' }), 'ResourceNotFoundException', 'ShardId', SHARD0);
    const streamDir = fs.readdirSync(path.join(dir, 'streams'))[0]!;
    expect(fs.existsSync(path.join(dir, 'streams', streamDir, SHARD0))).toBe(false);
    expect(await readFrom(log, children[0]!, 'TRIM_HORIZON')).toEqual(['c-low']);
    await log.close();

    const reopened = await openLog({ dir, clock, fsync: 'always' });
    expect(await ids(reopened)).toEqual(children);
    expect(await readFrom(reopened, children[0]!, 'TRIM_HORIZON')).toEqual(['c-low']);
    await reopened.close();
  });

  it('ListShards applies retention by itself (no trim() call)', async () => {
    const clock = new VirtualClock();
    const log = await openMem(clock);
    await log.createStream({ streamName: S, shardCount: 1 });
    await putAll(log, ['p']);
    const children = await splitFirst(log, SHARD0);
    clock.advance(24 * H + 2000);
    // ListShards applies retention on its own.
    expect(await ids(log)).toEqual(children);
  });

  it('merged parents vanish too, and a closed shard that never held a record', async () => {
    const clock = new VirtualClock();
    const log = await openMem(clock);
    await log.createStream({ streamName: S, shardCount: 2 });
    await putAll(log, ['x'], { explicitHashKey: '0' });
    await log.mergeShards({ streamName: S, shardToMerge: SHARD0, adjacentShardToMerge: 'shardId-000000000001' });
    const merged = (await ids(log)).at(-1)!;
    clock.advance(24 * H + 1);
    await log.trim();
    expect(await ids(log)).toEqual([merged]);
  });

  it('a reader checkpointed on a shard that has since expired continues with its children', async () => {
    const clock = new VirtualClock();
    const log = await openMem(clock);
    await log.createStream({ streamName: S, shardCount: 1 });
    await putAll(log, ['p1', 'p2', 'p3']);
    const reader = log.reader(S);
    expect(reader.read(1).map((r) => r.data.toString())).toEqual(['p1']);
    const checkpoint = reader.checkpoint();
    expect(Object.keys(checkpoint.positions)).toEqual([SHARD0]);

    clock.advance(H);
    const [low, high] = await splitFirst(log, SHARD0);
    clock.advance(2 * H);
    await putAll(log, ['low1', 'low2'], { explicitHashKey: '0' });
    await putAll(log, ['high1'], { explicitHashKey: (2n ** 128n - 1n).toString() });
    clock.advance(22 * H + 1); // the parent (records and close) expired; the children's records did not
    await log.trim();
    expect(await ids(log)).toEqual([low, high]);

    const resumed = log.reader(S, checkpoint);
    const got = resumed.readAll();
    expect(got.map((r) => `${r.shardId}:${r.data.toString()}`).sort()).toEqual([`${low}:low1`, `${low}:low2`, `${high}:high1`].sort());
    expect(got.filter((r) => r.shardId === low).map((r) => r.data.toString())).toEqual(['low1', 'low2']);
    expect(resumed.checkpoint().finished).toContain(SHARD0);
  });

  it('a reader checkpointed on an expired shard whose children expired too reaches the grandchildren', async () => {
    const clock = new VirtualClock();
    const log = await openMem(clock);
    await log.createStream({ streamName: S, shardCount: 1 });
    await putAll(log, ['p']);
    const checkpoint = log.reader(S).checkpoint();
    const t0 = clock.now();

    clock.advance(H);
    const [c1, c2] = await splitFirst(log, SHARD0);
    await putAll(log, ['c1'], { explicitHashKey: '0' });
    clock.advance(H);
    const [g1, g2] = await splitFirst(log, c1!);
    clock.advance(H);
    await putAll(log, ['g1'], { explicitHashKey: '0' });
    await putAll(log, ['c2'], { explicitHashKey: (2n ** 128n - 1n).toString() });
    // Now: p (closed at +1h), c1 (records +1h, closed +2h) expire; c2, g1, g2 stay, and so do g1's and c2's records.
    clock.set(t0 + 26 * H + 1);
    await log.trim();
    expect(await ids(log)).toEqual([c2, g1, g2]);

    const got = log.reader(S, checkpoint).readAll();
    expect(got.map((r) => `${r.shardId}:${r.data.toString()}`).sort()).toEqual([`${c2}:c2`, `${g1}:g1`].sort());
  });
});
