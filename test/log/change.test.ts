import { describe, expect, it } from 'vitest';
import { openLog } from '../../src/index.js';

/** Log.onChange: push readers are told when a stream's records or shards change, and only then. */
describe('change notification', () => {
  it('names the stream after acknowledged appends, resharding and deletion; not after a refused call', async () => {
    const log = await openLog();
    const seen: string[] = [];
    const off = log.onChange((name) => seen.push(name));
    await log.createStream({ streamName: 'a', shardCount: 2 });
    await log.createStream({ streamName: 'b', shardCount: 1 });
    expect(seen).toEqual([]);
    await log.putRecord({ streamName: 'a', partitionKey: 'k', data: Buffer.from('x') });
    await log.putRecords({ streamName: 'b', records: [{ partitionKey: 'k', data: Buffer.from('y') }] });
    await expect(log.putRecord({ streamName: 'a', partitionKey: '', data: Buffer.from('x') })).rejects.toThrow();
    expect(seen).toEqual(['a', 'b']);
    await log.mergeShards({ streamName: 'a', shardToMerge: 'shardId-000000000000', adjacentShardToMerge: 'shardId-000000000001' });
    await log.splitShard({ streamName: 'a', shardToSplit: 'shardId-000000000002', newStartingHashKey: '1000' });
    await log.updateShardCount({ streamName: 'b', targetShardCount: 2 });
    await log.deleteStream({ streamName: 'b' });
    expect(seen).toEqual(['a', 'b', 'a', 'a', 'b', 'b']);
    off();
    await log.putRecord({ streamName: 'a', partitionKey: 'k', data: Buffer.from('x') });
    expect(seen).toHaveLength(6);
    await log.close();
  });
});
