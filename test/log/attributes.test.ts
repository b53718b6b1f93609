import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLog, SluiceError, VirtualClock } from '../../src/index.js';

/** Tags, resource policies and recorded settings of streams and consumers: validated first, persisted, reopened. */
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-attr-'));
  dirs.push(dir);
  return dir;
}

const code = (c: string, field?: string) => (e: unknown) => e instanceof SluiceError && e.code === c && (field === undefined || e.field === field);

describe('stream and consumer attributes', () => {
  it('adds, overwrites, removes and lists tags of streams and consumers', async () => {
    const log = await openLog();
    await log.createStream({ streamName: 's', shardCount: 1, tags: { a: '1' } });
    await log.addTags({ streamName: 's', tags: { b: '2', a: 'one' } });
    expect(await log.listTags({ streamName: 's' })).toEqual({ a: 'one', b: '2' });
    await log.removeTags({ streamName: 's', tagKeys: ['a', 'missing'] });
    expect(await log.listTags({ streamName: 's' })).toEqual({ b: '2' });

    await log.registerStreamConsumer({ streamName: 's', consumerName: 'c' });
    await log.addTags({ streamName: 's', consumerName: 'c', tags: { team: 'x' } });
    expect(await log.listTags({ streamName: 's', consumerName: 'c' })).toEqual({ team: 'x' });
    expect(await log.listTags({ streamName: 's' })).toEqual({ b: '2' });
    await expect(log.listTags({ streamName: 's', consumerName: 'nobody' })).rejects.toSatisfy(code('ResourceNotFoundException', 'ConsumerName'));
    await log.close();
  });

  it('refuses bad tags and more than 50 tags without changing anything', async () => {
    const log = await openLog();
    await log.createStream({ streamName: 's', shardCount: 1, tags: { keep: 'me' } });
    const many = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v']));
    await expect(log.addTags({ streamName: 's', tags: many })).rejects.toSatisfy(code('LimitExceededException', 'Tags'));
    await expect(log.addTags({ streamName: 's', tags: { ok: 'v', bad: 7 as unknown as string } })).rejects.toSatisfy(code('ValidationException'));
    await expect(log.addTags({ streamName: 's', tags: {} })).rejects.toSatisfy(code('ValidationException', 'Tags'));
    await expect(log.removeTags({ streamName: 's', tagKeys: [] })).rejects.toSatisfy(code('ValidationException', 'TagKeys'));
    await expect(log.removeTags({ streamName: 's', tagKeys: ['keep', ''] })).rejects.toSatisfy(code('ValidationException'));
    expect(await log.listTags({ streamName: 's' })).toEqual({ keep: 'me' });
    await log.close();
  });

  it('stores, replaces and deletes resource policies (JSON documents only)', async () => {
    const log = await openLog();
    await log.createStream({ streamName: 's', shardCount: 1 });
    await log.registerStreamConsumer({ streamName: 's', consumerName: 'c' });
    expect(await log.resourcePolicy({ streamName: 's' })).toBeUndefined();
    await log.setResourcePolicy({ streamName: 's', policy: '{"Version":"2012-10-17"}' });
    await log.setResourcePolicy({ streamName: 's', consumerName: 'c', policy: '{"Statement":[]}' });
    expect(await log.resourcePolicy({ streamName: 's' })).toBe('{"Version":"2012-10-17"}');
    expect(await log.resourcePolicy({ streamName: 's', consumerName: 'c' })).toBe('{"Statement":[]}');
    await expect(log.setResourcePolicy({ streamName: 's', policy: '[1]' })).rejects.toSatisfy(code('InvalidArgumentException', 'Policy'));
    await expect(log.setResourcePolicy({ streamName: 's', policy: '{' })).rejects.toSatisfy(code('InvalidArgumentException', 'Policy'));
    expect(await log.resourcePolicy({ streamName: 's' })).toBe('{"Version":"2012-10-17"}');
    await log.setResourcePolicy({ streamName: 's', policy: null });
    expect(await log.resourcePolicy({ streamName: 's' })).toBeUndefined();
    await expect(log.setResourcePolicy({ streamName: 's', policy: null })).rejects.toSatisfy(code('ResourceNotFoundException'));
    await log.close();
  });

  it('records encryption, shard-level metrics and warm throughput, returning the settings before and after', async () => {
    const log = await openLog();
    await log.createStream({ streamName: 's', shardCount: 1 });
    const enc = await log.updateStreamSettings({ streamName: 's', encryption: { type: 'KMS', keyId: 'alias/k' } });
    expect(enc).toEqual({ before: {}, after: { encryption: { type: 'KMS', keyId: 'alias/k' } } });
    const on = await log.updateStreamSettings({ streamName: 's', shardLevelMetrics: { enable: true, metrics: ['OutgoingBytes', 'IncomingBytes'] } });
    // Kept in the model's order, whatever order they were named in.
    expect(on.after.shardLevelMetrics).toEqual(['IncomingBytes', 'OutgoingBytes']);
    const all = await log.updateStreamSettings({ streamName: 's', shardLevelMetrics: { enable: true, metrics: ['ALL'] } });
    expect(all.after.shardLevelMetrics).toHaveLength(7);
    const off = await log.updateStreamSettings({ streamName: 's', shardLevelMetrics: { enable: false, metrics: ['ALL'] } });
    expect(off.after.shardLevelMetrics).toEqual([]);
    await expect(log.updateStreamSettings({ streamName: 's', shardLevelMetrics: { enable: true, metrics: ['Nope'] } })).rejects.toSatisfy(code('ValidationException'));
    await expect(log.updateStreamSettings({ streamName: 's', warmThroughputMiBps: -1 })).rejects.toSatisfy(code('ValidationException', 'WarmThroughputMiBps'));
    await log.updateStreamSettings({ streamName: 's', warmThroughputMiBps: 5, encryption: null });
    expect(await log.streamSettings('s')).toEqual({ shardLevelMetrics: [], warmThroughputMiBps: 5 });
    await log.close();
  });

  it('keeps tags, policies, settings and the maximum record size across a reopen', async () => {
    const dir = tempDir();
    const first = await openLog({ dir, clock: new VirtualClock() });
    await first.createStream({ streamName: 's', shardCount: 1, maxRecordSizeInKiB: 4096, tags: { a: '1' } });
    await first.registerStreamConsumer({ streamName: 's', consumerName: 'c' });
    await first.addTags({ streamName: 's', consumerName: 'c', tags: { b: '2' } });
    await first.setResourcePolicy({ streamName: 's', policy: '{}' });
    await first.updateStreamSettings({ streamName: 's', encryption: { type: 'KMS', keyId: 'k' } });
    await first.close();
    const again = await openLog({ dir });
    expect((await again.describeStream('s')).maxRecordSizeInKiB).toBe(4096);
    expect(await again.listTags({ streamName: 's' })).toEqual({ a: '1' });
    expect(await again.listTags({ streamName: 's', consumerName: 'c' })).toEqual({ b: '2' });
    expect(await again.resourcePolicy({ streamName: 's' })).toBe('{}');
    expect(await again.streamSettings('s')).toEqual({ encryption: { type: 'KMS', keyId: 'k' } });
    await expect(again.createStream({ streamName: 't', shardCount: 1, maxRecordSizeInKiB: 512 })).rejects.toSatisfy(code('ValidationException', 'MaxRecordSizeInKiB'));
    expect(await again.listStreams()).toEqual(['s']);
    await again.close();
  });
});
