/** Where inputs start (TRIM_HORIZON, NOW), shard lineage across a split, and a preprocessing function reached over HTTP. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Application } from '../../src/analytics/application.js';
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
