import {
  KinesisClient,
  ListStreamsCommand,
  RegisterStreamConsumerCommand,
  ResourceInUseException,
  SubscribeToShardCommand,
  type SubscribeToShardEventStream,
} from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeMessages } from '../../src/api/eventstream.js';
import { sdkClient, startTestServer, type TestServer, type Transport } from './helpers.js';
import { decode } from 'cborg';
import { CBOR_TYPE, Http2Client, javaCbor, JSON_TYPE } from './raw.js';

const SHARD0 = 'shardId-000000000000';

describe.each<Transport>(['default', 'http1'])('SubscribeToShard through the SDK (%s request handler)', (transport) => {
  let t: TestServer;
  let kinesis: KinesisClient;
  let consumerARN: string;

  beforeEach(async () => {
    t = await startTestServer();
    kinesis = sdkClient(t.server, transport);
    await t.log.createStream({ streamName: 'efo', shardCount: 1 });
    consumerARN = (await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: t.log.streamArn('efo'), ConsumerName: 'app' }))).Consumer!.ConsumerARN!;
  });
  afterEach(async () => {
    kinesis.destroy();
    await t.close();
  });

  const subscribe = async (type: 'TRIM_HORIZON' | 'LATEST' = 'TRIM_HORIZON') => {
    const out = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumerARN, ShardId: SHARD0, StartingPosition: { Type: type } }));
    return out.EventStream![Symbol.asyncIterator]() as AsyncIterator<SubscribeToShardEventStream>;
  };
  const put = (data: string) => t.log.putRecord({ streamName: 'efo', partitionKey: 'k', data: Buffer.from(data) });

  it('sends what is there, then pushes each new record as it is appended, then ChildShards when the shard closes', async () => {
    await put('a');
    t.clock.advance(2000);
    const b = await put('b');
    const events = await subscribe();
    const first = (await events.next()).value.SubscribeToShardEvent;
    expect(first.Records.map((r: any) => Buffer.from(r.Data).toString())).toEqual(['a', 'b']);
    expect(first.ContinuationSequenceNumber).toBe(b.sequenceNumber);
    expect(first.MillisBehindLatest).toBe(0);
    expect(first.Records[0].ApproximateArrivalTimestamp).toEqual(new Date(Date.UTC(2026, 0, 1)));

    // Nothing is pending: the next event comes only because a record is appended.
    const next = events.next();
    const c = await put('c');
    const second = (await next).value.SubscribeToShardEvent;
    expect(second.Records.map((r: any) => Buffer.from(r.Data).toString())).toEqual(['c']);
    expect(second.ContinuationSequenceNumber).toBe(c.sequenceNumber);

    const last = events.next();
    await t.log.splitShard({ streamName: 'efo', shardToSplit: SHARD0, newStartingHashKey: (2n ** 127n).toString() });
    const closing = (await last).value.SubscribeToShardEvent;
    expect(closing.Records).toEqual([]);
    expect(closing.ChildShards.map((s: any) => [s.ShardId, s.ParentShards])).toEqual([
      ['shardId-000000000001', [SHARD0]],
      ['shardId-000000000002', [SHARD0]],
    ]);
    expect((await events.next()).done).toBe(true);
  });

  it('on a fresh shard, sends nothing until the first record, so resubscribing AFTER its continuation loses nothing', async () => {
    const events = await subscribe('TRIM_HORIZON');
    const next = events.next();
    const a = await put('first');
    const event = (await next).value.SubscribeToShardEvent;
    expect(event.Records.map((r: any) => Buffer.from(r.Data).toString())).toEqual(['first']);
    expect(event.ContinuationSequenceNumber).toBe(a.sequenceNumber);
    t.clock.advance(5000);
    await put('second');
    const again = await kinesis.send(
      new SubscribeToShardCommand({ ConsumerARN: consumerARN, ShardId: SHARD0, StartingPosition: { Type: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: event.ContinuationSequenceNumber } }),
    );
    const resumed = (await again.EventStream![Symbol.asyncIterator]().next()).value.SubscribeToShardEvent;
    expect(resumed.Records.map((r: any) => Buffer.from(r.Data).toString())).toEqual(['second']);
  });

  it('ends an empty shard that closes with ChildShards and its ending sequence number as the continuation', async () => {
    const events = await subscribe('TRIM_HORIZON');
    const next = events.next();
    await t.log.splitShard({ streamName: 'efo', shardToSplit: SHARD0, newStartingHashKey: '1000' });
    const event = (await next).value.SubscribeToShardEvent;
    const ending = (await t.log.listShards('efo'))[0]!.sequenceNumberRange.endingSequenceNumber;
    expect(event).toMatchObject({ Records: [], ContinuationSequenceNumber: ending });
    expect(event.ChildShards).toHaveLength(2);
    expect((await events.next()).done).toBe(true);
  });

  it('refuses a second subscription within 5 seconds, lets it take over after, and ends after 5 minutes', async () => {
    await put('before');
    const first = await subscribe('LATEST');
    expect((await first.next()).value.SubscribeToShardEvent.Records).toEqual([]);
    await expect(subscribe('LATEST')).rejects.toBeInstanceOf(ResourceInUseException);
    t.clock.advance(5000);
    const second = await subscribe('LATEST');
    expect((await first.next()).done).toBe(true); // taken over
    expect((await second.next()).value.SubscribeToShardEvent.Records).toEqual([]);
    t.clock.advance(5 * 60 * 1000);
    const after = second.next();
    await put('late');
    expect((await after).done).toBe(true);
  });
});

describe('SubscribeToShard on the wire', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await startTestServer();
  });
  afterEach(async () => t.close());

  it('frames events with prelude and message CRCs and the event-stream headers', async () => {
    await t.log.createStream({ streamName: 'w', shardCount: 1 });
    const consumer = await t.log.registerStreamConsumer({ streamName: 'w', consumerName: 'raw' });
    await t.log.putRecord({ streamName: 'w', partitionKey: 'k', data: Buffer.from('x') });
    await t.log.updateShardCount({ streamName: 'w', targetShardCount: 2 });
    const h2 = new Http2Client(t.server.url);
    try {
      const res = await h2.request({
        headers: { 'content-type': JSON_TYPE, 'x-amz-target': 'Kinesis_20131202.SubscribeToShard' },
        body: JSON.stringify({ ConsumerARN: consumer.consumerARN, ShardId: SHARD0, StartingPosition: { Type: 'TRIM_HORIZON' } }),
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/vnd.amazon.eventstream');
      const messages = decodeMessages(res.body);
      expect(messages.map((m) => m.headers[':event-type'])).toEqual(['initial-response', 'SubscribeToShardEvent']);
      expect(messages[1]!.headers).toMatchObject({ ':message-type': 'event', ':content-type': JSON_TYPE });
      const event = JSON.parse(messages[1]!.payload.toString());
      expect(event.Records[0].Data).toBe(Buffer.from('x').toString('base64'));
      expect(event.ChildShards).toHaveLength(2);
    } finally {
      h2.close();
    }
  });
});

describe('SubscribeToShard in CBOR', () => {
  it('sends CBOR event payloads to a CBOR (Java SDK) request', async () => {
    const t = await startTestServer();
    const h2 = new Http2Client(t.server.url);
    try {
      await t.log.createStream({ streamName: 'j', shardCount: 1 });
      const consumer = await t.log.registerStreamConsumer({ streamName: 'j', consumerName: 'java' });
      await t.log.putRecord({ streamName: 'j', partitionKey: 'k', data: Buffer.from([1, 2, 3]) });
      await t.log.splitShard({ streamName: 'j', shardToSplit: SHARD0, newStartingHashKey: '1000' });
      const res = await h2.request({
        headers: { 'content-type': CBOR_TYPE, 'x-amz-target': 'Kinesis_20131202.SubscribeToShard' },
        body: javaCbor({ ConsumerARN: consumer.consumerARN, ShardId: SHARD0, StartingPosition: { Type: 'AT_TIMESTAMP', Timestamp: new Date(t.clock.now()) } }),
      });
      expect(res.status).toBe(200);
      const [initial, event] = decodeMessages(res.body);
      expect(initial!.headers[':content-type']).toBe(CBOR_TYPE);
      const payload = decode(event!.payload);
      expect(Buffer.from(payload.Records[0].Data)).toEqual(Buffer.from([1, 2, 3]));
      expect(Number(payload.Records[0].ApproximateArrivalTimestamp)).toBe(t.clock.now());
    } finally {
      h2.close();
      await t.close();
    }
  });
});

describe('SubscribeToShard read limit', () => {
  it('sends at most 2 MiB per second per consumer and shard (a record more at most), then the rest as the bucket refills', async () => {
    const t = await startTestServer({ limits: true });
    const kinesis = sdkClient(t.server, 'default');
    try {
      // ON_DEMAND: writes are not throttled, reads through enhanced fan-out still are.
      await t.log.createStream({ streamName: 'big', streamMode: 'ON_DEMAND' });
      const consumer = await t.log.registerStreamConsumer({ streamName: 'big', consumerName: 'efo' });
      const size = 700 * 1024;
      for (let i = 0; i < 5; i++) await t.log.putRecord({ streamName: 'big', partitionKey: `k${i}`, data: Buffer.alloc(size, i), explicitHashKey: '0' });
      const out = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumer.consumerARN, ShardId: SHARD0, StartingPosition: { Type: 'TRIM_HORIZON' } }));
      const events = out.EventStream![Symbol.asyncIterator]();
      const sizes = async () => ((await events.next()).value.SubscribeToShardEvent.Records as any[]).map((r) => r.Data.byteLength);
      // 2 MiB pays for two records and part of a third, which goes out too (a record more at most): then nothing.
      const first: number[] = [];
      while (first.length < 3) first.push(...(await sizes()));
      expect(first).toEqual([size, size, size]);
      let done = false;
      const rest = (async () => {
        const more: number[] = [];
        while (more.length < 3) more.push(...(await sizes()));
        done = true;
        return more;
      })();
      await kinesis.send(new ListStreamsCommand({})); // a round trip: the subscription has had its turn
      expect(done).toBe(false);
      // A second later (on the log's clock) the bucket has refilled; the next append wakes the subscription.
      t.clock.advance(1000);
      void t.log.putRecord({ streamName: 'big', partitionKey: 'tiny', data: Buffer.alloc(1), explicitHashKey: '0' });
      expect(await rest).toEqual([size, size, 1]);
    } finally {
      kinesis.destroy();
      await t.close();
    }
  });

  it('without limits, sends everything there is, however the log splits its reads', async () => {
    const t = await startTestServer();
    const kinesis = sdkClient(t.server, 'http1');
    try {
      await t.log.createStream({ streamName: 'big', shardCount: 1 });
      const consumer = await t.log.registerStreamConsumer({ streamName: 'big', consumerName: 'efo' });
      for (let i = 0; i < 8; i++) await t.log.putRecord({ streamName: 'big', partitionKey: `k${i}`, data: Buffer.alloc(900 * 1024, i) });
      const out = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumer.consumerARN, ShardId: SHARD0, StartingPosition: { Type: 'TRIM_HORIZON' } }));
      const events = out.EventStream![Symbol.asyncIterator]();
      const seen: number[] = [];
      while (seen.length < 8) for (const r of (await events.next()).value.SubscribeToShardEvent.Records) seen.push(r.Data[0]);
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    } finally {
      kinesis.destroy();
      await t.close();
    }
  });
});
