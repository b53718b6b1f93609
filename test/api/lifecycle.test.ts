import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  SplitShardCommand,
  SubscribeToShardCommand,
  UpdateShardCountCommand,
} from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sdkClient, startTestServer, type TestServer } from './helpers.js';

/** With a transition delay, streams are CREATING, UPDATING and DELETING, and consumers CREATING, for that long (virtual time). */
describe('lifecycle states with a transition delay', () => {
  let t: TestServer;
  let kinesis: KinesisClient;
  beforeEach(async () => {
    t = await startTestServer({}, { transitionMs: 1000 });
    kinesis = sdkClient(t.server, 'default');
  });
  afterEach(async () => {
    kinesis.destroy();
    await t.close();
  });

  const status = async (name: string) => (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary!.StreamStatus;
  const put = (name: string) => kinesis.send(new PutRecordCommand({ StreamName: name, PartitionKey: 'k', Data: Buffer.from('x') }));
  const expectError = async (p: Promise<unknown>, type: new (...a: any[]) => Error) => {
    await expect(p).rejects.toBeInstanceOf(type);
  };

  it('CREATING → ACTIVE; UPDATING after a reshard takes records but no further change', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 's', ShardCount: 1 }));
    expect(await status('s')).toBe('CREATING');
    expect((await kinesis.send(new ListStreamsCommand({}))).StreamSummaries?.[0]?.StreamStatus).toBe('CREATING');
    await expectError(put('s'), ResourceNotFoundException);
    await expectError(kinesis.send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '100' })), ResourceInUseException);
    t.clock.advance(999);
    expect(await status('s')).toBe('CREATING');
    t.clock.advance(1);
    expect(await status('s')).toBe('ACTIVE');
    await put('s');

    await kinesis.send(new SplitShardCommand({ StreamName: 's', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '100' }));
    expect(await status('s')).toBe('UPDATING');
    await put('s');
    await expectError(kinesis.send(new UpdateShardCountCommand({ StreamName: 's', TargetShardCount: 1, ScalingType: 'UNIFORM_SCALING' })), ResourceInUseException);
    t.clock.advance(1000);
    expect(await status('s')).toBe('ACTIVE');
    await kinesis.send(new UpdateShardCountCommand({ StreamName: 's', TargetShardCount: 1, ScalingType: 'UNIFORM_SCALING' }));
  });

  it('DELETING, then gone once the delay has passed; the name is free again after', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'd', ShardCount: 1 }));
    t.clock.advance(1000);
    await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: t.log.streamArn('d'), ConsumerName: 'app' }));
    await expectError(kinesis.send(new DeleteStreamCommand({ StreamName: 'd' })), ResourceInUseException); // consumers
    await kinesis.send(new DeleteStreamCommand({ StreamName: 'd', EnforceConsumerDeletion: true }));
    expect(await status('d')).toBe('DELETING');
    await expectError(put('d'), ResourceNotFoundException);
    await expectError(kinesis.send(new DeleteStreamCommand({ StreamName: 'd' })), ResourceInUseException);
    await expectError(kinesis.send(new CreateStreamCommand({ StreamName: 'd', ShardCount: 1 })), ResourceInUseException);
    t.clock.advance(1000);
    await expectError(status('d'), ResourceNotFoundException);
    expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
    await kinesis.send(new CreateStreamCommand({ StreamName: 'd', ShardCount: 1 }));
    expect(await status('d')).toBe('CREATING');
  });

  it('a consumer is CREATING after registration and cannot subscribe until ACTIVE', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'c', ShardCount: 1 }));
    t.clock.advance(1000);
    await put('c');
    const { Consumer } = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: t.log.streamArn('c'), ConsumerName: 'app' }));
    expect(Consumer?.ConsumerStatus).toBe('CREATING');
    const subscribe = () => kinesis.send(new SubscribeToShardCommand({ ConsumerARN: Consumer!.ConsumerARN, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } }));
    await expectError(subscribe(), ResourceInUseException);
    t.clock.advance(1000);
    expect((await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: Consumer!.ConsumerARN }))).ConsumerDescription?.ConsumerStatus).toBe('ACTIVE');
    const { EventStream } = await subscribe();
    const first = await EventStream![Symbol.asyncIterator]().next();
    expect(first.value.SubscribeToShardEvent.Records).toEqual([]);
  });
});
