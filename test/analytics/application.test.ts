/**
 * The Application against a real (in-memory) shard log: shard merging, InputParallelism, KPL records, preprocessing,
 * outputs to log streams and functions (with failures), error_stream, live mode and back-pressure.
 */
import { describe, expect, it } from 'vitest';
import { Application } from '../../src/analytics/application.js';
import { aggregate } from '../../src/log/index.js';
import { rowsFromBatch, type Row } from '../../src/exec/arrow.js';
import { COUNTS, config, json, memoryLog, PASS, putAt, readAllText, streamOutput, T0, text } from './helpers.js';

function collect(app: Application, stream: string): Row[] {
  const rows: Row[] = [];
  app.listen(stream, (b) => rows.push(...rowsFromBatch(b)));
  return rows;
}

/** Output records of a log stream in row-index order (the partition key ends with the index). */
function outputRows(records: { key: string; data: string }[]): unknown[] {
  return records
    .map((r) => ({ i: Number(r.key.slice(r.key.lastIndexOf(':') + 1)), v: JSON.parse(r.data) as unknown }))
    .sort((a, b) => a.i - b.i)
    .map((r) => r.v);
}

describe('Application inputs', () => {
  it('merges the rows of several shards in arrival order', async () => {
    const { log, clock } = await memoryLog();
    await log.createStream({ streamName: 'in', shardCount: 3 });
    await log.createStream({ streamName: 'out', shardCount: 2 });
    const records = Array.from({ length: 60 }, (_, i) => ({ at: T0 + i * 100, key: `k${i}`, data: json({ TICKER: 'T', PRICE: i }) }));
    await putAt(log, clock, 'in', records);
    const app = new Application({ code: PASS, config: config('in', [streamOutput('DEST', 'out')]), log, clock });
    await app.open();
    const rows = collect(app, 'DEST');
    await app.runToEnd({ maxRecords: 7 });
    expect(rows.map((r) => r.PRICE)).toEqual(records.map((_, i) => i));
    expect(rows.map((r) => r.ROWTIME)).toEqual(records.map((r) => r.at));
    expect(outputRows(readAllText(log, 'out'))).toEqual(records.map((_, i) => ({ TICKER: 'T', PRICE: i })));
  });

  it('splits shards over PREFIX_001.._00N with InputParallelism (shard i feeds stream i mod N)', async () => {
    const { log, clock } = await memoryLog();
    await log.createStream({ streamName: 'in', shardCount: 4 });
    await log.createStream({ streamName: 'out', shardCount: 1 });
    const shardOf = new Map<number, string>();
    for (let i = 0; i < 40; i++) {
      clock.advance(10);
      const { shardId } = await log.putRecord({ streamName: 'in', partitionKey: `key-${i}`, data: json({ TICKER: 'T', PRICE: i }) });
      shardOf.set(i, shardId);
    }
    const code = `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), price DOUBLE);
      CREATE OR REPLACE PUMP p1 AS INSERT INTO "DEST" SELECT STREAM "TICKER", "PRICE" FROM SOURCE_SQL_STREAM_001;
      CREATE OR REPLACE PUMP p2 AS INSERT INTO "DEST" SELECT STREAM "TICKER", "PRICE" FROM SOURCE_SQL_STREAM_002;`;
    const app = new Application({ code, config: config('in', [streamOutput('DEST', 'out')], { InputParallelism: { Count: 2 } }), log, clock });
    await app.open();
    const s1 = collect(app, 'SOURCE_SQL_STREAM_001');
    const s2 = collect(app, 'SOURCE_SQL_STREAM_002');
    const dest = collect(app, 'DEST');
    await app.runToEnd();
    const index = (id: string) => Number(/(\d+)$/.exec(id)![1]);
    for (const r of s1) expect(index(shardOf.get(r.PRICE as number)!) % 2).toBe(0);
    for (const r of s2) expect(index(shardOf.get(r.PRICE as number)!) % 2).toBe(1);
    expect(s1.length).toBeGreaterThan(0);
    expect(s2.length).toBeGreaterThan(0);
    expect(dest.map((r) => r.PRICE).sort((a, b) => Number(a) - Number(b))).toEqual([...Array(40).keys()]);
  });

  it('de-aggregates KPL records', async () => {
    const { log, clock } = await memoryLog();
    await log.createStream({ streamName: 'in', shardCount: 1 });
    await log.createStream({ streamName: 'out', shardCount: 1 });
    const agg = aggregate([1, 2, 3].map((p) => ({ partitionKey: `k${p}`, data: json({ TICKER: 'AGG', PRICE: p }) })));
    await log.putRecord({ streamName: 'in', partitionKey: agg.partitionKey, data: agg.data });
    clock.advance(5);
    await log.putRecord({ streamName: 'in', partitionKey: 'plain', data: json({ TICKER: 'ONE', PRICE: 4 }) });
    const app = new Application({ code: PASS, config: config('in', [streamOutput('DEST', 'out')]), log, clock });
    await app.open();
    const rows = collect(app, 'DEST');
    await app.runToEnd();
    expect(rows.map((r) => [r.TICKER, r.PRICE])).toEqual([['AGG', 1], ['AGG', 2], ['AGG', 3], ['ONE', 4]]);
  });

  it('preprocesses with a function: Ok rewrites, Dropped removes, ProcessingFailed goes to error_stream; a failing call is retried', async () => {
    const { log, clock } = await memoryLog();
    await log.createStream({ streamName: 'in', shardCount: 2 });
    await log.createStream({ streamName: 'out', shardCount: 1 });
    await log.createStream({ streamName: 'errs', shardCount: 1 });
    const tickers = ['AAPL', 'DROP', 'FAIL', 'AMZN'];
    await putAt(log, clock, 'in', tickers.map((t, i) => ({ at: T0 + i, key: t, data: json({ TICKER: t, PRICE: i }) })));
    let calls = 0;
    const requests: any[] = [];
    const fn = async (request: unknown) => {
      if (calls++ === 0) throw new Error('cold start');
      requests.push(request);
      const records = (request as { records: { recordId: string; data: string }[] }).records;
      return {
        records: records.map((r) => {
          const v = JSON.parse(Buffer.from(r.data, 'base64').toString()) as { TICKER: string; PRICE: number };
          if (v.TICKER === 'DROP') return { recordId: r.recordId, result: 'Dropped' };
          if (v.TICKER === 'FAIL') return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
          return { recordId: r.recordId, result: 'Ok', data: Buffer.from(JSON.stringify({ ...v, PRICE: v.PRICE * 10 })).toString('base64') };
        }),
      };
    };
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:pre';
    const cfg = config('in', [streamOutput('DEST', 'out'), streamOutput('error_stream', 'errs')], { InputProcessingConfiguration: { InputLambdaProcessor: { ResourceARN: arn } } });
    const app = new Application({ code: PASS, config: cfg, log, clock, functions: { [arn]: fn } });
    await app.open();
    const rows = collect(app, 'DEST');
    await app.runToEnd();
    expect(rows.map((r) => [r.TICKER, r.PRICE])).toEqual([['AAPL', 0], ['AMZN', 30]]);
    const errors = readAllText(log, 'errs').map((r) => JSON.parse(r.data));
    expect(errors).toHaveLength(1);
    expect(errors[0].ERROR_NAME).toBe('PREPROCESSING_FAILED');
    expect(Buffer.from(errors[0].DATA_ROW, 'hex').toString()).toContain('FAIL');
    const first = requests[0].records[0];
    expect(requests[0].applicationArn).toBe(app.applicationArn);
    expect(requests[0].streamArn).toBe(log.streamArn('in'));
    expect(first.kinesisStreamRecordMetadata).toMatchObject({ partitionKey: 'AAPL', approximateArrivalTimestamp: T0 });
    expect(typeof first.kinesisStreamRecordMetadata.sequenceNumber).toBe('string');
    expect(first.kinesisStreamRecordMetadata.shardId).toMatch(/^shardId-/);
  });
});

describe('Application outputs', () => {
  it('writes JSON and CSV records to log streams (ROWTIME only when the code selected it)', async () => {
    const { log, clock } = await memoryLog();
    for (const s of ['in', 'out-json', 'out-csv']) await log.createStream({ streamName: s, shardCount: 2 });
    await putAt(log, clock, 'in', [0, 3000, 12000].map((dt, i) => ({ at: T0 + dt, key: `k${i}`, data: json({ TICKER: 'AMZN', PRICE: i + 0.5 }) })));
    const cfg = config('in', [streamOutput('DEST', 'out-json'), { ...streamOutput('DEST', 'out-csv', 'CSV'), Name: 'DEST' }]);
    const app = new Application({ code: COUNTS, config: cfg, log, clock });
    await app.open();
    await app.runToEnd();
    expect(outputRows(readAllText(log, 'out-json'))).toEqual([
      { TICKER: 'AMZN', WIN: '2026-01-01 11:00:00.000', C: 2, TOTAL: 2.0 },
      { TICKER: 'AMZN', WIN: '2026-01-01 11:00:10.000', C: 1, TOTAL: 2.5 },
    ]);
    const csv = readAllText(log, 'out-csv').map((r) => r.data).sort();
    expect(csv).toEqual(['AMZN,2026-01-01 11:00:00.000,2,2.0\n', 'AMZN,2026-01-01 11:00:10.000,1,2.5\n']);
  });

  it('retries a function output that fails sometimes: every row delivered, none twice', async () => {
    const { log, clock } = await memoryLog();
    await log.createStream({ streamName: 'in', shardCount: 2 });
    await putAt(log, clock, 'in', Array.from({ length: 300 }, (_, i) => ({ at: T0 + i, key: `k${i}`, data: json({ TICKER: 'T', PRICE: i }) })));
    const delivered = new Map<string, number>();
    const hints: number[] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const fn = async (request: unknown) => {
      if (random() < 0.3) throw new Error('function unavailable');
      const records = (request as { records: { recordId: string; data: string; lambdaDeliveryRecordMetadata: { retryHint: number } }[] }).records;
      return {
        records: records.map((r) => {
          hints.push(r.lambdaDeliveryRecordMetadata.retryHint);
          if (random() < 0.3) return { recordId: r.recordId, result: 'DeliveryFailed' };
          delivered.set(r.recordId, (delivered.get(r.recordId) ?? 0) + 1);
          return { recordId: r.recordId, result: 'Ok' };
        }),
      };
    };
    const arn = 'arn:aws:lambda:us-east-1:000000000000:function:sink';
    const cfg = config('in', [{ Name: 'DEST', LambdaOutput: { ResourceARN: arn }, DestinationSchema: { RecordFormatType: 'JSON' } }]);
    const app = new Application({ code: PASS, config: cfg, log, clock, functions: { [arn]: fn }, maxPending: 50 });
    await app.open();
    await app.runToEnd({ maxRecords: 40 });
    expect(delivered.size).toBe(300);
    expect([...delivered.values()].every((n) => n === 1)).toBe(true);
    expect(Math.max(...hints)).toBeGreaterThan(0);
  });

  it('pauses reading while an output is behind (back-pressure), and catches up once it recovers', async () => {
    const { log, clock } = await memoryLog();
    await log.createStream({ streamName: 'in', shardCount: 1 });
    await putAt(log, clock, 'in', Array.from({ length: 100 }, (_, i) => ({ at: T0 + i, key: 'k', data: json({ TICKER: 'T', PRICE: i }) })));
    let up = false;
    const got: string[] = [];
    const firehose = {
      putRecordBatch: async (name: string, records: Uint8Array[]) => {
        if (!up) throw new Error('down');
        expect(name).toBe('delivery');
        got.push(...records.map(text));
      },
    };
    const cfg = config('in', [{ Name: 'DEST', KinesisFirehoseOutput: { ResourceARN: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/delivery' }, DestinationSchema: { RecordFormatType: 'JSON' } }]);
    const app = new Application({ code: PASS, config: cfg, log, clock, firehose, maxPending: 20 });
    await app.open();
    for (let i = 0; i < 10; i++) await app.poll({ maxRecords: 10 });
    expect(app.recordsIn).toBe(20);
    up = true;
    await app.runToEnd();
    expect(got.map((s) => JSON.parse(s).PRICE)).toEqual([...Array(100).keys()]);
  });
});

describe('Application live mode', () => {
  it('closes a window when only the clock advances (idle input)', async () => {
    const { log, clock } = await memoryLog();
    await log.createStream({ streamName: 'in', shardCount: 2 });
    await log.createStream({ streamName: 'out', shardCount: 1 });
    const app = new Application({ code: COUNTS, config: config('in', [streamOutput('DEST', 'out')]), log, clock });
    await app.open();
    const rows = collect(app, 'DEST');
    await putAt(log, clock, 'in', [1000, 2000, 4000].map((dt, i) => ({ at: T0 + dt, key: `k${i}`, data: json({ TICKER: 'AMZN', PRICE: 1 }) })));
    await app.poll();
    expect(rows).toEqual([]);
    clock.advance(5000); // T0 + 9 s: the bucket [T0, T0 + 10 s) is still open
    await app.poll();
    expect(rows).toEqual([]);
    clock.advance(1001);
    await app.poll();
    expect(rows).toEqual([{ ROWTIME: T0 + 10000, TICKER: 'AMZN', WIN: T0, C: 3, TOTAL: 3 }]);
    expect(readAllText(log, 'out')).toHaveLength(1);
  });

  it('runs rounds on a timer between start() and stop()', async () => {
    const { log, clock } = await memoryLog();
    await log.createStream({ streamName: 'in', shardCount: 1 });
    await log.createStream({ streamName: 'out', shardCount: 1 });
    const app = new Application({ code: COUNTS, config: config('in', [streamOutput('DEST', 'out')]), log, clock });
    await app.open();
    const rows = collect(app, 'DEST');
    app.start(1);
    await putAt(log, clock, 'in', [{ at: T0 + 1000, key: 'k', data: json({ TICKER: 'AMZN', PRICE: 2 }) }]);
    clock.advance(60_000);
    await expect.poll(() => rows.length).toBe(1);
    await app.stop();
    expect(rows[0]).toMatchObject({ ROWTIME: T0 + 10000, C: 1 });
  });
});
