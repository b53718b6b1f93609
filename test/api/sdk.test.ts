import {
  AddTagsToStreamCommand,
  CreateStreamCommand,
  DecreaseStreamRetentionPeriodCommand,
  DeleteResourcePolicyCommand,
  DeleteStreamCommand,
  DeregisterStreamConsumerCommand,
  DescribeAccountSettingsCommand,
  DescribeLimitsCommand,
  DescribeStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  DisableEnhancedMonitoringCommand,
  EnableEnhancedMonitoringCommand,
  ExpiredIteratorException,
  ExpiredNextTokenException,
  GetRecordsCommand,
  GetResourcePolicyCommand,
  GetShardIteratorCommand,
  IncreaseStreamRetentionPeriodCommand,
  InvalidArgumentException,
  KinesisClient,
  LimitExceededException,
  type ListShardsCommandInput,
  ListShardsCommand,
  ListStreamConsumersCommand,
  ListStreamsCommand,
  ListTagsForResourceCommand,
  ListTagsForStreamCommand,
  MergeShardsCommand,
  ProvisionedThroughputExceededException,
  PutRecordCommand,
  PutRecordsCommand,
  PutResourcePolicyCommand,
  RegisterStreamConsumerCommand,
  RemoveTagsFromStreamCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  SplitShardCommand,
  StartStreamEncryptionCommand,
  StopStreamEncryptionCommand,
  SubscribeToShardCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAccountSettingsCommand,
  UpdateMaxRecordSizeCommand,
  UpdateShardCountCommand,
  UpdateStreamModeCommand,
  UpdateStreamWarmThroughputCommand,
  ValidationException,
} from '@aws-sdk/client-kinesis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sdkClient, startTestServer, type TestServer, type Transport } from './helpers.js';

const ARN = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

async function rejects<T extends abstract new (...args: any) => Error>(promise: Promise<unknown>, type: T, message?: RegExp): Promise<InstanceType<T>> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    if (message) expect((err as Error).message).toMatch(message);
    return err as InstanceType<T>;
  }
  throw new Error(`expected ${type.name}, but the call succeeded`);
}

describe.each<Transport>(['default', 'http1'])('AWS SDK v3 with the %s request handler', (transport) => {
  let t: TestServer;
  let kinesis: KinesisClient;

  beforeEach(async () => {
    t = await startTestServer();
    kinesis = sdkClient(t.server, transport);
  });
  afterEach(async () => {
    kinesis.destroy();
    await t.close();
  });

  it('speaks the protocol the handler chooses (HTTP/2 by default, HTTP/1.1 with NodeHttpHandler)', async () => {
    await kinesis.send(new ListStreamsCommand({}));
    expect(t.server.connections).toEqual(transport === 'default' ? { http1: 0, http2: 1, tls: 0 } : { http1: 1, http2: 0, tls: 0 });
  });

  it('creates, lists (paginated), describes (paginated) and deletes streams; StreamName and StreamARN address them', async () => {
    for (const name of ['c', 'a', 'b']) await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 3 }));
    await kinesis.send(new CreateStreamCommand({ StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));

    const first = await kinesis.send(new ListStreamsCommand({ Limit: 2 }));
    expect(first.StreamNames).toEqual(['a', 'b']);
    expect(first.HasMoreStreams).toBe(true);
    expect(first.StreamSummaries?.map((s) => [s.StreamName, s.StreamARN, s.StreamStatus, s.StreamModeDetails?.StreamMode])).toEqual([
      ['a', ARN('a'), 'ACTIVE', 'PROVISIONED'],
      ['b', ARN('b'), 'ACTIVE', 'PROVISIONED'],
    ]);
    expect(first.StreamSummaries?.[0]?.StreamCreationTimestamp).toEqual(new Date(t.clock.now()));
    const second = await kinesis.send(new ListStreamsCommand({ NextToken: first.NextToken }));
    expect(second.StreamNames).toEqual(['c', 'od']);
    expect(second.HasMoreStreams).toBe(false);
    expect(second.NextToken).toBeUndefined();
    expect((await kinesis.send(new ListStreamsCommand({ ExclusiveStartStreamName: 'b' }))).StreamNames).toEqual(['c', 'od']);

    const page1 = await kinesis.send(new DescribeStreamCommand({ StreamName: 'a', Limit: 2 }));
    const d = page1.StreamDescription!;
    expect(d.Shards?.map((s) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(d.HasMoreShards).toBe(true);
    expect(d).toMatchObject({ StreamName: 'a', StreamARN: ARN('a'), StreamStatus: 'ACTIVE', RetentionPeriodHours: 24, EncryptionType: 'NONE' });
    expect(d.EnhancedMonitoring).toEqual([{ ShardLevelMetrics: [] }]);
    expect(d.Shards?.[0]?.HashKeyRange?.StartingHashKey).toBe('0');
    const page2 = await kinesis.send(new DescribeStreamCommand({ StreamARN: ARN('a'), ExclusiveStartShardId: 'shardId-000000000001' }));
    expect(page2.StreamDescription?.Shards?.map((s) => s.ShardId)).toEqual(['shardId-000000000002']);
    expect(page2.StreamDescription?.HasMoreShards).toBe(false);
    expect(page2.StreamDescription?.Shards?.[0]?.HashKeyRange?.EndingHashKey).toBe((2n ** 128n - 1n).toString());

    const summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'od' }))).StreamDescriptionSummary!;
    expect(summary).toMatchObject({ StreamName: 'od', OpenShardCount: 4, ConsumerCount: 0, MaxRecordSizeInKiB: 1024, StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    expect(summary.StreamId).toMatch(/^[a-z0-9]{20}-[a-z0-9]{3}$/);
    // (The SDK's endpoint rules send requests with a StreamId to an AWS host whatever the endpoint: StreamId
    // addressing is tested over raw HTTP in protocol.test.ts.)
    await rejects(kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'a', StreamARN: ARN('b') })), InvalidArgumentException, /different streams/);
    await rejects(kinesis.send(new DescribeStreamSummaryCommand({})), InvalidArgumentException, /StreamName or StreamARN/);
    await rejects(kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: 'arn:aws:kinesis:eu-west-1:000000000000:stream/a' })), ResourceNotFoundException);

    await rejects(kinesis.send(new CreateStreamCommand({ StreamName: 'a', ShardCount: 1 })), ResourceInUseException, /already exists/);
    await kinesis.send(new DeleteStreamCommand({ StreamARN: ARN('a') }));
    await rejects(kinesis.send(new DescribeStreamCommand({ StreamName: 'a' })), ResourceNotFoundException, /Stream a under account 000000000000 not found/);
  });

  it('puts records and reads them back with every iterator type; iterators expire after 5 minutes', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 's', ShardCount: 2 }));
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const one = await kinesis.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'p', Data: bytes, ExplicitHashKey: '0' }));
    expect(one.ShardId).toBe('shardId-000000000000');
    expect(one.SequenceNumber).toMatch(/^\d{56}$/);
    expect(one.EncryptionType).toBe('NONE');
    t.clock.advance(1000);
    const batch = await kinesis.send(
      new PutRecordsCommand({
        StreamARN: ARN('s'),
        Records: [
          { PartitionKey: 'x', Data: Buffer.from('two'), ExplicitHashKey: '1' },
          { PartitionKey: 'y', Data: Buffer.from('three'), ExplicitHashKey: '2' },
          { PartitionKey: 'z', Data: new Uint8Array(0), ExplicitHashKey: (2n ** 128n - 1n).toString() },
        ],
      }),
    );
    expect(batch.FailedRecordCount).toBe(0);
    expect(batch.Records?.map((r) => r.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000000', 'shardId-000000000001']);

    const shard0 = { StreamName: 's', ShardId: 'shardId-000000000000' };
    const read = async (iterator: string | undefined) => (await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }))).Records!;
    const trim = await kinesis.send(new GetShardIteratorCommand({ ...shard0, ShardIteratorType: 'TRIM_HORIZON' }));
    const records = await read(trim.ShardIterator);
    expect(records.map((r) => Buffer.from(r.Data!).toString('hex'))).toEqual([bytes.toString('hex'), Buffer.from('two').toString('hex'), Buffer.from('three').toString('hex')]);
    expect(records[0]).toMatchObject({ PartitionKey: 'p', SequenceNumber: one.SequenceNumber });
    expect(records[0]!.ApproximateArrivalTimestamp).toEqual(new Date(Date.UTC(2026, 0, 1)));
    expect(records[1]!.ApproximateArrivalTimestamp).toEqual(new Date(Date.UTC(2026, 0, 1) + 1000));

    const at = await kinesis.send(new GetShardIteratorCommand({ ...shard0, ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: batch.Records![0]!.SequenceNumber }));
    expect((await read(at.ShardIterator)).map((r) => r.PartitionKey)).toEqual(['x', 'y']);
    const after = await kinesis.send(new GetShardIteratorCommand({ ...shard0, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: batch.Records![0]!.SequenceNumber }));
    expect((await read(after.ShardIterator)).map((r) => r.PartitionKey)).toEqual(['y']);
    const byTime = await kinesis.send(new GetShardIteratorCommand({ ...shard0, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(Date.UTC(2026, 0, 1) + 500) }));
    expect((await read(byTime.ShardIterator)).map((r) => r.PartitionKey)).toEqual(['x', 'y']);

    const latest = await kinesis.send(new GetShardIteratorCommand({ ...shard0, ShardIteratorType: 'LATEST' }));
    const empty = await kinesis.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator, Limit: 10 }));
    expect(empty.Records).toEqual([]);
    expect(empty.MillisBehindLatest).toBe(0);
    await kinesis.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'q', Data: Buffer.from('new'), ExplicitHashKey: '5', SequenceNumberForOrdering: one.SequenceNumber }));
    const next = await kinesis.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator, Limit: 1 }));
    expect(next.Records?.map((r) => Buffer.from(r.Data!).toString())).toEqual(['new']);

    t.clock.advance(5 * 60 * 1000 + 1);
    await rejects(kinesis.send(new GetRecordsCommand({ ShardIterator: next.NextShardIterator })), ExpiredIteratorException, /Iterator expired/);
    await rejects(kinesis.send(new GetRecordsCommand({ ShardIterator: 'bm90IGFuIGl0ZXJhdG9y' })), InvalidArgumentException);
    await rejects(kinesis.send(new GetShardIteratorCommand({ StreamName: 's', ShardId: 'shardId-000000000009', ShardIteratorType: 'LATEST' })), ResourceNotFoundException);
  });

  it('reshards (split, merge, UpdateShardCount); ListShards filters and pages; closed shards end with ChildShards', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'r', ShardCount: 2 }));
    const put = await kinesis.send(new PutRecordCommand({ StreamName: 'r', PartitionKey: 'k', Data: Buffer.from('before'), ExplicitHashKey: '1' }));
    t.clock.advance(1000);
    const beforeSplit = t.clock.now();
    t.clock.advance(1000);
    await kinesis.send(new SplitShardCommand({ StreamName: 'r', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 126n).toString() }));
    t.clock.advance(1000);
    await kinesis.send(new MergeShardsCommand({ StreamName: 'r', ShardToMerge: 'shardId-000000000002', AdjacentShardToMerge: 'shardId-000000000003' }));

    const ids = async (input: ListShardsCommandInput) => (await kinesis.send(new ListShardsCommand(input))).Shards!.map((s) => s.ShardId);
    expect(await ids({ StreamName: 'r' })).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002', 'shardId-000000000003', 'shardId-000000000004']);
    expect(await ids({ StreamName: 'r', ShardFilter: { Type: 'AT_LATEST' } })).toEqual(['shardId-000000000001', 'shardId-000000000004']);
    expect(await ids({ StreamName: 'r', ShardFilter: { Type: 'AT_TRIM_HORIZON' } })).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(await ids({ StreamName: 'r', ShardFilter: { Type: 'FROM_TRIM_HORIZON' } })).toHaveLength(5);
    expect(await ids({ StreamName: 'r', ShardFilter: { Type: 'AFTER_SHARD_ID', ShardId: 'shardId-000000000002' } })).toEqual(['shardId-000000000003', 'shardId-000000000004']);
    expect(await ids({ StreamName: 'r', ShardFilter: { Type: 'AT_TIMESTAMP', Timestamp: new Date(beforeSplit) } })).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    expect(await ids({ StreamName: 'r', ShardFilter: { Type: 'FROM_TIMESTAMP', Timestamp: new Date(beforeSplit + 1500) } })).toEqual([
      'shardId-000000000001',
      'shardId-000000000002',
      'shardId-000000000003',
      'shardId-000000000004',
    ]);
    expect(await ids({ StreamName: 'r', ExclusiveStartShardId: 'shardId-000000000003' })).toEqual(['shardId-000000000004']);
    await rejects(kinesis.send(new ListShardsCommand({ StreamName: 'r', ShardFilter: { Type: 'AT_TIMESTAMP' } })), InvalidArgumentException, /Timestamp/);

    const p1 = await kinesis.send(new ListShardsCommand({ StreamName: 'r', MaxResults: 2, ShardFilter: { Type: 'FROM_TRIM_HORIZON' } }));
    expect(p1.Shards?.map((s) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001']);
    const p2 = await kinesis.send(new ListShardsCommand({ NextToken: p1.NextToken, MaxResults: 2 }));
    expect(p2.Shards?.map((s) => s.ShardId)).toEqual(['shardId-000000000002', 'shardId-000000000003']);
    const p3 = await kinesis.send(new ListShardsCommand({ NextToken: p2.NextToken, MaxResults: 2 }));
    expect(p3.Shards?.map((s) => s.ShardId)).toEqual(['shardId-000000000004']);
    expect(p3.NextToken).toBeUndefined();
    await rejects(kinesis.send(new ListShardsCommand({ NextToken: p1.NextToken, StreamName: 'r' })), InvalidArgumentException, /together/);
    const merged = (await kinesis.send(new ListShardsCommand({ StreamName: 'r', ExclusiveStartShardId: 'shardId-000000000003' }))).Shards![0]!;
    expect(merged).toMatchObject({ ParentShardId: 'shardId-000000000002', AdjacentParentShardId: 'shardId-000000000003' });

    // The split parent: its record, then the end with ChildShards and no next iterator.
    const it0 = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'r', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    const end = await kinesis.send(new GetRecordsCommand({ ShardIterator: it0.ShardIterator }));
    expect(end.Records?.map((r) => r.SequenceNumber)).toEqual([put.SequenceNumber]);
    expect(end.NextShardIterator).toBeUndefined();
    expect(end.ChildShards?.map((c) => [c.ShardId, c.ParentShards])).toEqual([
      ['shardId-000000000002', ['shardId-000000000000']],
      ['shardId-000000000003', ['shardId-000000000000']],
    ]);
    const closed = (await kinesis.send(new DescribeStreamCommand({ StreamName: 'r' }))).StreamDescription!.Shards![0]!;
    expect(closed.SequenceNumberRange?.EndingSequenceNumber).toMatch(/^\d{56}$/);

    const scaled = await kinesis.send(new UpdateShardCountCommand({ StreamName: 'r', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }));
    expect(scaled).toMatchObject({ StreamName: 'r', StreamARN: ARN('r'), CurrentShardCount: 2, TargetShardCount: 4 });
    expect(await ids({ StreamName: 'r', ShardFilter: { Type: 'AT_LATEST' } })).toHaveLength(4);
    await rejects(kinesis.send(new UpdateShardCountCommand({ StreamName: 'r', TargetShardCount: 9, ScalingType: 'UNIFORM_SCALING' })), InvalidArgumentException, /double/);

    t.clock.advance(300_001);
    await rejects(kinesis.send(new ListShardsCommand({ NextToken: p1.NextToken })), ExpiredNextTokenException);
  });

  it('changes retention, stream mode, maximum record size and warm throughput', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'm', ShardCount: 1 }));
    await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'm', RetentionPeriodHours: 48 }));
    const summary = async () => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'm' }))).StreamDescriptionSummary!;
    expect((await summary()).RetentionPeriodHours).toBe(48);
    await rejects(kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: 'm', RetentionPeriodHours: 30 })), InvalidArgumentException, /DecreaseStreamRetentionPeriod/);
    await kinesis.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: 'm', RetentionPeriodHours: 24 }));
    expect((await summary()).RetentionPeriodHours).toBe(24);

    const big = Buffer.alloc(1024 * 1024 + 1);
    await rejects(kinesis.send(new PutRecordCommand({ StreamName: 'm', PartitionKey: 'k', Data: big })), InvalidArgumentException, /exceeds/);
    await kinesis.send(new UpdateMaxRecordSizeCommand({ StreamARN: ARN('m'), MaxRecordSizeInKiB: 2048 }));
    expect((await summary()).MaxRecordSizeInKiB).toBe(2048);
    const put = await kinesis.send(new PutRecordCommand({ StreamName: 'm', PartitionKey: 'k', Data: big }));
    const it0 = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'm', ShardId: put.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    expect((await kinesis.send(new GetRecordsCommand({ ShardIterator: it0.ShardIterator }))).Records![0]!.Data!.byteLength).toBe(big.length);

    await rejects(kinesis.send(new UpdateStreamWarmThroughputCommand({ StreamName: 'm', WarmThroughputMiBps: 10 })), InvalidArgumentException, /ON_DEMAND/);
    await kinesis.send(new UpdateStreamModeCommand({ StreamARN: ARN('m'), StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    expect((await summary()).StreamModeDetails?.StreamMode).toBe('ON_DEMAND');
    const warm = await kinesis.send(new UpdateStreamWarmThroughputCommand({ StreamName: 'm', WarmThroughputMiBps: 10 }));
    expect(warm.WarmThroughput).toEqual({ TargetMiBps: 10, CurrentMiBps: 10 });
    expect((await summary()).WarmThroughput).toEqual({ TargetMiBps: 10, CurrentMiBps: 10 });
  });

  it('tags streams by name and by ARN, and consumers by ARN', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 't', ShardCount: 1, Tags: { team: 'data' } }));
    await kinesis.send(new AddTagsToStreamCommand({ StreamName: 't', Tags: { env: 'test', owner: 'me', zz: '' } }));
    const page = await kinesis.send(new ListTagsForStreamCommand({ StreamName: 't', Limit: 2 }));
    expect(page.Tags).toEqual([
      { Key: 'env', Value: 'test' },
      { Key: 'owner', Value: 'me' },
    ]);
    expect(page.HasMoreTags).toBe(true);
    const rest = await kinesis.send(new ListTagsForStreamCommand({ StreamName: 't', ExclusiveStartTagKey: 'owner' }));
    expect(rest.Tags).toEqual([
      { Key: 'team', Value: 'data' },
      { Key: 'zz', Value: '' },
    ]);
    expect(rest.HasMoreTags).toBe(false);
    await kinesis.send(new RemoveTagsFromStreamCommand({ StreamName: 't', TagKeys: ['zz', 'owner', 'absent'] }));
    await kinesis.send(new TagResourceCommand({ ResourceARN: ARN('t'), Tags: { cost: '7' } }));
    await kinesis.send(new UntagResourceCommand({ ResourceARN: ARN('t'), TagKeys: ['env'] }));
    expect((await kinesis.send(new ListTagsForResourceCommand({ ResourceARN: ARN('t') }))).Tags).toEqual([
      { Key: 'cost', Value: '7' },
      { Key: 'team', Value: 'data' },
    ]);
    const many = Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v']));
    await rejects(kinesis.send(new AddTagsToStreamCommand({ StreamName: 't', Tags: many })), LimitExceededException, /50/);

    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('t'), ConsumerName: 'app', Tags: { a: '1' } }));
    await kinesis.send(new TagResourceCommand({ ResourceARN: Consumer!.ConsumerARN, Tags: { b: '2' } }));
    await kinesis.send(new UntagResourceCommand({ ResourceARN: Consumer!.ConsumerARN, TagKeys: ['a'] }));
    expect((await kinesis.send(new ListTagsForResourceCommand({ ResourceARN: Consumer!.ConsumerARN }))).Tags).toEqual([{ Key: 'b', Value: '2' }]);
    await rejects(kinesis.send(new ListTagsForResourceCommand({ ResourceARN: `${ARN('t')}/consumer/app:1` })), ResourceNotFoundException);
  });

  it('registers, lists (paginated), describes and deregisters consumers', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'e', ShardCount: 1 }));
    const registered = [];
    for (const name of ['c2', 'c1', 'c3']) registered.push((await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('e'), ConsumerName: name }))).Consumer!);
    expect(registered[0]).toMatchObject({ ConsumerName: 'c2', ConsumerStatus: 'ACTIVE', ConsumerCreationTimestamp: new Date(t.clock.now()) });
    expect(registered[0]!.ConsumerARN).toBe(`${ARN('e')}/consumer/c2:${Math.floor(t.clock.now() / 1000)}`);
    await rejects(kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('e'), ConsumerName: 'c1' })), ResourceInUseException);

    const p1 = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: ARN('e'), MaxResults: 2 }));
    expect(p1.Consumers?.map((c) => c.ConsumerName)).toEqual(['c1', 'c2']);
    const p2 = await kinesis.send(new ListStreamConsumersCommand({ StreamARN: ARN('e'), NextToken: p1.NextToken }));
    expect(p2.Consumers?.map((c) => c.ConsumerName)).toEqual(['c3']);
    expect(p2.NextToken).toBeUndefined();

    const byArn = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: registered[1]!.ConsumerARN }));
    expect(byArn.ConsumerDescription).toMatchObject({ ConsumerName: 'c1', StreamARN: ARN('e'), ConsumerStatus: 'ACTIVE' });
    const byName = await kinesis.send(new DescribeStreamConsumerCommand({ StreamARN: ARN('e'), ConsumerName: 'c3' }));
    expect(byName.ConsumerDescription?.ConsumerARN).toBe(registered[2]!.ConsumerARN);
    expect((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'e' }))).StreamDescriptionSummary?.ConsumerCount).toBe(3);

    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: registered[1]!.ConsumerARN }));
    await kinesis.send(new DeregisterStreamConsumerCommand({ StreamARN: ARN('e'), ConsumerName: 'c3' }));
    await rejects(kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: registered[1]!.ConsumerARN })), ResourceNotFoundException);
    await rejects(kinesis.send(new DeleteStreamCommand({ StreamName: 'e' })), ResourceInUseException, /consumers/);
    await kinesis.send(new DeleteStreamCommand({ StreamName: 'e', EnforceConsumerDeletion: true }));
  });

  it('checks SubscribeToShard requests: consumer, shard and starting position', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'f', ShardCount: 1 }));
    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: ARN('f'), ConsumerName: 'efo' }));
    const subscribe = (ConsumerARN: string, ShardId: string, Type: 'LATEST' | 'AT_SEQUENCE_NUMBER' = 'LATEST') =>
      kinesis.send(new SubscribeToShardCommand({ ConsumerARN, ShardId, StartingPosition: { Type } }));
    await rejects(subscribe(Consumer!.ConsumerARN!, 'shardId-000000000007'), ResourceNotFoundException);
    await rejects(subscribe(`${ARN('f')}/consumer/other:1`, 'shardId-000000000000'), ResourceNotFoundException);
    await rejects(subscribe(Consumer!.ConsumerARN!, 'shardId-000000000000', 'AT_SEQUENCE_NUMBER'), InvalidArgumentException, /StartingSequenceNumber is required/);
  });

  it('records encryption, enhanced monitoring and resource policies', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'x', ShardCount: 1 }));
    await kinesis.send(new StartStreamEncryptionCommand({ StreamName: 'x', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    const summary = async () => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'x' }))).StreamDescriptionSummary!;
    expect(await summary()).toMatchObject({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
    expect((await kinesis.send(new PutRecordCommand({ StreamName: 'x', PartitionKey: 'k', Data: Buffer.from('s') }))).EncryptionType).toBe('KMS');
    await rejects(kinesis.send(new StopStreamEncryptionCommand({ StreamName: 'x', EncryptionType: 'KMS', KeyId: 'other' })), InvalidArgumentException);
    await kinesis.send(new StopStreamEncryptionCommand({ StreamName: 'x', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    expect((await summary()).EncryptionType).toBe('NONE');
    await rejects(kinesis.send(new StartStreamEncryptionCommand({ StreamName: 'x', EncryptionType: 'NONE', KeyId: 'k' })), InvalidArgumentException);

    const on = await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'x', ShardLevelMetrics: ['IncomingBytes', 'OutgoingRecords'] }));
    expect(on).toMatchObject({ StreamName: 'x', CurrentShardLevelMetrics: [], DesiredShardLevelMetrics: ['IncomingBytes', 'OutgoingRecords'] });
    const all = await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: 'x', ShardLevelMetrics: ['ALL'] }));
    expect(all.DesiredShardLevelMetrics).toHaveLength(7);
    const off = await kinesis.send(new DisableEnhancedMonitoringCommand({ StreamARN: ARN('x'), ShardLevelMetrics: ['IncomingBytes'] }));
    expect(off.DesiredShardLevelMetrics).toHaveLength(6);
    expect((await summary()).EnhancedMonitoring?.[0]?.ShardLevelMetrics).toEqual(off.DesiredShardLevelMetrics);

    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    expect((await kinesis.send(new GetResourcePolicyCommand({ ResourceARN: ARN('x') }))).Policy).toBe('{}');
    await kinesis.send(new PutResourcePolicyCommand({ ResourceARN: ARN('x'), Policy: policy }));
    expect((await kinesis.send(new GetResourcePolicyCommand({ ResourceARN: ARN('x') }))).Policy).toBe(policy);
    await rejects(kinesis.send(new PutResourcePolicyCommand({ ResourceARN: ARN('x'), Policy: 'not json' })), InvalidArgumentException);
    await kinesis.send(new DeleteResourcePolicyCommand({ ResourceARN: ARN('x') }));
    await rejects(kinesis.send(new DeleteResourcePolicyCommand({ ResourceARN: ARN('x') })), ResourceNotFoundException);
    await rejects(kinesis.send(new GetResourcePolicyCommand({ ResourceARN: ARN('nope') })), ResourceNotFoundException);
  });

  it('describes limits and account settings', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'l1', ShardCount: 3 }));
    await kinesis.send(new CreateStreamCommand({ StreamName: 'l2', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }));
    expect(await kinesis.send(new DescribeLimitsCommand({}))).toMatchObject({ ShardLimit: 500, OpenShardCount: 7, OnDemandStreamCount: 1, OnDemandStreamCountLimit: 50 });
    expect((await kinesis.send(new DescribeAccountSettingsCommand({}))).MinimumThroughputBillingCommitment).toEqual({ Status: 'DISABLED' });
    const on = await kinesis.send(new UpdateAccountSettingsCommand({ MinimumThroughputBillingCommitment: { Status: 'ENABLED' } }));
    expect(on.MinimumThroughputBillingCommitment).toMatchObject({ Status: 'ENABLED', StartedAt: new Date(t.clock.now()) });
    const off = await kinesis.send(new UpdateAccountSettingsCommand({ MinimumThroughputBillingCommitment: { Status: 'DISABLED' } }));
    expect(off.MinimumThroughputBillingCommitment?.Status).toBe('ENABLED_UNTIL_EARLIEST_ALLOWED_END');
    expect((await kinesis.send(new DescribeAccountSettingsCommand({}))).MinimumThroughputBillingCommitment?.Status).toBe('ENABLED_UNTIL_EARLIEST_ALLOWED_END');
  });

  it('reports model validation errors as ValidationException, naming the member and the constraint', async () => {
    const err = await rejects(kinesis.send(new CreateStreamCommand({ StreamName: 'bad name!', ShardCount: 0 })), ValidationException);
    expect(err.message).toBe(
      "2 validation errors detected: Value 'bad name!' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    await kinesis.send(new CreateStreamCommand({ StreamName: 'v', ShardCount: 1 }));
    const records = await rejects(kinesis.send(new PutRecordsCommand({ StreamName: 'v', Records: [{ PartitionKey: '', Data: Buffer.from('x') }] })), ValidationException);
    expect(records.message).toContain("at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1");
    await rejects(kinesis.send(new GetRecordsCommand({ ShardIterator: 'x', Limit: 10_001 })), ValidationException, /less than or equal to 10000/);
  });
});

describe('throughput limits through the SDK', () => {
  let t: TestServer;
  let kinesis: KinesisClient;
  beforeAll(async () => {
    t = await startTestServer({ limits: true });
    kinesis = sdkClient(t.server, 'default');
  });
  afterAll(async () => {
    kinesis.destroy();
    await t.close();
  });

  it('fails PutRecords entries, PutRecord and GetRecords over the per-shard limits with ProvisionedThroughputExceeded', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'hot', ShardCount: 1 }));
    const records = Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.alloc(10) }));
    expect((await kinesis.send(new PutRecordsCommand({ StreamName: 'hot', Records: records }))).FailedRecordCount).toBe(0);
    expect((await kinesis.send(new PutRecordsCommand({ StreamName: 'hot', Records: records }))).FailedRecordCount).toBe(0);
    const third = await kinesis.send(new PutRecordsCommand({ StreamName: 'hot', Records: records.slice(0, 3) }));
    expect(third.FailedRecordCount).toBe(3);
    expect(third.Records?.[0]).toMatchObject({ ErrorCode: 'ProvisionedThroughputExceededException' });
    expect(third.Records?.[0]?.ErrorMessage).toMatch(/Rate exceeded for shard shardId-000000000000/);
    await rejects(kinesis.send(new PutRecordCommand({ StreamName: 'hot', PartitionKey: 'k', Data: Buffer.alloc(1) })), ProvisionedThroughputExceededException);
    t.clock.advance(1000);
    await kinesis.send(new PutRecordCommand({ StreamName: 'hot', PartitionKey: 'k', Data: Buffer.alloc(1) }));

    const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'hot', ShardId: 'shardId-000000000000', ShardIteratorType: 'LATEST' }));
    for (let i = 0; i < 5; i++) await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    await rejects(kinesis.send(new GetRecordsCommand({ ShardIterator })), ProvisionedThroughputExceededException);
  });
});
