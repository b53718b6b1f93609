import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatSequenceNumber, MAX_HASH_KEY, openLog, SluiceError, VirtualClock, type Log, type LogOptions } from '../../src/index.js';

/**
 * Bad input gets a SluiceError that names the field and the limit, and changes nothing: every rejection below is
 * checked against a snapshot of the whole log (streams, shards, every record, and the next sequence number).
 */

const S = 's';
const MiB = 1024 * 1024;
const SHARD0 = 'shardId-000000000000';
const SHARD1 = 'shardId-000000000001';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function snapshot(log: Log) {
  const out: Record<string, unknown> = {};
  for (const name of await log.listStreams()) {
    const description = await log.describeStream(name);
    const records: unknown[] = [];
    for (const shard of description.shards) {
      let it: string | null = await log.getShardIterator({ streamName: name, shardId: shard.shardId, shardIteratorType: 'TRIM_HORIZON' });
      while (it) {
        const r = await log.getRecords({ shardIterator: it });
        for (const x of r.records) {
          records.push({ ...x, shardId: shard.shardId, data: crypto.createHash('sha1').update(x.data).digest('hex') });
        }
        if (r.records.length === 0) break;
        it = r.nextShardIterator;
      }
    }
    out[name] = {
      description,
      records,
      consumers: await log.listStreamConsumers(name),
      // Not visible through the API until the next put, but a rejected call must not move it either.
      nextCounter: log.stream(name).nextCounter,
    };
  }
  return out;
}

async function setup(options: Partial<LogOptions> = {}) {
  const clock = new VirtualClock();
  const log = await openLog({ clock, ...options });
  await log.createStream({ streamName: S, shardCount: 2 });
  const seqs: string[] = [];
  for (let i = 0; i < 6; i++) {
    const r = await log.putRecord({ streamName: S, partitionKey: `k${i}`, data: Buffer.from(`v${i}`) });
    seqs.push(r.sequenceNumber);
  }
  return { clock, log, seqs };
}

/** Expects `run` to fail with `code` on `field`, the message to mention `words`, and the log to be unchanged. */
async function rejects(log: Log, run: () => Promise<unknown>, code: string, field: string | undefined, ...words: string[]) {
  const before = await snapshot(log);
  const err = await run().then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof SluiceError)) throw new Error(`expected a SluiceError ${code} on ${field}, got ${err === null ? 'success' : String(err)}`);
  expect(err.code).toBe(code);
  expect(err.field).toBe(field);
  for (const w of words) expect(err.message).toContain(w);
  expect(await snapshot(log)).toEqual(before);
  return err;
}

const rec = (partitionKey: string, data: Uint8Array, extra: Record<string, unknown> = {}) => ({ partitionKey, data, ...extra });

describe('validation: streams', () => {
  it('an unknown stream is ResourceNotFoundException on StreamName, for every operation', async () => {
    const { log } = await setup();
    const calls: (() => Promise<unknown>)[] = [
      () => log.putRecord({ streamName: 'nope', partitionKey: 'k', data: Buffer.from('x') }),
      () => log.putRecords({ streamName: 'nope', records: [rec('k', Buffer.from('x'))] }),
      () => log.getShardIterator({ streamName: 'nope', shardId: SHARD0, shardIteratorType: 'TRIM_HORIZON' }),
      () => log.describeStream('nope'),
      () => log.listShards('nope'),
      () => log.deleteStream({ streamName: 'nope' }),
      () => log.splitShard({ streamName: 'nope', shardToSplit: SHARD0, newStartingHashKey: '12345' }),
      () => log.updateShardCount({ streamName: 'nope', targetShardCount: 2 }),
      () => log.increaseStreamRetentionPeriod({ streamName: 'nope', retentionPeriodHours: 48 }),
      () => log.updateStreamMode({ streamName: 'nope', streamMode: 'ON_DEMAND' }),
      () => log.registerStreamConsumer({ streamName: 'nope', consumerName: 'c' }),
    ];
    for (const call of calls) await rejects(log, call, 'ResourceNotFoundException', 'StreamName', 'nope');
  });

  it('stream names: 1 to 128 characters of [a-zA-Z0-9_.-]', async () => {
    const { log } = await setup();
    const create = (streamName: unknown) => () => log.createStream({ streamName: streamName as string, shardCount: 1 });
    await rejects(log, create(''), 'ValidationException', 'StreamName', '1 and 128');
    await rejects(log, create('a'.repeat(129)), 'ValidationException', 'StreamName', '1 and 128');
    await rejects(log, create('a/b'), 'ValidationException', 'StreamName', '[a-zA-Z0-9_.-]+');
    await rejects(log, create('a b'), 'ValidationException', 'StreamName', '[a-zA-Z0-9_.-]+');
    await rejects(log, create('ü'), 'ValidationException', 'StreamName', '[a-zA-Z0-9_.-]+');
    await rejects(log, create(42), 'ValidationException', 'StreamName', 'string');
    await rejects(log, create(undefined), 'ValidationException', 'StreamName');
    // A bad name on an existing-stream operation is a validation error, not "not found".
    await rejects(log, () => log.putRecord({ streamName: 'a/b', partitionKey: 'k', data: Buffer.from('x') }), 'ValidationException', 'StreamName');
    await log.createStream({ streamName: 'a'.repeat(128), shardCount: 1 });
    await log.createStream({ streamName: 'A-z_0.9', shardCount: 1 });
    expect(await log.listStreams()).toEqual(['A-z_0.9', 'a'.repeat(128), S]);
  });

  it('ShardCount: a positive integer within the shard limit; required for PROVISIONED', async () => {
    const clock = new VirtualClock();
    const log = await openLog({ clock, shardLimit: 4 });
    const create = (shardCount: unknown) => () => log.createStream({ streamName: 'x', shardCount: shardCount as number });
    await rejects(log, create(0), 'ValidationException', 'ShardCount', 'greater than or equal to 1');
    await rejects(log, create(-3), 'ValidationException', 'ShardCount', 'greater than or equal to 1');
    await rejects(log, create(1.5), 'ValidationException', 'ShardCount', 'integer');
    await rejects(log, create(Number.NaN), 'ValidationException', 'ShardCount', 'integer');
    await rejects(log, create(Number.POSITIVE_INFINITY), 'ValidationException', 'ShardCount', 'integer');
    await rejects(log, create('2'), 'ValidationException', 'ShardCount', 'integer');
    await rejects(log, create(5), 'LimitExceededException', 'ShardCount', '5', '4');
    await rejects(log, () => log.createStream({ streamName: 'x' }), 'InvalidArgumentException', 'ShardCount');
    await rejects(log, () => log.createStream({ streamName: 'x', shardCount: 1, streamMode: 'FAST' as never }), 'ValidationException', 'StreamModeDetails.StreamMode', 'PROVISIONED', 'ON_DEMAND');
    await log.createStream({ streamName: 'x', shardCount: 4 });
    expect((await log.describeStream('x')).shards).toHaveLength(4);

    const byDefault = await openLog({ clock });
    await rejects(byDefault, () => byDefault.createStream({ streamName: 'y', shardCount: 501 }), 'LimitExceededException', 'ShardCount', '500');
  });

  it('Tags: a plain map of up to 200 strings (values 0..256 characters) under keys of 1..128 characters', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-'));
    dirs.push(dir);
    const { log } = await setup({ dir, fsync: 'never' });
    const create = (tags: unknown) => () => log.createStream({ streamName: 'tagged', shardCount: 1, tags: tags as never });
    await rejects(log, create({ team: 1 }), 'ValidationException', 'Tags.team', 'string');
    await rejects(log, create({ team: 10n }), 'ValidationException', 'Tags.team', 'string');
    await rejects(log, create({ team: { nested: 'x' } }), 'ValidationException', 'Tags.team', 'string');
    await rejects(log, create({ team: 'x'.repeat(257) }), 'ValidationException', 'Tags.team', '256');
    await rejects(log, create({ ['k'.repeat(129)]: 'x' }), 'ValidationException', 'Tags.key', '128');
    await rejects(log, create({ '': 'x' }), 'ValidationException', 'Tags.key', '128');
    await rejects(log, create(Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`k${i}`, 'v']))), 'ValidationException', 'Tags', '200');
    for (const notAMap of ['team=a', 5, [['team', 'a']], new Map([['team', 'a']]), new Date(0), null]) {
      await rejects(log, create(notAMap), 'ValidationException', 'Tags', 'map');
    }
    expect(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')).not.toContain('tagged');
    await log.createStream({ streamName: 'tagged', shardCount: 1, tags: { team: 'data', empty: '' } });
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')).streams[1].tags).toEqual({ team: 'data', empty: '' });
  });

  it('a second stream of the same name is ResourceInUseException, and the first is untouched', async () => {
    const { log } = await setup();
    await rejects(log, () => log.createStream({ streamName: S, shardCount: 5 }), 'ResourceInUseException', 'StreamName', S);
    expect((await log.describeStream(S)).shards).toHaveLength(2);
  });
});

describe('validation: records', () => {
  it('PartitionKey: a string of 1 to 256 characters', async () => {
    const { log } = await setup();
    const put = (partitionKey: unknown) => () => log.putRecord({ streamName: S, partitionKey: partitionKey as string, data: Buffer.from('x') });
    await rejects(log, put(''), 'ValidationException', 'PartitionKey', '1');
    await rejects(log, put('k'.repeat(257)), 'ValidationException', 'PartitionKey', '256');
    await rejects(log, put(undefined), 'ValidationException', 'PartitionKey');
    await rejects(log, put(7), 'ValidationException', 'PartitionKey', 'string');
    const ok = await log.putRecord({ streamName: S, partitionKey: 'k'.repeat(256), data: Buffer.from('x') });
    expect(ok.sequenceNumber).toMatch(/^\d{56}$/);
  });

  it('Data: binary (a Uint8Array), nothing else', async () => {
    const { log } = await setup();
    const put = (data: unknown) => () => log.putRecord({ streamName: S, partitionKey: 'k', data: data as Uint8Array });
    for (const bad of ['abc', [1, 2, 3], new ArrayBuffer(3), new Uint16Array(2), new DataView(new ArrayBuffer(2)), null, undefined, {}, 5]) {
      await rejects(log, put(bad), 'ValidationException', 'Data', 'Uint8Array');
    }
    await log.putRecord({ streamName: S, partitionKey: 'k', data: new Uint8Array([1, 2]) });
    await log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.alloc(0) });
  });

  it('a record is at most 1 MiB of data plus partition key (UTF-8 bytes); exactly 1 MiB is accepted', async () => {
    const { log } = await setup();
    const put = (partitionKey: string, size: number) => () => log.putRecord({ streamName: S, partitionKey, data: Buffer.alloc(size, 1) });
    await rejects(log, put('k', MiB), 'InvalidArgumentException', 'Data', '1024 KiB');
    await rejects(log, put('é', MiB - 1), 'InvalidArgumentException', 'Data', '1024 KiB'); // 'é' is two bytes
    await rejects(log, put('k', 2 * MiB), 'InvalidArgumentException', 'Data', '1024 KiB');
    await rejects(log, () => log.putRecords({ streamName: S, records: [rec('k', Buffer.alloc(MiB))] }), 'InvalidArgumentException', 'Records.1.Data', '1024 KiB');
    await put('k', MiB - 1)();
    await put('é', MiB - 2)();
    const r = await log.putRecords({ streamName: S, records: [rec('kk', Buffer.alloc(MiB - 2))] });
    expect(r.failedRecordCount).toBe(0);
  });

  it('UpdateMaxRecordSize raises the limit up to 10240 KiB', async () => {
    const { log } = await setup();
    const update = (n: unknown) => () => log.updateMaxRecordSize({ streamName: S, maxRecordSizeInKiB: n as number });
    await rejects(log, update(10241), 'ValidationException', 'MaxRecordSizeInKiB', '10240');
    await rejects(log, update(1023), 'ValidationException', 'MaxRecordSizeInKiB', '1024');
    await rejects(log, update(2048.5), 'ValidationException', 'MaxRecordSizeInKiB', 'integer');
    await log.updateMaxRecordSize({ streamName: S, maxRecordSizeInKiB: 10240 });
    expect((await log.describeStream(S)).maxRecordSizeInKiB).toBe(10240);
    await log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.alloc(2 * MiB, 2) });
    await log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.alloc(10 * MiB - 1, 3) });
    await rejects(log, () => log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.alloc(10 * MiB, 3) }), 'InvalidArgumentException', 'Data', '10240 KiB');
    const it = await log.getShardIterator({ streamName: S, shardId: (await log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('m') })).shardId, shardIteratorType: 'TRIM_HORIZON' });
    const sizes: number[] = [];
    for (let next: string | null = it; next; ) {
      const r = await log.getRecords({ shardIterator: next });
      sizes.push(...r.records.filter((x) => x.partitionKey === 'k').map((x) => x.data.length));
      if (r.records.length === 0) break;
      next = r.nextShardIterator;
    }
    expect(sizes).toContain(10 * MiB - 1);
  });

  it('PutRecords takes 1 to 500 records and at most 5 MiB in all', async () => {
    const { log } = await setup();
    const put = (records: unknown) => () => log.putRecords({ streamName: S, records: records as never });
    await rejects(log, put([]), 'ValidationException', 'Records', '500');
    await rejects(log, put(Array.from({ length: 501 }, () => rec('k', Buffer.from('x')))), 'ValidationException', 'Records', '500');
    await rejects(log, put('not a list'), 'ValidationException', 'Records', 'list');
    await rejects(log, put(undefined), 'ValidationException', 'Records');
    // Six records of 1 MiB: each is fine, the call is not.
    await rejects(log, put(Array.from({ length: 6 }, () => rec('k', Buffer.alloc(MiB - 1)))), 'InvalidArgumentException', 'Records', '5 MiB');
    await rejects(log, put([...Array.from({ length: 5 }, () => rec('k', Buffer.alloc(MiB - 1))), rec('k', Buffer.alloc(0))]), 'InvalidArgumentException', 'Records', '5 MiB');
    const five = await log.putRecords({ streamName: S, records: Array.from({ length: 5 }, () => rec('k', Buffer.alloc(MiB - 1))) });
    expect(five.failedRecordCount).toBe(0);
    const most = await log.putRecords({ streamName: S, records: Array.from({ length: 500 }, (_, i) => rec(`k${i}`, Buffer.from('x'))) });
    expect(most.records).toHaveLength(500);
  });

  it('one bad entry rejects the whole batch, naming the entry', async () => {
    const { log } = await setup();
    const good = Array.from({ length: 10 }, (_, i) => rec(`k${i}`, Buffer.from(`v${i}`)));
    const bads: [Record<string, unknown> | null, string, string][] = [
      [rec('', Buffer.from('x')), 'PartitionKey', 'ValidationException'],
      [rec('k'.repeat(257), Buffer.from('x')), 'PartitionKey', 'ValidationException'],
      [{ partitionKey: 'k', data: 'text' }, 'Data', 'ValidationException'],
      [rec('k', Buffer.alloc(MiB)), 'Data', 'InvalidArgumentException'],
      [rec('k', Buffer.from('x'), { explicitHashKey: '-1' }), 'ExplicitHashKey', 'InvalidArgumentException'],
    ];
    for (const [bad, name, code] of bads) {
      for (const at of [0, 4, 10]) {
        const records = [...good.slice(0, at), bad, ...good.slice(at)];
        await rejects(log, () => log.putRecords({ streamName: S, records: records as never }), code, `Records.${at + 1}.${name}`);
      }
    }
    await rejects(log, () => log.putRecords({ streamName: S, records: [...good, null] as never }), 'ValidationException', 'Records.11');
  });

  it('ExplicitHashKey: a decimal 0..2^128-1 without leading zeros', async () => {
    const { log } = await setup();
    const put = (explicitHashKey: unknown) => () => log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('x'), explicitHashKey: explicitHashKey as string });
    for (const bad of ['-1', '01', '00', (2n ** 128n).toString(), '9'.repeat(40), 'abc', '', '1.5', ' 1', '1e3', '0x10', 5, null]) {
      await rejects(log, put(bad), 'InvalidArgumentException', 'ExplicitHashKey', 'ExplicitHashKey');
    }
    await rejects(log, () => log.putRecords({ streamName: S, records: [rec('k', Buffer.from('x'), { explicitHashKey: 'abc' })] }), 'InvalidArgumentException', 'Records.1.ExplicitHashKey');
    expect((await put('0')()) as { shardId: string }).toMatchObject({ shardId: SHARD0 });
    expect((await put(MAX_HASH_KEY.toString())()) as { shardId: string }).toMatchObject({ shardId: SHARD1 });
  });

  it('SequenceNumberForOrdering: malformed ones are refused, and a refused put never moves the counter', async () => {
    const { log, seqs } = await setup();
    const put = (sequenceNumberForOrdering: unknown, partitionKey = 'k') => () =>
      log.putRecord({ streamName: S, partitionKey, data: Buffer.from('x'), sequenceNumberForOrdering: sequenceNumberForOrdering as string });
    const next = log.stream(S).nextCounter;
    for (const bad of ['abc', '', '-5', '1.5', '4'.repeat(130), '1'.repeat(57), '12', '5'.repeat(56), '49' + '9'.repeat(54), 7, null]) {
      await rejects(log, put(bad), 'InvalidArgumentException', 'SequenceNumberForOrdering', 'SequenceNumberForOrdering');
    }
    // At the edge of exact counters: no sequence number can follow these, so they cannot be honoured.
    await rejects(log, put(formatSequenceNumber(2 ** 53 - 1)), 'InvalidArgumentException', 'SequenceNumberForOrdering');
    await rejects(log, put(formatSequenceNumber(2 ** 53 - 2)), 'InvalidArgumentException', 'SequenceNumberForOrdering');
    // A good number ahead of the stream with a bad record: the record is refused and the counter stays where it was.
    const ahead = formatSequenceNumber(next + 1000);
    await rejects(log, put(ahead, ''), 'ValidationException', 'PartitionKey');
    await rejects(log, () => log.putRecord({ streamName: S, partitionKey: 'k', data: 'x' as never, sequenceNumberForOrdering: ahead }), 'ValidationException', 'Data');
    await rejects(log, () => log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('x'), explicitHashKey: '-1', sequenceNumberForOrdering: ahead }), 'InvalidArgumentException', 'ExplicitHashKey');
    const r = await log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('y'), sequenceNumberForOrdering: seqs.at(-1)! });
    expect(r.sequenceNumber).toBe(formatSequenceNumber(next));
    // Honoured when the record is accepted.
    const later = await log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('z'), sequenceNumberForOrdering: ahead });
    expect(later.sequenceNumber > ahead).toBe(true);
  });

  it('sequence numbers stay exact: the last is 2^53 - 2, so a reader can still move past it', async () => {
    const { log } = await setup();
    const edge = formatSequenceNumber(2 ** 53 - 3);
    const last = await log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('x'), sequenceNumberForOrdering: edge });
    expect(last.sequenceNumber).toBe(formatSequenceNumber(2 ** 53 - 2));
    const it = await log.getShardIterator({ streamName: S, shardId: last.shardId, shardIteratorType: 'AT_SEQUENCE_NUMBER', startingSequenceNumber: last.sequenceNumber });
    const read = await log.getRecords({ shardIterator: it });
    expect(read.records.map((r) => r.sequenceNumber)).toEqual([last.sequenceNumber]);
    expect((await log.getRecords({ shardIterator: read.nextShardIterator! })).records).toEqual([]);
    await rejects(log, () => log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('x') }), 'LimitExceededException', undefined, 'last sequence number');
    await rejects(log, () => log.putRecords({ streamName: S, records: [rec('k', Buffer.from('x'))] }), 'LimitExceededException', undefined, 'last sequence number');
  });
});

describe('validation: reading', () => {
  async function shardSeqs(log: Log, shardId: string): Promise<string[]> {
    const it = await log.getShardIterator({ streamName: S, shardId, shardIteratorType: 'TRIM_HORIZON' });
    return (await log.getRecords({ shardIterator: it })).records.map((r) => r.sequenceNumber);
  }

  it('ShardIteratorType must be one of the five', async () => {
    const { log } = await setup();
    for (const bad of ['FOO', 'latest', '', undefined, 3]) {
      await rejects(log, () => log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: bad as never }), 'ValidationException', 'ShardIteratorType', 'TRIM_HORIZON', 'AT_TIMESTAMP');
    }
  });

  it('AT/AFTER_SEQUENCE_NUMBER need a sequence number of this shard of this stream', async () => {
    const { log } = await setup();
    const get = (type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER', shardId: string, startingSequenceNumber?: string) => () =>
      log.getShardIterator(startingSequenceNumber === undefined ? { streamName: S, shardId, shardIteratorType: type } : { streamName: S, shardId, shardIteratorType: type, startingSequenceNumber });
    for (const explicitHashKey of ['0', MAX_HASH_KEY.toString(), '1', '0']) {
      await log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('x'), explicitHashKey });
    }
    // Both shards' ranges start at counter 0, which names the range's start on either shard: leave it out.
    const start = formatSequenceNumber(0);
    const on0 = (await shardSeqs(log, SHARD0)).filter((q) => q !== start);
    const on1 = (await shardSeqs(log, SHARD1)).filter((q) => q !== start);
    expect(on0.length).toBeGreaterThan(0);
    expect(on1.length).toBeGreaterThan(0);
    for (const type of ['AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'] as const) {
      await rejects(log, get(type, SHARD0), 'InvalidArgumentException', 'StartingSequenceNumber', 'StartingSequenceNumber');
      await rejects(log, get(type, SHARD0, 'xyz'), 'InvalidArgumentException', 'StartingSequenceNumber');
      await rejects(log, get(type, SHARD0, '123'), 'InvalidArgumentException', 'StartingSequenceNumber');
      // Another shard's record.
      await rejects(log, get(type, SHARD0, on1[0]!), 'InvalidArgumentException', 'StartingSequenceNumber', SHARD0);
      await rejects(log, get(type, SHARD1, on0[0]!), 'InvalidArgumentException', 'StartingSequenceNumber', SHARD1);
    }
    // Another stream's record (this stream never issued that many).
    await log.createStream({ streamName: 'other', shardCount: 1 });
    let foreign = '';
    for (let i = 0; i < 20; i++) foreign = (await log.putRecord({ streamName: 'other', partitionKey: `p${i}`, data: Buffer.from('o') })).sequenceNumber;
    await rejects(log, get('AT_SEQUENCE_NUMBER', SHARD0, foreign), 'InvalidArgumentException', 'StartingSequenceNumber', 'did not come from');
    // The shard's own records work, and lead to themselves.
    const it = await get('AT_SEQUENCE_NUMBER', SHARD1, on1[0]!)();
    expect((await log.getRecords({ shardIterator: it as string, limit: 1 })).records[0]!.sequenceNumber).toBe(on1[0]);
  });

  it('AT_TIMESTAMP needs a timestamp', async () => {
    const { log } = await setup();
    for (const bad of [undefined, Number.NaN, 'yesterday', new Date(Number.NaN), Number.POSITIVE_INFINITY]) {
      await rejects(log, () => log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: 'AT_TIMESTAMP', timestamp: bad as never }), 'InvalidArgumentException', 'Timestamp');
    }
  });

  it('ShardId: the shard must exist and be well formed', async () => {
    const { log } = await setup();
    await rejects(log, () => log.getShardIterator({ streamName: S, shardId: 'shardId-000000000009', shardIteratorType: 'LATEST' }), 'ResourceNotFoundException', 'ShardId', 'shardId-000000000009');
    await rejects(log, () => log.getShardIterator({ streamName: S, shardId: 'shard/0', shardIteratorType: 'LATEST' }), 'ValidationException', 'ShardId');
    await rejects(log, () => log.getShardIterator({ streamName: S, shardId: '', shardIteratorType: 'LATEST' }), 'ValidationException', 'ShardId');
  });

  it('GetRecords Limit: 1 to 10000', async () => {
    const { log } = await setup();
    const it = await log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: 'TRIM_HORIZON' });
    await rejects(log, () => log.getRecords({ shardIterator: it, limit: 0 }), 'ValidationException', 'Limit', '1');
    await rejects(log, () => log.getRecords({ shardIterator: it, limit: 10001 }), 'ValidationException', 'Limit', '10000');
    await rejects(log, () => log.getRecords({ shardIterator: it, limit: -1 }), 'ValidationException', 'Limit');
    await rejects(log, () => log.getRecords({ shardIterator: it, limit: 2.5 }), 'ValidationException', 'Limit', 'integer');
    expect((await log.getRecords({ shardIterator: it, limit: 1 })).records).toHaveLength(1);
    expect((await log.getRecords({ shardIterator: it, limit: 10000 })).records.length).toBeGreaterThan(1);
  });

  it('bad, expired and orphaned iterators', async () => {
    const { clock, log } = await setup();
    for (const bad of ['', 'abc', 'djF8c3xub3BlfDE=', 'x'.repeat(600)]) {
      await rejects(log, () => log.getRecords({ shardIterator: bad }), 'InvalidArgumentException', 'ShardIterator');
    }
    const it = await log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: 'TRIM_HORIZON' });
    clock.advance(5 * 60 * 1000 + 1);
    await rejects(log, () => log.getRecords({ shardIterator: it }), 'ExpiredIteratorException', 'ShardIterator');

    await log.createStream({ streamName: 'doomed', shardCount: 1 });
    const doomed = await log.getShardIterator({ streamName: 'doomed', shardId: SHARD0, shardIteratorType: 'LATEST' });
    await log.deleteStream({ streamName: 'doomed' });
    await rejects(log, () => log.getRecords({ shardIterator: doomed }), 'ResourceNotFoundException', 'ShardIterator', 'doomed');
  });

  it('a shard deleted by retention: no iterator for it, and an old iterator finds it gone', async () => {
    const clock = new VirtualClock();
    const log = await openLog({ clock });
    await log.createStream({ streamName: S, shardCount: 1, retentionPeriodHours: 48 });
    await log.putRecord({ streamName: S, partitionKey: 'k', data: Buffer.from('old') });
    await log.splitShard({ streamName: S, shardToSplit: SHARD0, newStartingHashKey: (2n ** 127n).toString() });
    clock.advance(30 * 3_600_000);
    const stale = await log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: 'TRIM_HORIZON' });
    await log.decreaseStreamRetentionPeriod({ streamName: S, retentionPeriodHours: 24 });
    expect((await log.listShards(S)).map((s) => s.shardId)).not.toContain(SHARD0);
    await rejects(log, () => log.getShardIterator({ streamName: S, shardId: SHARD0, shardIteratorType: 'TRIM_HORIZON' }), 'ResourceNotFoundException', 'ShardId', SHARD0);
    const err = await rejects(log, () => log.getRecords({ shardIterator: stale }), 'ResourceNotFoundException', 'ShardId');
    expect(err.message).toContain(SHARD0);
  });
});

describe('validation: junk input never escapes as anything but a SluiceError', () => {
  const junk = fc.anything({
    maxDepth: 2,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withSparseArray: true,
    withTypedArray: true,
  });
  const or = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 2, arbitrary: good }, { weight: 1, arbitrary: junk });
  const extras = fc.dictionary(fc.string({ maxLength: 6 }), junk, { maxKeys: 2 });
  const withExtras = <T extends object>(a: fc.Arbitrary<T>) => fc.tuple(a, extras).map(([x, e]) => ({ ...e, ...x }));

  const hashKey = fc.bigInt({ min: 0n, max: MAX_HASH_KEY }).map(String);
  // Mostly good fields (a batch only succeeds if every entry does), sometimes missing, sometimes junk.
  const mostly = <T>(good: fc.Arbitrary<T>) => fc.oneof({ weight: 8, arbitrary: good }, { weight: 1, arbitrary: junk });
  const entry = withExtras(
    fc.record(
      { partitionKey: mostly(fc.string({ minLength: 1, maxLength: 6 })), data: mostly(fc.uint8Array({ maxLength: 8 })), explicitHashKey: or(hashKey) },
      { requiredKeys: ['partitionKey', 'data'] },
    ),
  );

  /** Runs `call` on junk built by `arb`: success is fine; a failure must be a SluiceError that changed nothing. */
  async function property<T>(log: Log, arb: fc.Arbitrary<T>, call: (input: T) => Promise<unknown>, numRuns: number) {
    let failures = 0;
    let successes = 0;
    await fc.assert(
      fc.asyncProperty(arb, async (input) => {
        const before = await snapshot(log);
        let err: unknown = null;
        try {
          await call(input);
          successes++;
        } catch (e) {
          err = e;
        }
        if (err !== null) {
          failures++;
          if (!(err instanceof SluiceError)) throw err;
          expect(typeof err.code).toBe('string');
          expect(await snapshot(log)).toEqual(before);
        }
      }),
      { numRuns },
    );
    // The generators are only useful if they reach both outcomes.
    expect(successes).toBeGreaterThan(0);
    expect(failures).toBeGreaterThan(0);
  }

  async function logs() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-'));
    dirs.push(dir);
    const memory = await setup();
    const disk = await setup({ dir, fsync: 'never' });
    return [
      { name: 'memory', ...memory },
      { name: 'disk', ...disk },
    ];
  }

  it('putRecord', async () => {
    for (const { log, seqs } of await logs()) {
      const arb = withExtras(
        fc.record(
          {
            streamName: or(fc.constant(S)),
            partitionKey: or(fc.string({ minLength: 1, maxLength: 6 })),
            data: or(fc.uint8Array({ maxLength: 8 })),
            explicitHashKey: or(hashKey),
            sequenceNumberForOrdering: or(fc.constantFrom(...seqs)),
          },
          { requiredKeys: ['streamName'] },
        ),
      );
      await property(log, arb, (input) => log.putRecord(input as never), 150);
    }
  });

  it('putRecords', async () => {
    for (const { log } of await logs()) {
      const arb = withExtras(
        fc.record({ streamName: or(fc.constant(S)), records: or(fc.array(mostly(entry), { minLength: 1, maxLength: 4 })) }, { requiredKeys: ['streamName'] }),
      );
      await property(log, arb, (input) => log.putRecords(input as never), 150);
    }
  });

  it('getShardIterator', async () => {
    for (const { log, seqs } of await logs()) {
      const arb = withExtras(
        fc.record(
          {
            streamName: or(fc.constant(S)),
            shardId: or(fc.constantFrom(SHARD0, SHARD1, 'shardId-000000000007')),
            shardIteratorType: or(fc.constantFrom('TRIM_HORIZON', 'LATEST', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'AT_TIMESTAMP')),
            startingSequenceNumber: or(fc.constantFrom(...seqs)),
            timestamp: or(fc.oneof(fc.integer({ min: 0, max: 2 ** 42 }), fc.date())),
          },
          { requiredKeys: ['streamName'] },
        ),
      );
      await property(log, arb, (input) => log.getShardIterator(input as never), 150);
    }
  });

  it('createStream', async () => {
    for (const { log } of await logs()) {
      const arb = withExtras(
        fc.record(
          {
            streamName: or(fc.stringMatching(/^[a-z]{1,6}$/)),
            shardCount: or(fc.integer({ min: 1, max: 3 })),
            streamMode: or(fc.constantFrom('PROVISIONED', 'ON_DEMAND')),
            retentionPeriodHours: or(fc.integer({ min: 24, max: 8760 })),
            tags: or(fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 })),
          },
          { requiredKeys: ['streamName'] },
        ),
      );
      await property(log, arb, (input) => log.createStream(input as never), 120);
    }
  });
});
