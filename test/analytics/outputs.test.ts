import { describe, expect, it } from 'vitest';
import { FunctionSink, LogStreamSink } from '../../src/analytics/outputs.js';
import type { EncodedRecords } from '../../src/analytics/records/index.js';
import { Log } from '../../src/log/index.js';
import { VirtualClock } from '../../src/util/clock.js';

/**
 * Output sinks on their own: records go in as encoded batches (one buffer each) and come out at the destination in
 * row-index order, each once, whatever the destination refuses on the way.
 */

function encoded(texts: readonly string[]): EncodedRecords {
  const parts = texts.map((t) => Buffer.from(t));
  const ends = new Uint32Array(parts.length);
  let at = 0;
  parts.forEach((p, i) => (ends[i] = at += p.length));
  return { bytes: Buffer.concat(parts), ends, count: parts.length };
}

async function logWith(streamName: string, limits = false): Promise<{ log: Log; clock: VirtualClock }> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const log = await Log.open({ clock, limits });
  await log.createStream({ streamName, shardCount: 1 });
  return { log, clock };
}

describe('LogStreamSink', () => {
  it('keys each record APP:OUTPUT:INDEX, for indices of any size', async () => {
    const { log } = await logWith('out');
    const sink = new LogStreamSink('OUT', log, 'out', 'app:OUT:');
    const firsts = [0, 8, 98, 1_098, 999_998, 2 ** 31 - 2, 2 ** 33 + 999_999_998, 2 ** 53 - 3];
    for (const first of firsts) {
      await sink.restore({ produced: first, pending: [] });
      sink.accept(encoded(['a', 'b', 'c']));
      await sink.deliver();
    }
    const keys = log.reader('out').readAll().map((r) => r.partitionKey);
    expect(keys).toEqual(firsts.flatMap((f) => [f, f + 1, f + 2].map((i) => `app:OUT:${i}`)));
    await log.close();
  });

  it('keeps what the shard refuses and delivers it later, in order, each record once', async () => {
    const { log, clock } = await logWith('out', true);
    const sink = new LogStreamSink('OUT', log, 'out', 'a:O:');
    const texts = Array.from({ length: 2_500 }, (_, i) => `r${i}`);
    sink.accept(encoded(texts.slice(0, 1_200)));
    sink.accept(encoded(texts.slice(1_200)));
    expect(await sink.deliver()).toBe(true);
    expect(sink.pendingCount).toBe(1_500);
    expect(sink.failures).toBe(1);
    // A second call in the same second is refused whole: no progress, one more failure.
    expect(await sink.deliver()).toBe(false);
    expect(sink.failures).toBe(2);
    for (let s = 1; sink.pendingCount > 0; s++) {
      clock.set(Date.UTC(2026, 0, 1) + s * 1_000);
      await sink.deliver();
    }
    const got = log.reader('out').readAll();
    expect(got.map((r) => r.data.toString())).toEqual(texts);
    expect(got.map((r) => r.partitionKey)).toEqual(texts.map((_, i) => `a:O:${i}`));
    await log.close();
  });

  it('checkpoints what is pending and takes it back on restore', async () => {
    const { log } = await logWith('out');
    const sink = new LogStreamSink('OUT', log, 'out', 'a:O:');
    sink.accept(encoded(['x', 'y']));
    const progress = sink.progress();
    expect(progress.produced).toBe(2);
    expect(progress.pending.map((p) => [p.index, Buffer.from(p.data).toString()])).toEqual([
      [0, 'x'],
      [1, 'y'],
    ]);
    const again = new LogStreamSink('OUT', log, 'out', 'a:O:');
    await again.restore(progress);
    expect(again.pendingCount).toBe(2);
    await again.deliver();
    expect(log.reader('out').readAll().map((r) => r.data.toString())).toEqual(['x', 'y']);
    await log.close();
  });
});

describe('FunctionSink', () => {
  it('sends again only the records answered DeliveryFailed, with a higher retryHint', async () => {
    const calls: { id: string; hint: number }[][] = [];
    const fn = async (request: unknown) => {
      const records = (request as { records: { recordId: string; lambdaDeliveryRecordMetadata: { retryHint: number } }[] }).records;
      calls.push(records.map((r) => ({ id: r.recordId, hint: r.lambdaDeliveryRecordMetadata.retryHint })));
      // Odd ids fail on their first attempt.
      return { records: records.map((r) => ({ recordId: r.recordId, result: Number(r.recordId) % 2 === 1 && r.lambdaDeliveryRecordMetadata.retryHint === 0 ? 'DeliveryFailed' : 'Ok' })) };
    };
    const sink = new FunctionSink('OUT', fn, 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/a');
    sink.accept(encoded(['0', '1', '2', '3', '4']));
    await sink.deliver();
    expect(sink.pendingCount).toBe(2);
    await sink.deliver();
    expect(sink.pendingCount).toBe(0);
    expect(calls).toEqual([
      [0, 1, 2, 3, 4].map((i) => ({ id: String(i), hint: 0 })),
      [1, 3].map((i) => ({ id: String(i), hint: 1 })),
    ]);
  });
});
