import { describe, expect, it } from 'vitest';
import { MAX_HASH_KEY, openLog, SluiceError, VirtualClock, type Log, type PutRecordsResultEntry } from '../../src/index.js';

/**
 * Per-shard throughput limits of PROVISIONED streams (`limits: true`): 1,000 records/s and 1 MiB/s of writes,
 * 5 GetRecords calls/s and 2 MiB/s of reads. Token buckets on the virtual clock, so every count here is exact.
 */

const MiB = 1024 * 1024;
const S = 's';
const SHARD0 = 'shardId-000000000000';
const SHARD1 = 'shardId-000000000001';
const LOW = '0';
const HIGH = MAX_HASH_KEY.toString();

async function setup(opts: { limits?: boolean; mode?: 'PROVISIONED' | 'ON_DEMAND'; shards?: number } = {}) {
  const clock = new VirtualClock();
  const log = await openLog({ clock, limits: opts.limits ?? true });
  if (opts.mode === 'ON_DEMAND') await log.createStream({ streamName: S, streamMode: 'ON_DEMAND' });
  else await log.createStream({ streamName: S, shardCount: opts.shards ?? 1 });
  return { clock, log };
}

/** `n` small records, all to the shard owning `hashKey` (the first shard by default). */
function small(n: number, tag: string, hashKey = LOW) {
  return Array.from({ length: n }, (_, i) => ({ partitionKey: 'k', data: Buffer.from(`${tag}-${i}`), explicitHashKey: hashKey }));
}

/** Records of exactly `size` bytes counted against the limit (data + partition key). */
function sized(n: number, size: number, hashKey = LOW) {
  return Array.from({ length: n }, (_, i) => {
    const data = Buffer.alloc(size - 1, 'x');
    data.write(String(i));
    return { partitionKey: 'k', data, explicitHashKey: hashKey };
  });
}

function failedIndexes(records: PutRecordsResultEntry[]): number[] {
  return records.flatMap((r, i) => ('errorCode' in r ? [i] : []));
}

function expectThrottled(records: PutRecordsResultEntry[], indexes: number[], shardId = SHARD0) {
  expect(failedIndexes(records)).toEqual(indexes);
  for (const i of indexes) {
    const r = records[i]!;
    if (!('errorCode' in r)) throw new Error('expected a failure');
    expect(r.errorCode).toBe('ProvisionedThroughputExceededException');
    expect(r.errorMessage).toContain(shardId);
    expect(r.errorMessage).toContain(S);
    expect('sequenceNumber' in r).toBe(false);
  }
}

/** What the shard stores, read without going through the (throttled) GetRecords. */
function stored(log: Log, shardId = SHARD0): string[] {
  return log
    .reader(S)
    .readAll()
    .filter((r) => r.shardId === shardId)
    .map((r) => r.data.toString('latin1', 0, Math.min(r.data.length, 12)).replace(/x+$/, ''));
}

async function putRecordsCount(log: Log, records: ReturnType<typeof small>) {
  const r = await log.putRecords({ streamName: S, records });
  expect(r.failedRecordCount).toBe(failedIndexes(r.records).length);
  return r;
}

async function thrown(p: Promise<unknown>): Promise<SluiceError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SluiceError);
  return err as SluiceError;
}

describe('limits: writes, 1,000 records per second per shard', () => {
  it('fails exactly the records past 1,000, per record, and stores none of them', async () => {
    const { log } = await setup();
    expect(failedIndexes((await putRecordsCount(log, small(500, 'a'))).records)).toEqual([]);
    const second = await putRecordsCount(log, small(500, 'b'));
    expect(second.failedRecordCount).toBe(0);
    const third = await putRecordsCount(log, small(7, 'c'));
    expect(third.failedRecordCount).toBe(7);
    expectThrottled(third.records, [0, 1, 2, 3, 4, 5, 6]);
    const contents = stored(log);
    expect(contents).toHaveLength(1000);
    expect(contents.some((d) => d.startsWith('c-'))).toBe(false);
  });

  it('a batch that crosses the limit fails only its tail', async () => {
    const { log } = await setup();
    await putRecordsCount(log, small(400, 'a'));
    await putRecordsCount(log, small(400, 'b'));
    const r = await putRecordsCount(log, small(300, 'c'));
    expect(r.failedRecordCount).toBe(100);
    expectThrottled(r.records, Array.from({ length: 100 }, (_, i) => 200 + i));
    expect(stored(log).filter((d) => d.startsWith('c-'))).toEqual(Array.from({ length: 200 }, (_, i) => `c-${i}`));
  });

  it('refills as the clock advances, never above one second of capacity', async () => {
    const { clock, log } = await setup();
    await putRecordsCount(log, small(500, 'a'));
    await putRecordsCount(log, small(500, 'a'));
    clock.advance(100); // 100 records' worth
    let r = await putRecordsCount(log, small(150, 'b'));
    expectThrottled(r.records, Array.from({ length: 50 }, (_, i) => 100 + i));
    clock.advance(10_000); // far more than a second: the bucket holds 1,000 at most
    await putRecordsCount(log, small(500, 'c'));
    r = await putRecordsCount(log, small(500, 'd'));
    expect(r.failedRecordCount).toBe(0);
    r = await putRecordsCount(log, small(1, 'e'));
    expectThrottled(r.records, [0]);
    expect(stored(log)).toHaveLength(1000 + 100 + 1000);
  });

  it('each shard has its own allowance', async () => {
    const { log } = await setup({ shards: 2 });
    await putRecordsCount(log, small(500, 'a', LOW));
    await putRecordsCount(log, small(500, 'a', LOW));
    const mixed = await putRecordsCount(log, [...small(3, 'low', LOW), ...small(3, 'high', HIGH)]);
    expectThrottled(mixed.records, [0, 1, 2]);
    for (const i of [3, 4, 5]) expect(mixed.records[i]).toMatchObject({ shardId: SHARD1 });
    await putRecordsCount(log, small(497, 'h', HIGH));
    await putRecordsCount(log, small(500, 'h', HIGH));
    const r = await putRecordsCount(log, small(1, 'h', HIGH));
    expectThrottled(r.records, [0], SHARD1);
    expect(stored(log, SHARD1)).toHaveLength(1000);
    expect(stored(log, SHARD0)).toHaveLength(1000);
  });

  it('PutRecord raises ProvisionedThroughputExceededException and stores nothing', async () => {
    const { clock, log } = await setup();
    await putRecordsCount(log, small(500, 'a'));
    await putRecordsCount(log, small(500, 'a'));
    const err = await thrown(log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('late'), explicitHashKey: LOW }));
    expect(err.code).toBe('ProvisionedThroughputExceededException');
    expect(err.message).toContain(SHARD0);
    expect(stored(log)).not.toContain('late');
    clock.advance(1);
    const ok = await log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('ontime'), explicitHashKey: LOW });
    expect(ok.shardId).toBe(SHARD0);
    expect(stored(log)).toContain('ontime');
  });
});

describe('limits: a throttled record', () => {
  it('with a SequenceNumberForOrdering ahead of the stream does not move the stream counter', async () => {
    const { clock, log } = await setup();
    await putRecordsCount(log, small(500, 'a'));
    const last = await log.putRecords({ streamName: S, records: small(500, 'a') });
    const lastSeq = (last.records.at(-1) as { sequenceNumber: string }).sequenceNumber;
    const ahead = (BigInt(lastSeq) + 1000n).toString();
    const err = await thrown(log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('x'), explicitHashKey: LOW, sequenceNumberForOrdering: ahead }));
    expect(err.code).toBe('ProvisionedThroughputExceededException');
    clock.advance(1000);
    const next = await log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('y'), explicitHashKey: LOW });
    expect(BigInt(next.sequenceNumber)).toBe(BigInt(lastSeq) + 1n);
  });
});

describe('limits: writes, 1 MiB per second per shard', () => {
  it('counts data and partition key bytes, and fails exactly the excess', async () => {
    const { clock, log } = await setup();
    // 100 KiB each: ten fit in 1 MiB (1,024,000 of 1,048,576 bytes), the eleventh does not.
    let r = await putRecordsCount(log, sized(12, 100 * 1024));
    expectThrottled(r.records, [10, 11]);
    // 24,576 bytes were left; 100 ms adds 104,857.6: room for one more.
    clock.advance(100);
    r = await putRecordsCount(log, sized(3, 100 * 1024));
    expectThrottled(r.records, [1, 2]);
    expect(stored(log)).toHaveLength(11);
  });

  it('a small record still fits where a large one did not', async () => {
    const { log } = await setup();
    const r = await putRecordsCount(log, [...sized(10, 100 * 1024), ...sized(1, 100 * 1024), ...sized(1, 20 * 1024)]);
    expectThrottled(r.records, [10]);
  });

  it('a 1 MiB record needs the whole second', async () => {
    const { clock, log } = await setup();
    expect((await putRecordsCount(log, sized(1, MiB))).failedRecordCount).toBe(0);
    expectThrottled((await putRecordsCount(log, sized(1, 1))).records, [0]);
    clock.advance(999);
    expectThrottled((await putRecordsCount(log, sized(1, MiB))).records, [0]);
    clock.advance(2); // the bucket is full again (and holds no more than that)
    expect((await putRecordsCount(log, sized(1, MiB))).failedRecordCount).toBe(0);
  });

  it('a record over 1 MiB (after UpdateMaxRecordSize) bursts through a full shard and is paid off over the next seconds', async () => {
    const { clock, log } = await setup();
    await log.updateMaxRecordSize({ streamName: S, maxRecordSizeInKiB: 10240 });
    const big = await putRecordsCount(log, sized(1, 3 * MiB));
    expect(big.failedRecordCount).toBe(0);
    clock.advance(1000); // 3 MiB taken from a 1 MiB bucket: still 1 MiB in debt
    expectThrottled((await putRecordsCount(log, sized(1, 1024))).records, [0]);
    clock.advance(2000);
    expect((await putRecordsCount(log, sized(1, 1024))).failedRecordCount).toBe(0);
    // A second big one must wait for a full bucket again.
    expectThrottled((await putRecordsCount(log, sized(1, 2 * MiB))).records, [0]);
    clock.advance(1000);
    expect((await putRecordsCount(log, sized(1, 2 * MiB))).failedRecordCount).toBe(0);
  });
});

describe('limits: GetRecords', () => {
  async function iterator(log: Log, shardId = SHARD0) {
    return log.getShardIterator({ streamName: S, shardId, shardIteratorType: 'TRIM_HORIZON' });
  }

  it('allows 5 calls per second per shard, then ProvisionedThroughputExceededException; calls refill with time', async () => {
    const { clock, log } = await setup({ shards: 2 });
    await putRecordsCount(log, small(3, 'a'));
    const it = await iterator(log);
    for (let i = 0; i < 5; i++) expect((await log.getRecords({ shardIterator: it })).records).toHaveLength(3);
    const err = await thrown(log.getRecords({ shardIterator: it }));
    expect(err.code).toBe('ProvisionedThroughputExceededException');
    expect(err.message).toContain(SHARD0);
    // The other shard is not affected.
    const other = await iterator(log, SHARD1);
    for (let i = 0; i < 5; i++) await log.getRecords({ shardIterator: other });
    clock.advance(200); // one call's worth
    expect((await log.getRecords({ shardIterator: it })).records).toHaveLength(3);
    expect((await thrown(log.getRecords({ shardIterator: it }))).code).toBe('ProvisionedThroughputExceededException');
    clock.advance(5000);
    for (let i = 0; i < 5; i++) await log.getRecords({ shardIterator: it });
    expect((await thrown(log.getRecords({ shardIterator: it }))).code).toBe('ProvisionedThroughputExceededException');
  });

  it('a throttled call consumes nothing: the same iterator later returns the same records', async () => {
    const { clock, log } = await setup();
    await putRecordsCount(log, small(2, 'a'));
    const it = await iterator(log);
    for (let i = 0; i < 5; i++) await log.getRecords({ shardIterator: it });
    for (let i = 0; i < 3; i++) await thrown(log.getRecords({ shardIterator: it }));
    clock.advance(200);
    expect((await log.getRecords({ shardIterator: it })).records.map((r) => r.data.toString())).toEqual(['a-0', 'a-1']);
  });

  it('reads 2 MiB per second: a call that takes more leaves the shard unreadable until it is paid back', async () => {
    const { clock, log } = await setup();
    for (let i = 0; i < 3; i++) {
      expect((await putRecordsCount(log, sized(1, MiB))).failedRecordCount).toBe(0);
      clock.advance(1000);
    }
    // However the log batches them, reading 3 MiB takes calls that all succeed while at most 2 MiB has been read:
    // a call may overdraw the shard (up to the 10 MiB a call can return), and then the next one must wait.
    let it = await iterator(log);
    let records = 0;
    while (records < 3) {
      const r = await log.getRecords({ shardIterator: it });
      expect(r.records.length).toBeGreaterThan(0);
      records += r.records.length;
      it = r.nextShardIterator!;
    }
    expect(records).toBe(3);
    expect((await thrown(log.getRecords({ shardIterator: it }))).code).toBe('ProvisionedThroughputExceededException');
    clock.advance(250); // 512 KiB repaid of the 1 MiB debt
    expect((await thrown(log.getRecords({ shardIterator: it }))).code).toBe('ProvisionedThroughputExceededException');
    clock.advance(350);
    expect((await log.getRecords({ shardIterator: it })).records).toEqual([]);
  });
});

describe('limits: when they do not apply', () => {
  async function hammer(log: Log, clockAdvance?: () => void) {
    let failed = 0;
    for (let b = 0; b < 6; b++) failed += (await putRecordsCount(log, small(500, `b${b}`))).failedRecordCount;
    clockAdvance?.();
    const it = await log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: 'TRIM_HORIZON' });
    let read = 0;
    for (let i = 0; i < 20; i++) read += (await log.getRecords({ shardIterator: it, limit: 10 })).records.length;
    return { failed, read };
  }

  it('ON_DEMAND streams never throttle', async () => {
    const { log } = await setup({ mode: 'ON_DEMAND' });
    expect(await hammer(log)).toEqual({ failed: 0, read: 200 });
  });

  it('limits: false (the default) never throttles a PROVISIONED stream', async () => {
    const { log } = await setup({ limits: false });
    expect(await hammer(log)).toEqual({ failed: 0, read: 200 });
    const clock = new VirtualClock();
    const byDefault = await openLog({ clock });
    await byDefault.createStream({ streamName: S, shardCount: 1 });
    expect(await hammer(byDefault)).toEqual({ failed: 0, read: 200 });
  });

  it('UpdateStreamMode switches throttling off and back on', async () => {
    const { clock, log } = await setup();
    await putRecordsCount(log, small(500, 'a'));
    await putRecordsCount(log, small(500, 'a'));
    expect((await putRecordsCount(log, small(1, 'x'))).failedRecordCount).toBe(1);
    await log.updateStreamMode({ streamName: S, streamMode: 'ON_DEMAND' });
    expect((await log.describeStream(S)).streamModeDetails.streamMode).toBe('ON_DEMAND');
    expect(await hammer(log)).toEqual({ failed: 0, read: 200 });
    await log.updateStreamMode({ streamName: S, streamMode: 'PROVISIONED' });
    clock.advance(1000);
    const r = await putRecordsCount(log, small(500, 'p'));
    expect(r.failedRecordCount).toBe(0);
    await putRecordsCount(log, small(500, 'p'));
    expect((await putRecordsCount(log, small(1, 'p'))).failedRecordCount).toBe(1);
    const it = await log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: 'LATEST' });
    for (let i = 0; i < 5; i++) await log.getRecords({ shardIterator: it });
    expect((await thrown(log.getRecords({ shardIterator: it }))).code).toBe('ProvisionedThroughputExceededException');
  });

  it('children of a split get their own allowance', async () => {
    const { log } = await setup();
    await putRecordsCount(log, small(500, 'a'));
    await putRecordsCount(log, small(500, 'a'));
    await log.splitShard({ streamName: S, shardToSplit: SHARD0, newStartingHashKey: (2n ** 127n).toString() });
    const r = await putRecordsCount(log, small(500, 'l', LOW));
    expect(r.failedRecordCount).toBe(0);
    expect(r.records[0]).toMatchObject({ shardId: 'shardId-000000000001' });
  });
});
