import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KinesisServiceOptions } from '../../src/api/index.js';
import { LocalKms, type KmsKeyState } from '../../src/api/kinesis/kms.js';
import { API_RATES, SHARD_ITERATOR_CALLS_PER_SECOND } from '../../src/api/kinesis/rates.js';
import type { LogOptions } from '../../src/index.js';
import { startTestServer, type TestServer } from './helpers.js';
import { Http2Client, JSON_TYPE } from './raw.js';

/**
 * Walks the AWS model's (operation, error code) pairs and drives the server, over HTTP/2 in AWS JSON 1.1, into each
 * for a real reason: the condition a client would meet (a gone stream, a stream still CREATING, a bad argument, a
 * limit or a call rate passed, a damaged data directory). Every pair has a driver (UNREACHABLE would list any that could not).
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const awsModel = JSON.parse(fs.readFileSync(path.join(root, '../shared/aws-models/kinesis-2013-12-02.json'), 'utf8')) as {
  metadata: { targetPrefix: string };
  operations: Record<string, { errors?: { shape: string }[] }>;
};
const pairs = Object.entries(awsModel.operations).flatMap(([op, o]) => (o.errors ?? []).map((e) => [op, e.shape] as const));

let t: TestServer;
let h2: Http2Client;
let kms: LocalKms;

async function call(op: string, body: object): Promise<{ status: number; body: any }> {
  const res = await h2.request({ headers: { 'content-type': JSON_TYPE, 'x-amz-target': `${awsModel.metadata.targetPrefix}.${op}` }, body: JSON.stringify(body) });
  return { status: res.status, body: JSON.parse(res.body.toString('utf8') || '{}') };
}
async function ok(op: string, body: object): Promise<any> {
  const r = await call(op, body);
  expect(r.body.__type, `${op}: ${r.body.message}`).toBeUndefined();
  return r.body;
}
async function expectCode(op: string, body: object, code: string): Promise<void> {
  const r = await call(op, body);
  expect(r.body.__type, `${op}: ${r.body.message}`).toBe(code);
  expect(r.status).toBe(code === 'InternalFailureException' ? 500 : 400);
}

/** Data directories made for a driver, removed after it. */
const dirs: string[] = [];

/** A server over the given log and service options, with stream `s` (2 shards) ACTIVE. */
async function start(logOptions: LogOptions = {}, serviceOptions: KinesisServiceOptions = {}): Promise<void> {
  kms = new LocalKms();
  t = await startTestServer(logOptions, { kms, ...serviceOptions });
  h2 = new Http2Client(t.server.url);
  await ok('CreateStream', { StreamName: 's', ShardCount: 2 });
  if (serviceOptions.transitionMs) t.clock.advance(serviceOptions.transitionMs);
}
async function stop(): Promise<void> {
  h2.close();
  await t.close();
}
/** The server of a driver that needs other options than the default one. */
async function restart(logOptions: LogOptions = {}, serviceOptions: KinesisServiceOptions = {}): Promise<void> {
  await stop();
  await start(logOptions, serviceOptions);
}

beforeEach(() => start());
afterEach(async () => {
  await stop();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const S = 's';
const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/s';
const SHARD0 = 'shardId-000000000000';
const iterator = async () => (await ok('GetShardIterator', { StreamName: S, ShardId: SHARD0, ShardIteratorType: 'TRIM_HORIZON' })).ShardIterator as string;

type Drivers = Record<string, () => Promise<void>>;
const arnOf = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
/** Matches the model's StreamARN and ResourceARN patterns, but names no stream: a consumer-like path with no consumer. */
const NOT_A_STREAM_ARN = `${ARN}/not-a-consumer`;
const registerConsumer = async (name = 'c'): Promise<string> => (await ok('RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: name })).Consumer.ConsumerARN;
const tags = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

/** A valid request of each operation the model gives AccessDeniedException, addressing stream `s` (or its consumer). */
const accessInputs: Record<string, (ctx: { iterator: string; consumerARN: string }) => object> = {
  AddTagsToStream: () => ({ StreamName: S, Tags: { a: 'b' } }),
  DecreaseStreamRetentionPeriod: () => ({ StreamName: S, RetentionPeriodHours: 24 }),
  DeleteResourcePolicy: () => ({ ResourceARN: ARN }),
  DeleteStream: () => ({ StreamName: S }),
  DescribeStream: () => ({ StreamName: S }),
  DescribeStreamSummary: () => ({ StreamName: S }),
  DisableEnhancedMonitoring: () => ({ StreamName: S, ShardLevelMetrics: ['ALL'] }),
  EnableEnhancedMonitoring: () => ({ StreamName: S, ShardLevelMetrics: ['ALL'] }),
  GetRecords: ({ iterator }) => ({ ShardIterator: iterator }),
  GetResourcePolicy: () => ({ ResourceARN: ARN }),
  GetShardIterator: () => ({ StreamName: S, ShardId: SHARD0, ShardIteratorType: 'TRIM_HORIZON' }),
  IncreaseStreamRetentionPeriod: () => ({ StreamName: S, RetentionPeriodHours: 48 }),
  ListShards: () => ({ StreamName: S }),
  ListTagsForResource: () => ({ ResourceARN: ARN }),
  ListTagsForStream: () => ({ StreamName: S }),
  MergeShards: () => ({ StreamName: S, ShardToMerge: SHARD0, AdjacentShardToMerge: 'shardId-000000000001' }),
  PutRecord: () => ({ StreamName: S, Data: 'AA==', PartitionKey: 'k' }),
  PutRecords: () => ({ StreamName: S, Records: [{ Data: 'AA==', PartitionKey: 'k' }] }),
  PutResourcePolicy: () => ({ ResourceARN: ARN, Policy: '{}' }),
  RemoveTagsFromStream: () => ({ StreamName: S, TagKeys: ['a'] }),
  SplitShard: () => ({ StreamName: S, ShardToSplit: SHARD0, NewStartingHashKey: '1' }),
  StartStreamEncryption: () => ({ StreamName: S, EncryptionType: 'KMS', KeyId: 'alias/app' }),
  StopStreamEncryption: () => ({ StreamName: S, EncryptionType: 'KMS', KeyId: 'alias/app' }),
  SubscribeToShard: ({ consumerARN }) => ({ ConsumerARN: consumerARN, ShardId: SHARD0, StartingPosition: { Type: 'LATEST' } }),
  TagResource: () => ({ ResourceARN: ARN, Tags: { a: 'b' } }),
  UntagResource: () => ({ ResourceARN: ARN, TagKeys: ['a'] }),
  UpdateMaxRecordSize: () => ({ StreamARN: ARN, MaxRecordSizeInKiB: 2048 }),
  UpdateShardCount: () => ({ StreamName: S, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }),
  UpdateStreamWarmThroughput: () => ({ StreamName: S, WarmThroughputMiBps: 10 }),
};

/** The same, for the operations that AccessDeniedException does not list. */
const goneInputs: Record<string, (ctx: { iterator: string; consumerARN: string }) => object> = {
  ...accessInputs,
  DeregisterStreamConsumer: ({ consumerARN }) => ({ ConsumerARN: consumerARN }),
  DescribeStreamConsumer: ({ consumerARN }) => ({ ConsumerARN: consumerARN }),
  ListStreamConsumers: () => ({ StreamARN: ARN }),
  RegisterStreamConsumer: () => ({ StreamARN: ARN, ConsumerName: 'c2' }),
  UpdateStreamMode: () => ({ StreamARN: ARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
};

/** ResourceNotFoundException: the stream (and with it its consumer, and the iterator's shard) was deleted. */
const notFoundDrivers: Record<string, () => Promise<void>> = {};
for (const op of pairs.filter(([, code]) => code === 'ResourceNotFoundException').map(([op]) => op)) {
  const input = goneInputs[op];
  if (input === undefined) continue;
  notFoundDrivers[op] = async () => {
    const it0 = await iterator();
    const consumer = await ok('RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'c' });
    await ok('DeleteStream', { StreamName: S, EnforceConsumerDeletion: true });
    await expectCode(op, input({ iterator: it0, consumerARN: consumer.Consumer.ConsumerARN }), 'ResourceNotFoundException');
  };
}
const kmsStates: Record<string, KmsKeyState> = {
  KMSDisabledException: 'Disabled',
  KMSInvalidStateException: 'PendingDeletion',
  KMSNotFoundException: 'NotFound',
  KMSOptInRequired: 'OptInRequired',
  KMSThrottlingException: 'Throttled',
  KMSAccessDeniedException: 'AccessDenied',
};
const reservedAlias: Record<KmsKeyState, string> = {
  Enabled: 'alias/app',
  Disabled: 'alias/sluice-disabled',
  PendingDeletion: 'alias/sluice-pending-deletion',
  NotFound: 'alias/sluice-not-found',
  OptInRequired: 'alias/sluice-opt-in-required',
  Throttled: 'alias/sluice-throttled',
  AccessDenied: 'alias/sluice-access-denied',
};

/** Drivers by error code, then operation: each brings the server into that error for a real reason. */
const drivers: Record<string, Record<string, () => Promise<void>>> = {
  AccessDeniedException: Object.fromEntries(
    Object.entries(accessInputs).map(([op, input]) => [
      op,
      async () => {
        const it0 = await iterator();
        const consumer = await ok('RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'c' });
        const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: `kinesis:${op}`, Resource: [ARN, `${ARN}/*`] }] };
        // Before the policy the request is allowed (unless it is a state change the same policy would block anyway).
        await ok('PutResourcePolicy', { ResourceARN: ARN, Policy: JSON.stringify(policy) });
        await expectCode(op, input({ iterator: it0, consumerARN: consumer.Consumer.ConsumerARN }), 'AccessDeniedException');
      },
    ]),
  ),
  ExpiredIteratorException: {
    GetRecords: async () => {
      const it0 = await iterator();
      t.clock.advance(300_001);
      await expectCode('GetRecords', { ShardIterator: it0 }, 'ExpiredIteratorException');
    },
  },
  ExpiredNextTokenException: {
    ListShards: async () => {
      const first = await ok('ListShards', { StreamName: S, MaxResults: 1 });
      t.clock.advance(300_001);
      await expectCode('ListShards', { NextToken: first.NextToken }, 'ExpiredNextTokenException');
    },
    ListStreams: async () => {
      await ok('CreateStream', { StreamName: 's2', ShardCount: 1 });
      const first = await ok('ListStreams', { Limit: 1 });
      t.clock.advance(300_001);
      await expectCode('ListStreams', { NextToken: first.NextToken }, 'ExpiredNextTokenException');
    },
    ListStreamConsumers: async () => {
      await ok('RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'c1' });
      await ok('RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'c2' });
      const first = await ok('ListStreamConsumers', { StreamARN: ARN, MaxResults: 1 });
      t.clock.advance(300_001);
      await expectCode('ListStreamConsumers', { StreamARN: ARN, NextToken: first.NextToken }, 'ExpiredNextTokenException');
    },
  },
};
for (const [code, state] of Object.entries(kmsStates)) {
  drivers[code] = {
    StartStreamEncryption: () => expectCode('StartStreamEncryption', { StreamName: S, EncryptionType: 'KMS', KeyId: reservedAlias[state] }, code),
    ...Object.fromEntries(
      (['PutRecord', 'PutRecords', 'GetRecords'] as const).map((op) => [
        op,
        async () => {
          await ok('StartStreamEncryption', { StreamName: S, EncryptionType: 'KMS', KeyId: 'alias/app' });
          const it0 = await iterator();
          const put = { StreamName: S, Data: 'AA==', PartitionKey: 'k' };
          await ok('PutRecord', put);
          // The key goes bad after the stream was encrypted with it (KMS's DisableKey, ScheduleKeyDeletion, ...).
          kms.setKeyState('alias/app', state);
          const input = op === 'PutRecord' ? put : op === 'PutRecords' ? { StreamName: S, Records: [{ Data: 'AA==', PartitionKey: 'k' }] } : { ShardIterator: it0 };
          await expectCode(op, input, code);
        },
      ]),
    ),
  };
}

drivers.ResourceNotFoundException = notFoundDrivers;
drivers.ResourceInUseException = inUseDrivers();
drivers.InvalidArgumentException = invalidArgumentDrivers();
drivers.LimitExceededException = limitDrivers();
drivers.ValidationException = validationDrivers();
drivers.ProvisionedThroughputExceededException = throughputDrivers();
drivers.InternalFailureException = internalFailureDrivers();

/**
 * Pairs no real condition produces, with the reason. Each must be a pair of the model that has no driver (so this map
 * shrinks as drivers are found).
 */
/** Pairs no real condition produces, with the reason. None now: PutRecords' throughput code comes per record. */
const UNREACHABLE: Record<string, string> = {};

describe('every modelled (operation, error code) pair', () => {
  it('the model has the pairs this walk expects', () => expect(pairs.length).toBeGreaterThan(200));
  for (const [op, code] of pairs) {
    const driver = drivers[code]?.[op];
    if (driver) it(`${op} → ${code}`, driver);
  }
  it('every pair has a driver, or a reason in UNREACHABLE', () => {
    const undriven = pairs.filter(([op, code]) => !drivers[code]?.[op]).map(([op, code]) => `${op} → ${code}`);
    expect(undriven).toEqual(Object.keys(UNREACHABLE));
  });
  it('every driver is of a pair of the model', () => {
    const modelled = new Set(pairs.map(([op, code]) => `${op} → ${code}`));
    const extra = Object.entries(drivers).flatMap(([code, ops]) => Object.keys(ops).map((op) => `${op} → ${code}`)).filter((p) => !modelled.has(p));
    expect(extra).toEqual([]);
  });
});

describe('resource policy evaluation', () => {
  it('denies only the principal and action named; Allow grants nothing extra', async () => {
    const policy = {
      Statement: [
        { Effect: 'Deny', Principal: { AWS: 'AKIDOTHER' }, Action: 'kinesis:PutRecord', Resource: ARN },
        { Effect: 'Allow', Principal: '*', Action: 'kinesis:*', Resource: ARN },
      ],
    };
    await ok('PutResourcePolicy', { ResourceARN: ARN, Policy: JSON.stringify(policy) });
    // The raw client sends no credential: any principal, so the deny applies.
    await expectCode('PutRecord', { StreamName: S, Data: 'AA==', PartitionKey: 'k' }, 'AccessDeniedException');
    await ok('PutRecords', { StreamName: S, Records: [{ Data: 'AA==', PartitionKey: 'k' }] });
    await ok('PutResourcePolicy', { ResourceARN: ARN, Policy: JSON.stringify({ Statement: [{ Effect: 'Deny', Principal: '*', Action: 'kinesis:Put*', Resource: 'arn:aws:kinesis:us-east-1:000000000000:stream/other' }] }) });
    await ok('PutRecord', { StreamName: S, Data: 'AA==', PartitionKey: 'k' });
  });
});

// ---- drivers by code, built per operation ------------------------------------------------------------------------


/**
 * ResourceInUseException: a stream still CREATING (or UPDATING after a change), with the server's transition delay on
 * (1 s of the virtual clock); a consumer still CREATING; a name already taken; a stream with consumers.
 */
function inUseDrivers(): Drivers {
  const N = 'n';
  const NARN = arnOf(N);
  /** Stream `n` (2 shards), CREATING for a second. */
  const creating = async () => {
    await restart({}, { transitionMs: 1000 });
    await ok('CreateStream', { StreamName: N, ShardCount: 2 });
    expect((await ok('DescribeStreamSummary', { StreamName: N })).StreamDescriptionSummary.StreamStatus).toBe('CREATING');
  };
  const onCreating = (op: string, input: object): (() => Promise<void>) => async () => {
    await creating();
    await expectCode(op, input, 'ResourceInUseException');
    // Once ACTIVE, the same request is no longer refused for the stream's state.
    t.clock.advance(1000);
    expect((await call(op, input)).body.__type).not.toBe('ResourceInUseException');
  };
  return {
    AddTagsToStream: onCreating('AddTagsToStream', { StreamName: N, Tags: { a: 'b' } }),
    DecreaseStreamRetentionPeriod: onCreating('DecreaseStreamRetentionPeriod', { StreamName: N, RetentionPeriodHours: 24 }),
    DeleteResourcePolicy: async () => {
      await creating();
      await expectCode('DeleteResourcePolicy', { ResourceARN: NARN }, 'ResourceInUseException');
    },
    DisableEnhancedMonitoring: onCreating('DisableEnhancedMonitoring', { StreamName: N, ShardLevelMetrics: ['ALL'] }),
    EnableEnhancedMonitoring: onCreating('EnableEnhancedMonitoring', { StreamName: N, ShardLevelMetrics: ['ALL'] }),
    GetResourcePolicy: onCreating('GetResourcePolicy', { ResourceARN: NARN }),
    IncreaseStreamRetentionPeriod: onCreating('IncreaseStreamRetentionPeriod', { StreamName: N, RetentionPeriodHours: 48 }),
    ListShards: onCreating('ListShards', { StreamName: N }),
    ListStreamConsumers: onCreating('ListStreamConsumers', { StreamARN: NARN }),
    ListTagsForResource: onCreating('ListTagsForResource', { ResourceARN: NARN }),
    MergeShards: onCreating('MergeShards', { StreamName: N, ShardToMerge: SHARD0, AdjacentShardToMerge: 'shardId-000000000001' }),
    PutResourcePolicy: onCreating('PutResourcePolicy', { ResourceARN: NARN, Policy: '{}' }),
    RemoveTagsFromStream: onCreating('RemoveTagsFromStream', { StreamName: N, TagKeys: ['a'] }),
    SplitShard: onCreating('SplitShard', { StreamName: N, ShardToSplit: SHARD0, NewStartingHashKey: '100' }),
    StartStreamEncryption: onCreating('StartStreamEncryption', { StreamName: N, EncryptionType: 'KMS', KeyId: 'alias/app' }),
    TagResource: onCreating('TagResource', { ResourceARN: NARN, Tags: { a: 'b' } }),
    UntagResource: onCreating('UntagResource', { ResourceARN: NARN, TagKeys: ['a'] }),
    UpdateMaxRecordSize: onCreating('UpdateMaxRecordSize', { StreamARN: NARN, MaxRecordSizeInKiB: 2048 }),
    UpdateShardCount: onCreating('UpdateShardCount', { StreamName: N, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }),
    UpdateStreamMode: onCreating('UpdateStreamMode', { StreamARN: NARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
    UpdateStreamWarmThroughput: async () => {
      await restart({}, { transitionMs: 1000 });
      await ok('CreateStream', { StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
      await expectCode('UpdateStreamWarmThroughput', { StreamName: 'od', WarmThroughputMiBps: 10 }, 'ResourceInUseException');
    },
    StopStreamEncryption: async () => {
      // Encrypting takes the stream through UPDATING; stopping it before that is over is refused.
      await restart({}, { transitionMs: 1000 });
      await ok('StartStreamEncryption', { StreamName: S, EncryptionType: 'KMS', KeyId: 'alias/app' });
      const stopIt = { StreamName: S, EncryptionType: 'KMS', KeyId: 'alias/app' };
      await expectCode('StopStreamEncryption', stopIt, 'ResourceInUseException');
      t.clock.advance(1000);
      await ok('StopStreamEncryption', stopIt);
    },
    SubscribeToShard: async () => {
      await restart({}, { transitionMs: 1000 });
      const consumerARN = await registerConsumer();
      await expectCode('SubscribeToShard', { ConsumerARN: consumerARN, ShardId: SHARD0, StartingPosition: { Type: 'LATEST' } }, 'ResourceInUseException');
    },
    CreateStream: () => expectCode('CreateStream', { StreamName: S, ShardCount: 1 }, 'ResourceInUseException'),
    DeleteStream: async () => {
      await registerConsumer();
      await expectCode('DeleteStream', { StreamName: S }, 'ResourceInUseException');
    },
    RegisterStreamConsumer: async () => {
      await registerConsumer();
      await expectCode('RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'c' }, 'ResourceInUseException');
    },
  };
}

/** InvalidArgumentException: arguments that cannot be used together, or that are wrong for the resource's state. */
function invalidArgumentDrivers(): Drivers {
  /** StreamName and StreamARN naming different streams (both exist). */
  const disagreeing = (op: string, rest: object): (() => Promise<void>) => async () => {
    await ok('CreateStream', { StreamName: 'other', ShardCount: 1 });
    await expectCode(op, { StreamName: S, StreamARN: arnOf('other'), ...rest }, 'InvalidArgumentException');
  };
  const badArn = (op: string, rest: object = {}) => () => expectCode(op, { ResourceARN: NOT_A_STREAM_ARN, ...rest }, 'InvalidArgumentException');
  /** 2^128: one past the largest hash key (the model's pattern takes it). */
  const PAST_LAST_HASH_KEY = (1n << 128n).toString();
  return {
    AddTagsToStream: disagreeing('AddTagsToStream', { Tags: { a: 'b' } }),
    CreateStream: () => expectCode('CreateStream', { StreamName: 'p' }, 'InvalidArgumentException'), // PROVISIONED needs a ShardCount
    DecreaseStreamRetentionPeriod: () => expectCode('DecreaseStreamRetentionPeriod', { StreamName: S, RetentionPeriodHours: 48 }, 'InvalidArgumentException'),
    IncreaseStreamRetentionPeriod: async () => {
      await ok('IncreaseStreamRetentionPeriod', { StreamName: S, RetentionPeriodHours: 48 });
      await expectCode('IncreaseStreamRetentionPeriod', { StreamName: S, RetentionPeriodHours: 36 }, 'InvalidArgumentException');
    },
    DeleteResourcePolicy: badArn('DeleteResourcePolicy'),
    GetResourcePolicy: badArn('GetResourcePolicy'),
    PutResourcePolicy: () => expectCode('PutResourcePolicy', { ResourceARN: ARN, Policy: 'not json' }, 'InvalidArgumentException'),
    ListTagsForResource: badArn('ListTagsForResource'),
    TagResource: badArn('TagResource', { Tags: { a: 'b' } }),
    UntagResource: badArn('UntagResource', { TagKeys: ['a'] }),
    DeleteStream: disagreeing('DeleteStream', {}),
    DescribeStream: () => expectCode('DescribeStream', {}, 'InvalidArgumentException'), // neither name nor ARN
    DescribeStreamSummary: () => expectCode('DescribeStreamSummary', {}, 'InvalidArgumentException'),
    ListTagsForStream: disagreeing('ListTagsForStream', {}),
    DisableEnhancedMonitoring: disagreeing('DisableEnhancedMonitoring', { ShardLevelMetrics: ['ALL'] }),
    EnableEnhancedMonitoring: disagreeing('EnableEnhancedMonitoring', { ShardLevelMetrics: ['ALL'] }),
    RemoveTagsFromStream: disagreeing('RemoveTagsFromStream', { TagKeys: ['a'] }),
    // A consumer's name without the stream it belongs to.
    DeregisterStreamConsumer: async () => {
      await registerConsumer();
      await expectCode('DeregisterStreamConsumer', { ConsumerName: 'c' }, 'InvalidArgumentException');
    },
    DescribeStreamConsumer: async () => {
      await registerConsumer();
      await expectCode('DescribeStreamConsumer', { ConsumerName: 'c' }, 'InvalidArgumentException');
    },
    RegisterStreamConsumer: () => expectCode('RegisterStreamConsumer', { StreamARN: NOT_A_STREAM_ARN, ConsumerName: 'c' }, 'InvalidArgumentException'),
    ListStreamConsumers: () => expectCode('ListStreamConsumers', { StreamARN: ARN, NextToken: 'bm90IGEgdG9rZW4=' }, 'InvalidArgumentException'),
    ListStreams: () => expectCode('ListStreams', { NextToken: 'bm90IGEgdG9rZW4=' }, 'InvalidArgumentException'),
    ListShards: async () => {
      const first = await ok('ListShards', { StreamName: S, MaxResults: 1 });
      await expectCode('ListShards', { StreamName: S, NextToken: first.NextToken }, 'InvalidArgumentException');
    },
    GetRecords: () => expectCode('GetRecords', { ShardIterator: 'AAAAAAAAAAH2Ww3ZXZvbRkpC0H9N4ZyDy4rNOT5DPXYyUk3rC2v+v2Yo8w==' }, 'InvalidArgumentException'),
    GetShardIterator: () => expectCode('GetShardIterator', { StreamName: S, ShardId: SHARD0, ShardIteratorType: 'AT_SEQUENCE_NUMBER' }, 'InvalidArgumentException'),
    PutRecord: () => expectCode('PutRecord', { StreamName: S, Data: 'AA==', PartitionKey: 'k', ExplicitHashKey: PAST_LAST_HASH_KEY }, 'InvalidArgumentException'),
    PutRecords: () =>
      expectCode('PutRecords', { StreamName: S, Records: [{ Data: 'AA==', PartitionKey: 'k' }, { Data: 'AA==', PartitionKey: 'k', ExplicitHashKey: PAST_LAST_HASH_KEY }] }, 'InvalidArgumentException'),
    MergeShards: () => expectCode('MergeShards', { StreamName: S, ShardToMerge: SHARD0, AdjacentShardToMerge: SHARD0 }, 'InvalidArgumentException'),
    SplitShard: () => expectCode('SplitShard', { StreamName: S, ShardToSplit: SHARD0, NewStartingHashKey: '1' }, 'InvalidArgumentException'),
    UpdateShardCount: () => expectCode('UpdateShardCount', { StreamName: S, TargetShardCount: 5, ScalingType: 'UNIFORM_SCALING' }, 'InvalidArgumentException'),
    StartStreamEncryption: () => expectCode('StartStreamEncryption', { StreamName: S, EncryptionType: 'NONE', KeyId: 'alias/app' }, 'InvalidArgumentException'),
    StopStreamEncryption: () => expectCode('StopStreamEncryption', { StreamName: S, EncryptionType: 'KMS', KeyId: 'alias/app' }, 'InvalidArgumentException'),
    SubscribeToShard: async () => {
      const consumerARN = await registerConsumer();
      await expectCode('SubscribeToShard', { ConsumerARN: consumerARN, ShardId: SHARD0, StartingPosition: { Type: 'AT_SEQUENCE_NUMBER' } }, 'InvalidArgumentException');
    },
    UpdateAccountSettings: () => expectCode('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'DISABLED' } }, 'InvalidArgumentException'),
    UpdateMaxRecordSize: () => expectCode('UpdateMaxRecordSize', { StreamARN: NOT_A_STREAM_ARN, MaxRecordSizeInKiB: 2048 }, 'InvalidArgumentException'),
    UpdateStreamMode: () => expectCode('UpdateStreamMode', { StreamARN: NOT_A_STREAM_ARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }, 'InvalidArgumentException'),
    UpdateStreamWarmThroughput: () => expectCode('UpdateStreamWarmThroughput', { StreamName: S, WarmThroughputMiBps: 10 }, 'InvalidArgumentException'), // PROVISIONED
  };
}

/**
 * LimitExceededException: a limit on resources passed where the operation has one (shards, tags, consumers, a policy's
 * size, ON_DEMAND streams, streams CREATING or DELETING and consumers CREATING at once); otherwise AWS's call rate for
 * the operation (with `apiLimits` on, see rates.ts): its calls in one second of the virtual clock pass the rate check,
 * the next is refused, and a second later it is taken again.
 */
function limitDrivers(): Drivers {
  const rateInputs: Record<string, (ctx: { iterator: string; consumerARN: string }) => object> = {
    ...accessInputs,
    CreateStream: () => ({ StreamName: 'x', ShardCount: 1 }),
    DeregisterStreamConsumer: ({ consumerARN }) => ({ ConsumerARN: consumerARN }),
    DescribeAccountSettings: () => ({}),
    DescribeLimits: () => ({}),
    DescribeStreamConsumer: ({ consumerARN }) => ({ ConsumerARN: consumerARN }),
    ListStreamConsumers: () => ({ StreamARN: ARN }),
    ListStreams: () => ({}),
    RegisterStreamConsumer: () => ({ StreamARN: ARN, ConsumerName: 'x' }),
    // Fails at once (no sequence number), so no subscription is left open; the call is counted all the same.
    SubscribeToShard: ({ consumerARN }) => ({ ConsumerARN: consumerARN, ShardId: SHARD0, StartingPosition: { Type: 'AT_SEQUENCE_NUMBER' } }),
    UpdateAccountSettings: () => ({ MinimumThroughputBillingCommitment: { Status: 'ENABLED' } }),
    UpdateStreamMode: () => ({ StreamARN: ARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }),
  };
  const rated: Drivers = {};
  for (const [op, { perSecond }] of Object.entries(API_RATES)) {
    const input = rateInputs[op];
    if (input === undefined) continue;
    rated[op] = async () => {
      await restart({}, { apiLimits: true });
      const body = input({ iterator: await iterator(), consumerARN: await registerConsumer() });
      t.clock.advance(1000); // the setup's calls are a second old: every bucket is full
      for (let i = 0; i < perSecond; i++) expect((await call(op, body)).body.__type, `${op} call ${i + 1}`).not.toBe('LimitExceededException');
      await expectCode(op, body, 'LimitExceededException');
      t.clock.advance(1000);
      expect((await call(op, body)).body.__type).not.toBe('LimitExceededException');
    };
  }
  const resourceLimits: Drivers = {
    CreateStream: async () => {
      await expectCode('CreateStream', { StreamName: 'big', ShardCount: 501 }, 'LimitExceededException'); // the shard limit, 500
      // At most 5 streams CREATING (or DELETING) at once.
      await restart({}, { transitionMs: 1000 });
      for (let i = 0; i < 5; i++) await ok('CreateStream', { StreamName: `new${i}`, ShardCount: 1 });
      await expectCode('CreateStream', { StreamName: 'new5', ShardCount: 1 }, 'LimitExceededException');
      t.clock.advance(1000);
      await ok('CreateStream', { StreamName: 'new5', ShardCount: 1 });
    },
    DeleteStream: async () => {
      await restart({}, { transitionMs: 1000 });
      for (let i = 0; i < 5; i++) await ok('CreateStream', { StreamName: `old${i}`, ShardCount: 1 });
      t.clock.advance(1000);
      for (let i = 0; i < 5; i++) await ok('DeleteStream', { StreamName: `old${i}` });
      await expectCode('DeleteStream', { StreamName: S }, 'LimitExceededException');
      t.clock.advance(1000);
      await ok('DeleteStream', { StreamName: S });
    },
    UpdateStreamMode: async () => {
      // DescribeLimits' OnDemandStreamCountLimit holds for streams switched to ON_DEMAND too.
      await restart({}, { onDemandStreamLimit: 1 });
      await ok('CreateStream', { StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
      await expectCode('CreateStream', { StreamName: 'od2', StreamModeDetails: { StreamMode: 'ON_DEMAND' } }, 'LimitExceededException');
      await expectCode('UpdateStreamMode', { StreamARN: ARN, StreamModeDetails: { StreamMode: 'ON_DEMAND' } }, 'LimitExceededException');
    },
    AddTagsToStream: async () => {
      await ok('AddTagsToStream', { StreamName: S, Tags: tags(50) });
      await expectCode('AddTagsToStream', { StreamName: S, Tags: { one: 'more' } }, 'LimitExceededException');
    },
    TagResource: () => expectCode('TagResource', { ResourceARN: ARN, Tags: tags(51) }, 'LimitExceededException'),
    RegisterStreamConsumer: async () => {
      for (let i = 0; i < 20; i++) await registerConsumer(`c${i}`);
      await expectCode('RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'c20' }, 'LimitExceededException');
      // At most 5 consumers of a stream CREATING at once.
      await restart({}, { transitionMs: 1000 });
      for (let i = 0; i < 5; i++) await registerConsumer(`c${i}`);
      await expectCode('RegisterStreamConsumer', { StreamARN: ARN, ConsumerName: 'c5' }, 'LimitExceededException');
      t.clock.advance(1000);
      await registerConsumer('c5');
    },
    PutResourcePolicy: () =>
      expectCode('PutResourcePolicy', { ResourceARN: ARN, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [], Padding: 'x'.repeat(20_480) }) }, 'LimitExceededException'),
    SplitShard: async () => {
      await restart({ shardLimit: 2 });
      await expectCode('SplitShard', { StreamName: S, ShardToSplit: SHARD0, NewStartingHashKey: '100' }, 'LimitExceededException');
    },
    UpdateShardCount: async () => {
      await restart({ shardLimit: 3 });
      await expectCode('UpdateShardCount', { StreamName: S, TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }, 'LimitExceededException');
    },
  };
  return { ...rated, ...resourceLimits };
}

/**
 * ValidationException: requests outside the model's constraints, and (the model's own description of the error)
 * resharding calls on an ON_DEMAND stream, which only PROVISIONED streams take.
 */
function validationDrivers(): Drivers {
  const onDemand = (op: string, input: object): (() => Promise<void>) => async () => {
    await ok('CreateStream', { StreamName: 'od', StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    await expectCode(op, { StreamName: 'od', ...input }, 'ValidationException');
  };
  return {
    CreateStream: () => expectCode('CreateStream', { StreamName: 'v', ShardCount: 0 }, 'ValidationException'),
    MergeShards: onDemand('MergeShards', { ShardToMerge: SHARD0, AdjacentShardToMerge: 'shardId-000000000001' }),
    SplitShard: onDemand('SplitShard', { ShardToSplit: SHARD0, NewStartingHashKey: '100' }),
    UpdateShardCount: onDemand('UpdateShardCount', { TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' }),
    UpdateAccountSettings: () => expectCode('UpdateAccountSettings', { MinimumThroughputBillingCommitment: { Status: 'PAUSED' } }, 'ValidationException'),
    UpdateMaxRecordSize: () => expectCode('UpdateMaxRecordSize', { StreamARN: ARN, MaxRecordSizeInKiB: 512 }, 'ValidationException'),
    UpdateStreamMode: () => expectCode('UpdateStreamMode', { StreamARN: ARN, StreamModeDetails: { StreamMode: 'SOMETIMES' } }, 'ValidationException'),
    UpdateStreamWarmThroughput: () => expectCode('UpdateStreamWarmThroughput', { StreamName: S, WarmThroughputMiBps: -1 }, 'ValidationException'),
  };
}

/** ProvisionedThroughputExceededException: the per-shard limits (the log's `limits`), in one second of the virtual clock. */
function throughputDrivers(): Drivers {
  return {
    PutRecord: async () => {
      await restart({ limits: true });
      // 1,000 records per second per shard: two full PutRecords to shard 0 (their records are taken), then PutRecord.
      const records = Array.from({ length: 500 }, () => ({ Data: 'AA==', PartitionKey: 'k', ExplicitHashKey: '0' }));
      for (let i = 0; i < 2; i++) expect((await ok('PutRecords', { StreamName: S, Records: records })).FailedRecordCount).toBe(0);
      await expectCode('PutRecord', { StreamName: S, Data: 'AA==', PartitionKey: 'k', ExplicitHashKey: '0' }, 'ProvisionedThroughputExceededException');
    },
    // PutRecords reports the code per record, inside a 200 reply (as AWS documents), even when all are refused.
    PutRecords: async () => {
      await restart({ limits: true });
      const records = Array.from({ length: 500 }, () => ({ Data: 'AA==', PartitionKey: 'k', ExplicitHashKey: '0' }));
      for (let i = 0; i < 2; i++) expect((await ok('PutRecords', { StreamName: S, Records: records })).FailedRecordCount).toBe(0);
      const refused = await ok('PutRecords', { StreamName: S, Records: records });
      expect(refused.FailedRecordCount).toBe(500);
      expect(new Set(refused.Records.map((r: { ErrorCode?: string }) => r.ErrorCode))).toEqual(new Set(['ProvisionedThroughputExceededException']));
    },
    GetRecords: async () => {
      await restart({ limits: true });
      const it0 = await iterator();
      for (let i = 0; i < 5; i++) await ok('GetRecords', { ShardIterator: it0 });
      await expectCode('GetRecords', { ShardIterator: it0 }, 'ProvisionedThroughputExceededException');
    },
    GetShardIterator: async () => {
      await restart({ limits: true });
      for (let i = 0; i < SHARD_ITERATOR_CALLS_PER_SECOND; i++) await iterator();
      const input = { StreamName: S, ShardId: SHARD0, ShardIteratorType: 'TRIM_HORIZON' };
      await expectCode('GetShardIterator', input, 'ProvisionedThroughputExceededException');
      await ok('GetShardIterator', { ...input, ShardId: 'shardId-000000000001' }); // per shard
      t.clock.advance(1000);
      await ok('GetShardIterator', input);
    },
  };
}

/**
 * InternalFailureException (HTTP 500): the storage under a running server fails. The log keeps stream `s` in a data
 * directory; a write that needs a new segment file fails once the stream's directory is gone, and a read fails its
 * checksum once a segment's bytes are damaged on disk.
 */
function internalFailureDrivers(): Drivers {
  const onDisk = async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-errors-'));
    dirs.push(dir);
    // One frame per segment: every append after the first starts a new segment file.
    await restart({ dir, fsync: 'never', segmentBytes: 1 });
    return dir;
  };
  const streamDir = (dir: string) => {
    const [entry] = fs.readdirSync(path.join(dir, 'streams')).filter((e) => e.startsWith(`${S}.`));
    return path.join(dir, 'streams', entry!);
  };
  const removeStreamDir = async (dir: string) => fs.rmSync(streamDir(dir), { recursive: true, force: true });
  /** Flips a byte inside the data of shard 0's first record, in its segment file. */
  const damageShard0 = (dir: string) => {
    const shardDir = path.join(streamDir(dir), SHARD0);
    const [segment] = fs.readdirSync(shardDir).filter((f) => f.endsWith('.seg'));
    const file = path.join(shardDir, segment!);
    const fd = fs.openSync(file, 'r+');
    try {
      const at = fs.fstatSync(fd).size - 4;
      const byte = Buffer.alloc(1);
      fs.readSync(fd, byte, 0, 1, at);
      byte[0] = byte[0]! ^ 0xff;
      fs.writeSync(fd, byte, 0, 1, at);
    } finally {
      fs.closeSync(fd);
    }
  };
  const put = { StreamName: S, Data: Buffer.from('some record').toString('base64'), PartitionKey: 'k', ExplicitHashKey: '0' };
  return {
    PutRecord: async () => {
      const dir = await onDisk();
      await ok('PutRecord', put);
      await removeStreamDir(dir);
      await expectCode('PutRecord', put, 'InternalFailureException');
    },
    PutRecords: async () => {
      const dir = await onDisk();
      await ok('PutRecord', put);
      await removeStreamDir(dir);
      await expectCode('PutRecords', { StreamName: S, Records: [{ Data: put.Data, PartitionKey: 'k', ExplicitHashKey: '0' }] }, 'InternalFailureException');
    },
    GetRecords: async () => {
      const dir = await onDisk();
      await ok('PutRecord', put);
      const it0 = await iterator();
      damageShard0(dir);
      await expectCode('GetRecords', { ShardIterator: it0 }, 'InternalFailureException');
    },
    GetShardIterator: async () => {
      const dir = await onDisk();
      await ok('PutRecord', put);
      damageShard0(dir);
      // AT_TIMESTAMP reads the shard to find the first record at or after the time.
      await expectCode('GetShardIterator', { StreamName: S, ShardId: SHARD0, ShardIteratorType: 'AT_TIMESTAMP', Timestamp: 0 }, 'InternalFailureException');
    },
  };
}

describe('changes per stream per day (apiLimits)', () => {
  it('refuses the change past the day\'s allowance, counting only successful changes, until 24 hours have passed', async () => {
    await restart({}, { apiLimits: true });
    const modes = ['ON_DEMAND', 'PROVISIONED'];
    const setMode = (i: number) => ({ StreamARN: ARN, StreamModeDetails: { StreamMode: modes[i % 2] } });
    // A refused call is no change: it does not count.
    await expectCode('UpdateStreamMode', { StreamARN: arnOf('missing'), StreamModeDetails: { StreamMode: 'ON_DEMAND' } }, 'ResourceNotFoundException');
    for (let i = 0; i < 2; i++) {
      await ok('UpdateStreamMode', setMode(i));
      t.clock.advance(1000);
    }
    await expectCode('UpdateStreamMode', setMode(2), 'LimitExceededException');
    t.clock.advance(86_400_000 - 2000);
    await ok('UpdateStreamMode', setMode(2));

    // UpdateShardCount: 10 a day, per stream.
    await ok('CreateStream', { StreamName: 'p', ShardCount: 2 });
    for (let i = 0; i < 10; i++) {
      await ok('UpdateShardCount', { StreamName: 'p', TargetShardCount: i % 2 === 0 ? 4 : 2, ScalingType: 'UNIFORM_SCALING' });
      t.clock.advance(1000);
    }
    await expectCode('UpdateShardCount', { StreamName: 'p', TargetShardCount: 4, ScalingType: 'UNIFORM_SCALING' }, 'LimitExceededException');
    await ok('CreateStream', { StreamName: 'other', ShardCount: 1 });
    await ok('UpdateShardCount', { StreamName: 'other', TargetShardCount: 2, ScalingType: 'UNIFORM_SCALING' });
  });
});
