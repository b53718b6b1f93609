/**
 * Where inputs start (TRIM_HORIZON, NOW), shard lineage across a split, released records' bytes (the log's own, not
 * copies), and a preprocessing function reached over HTTP.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Application } from '../../src/analytics/application.js';
import { InputMerger, InputReader, userRecords, type Released } from '../../src/analytics/inputs.js';
import { Log } from '../../src/log/index.js';
import { VirtualClock } from '../../src/util/clock.js';
import { rowsFromBatch, type Row } from '../../src/exec/arrow.js';
import { config, json, memoryLog, PASS, putAt, streamOutput, T0 } from './helpers.js';

function collect(app: Application, stream: string): Row[] {
  const rows: Row[] = [];
  app.listen(stream, (b) => rows.push(...rowsFromBatch(b)));
  return rows;
}

const tick = (i: number) => ({ at: T0 + i * 10, key: `k${i % 5}`, data: json({ TICKER: `T${i % 5}`, PRICE: i }) });

describe('input positions', () => {
  it('NOW skips what the stream held before the start; TRIM_HORIZON reads it', async () => {
    for (const startingPosition of ['NOW', 'TRIM_HORIZON'] as const) {
      const { log, clock } = await memoryLog();
      await log.createStream({ streamName: 'in', shardCount: 2 });
      await log.createStream({ streamName: 'out', shardCount: 1 });
      await putAt(log, clock, 'in', [0, 1, 2].map(tick));
      const app = new Application({ code: PASS, config: config('in', [streamOutput('DEST', 'out')]), log, clock, startingPosition });
      await app.open();
      const rows = collect(app, 'DEST');
      await putAt(log, clock, 'in', [3, 4].map(tick));
      await app.runToEnd();
      expect(rows.map((r) => r.PRICE)).toEqual(startingPosition === 'NOW' ? [3, 4] : [0, 1, 2, 3, 4]);
    }
  });

  it('follows a split: parent first, then the children, merged in arrival order', async () => {
    const { log, clock } = await memoryLog();
    await log.createStream({ streamName: 'in', shardCount: 1 });
    await log.createStream({ streamName: 'out', shardCount: 1 });
    await putAt(log, clock, 'in', Array.from({ length: 20 }, (_, i) => tick(i)));
    const app = new Application({ code: PASS, config: config('in', [streamOutput('DEST', 'out')]), log, clock });
    await app.open();
    const rows = collect(app, 'DEST');
    await app.poll({ maxRecords: 7 });
    await log.splitShard({ streamName: 'in', shardToSplit: 'shardId-000000000000', newStartingHashKey: (2n ** 127n).toString() });
    await putAt(log, clock, 'in', Array.from({ length: 20 }, (_, i) => tick(20 + i)));
    await app.runToEnd({ maxRecords: 5 });
    expect(rows.map((r) => r.PRICE)).toEqual([...Array(40).keys()]);
  });
});

describe('released records', () => {
  // A chunk holds the bytes the log's read returned, not a copy: they must stay as read while the log keeps appending
  // and the reader reads on (the next read reuses the run's typed arrays, never the bytes it handed out).
  for (const storage of ['memory', 'disk'] as const) {
    it(`keep the bytes read while the log grows and later chunks are read (${storage})`, async () => {
      const dir = storage === 'disk' ? fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-released-')) : undefined;
      const clock = new VirtualClock(T0);
      // small segments: several segments and (in memory) blocks are read through
      const log = await Log.open({ clock, dir, segmentBytes: 64 * 1024, fsync: 'never' });
      try {
        await log.createStream({ streamName: 'in', shardCount: 2 });
        const text = (i: number) => JSON.stringify({ TICKER: `T${i % 7}`, PRICE: i, PAD: 'x'.repeat(i % 50) });
        const put = async (from: number, to: number) => {
          for (let i = from; i < to; i += 100) {
            clock.advance(1);
            const n = Math.min(100, to - i);
            await log.putRecords({ streamName: 'in', records: Array.from({ length: n }, (_, k) => ({ partitionKey: `k${i + k}`, data: Buffer.from(text(i + k)) })) });
          }
        };
        await put(0, 30_000);
        const merger = new InputMerger([new InputReader(log, 'in', 0, 1, 'TRIM_HORIZON')]);
        const held: Released[] = [];
        for (let round = 0; round < 8; round++) {
          held.push(...merger.release(5_000, false));
          await put(30_000 + round * 2_000, 32_000 + round * 2_000);
        }
        for (let r = merger.release(100_000, true); r.length > 0; r = merger.release(100_000, true)) held.push(...r);
        const seen = held.flatMap((r) => Array.from({ length: r.to - r.from }, (_, k) => userRecords(r.chunk, r.from + k)[0]!));
        expect(seen).toHaveLength(46_000);
        const prices = seen.map((u) => (JSON.parse(Buffer.from(u.data).toString()) as { PRICE: number }).PRICE);
        expect(seen.map((u) => Buffer.from(u.data).toString())).toEqual(prices.map(text));
        expect(seen.map((u) => u.partitionKey)).toEqual(prices.map((i) => `k${i}`));
        expect(new Set(prices).size).toBe(46_000);
      } finally {
        await log.close();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

describe('functions over HTTP', () => {
  it('POSTs the preprocessing request to an http:// ARN', async () => {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const { records } = JSON.parse(body) as { records: { recordId: string; data: string }[] };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ records: records.map((r, i) => (i === 0 ? { recordId: r.recordId, result: 'Dropped' } : { recordId: r.recordId, result: 'Ok', data: r.data })) }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pre`;
      const { log, clock } = await memoryLog();
      await log.createStream({ streamName: 'in', shardCount: 1 });
      await log.createStream({ streamName: 'out', shardCount: 1 });
      await putAt(log, clock, 'in', [0, 1, 2].map(tick));
      const cfg = config('in', [streamOutput('DEST', 'out')], { InputProcessingConfiguration: { InputLambdaProcessor: { ResourceARN: url } } });
      const app = new Application({ code: PASS, config: cfg, log, clock });
      await app.open();
      const rows = collect(app, 'DEST');
      await app.runToEnd();
      expect(rows.map((r) => r.PRICE)).toEqual([1, 2]);
    } finally {
      server.close();
    }
  });
});
