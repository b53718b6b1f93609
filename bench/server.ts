import http from 'node:http';
import http2 from 'node:http2';
import type net from 'node:net';
import { CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import kinesalite from 'kinesalite';
import { kinesisService, startApiServer } from '../src/api/index.js';
import { openLog } from '../src/index.js';
import { measure, report, type BenchOptions } from './harness.js';

/**
 * `sluice bench server`: PutRecords and GetRecords through the AWS SDK v3 and through a lean raw HTTP client, against
 * `sluice serve` (in memory, limits off) and kinesalite (its HTTP/1.1 server, in memory) in the same run, so the
 * ratios hold on a noisy machine. Batches of 500 records of 100 bytes into a 4-shard stream, 4 calls in flight; reads
 * drain every shard with GetRecords of up to 10,000 records. Also PutRecord latency (p50, p99) under that load.
 */
const SHARDS = 4;
const BATCH = 500;
const RECORD_BYTES = 100;
const IN_FLIGHT = 4;
const CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench' };
// kinesalite checks that a request looks signed (not the signature itself).
const FAKE_AUTH = {
  authorization: 'AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, Signature=00',
  'x-amz-date': '20260101T000000Z',
};

interface Target {
  name: string;
  url: string;
  /** The SDK clients worth measuring against it. */
  sdk: { label: string; client: () => KinesisClient }[];
  raw: RawClient;
}

interface RawClient {
  call(op: string, body: string): Promise<Buffer>;
  close(): void;
}

function h2Raw(url: string): RawClient {
  const session = http2.connect(url);
  return {
    call: (op, body) =>
      new Promise((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${op}` });
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
        req.end(body);
      }),
    close: () => session.close(),
  };
}

function h1Raw(url: string): RawClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT * 2 });
  return {
    call: (op, body) =>
      new Promise((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${op}`, ...FAKE_AUTH } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(Buffer.concat(chunks)));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

function sdk(url: string, http1: boolean): KinesisClient {
  return new KinesisClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxAttempts: 1,
    ...(http1 ? { requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT * 2 }) }) } : {}),
  });
}

async function waitActive(client: KinesisClient, name: string): Promise<void> {
  for (;;) {
    const d = await client.send(new DescribeStreamCommand({ StreamName: name }));
    if (d.StreamDescription?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const records = Array.from({ length: BATCH }, (_, i) => ({ PartitionKey: `key-${i}`, Data: Buffer.alloc(RECORD_BYTES, i & 0xff) }));
const rawPutBody = (stream: string) => JSON.stringify({ StreamName: stream, Records: records.map((r) => ({ PartitionKey: r.PartitionKey, Data: r.Data.toString('base64') })) });

async function putWithSdk(client: KinesisClient, stream: string, ms: number): Promise<number> {
  const r = await measure(ms, BATCH * IN_FLIGHT, () => Promise.all(Array.from({ length: IN_FLIGHT }, () => client.send(new PutRecordsCommand({ StreamName: stream, Records: records })))));
  return r.perSecond;
}

async function putRaw(raw: RawClient, stream: string, ms: number): Promise<number> {
  const body = rawPutBody(stream);
  const r = await measure(ms, BATCH * IN_FLIGHT, () => Promise.all(Array.from({ length: IN_FLIGHT }, () => raw.call('PutRecords', body))));
  return r.perSecond;
}

/** Drains every shard from TRIM_HORIZON; records per second. */
async function getWithSdk(client: KinesisClient, stream: string): Promise<number> {
  const start = performance.now();
  const counts = await Promise.all(
    Array.from({ length: SHARDS }, async (_, i) => {
      let it = (await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: `shardId-00000000000${i}`, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
      let n = 0;
      for (;;) {
        const r = await client.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
        n += r.Records?.length ?? 0;
        if (!r.Records?.length || !r.NextShardIterator) return n;
        it = r.NextShardIterator;
      }
    }),
  );
  return (counts.reduce((a, b) => a + b, 0) / (performance.now() - start)) * 1000;
}

/**
 * What a lean reader needs from a GetRecords reply, found without parsing the whole JSON: the record count (the
 * `"SequenceNumber":` keys) and the next iterator. Parsing megabytes of JSON per call in the client would make the
 * client, not the server, the limit, and the raw cases exist to show the server's own ceiling.
 */
export function scanGetRecords(body: Buffer): { records: number; nextShardIterator?: string } {
  let records = 0;
  for (let at = body.indexOf(SEQUENCE_KEY); at >= 0; at = body.indexOf(SEQUENCE_KEY, at + SEQUENCE_KEY.length)) records++;
  const key = body.lastIndexOf(NEXT_KEY);
  if (key < 0) return { records };
  const start = key + NEXT_KEY.length;
  return { records, nextShardIterator: body.toString('latin1', start, body.indexOf(0x22, start)) };
}

const SEQUENCE_KEY = Buffer.from('"SequenceNumber":');
const NEXT_KEY = Buffer.from('"NextShardIterator":"');

async function getRaw(raw: RawClient, stream: string): Promise<number> {
  const start = performance.now();
  const counts = await Promise.all(
    Array.from({ length: SHARDS }, async (_, i) => {
      let it = JSON.parse((await raw.call('GetShardIterator', JSON.stringify({ StreamName: stream, ShardId: `shardId-00000000000${i}`, ShardIteratorType: 'TRIM_HORIZON' }))).toString()).ShardIterator as string;
      let n = 0;
      for (;;) {
        const r = scanGetRecords(await raw.call('GetRecords', JSON.stringify({ ShardIterator: it, Limit: 10_000 })));
        n += r.records;
        if (!r.records || !r.nextShardIterator) return n;
        it = r.nextShardIterator;
      }
    }),
  );
  return (counts.reduce((a, b) => a + b, 0) / (performance.now() - start)) * 1000;
}

/** Sequential PutRecord calls while another client keeps PutRecords in flight: p50 and p99 in ms. */
async function latency(client: KinesisClient, loader: KinesisClient, stream: string, calls: number): Promise<{ p50: number; p99: number }> {
  let loading = true;
  const load = (async () => {
    while (loading) await loader.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
  })();
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t = performance.now();
    await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: `p${i}`, Data: records[0]!.Data }));
    samples.push(performance.now() - t);
  }
  loading = false;
  await load;
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)]!, p99: samples[Math.floor(samples.length * 0.99)]! };
}

export async function benchServer(options: BenchOptions): Promise<void> {
  const ms = options.quick ? 1000 : 3000;
  const log = await openLog({});
  const sluice = await startApiServer({ services: [kinesisService(log)], port: 0 });
  const peer = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  await new Promise<void>((resolve) => peer.listen(0, '127.0.0.1', () => resolve()));
  const peerUrl = `http://127.0.0.1:${(peer.address() as net.AddressInfo).port}`;
  const targets: Target[] = [
    {
      name: 'sluice',
      url: sluice.url,
      sdk: [
        { label: 'sdk-h2', client: () => sdk(sluice.url, false) },
        { label: 'sdk-h1', client: () => sdk(sluice.url, true) },
      ],
      raw: h2Raw(sluice.url),
    },
    // kinesalite speaks HTTP/1.1 only: the SDK's default (HTTP/2) handler cannot reach it.
    { name: 'kinesalite', url: peerUrl, sdk: [{ label: 'sdk-h1', client: () => sdk(peerUrl, true) }], raw: h1Raw(peerUrl) },
  ];
  const results = new Map<string, number>();
  const emit = (target: string, name: string, perSecond: number, extra: Record<string, unknown> = {}) => {
    results.set(`${target}/${name}`, perSecond);
    const base = results.get(`kinesalite/${name.replace('sdk-h2', 'sdk-h1')}`);
    const ratio = target === 'sluice' && base ? { peer: 'kinesalite', ratio: perSecond / base } : {};
    report(options, { suite: 'server', case: `${target}/${name}`, records_per_s: perSecond, mb_per_s: (perSecond * RECORD_BYTES) / 1e6, ...ratio, ...extra });
  };
  try {
    // The peer first, so each sluice line can carry its ratio.
    for (const target of [targets[1]!, targets[0]!]) {
      for (const { label, client } of target.sdk) {
        const c = client();
        const stream = `bench-${label}`;
        await c.send(new CreateStreamCommand({ StreamName: stream, ShardCount: SHARDS }));
        await waitActive(c, stream);
        emit(target.name, `${label}-put`, await putWithSdk(c, stream, ms));
        emit(target.name, `${label}-get`, await getWithSdk(c, stream));
        c.destroy();
      }
      const setup = target.sdk[0]!.client();
      await setup.send(new CreateStreamCommand({ StreamName: 'bench-raw', ShardCount: SHARDS }));
      await waitActive(setup, 'bench-raw');
      emit(target.name, 'raw-put', await putRaw(target.raw, 'bench-raw', ms));
      emit(target.name, 'raw-get', await getRaw(target.raw, 'bench-raw'));
      await setup.send(new CreateStreamCommand({ StreamName: 'bench-latency', ShardCount: SHARDS }));
      await waitActive(setup, 'bench-latency');
      const loader = target.sdk[target.sdk.length - 1]!.client();
      const l = await latency(setup, loader, 'bench-latency', options.quick ? 100 : 500);
      report(options, { suite: 'server', case: `${target.name}/putrecord-latency-under-load`, p50_ms: l.p50, p99_ms: l.p99, client: target.sdk[0]!.label });
      loader.destroy();
      setup.destroy();
      target.raw.close();
    }
  } finally {
    await sluice.close();
    await log.close();
    await new Promise<void>((resolve) => peer.close(() => resolve()));
  }
}
