import { describe, expect, it } from 'vitest';
import { openLog, VirtualClock } from '../../src/index.js';

describe('smoke', () => {
  it('puts and gets', async () => {
    const log = await openLog({ clock: new VirtualClock() });
    await log.createStream({ streamName: 's', shardCount: 2 });
    const r = await log.putRecords({ streamName: 's', records: [{ partitionKey: 'a', data: Buffer.from('x') }, { partitionKey: 'b', data: Buffer.from('y') }] });
    expect(r.failedRecordCount).toBe(0);
    const all = log.reader('s').readAll();
    expect(all.map((x) => x.data.toString()).sort()).toEqual(['x', 'y']);
  });
});
