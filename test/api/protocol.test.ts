import http from 'node:http';
import { decode } from 'cborg';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kinesisService, startApiServer, type ApiServer } from '../../src/api/index.js';
import { openLog, type Log } from '../../src/index.js';
import { startTestServer, type TestServer } from './helpers.js';
import { CBOR_TYPE, Http2Client, http1Request, JSON_TYPE, javaCbor, target, type RawRequest, type RawResponse } from './raw.js';

type Send = (req: RawRequest) => Promise<RawResponse>;

function json(res: RawResponse): any {
  expect(res.headers['content-type']).toBe(JSON_TYPE);
  return JSON.parse(res.body.toString('utf8'));
}

function cbor(res: RawResponse): any {
  expect(res.headers['content-type']).toBe(CBOR_TYPE);
  return decode(res.body);
}

describe.each(['http1', 'http2'] as const)('the wire protocol over %s', (transport) => {
  let t: TestServer;
  let h2: Http2Client;
  let send: Send;

  beforeAll(async () => {
    t = await startTestServer();
    h2 = new Http2Client(t.server.url);
    send = transport === 'http1' ? (req) => http1Request(t.server.url, req) : (req) => h2.request(req);
    await t.log.createStream({ streamName: 'wire', shardCount: 1 });
  });
  afterAll(async () => {
    h2.close();
    await t.close();
  });

  const call = (op: string, body: unknown, contentType = JSON_TYPE) =>
    send({ headers: { 'content-type': contentType, 'x-amz-target': target(op) }, body: contentType === JSON_TYPE ? JSON.stringify(body) : (body as Buffer) });

  it('answers AWS JSON 1.1 with a request id; blobs are base64 and timestamps epoch seconds', async () => {
    const put = await call('PutRecord', { StreamName: 'wire', PartitionKey: 'k', Data: Buffer.from('json!').toString('base64') });
    expect(put.status).toBe(200);
    expect(put.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    const { ShardIterator } = json(await call('GetShardIterator', { StreamName: 'wire', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: json(put).SequenceNumber }));
    const got = json(await call('GetRecords', { ShardIterator }));
    expect(got.Records[0].Data).toBe(Buffer.from('json!').toString('base64'));
    expect(got.Records[0].ApproximateArrivalTimestamp).toBe(t.clock.now() / 1000);
    const at = json(await call('GetShardIterator', { StreamName: 'wire', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: t.clock.now() / 1000 }));
    expect(json(await call('GetRecords', { ShardIterator: at.ShardIterator })).Records).toHaveLength(1);
  });

  it('takes CBOR as the Java SDK writes it (indefinite-length maps, tag 1 epoch milliseconds) and answers in CBOR', async () => {
    const data = Buffer.from([0, 1, 2, 255]);
    const put = cbor(await call('PutRecord', javaCbor({ StreamName: 'wire', PartitionKey: 'java', Data: data }), CBOR_TYPE));
    expect(put.SequenceNumber).toMatch(/^\d{56}$/);
    const batch = cbor(await call('PutRecords', javaCbor({ StreamName: 'wire', Records: [{ PartitionKey: 'a', Data: Buffer.from('x') }, { PartitionKey: 'b', Data: Buffer.from('y') }] }), CBOR_TYPE));
    expect(batch.FailedRecordCount).toBe(0);
    const it0 = cbor(await call('GetShardIterator', javaCbor({ StreamName: 'wire', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(t.clock.now()) }), CBOR_TYPE));
    const got = cbor(await call('GetRecords', javaCbor({ ShardIterator: it0.ShardIterator, Limit: 10 }), CBOR_TYPE));
    const java = got.Records.find((r: any) => r.PartitionKey === 'java');
    expect(Buffer.isBuffer(java.Data) || java.Data instanceof Uint8Array).toBe(true);
    expect(Buffer.from(java.Data)).toEqual(data);
    expect(Number(java.ApproximateArrivalTimestamp)).toBe(t.clock.now()); // integer epoch milliseconds
    expect(typeof got.MillisBehindLatest === 'number' || typeof got.MillisBehindLatest === 'bigint').toBe(true);
    const summary = cbor(await call('DescribeStreamSummary', javaCbor({ StreamName: 'wire' }), CBOR_TYPE));
    expect(Number(summary.StreamDescriptionSummary.StreamCreationTimestamp)).toBe(Date.UTC(2026, 0, 1));
  });

  it('answers errors in the request encoding: {__type, message}, status 400', async () => {
    const missing = await call('DescribeStream', { StreamName: 'absent' });
    expect(missing.status).toBe(400);
    expect(missing.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(json(missing)).toEqual({ __type: 'ResourceNotFoundException', message: 'Stream absent under account 000000000000 not found.' });
    const cborMissing = await call('DescribeStream', javaCbor({ StreamName: 'absent' }), CBOR_TYPE);
    expect(cborMissing.status).toBe(400);
    expect(cbor(cborMissing)).toEqual({ __type: 'ResourceNotFoundException', message: 'Stream absent under account 000000000000 not found.' });
    const invalid = json(await call('CreateStream', { StreamName: 'x'.repeat(129), ShardCount: 1 }));
    expect(invalid).toEqual({
      __type: 'ValidationException',
      message: `1 validation error detected: Value '${'x'.repeat(129)}' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128`,
    });
    const required = json(await call('PutRecord', { StreamName: 'wire' }));
    expect(required.message).toBe(
      "2 validation errors detected: Value null at 'data' failed to satisfy constraint: Member must not be null; Value null at 'partitionKey' failed to satisfy constraint: Member must not be null",
    );
    expect(json(await call('CreateStream', { StreamName: 's', StreamModeDetails: { StreamMode: 'SOMETIMES' } })).message).toContain(
      "Value 'SOMETIMES' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]",
    );
  });

  it('refuses unknown operations, missing targets, other methods and unreadable bodies with the right code', async () => {
    const expectError = async (res: Promise<RawResponse>, code: string, status = 400) => {
      const r = await res;
      expect(r.status).toBe(status);
      expect(json(r).__type).toBe(code);
    };
    await expectError(call('Frobnicate', {}), 'UnknownOperationException');
    await expectError(send({ headers: { 'content-type': JSON_TYPE, 'x-amz-target': 'Firehose_20150804.PutRecord' }, body: '{}' }), 'UnknownOperationException');
    await expectError(send({ headers: { 'content-type': JSON_TYPE }, body: '{}' }), 'UnknownOperationException');
    await expectError(send({ method: 'GET', headers: { 'x-amz-target': target('ListStreams') } }), 'UnknownOperationException');
    await expectError(send({ headers: { 'content-type': 'text/plain', 'x-amz-target': target('ListStreams') }, body: '{}' }), 'SerializationException');
    await expectError(send({ headers: { 'content-type': JSON_TYPE, 'x-amz-target': target('ListStreams') }, body: '{"Limit":' }), 'SerializationException');
    await expectError(send({ headers: { 'content-type': JSON_TYPE, 'x-amz-target': target('ListStreams') }, body: '[1,2]' }), 'SerializationException');
    await expectError(call('ListStreams', { Limit: 'ten' }), 'SerializationException');
    await expectError(call('ListStreams', { Limit: 1.5 }), 'SerializationException');
    await expectError(call('PutRecord', { StreamName: 'wire', PartitionKey: 'k', Data: 'not base64!' }), 'SerializationException');
    await expectError(call('PutRecord', { StreamName: 'wire', PartitionKey: 'k', Data: 12 }), 'SerializationException');
    const truncated = javaCbor({ StreamName: 'wire', PartitionKey: 'k', Data: Buffer.alloc(100) }).subarray(0, 40);
    const r = await call('PutRecord', truncated, CBOR_TYPE);
    expect(r.status).toBe(400);
    expect(cbor(r).__type).toBe('SerializationException');
    // An empty body is an empty structure, as with kinesalite and AWS.
    expect((await send({ headers: { 'content-type': JSON_TYPE, 'x-amz-target': target('ListStreams') } })).status).toBe(200);
  });

  it('takes the largest legal request (a 10 MiB record in base64 JSON) and returns it from GetRecords', async () => {
    await t.log.createStream({ streamName: `big-${transport}`, shardCount: 1, maxRecordSizeInKiB: 10240 });
    const data = Buffer.alloc(10 * 1024 * 1024 - 256, 0xab);
    const put = await call('PutRecord', { StreamName: `big-${transport}`, PartitionKey: 'k'.repeat(256), Data: data.toString('base64') });
    expect(put.status, put.body.toString().slice(0, 500)).toBe(200);
    const { ShardIterator } = json(await call('GetShardIterator', { StreamName: `big-${transport}`, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    const got = json(await call('GetRecords', { ShardIterator }));
    expect(Buffer.from(got.Records[0].Data, 'base64').equals(data)).toBe(true);
    // One byte more than the record limit is refused by the log, not by the body cap.
    const over = json(await call('PutRecord', { StreamName: `big-${transport}`, PartitionKey: 'k'.repeat(256), Data: Buffer.alloc(data.length + 1).toString('base64') }));
    expect(over.__type).toBe('InvalidArgumentException');
  });

  it('writes GetRecords JSON exactly as the model shapes it, whatever the keys and bytes', async () => {
    const name = `keys-${transport}`;
    await t.log.createStream({ streamName: name, shardCount: 1 });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ key: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }), data: fc.uint8Array({ maxLength: 50 }) }), { minLength: 1, maxLength: 20 }), async (records) => {
        const seqs: string[] = [];
        for (const r of records) seqs.push((await t.log.putRecord({ streamName: name, partitionKey: r.key, data: Buffer.from(r.data) })).sequenceNumber);
        const it0 = json(await call('GetShardIterator', { StreamName: name, ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: seqs[0] }));
        const got = json(await call('GetRecords', { ShardIterator: it0.ShardIterator, Limit: records.length }));
        expect(got.Records).toEqual(
          records.map((r, i) => ({ SequenceNumber: seqs[i], ApproximateArrivalTimestamp: t.clock.now() / 1000, Data: Buffer.from(r.data).toString('base64'), PartitionKey: r.key })),
        );
        expect(typeof got.NextShardIterator).toBe('string');
        expect(got.MillisBehindLatest).toBe(0);
      }),
      { numRuns: 30 },
    );
  });

  it('addresses a stream by StreamId', async () => {
    const summary = json(await call('DescribeStreamSummary', { StreamName: 'wire' })).StreamDescriptionSummary;
    expect(json(await call('DescribeStreamSummary', { StreamId: summary.StreamId })).StreamDescriptionSummary.StreamName).toBe('wire');
    expect(json(await call('DescribeStreamSummary', { StreamId: 'aaaaaaaaaaaaaaaaaaaa-aaa' })).__type).toBe('ResourceNotFoundException');
    expect(json(await call('DescribeStreamSummary', { StreamId: summary.StreamId, StreamName: 'other' })).__type).toBe('InvalidArgumentException');
  });
});

describe('resource limits', () => {
  let log: Log;
  let server: ApiServer;
  let h2: Http2Client;
  beforeAll(async () => {
    log = await openLog();
    server = await startApiServer({ services: [kinesisService(log)], port: 0, maxBodyBytes: 4096, bodyTimeoutMs: 200 });
    h2 = new Http2Client(server.url);
  });
  afterAll(async () => {
    h2.close();
    await server.close();
    await log.close();
  });
  const headers = { 'content-type': JSON_TYPE, 'x-amz-target': target('ListStreams') };

  it('refuses bodies over the cap with 413 SerializationException, declared or streamed, and keeps serving', async () => {
    const big = JSON.stringify({ Pad: 'x'.repeat(10_000) });
    for (const res of [await http1Request(server.url, { headers, body: big }), await h2.request({ headers, body: big })]) {
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body.toString()).__type).toBe('SerializationException');
    }
    // Without Content-Length (chunked): cut off as the bytes arrive.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(server.url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(1000));
      req.end();
    });
    expect(chunked).toBe(413);
    expect((await h2.request({ headers, body: '{}' })).status).toBe(200);
    expect((await http1Request(server.url, { headers, body: '{}' })).status).toBe(200);
  });

  it('cuts off a client that never finishes its body (408) and keeps serving', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(server.url, { method: 'POST', headers: { ...headers, 'content-length': '100' }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write('{"Li');
    });
    expect(status).toBe(408);
    expect((await h2.request({ headers, body: '{}' })).status).toBe(200);
  });
});

describe('memory held by request bodies', () => {
  it('refuses new bodies with 503 ServiceUnavailableException while the in-flight budget is spent', async () => {
    const log = await openLog();
    const server = await startApiServer({ services: [kinesisService(log)], port: 0, maxInFlightBytes: 1000 });
    try {
      const res = await http1Request(server.url, { headers: { 'content-type': JSON_TYPE, 'x-amz-target': target('ListStreams') }, body: JSON.stringify({ Pad: 'x'.repeat(2000) }) });
      expect(res.status).toBe(503);
      expect(JSON.parse(res.body.toString()).__type).toBe('ServiceUnavailableException');
      const ok = await http1Request(server.url, { headers: { 'content-type': JSON_TYPE, 'x-amz-target': target('ListStreams') }, body: '{}' });
      expect(ok.status).toBe(200);
    } finally {
      await server.close();
      await log.close();
    }
  });
});
