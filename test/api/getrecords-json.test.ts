import { afterEach, beforeEach, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';
import { Http2Client, JSON_TYPE } from './raw.js';

let t: TestServer;
let h2: Http2Client;
beforeEach(async () => {
  t = await startTestServer();
  h2 = new Http2Client(t.server.url);
});
afterEach(async () => {
  h2.close();
  await t.close();
});

async function call(op: string, body: object): Promise<any> {
  const res = await h2.request({ headers: { 'content-type': JSON_TYPE, 'x-amz-target': `Kinesis_20131202.${op}` }, body: JSON.stringify(body) });
  const out = JSON.parse(res.body.toString('utf8'));
  expect(out.__type).toBeUndefined();
  return out;
}

it('GetRecords in JSON carries every record exactly (base64 of every length mod 3, escaped and non-ASCII keys)', async () => {
  await call('CreateStream', { StreamName: 's', ShardCount: 1 });
  const records = Array.from({ length: 40 }, (_, i) => ({
    data: Buffer.from(Array.from({ length: i }, (_, j) => (i * 31 + j * 7) & 255)),
    key: ['k', 'ключ "q"\\', '😀\n', 'a'.repeat(256)][i % 4]!,
  }));
  for (const r of records) await call('PutRecord', { StreamName: 's', PartitionKey: r.key, Data: r.data.toString('base64') });
  const { ShardIterator } = await call('GetShardIterator', { StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' });
  const out = await call('GetRecords', { ShardIterator });
  expect(out.Records.map((r: any) => ({ data: Buffer.from(r.Data, 'base64'), key: r.PartitionKey }))).toEqual(records);
  expect(out.Records.map((r: any) => r.Data)).toEqual(records.map((r) => r.data.toString('base64')));
  expect(typeof out.NextShardIterator).toBe('string');
  expect(out.MillisBehindLatest).toBe(0);
});
