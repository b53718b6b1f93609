/**
 * When appends reach the file and when they are acknowledged. File storage holds appends in memory until a round
 * writes them out, one write per file: these tests pin down that this never acknowledges too early (`never`: only
 * once written; `batch`: only once fsynced), that a reader never sees bytes that are not yet with the operating
 * system, and that appends arriving while an fdatasync runs wait in memory instead of writing to the file under it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openLog, VirtualClock, type Log, type LogOptions } from '../../src/index.js';

const STREAM = 's';
const dirs: string[] = [];

afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function openOneShard(options: Partial<LogOptions>): Promise<{ log: Log; dir: string; segmentBytesOnDisk: () => number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-durability-'));
  dirs.push(dir);
  const log = await openLog({ dir, clock: new VirtualClock(), ...options });
  await log.createStream({ streamName: STREAM, shardCount: 1 });
  const segmentBytesOnDisk = () => {
    const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.seg'));
    return files.reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
  };
  return { log, dir, segmentBytesOnDisk };
}

/** The data of every record of the stream's one shard, as hex, in order. */
async function readAll(log: Log): Promise<string[]> {
  const out: string[] = [];
  let iterator: string | null = await log.getShardIterator({ streamName: STREAM, shardId: 'shardId-000000000000', shardIteratorType: 'TRIM_HORIZON' });
  while (iterator) {
    const read = await log.getRecords({ shardIterator: iterator });
    if (read.records.length === 0) break;
    out.push(...read.records.map((r) => r.data.toString('hex')));
    iterator = read.nextShardIterator;
  }
  return out;
}

const put = (log: Log, data: string) => log.putRecord({ streamName: STREAM, partitionKey: 'k', data: Buffer.from(data) });

/** Tracks whether a promise has settled, without awaiting it. */
function settled(p: Promise<unknown>): () => boolean {
  let done = false;
  p.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
}

describe('durability of appends', () => {
  it("'never': an acknowledged append is in the file, and so is an unacknowledged one a reader has seen", async () => {
    const { log, segmentBytesOnDisk } = await openOneShard({ fsync: 'never' });
    await put(log, 'first');
    const acknowledged = segmentBytesOnDisk();
    expect(acknowledged).toBeGreaterThan(0);

    const second = put(log, 'second');
    // The read runs before the event loop turns (so before the round that would write `second` out).
    const iterator = await log.getShardIterator({ streamName: STREAM, shardId: 'shardId-000000000000', shardIteratorType: 'TRIM_HORIZON' });
    const read = await log.getRecords({ shardIterator: iterator });
    expect(read.records.map((r) => r.data.toString())).toEqual(['first', 'second']);
    expect(segmentBytesOnDisk()).toBeGreaterThan(acknowledged);
    await second;
    await log.close();
  });

  it("'batch': acknowledges only after fdatasync; appends during an fdatasync wait in memory for the next round", async () => {
    const held: (() => void)[] = [];
    const fdatasync = fs.fdatasync;
    vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, callback: (err: NodeJS.ErrnoException | null) => void) => {
      held.push(() => fdatasync(fd, callback));
    }) as typeof fs.fdatasync);
    const { log, segmentBytesOnDisk } = await openOneShard({ fsync: 'batch', fsyncBatchMs: 1 });

    const first = put(log, 'first');
    const firstDone = settled(first);
    await vi.waitFor(() => expect(held).toHaveLength(1));
    const synced = segmentBytesOnDisk();
    expect(synced).toBeGreaterThan(0);

    const second = put(log, 'second');
    const secondDone = settled(second);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(firstDone()).toBe(false); // its fdatasync has not returned
    expect(held).toHaveLength(1); // one fdatasync at a time
    expect(segmentBytesOnDisk()).toBe(synced); // `second` did not write under the running fdatasync

    held[0]!();
    await first;
    await vi.waitFor(() => expect(held).toHaveLength(2)); // `second`'s round: written out, then synced
    expect(segmentBytesOnDisk()).toBeGreaterThan(synced);
    expect(secondDone()).toBe(false);
    held[1]!();
    await second;
    await log.close();
  });

  it('a round of appends larger than a write chunk reads back intact, before and after reopening', async () => {
    const { log, dir } = await openOneShard({ fsync: 'never' });
    // Four calls of 200 records of 1 KiB in one round: frames of ~210 KB, so pending chunks fill up part way.
    const calls = Array.from({ length: 4 }, (_, c) =>
      Array.from({ length: 200 }, (_, i) => ({ partitionKey: `k${i}`, data: Buffer.alloc(1024, (c * 200 + i) % 251) })),
    );
    await Promise.all(calls.map((records) => log.putRecords({ streamName: STREAM, records })));
    const expected = calls.flat().map((r) => r.data.toString('hex'));
    expect(await readAll(log)).toEqual(expected);
    await log.close();
    const reopened = await openLog({ dir, clock: new VirtualClock(), fsync: 'never' });
    expect(reopened.recoveredTornBytes).toBe(0);
    expect(await readAll(reopened)).toEqual(expected);
    await reopened.close();
  });

  it('PutRecords results, made on first read, behave as a plain property', async () => {
    const { log } = await openOneShard({ fsync: 'never' });
    const out = await log.putRecords({ streamName: STREAM, records: [{ partitionKey: 'a', data: Buffer.from('x') }] });
    const expected = { failedRecordCount: 0, records: [{ shardId: 'shardId-000000000000', sequenceNumber: expect.any(String) }] };
    expect(out).toEqual(expected);
    expect({ ...out }).toEqual(expected);
    expect(JSON.parse(JSON.stringify(out))).toEqual(expected);
    expect(out.records).toBe(out.records); // made once
    out.records = [];
    expect(out.records).toEqual([]);
    await log.close();
  });
});
