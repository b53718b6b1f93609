import { RecordRun, type Log, type ShardDescription, type StreamSettings } from '../../log/index.js';
import type { ShardMeta } from '../../log/metadata.js';
import { ApiError } from '../errors.js';
import { CompiledModel, type ServiceModel } from '../model.js';
import { EncodedOutput, type OperationHandler, type RequestContext, type Service } from '../service.js';
import { Addressing } from './addressing.js';
import { Lifecycle } from './lifecycle.js';
import { Subscriptions } from './subscribe.js';
import { decodeToken, encodeToken } from './tokens.js';
import { LocalKms } from './kms.js';
import { explicitlyDenies } from './policy.js';
import { ApiRates, ShardIteratorRates } from './rates.js';
import { decodeIterator } from '../../log/iterator.js';
import modelJson from '../models/kinesis.json' with { type: 'json' };

const model = modelJson as unknown as ServiceModel;
let compiled: CompiledModel | undefined;

/** The Kinesis service model (compiled once per process). */
export function kinesisModel(): CompiledModel {
  return (compiled ??= new CompiledModel(model));
}

export interface KinesisServiceOptions {
  /**
   * How long (ms of the log's clock) a stream stays CREATING after CreateStream and UPDATING after a reshard, mode or
   * encryption change, and a consumer CREATING after registration. Default 0: ACTIVE at once.
   */
  transitionMs?: number;
  /** Most ON_DEMAND streams an account may have (DescribeLimits; default 50, as AWS). */
  onDemandStreamLimit?: number;
  /** The local KMS stand-in whose key states encryption checks (default: one knowing only the reserved aliases). */
  kms?: LocalKms;
  /**
   * Enforce AWS's control-plane call rates (rates.ts: e.g. DescribeStream 10 per second per account, DescribeLimits 1,
   * SubscribeToShard 1 per consumer and shard) and its limits on changes per stream per day (UpdateStreamMode twice,
   * UpdateShardCount 10 times, ...): calls over them get LimitExceededException. Default false.
   */
  apiLimits?: boolean;
}

type In = Record<string, any>;

const DAY_MS = 86_400_000;
/** AWS's limits on changes in flight: streams CREATING or DELETING at once per account, consumers CREATING per stream. */
const MAX_STREAMS_IN_TRANSITION = 5;
const MAX_CONSUMERS_CREATING = 5;

/**
 * Kinesis Data Streams (`Kinesis_20131202`) over a Log: every operation of the model. Inputs arrive validated against
 * the model (PascalCase members, blobs as Buffers, timestamps in ms); outputs are shaped by the model on the way out.
 */
export function kinesisService(log: Log, options: KinesisServiceOptions = {}): Service {
  const at = new Addressing(log);
  const lifecycle = new Lifecycle(log, options.transitionMs ?? 0);
  const subscriptions = new Subscriptions(log, at, lifecycle);
  const apiRates = options.apiLimits ? new ApiRates(log) : undefined;
  /** GetShardIterator's per-shard rate goes with the log's per-shard throughput limits. */
  const iteratorRates = log.options.limits ? new ShardIteratorRates(log) : undefined;
  /** GetRecords' read buffer, reused: a reply is built from it synchronously, before the next request can read. */
  const run = new RecordRun();
  const createdAt = (name: string) => log.stream(name).meta.createdAtMs;
  /** Runs a control-plane change on an ACTIVE stream; with `updating`, the stream is UPDATING for a while after. */
  const change = async <T>(name: string, updating: boolean, fn: () => Promise<T>): Promise<T> => {
    lifecycle.checkActive(name);
    const out = await fn();
    if (updating) lifecycle.began(name, createdAt(name), 'UPDATING');
    return out;
  };
  const consumerView = <C extends { consumerARN: string; createdAtMs: number; consumerStatus: string }>(c: C): C => ({
    ...c,
    consumerStatus: lifecycle.status(c.consumerARN, c.createdAtMs),
  });
  const accountId = log.options.accountId ?? '000000000000';
  const onDemandLimit = options.onDemandStreamLimit ?? 50;
  /** DescribeAccountSettings/UpdateAccountSettings: recorded per server (not persisted). */
  let billingCommitment: { Status: string; StartedAt?: number; EndedAt?: number; EarliestAllowedEndAt?: number } = { Status: 'DISABLED' };

  const streamName = (input: In) => at.streamName(input);
  /**
   * Resharding is for PROVISIONED streams: AWS scales ON_DEMAND streams itself and refuses SplitShard, MergeShards and
   * UpdateShardCount on them with ValidationException.
   */
  const provisionedOnly = (name: string, op: string): void => {
    if (log.stream(name).meta.mode === 'ON_DEMAND') {
      throw new ApiError('ValidationException', `${op} is not supported for stream ${name} under account ${accountId}: it is in the ON_DEMAND capacity mode; ${op} is only supported for PROVISIONED streams.`);
    }
  };
  /** LimitExceededException when as many streams as AWS allows are CREATING or DELETING already. */
  const checkStreamsInTransition = async () => {
    let n = 0;
    for (const name of await log.listStreams()) {
      const status = lifecycle.streamStatus(name);
      if (status === 'CREATING' || status === 'DELETING') n++;
    }
    if (n >= MAX_STREAMS_IN_TRANSITION) {
      throw new ApiError('LimitExceededException', `This request would exceed the limit of ${MAX_STREAMS_IN_TRANSITION} streams that can simultaneously be in CREATING or DELETING state under account ${accountId}.`);
    }
  };
  /** LimitExceededException when the account has as many ON_DEMAND streams as DescribeLimits allows. */
  const checkOnDemandCount = async () => {
    let n = 0;
    for (const name of await log.listStreams()) if (log.stream(name).meta.mode === 'ON_DEMAND') n++;
    if (n >= onDemandLimit) {
      throw new ApiError('LimitExceededException', `Account ${accountId} already has ${n} ON_DEMAND streams; the limit (OnDemandStreamCountLimit) is ${onDemandLimit}.`);
    }
  };
  /** The stream a request names, which must not be CREATING or DELETING (Lifecycle.checkAvailable). */
  const available = async (input: In) => {
    const name = await at.streamName(input);
    lifecycle.checkAvailable(name);
    return name;
  };
  /** A ResourceARN's stream or consumer, whose stream must not be CREATING or DELETING. */
  const availableResource = async (arn: string) => {
    const target = await at.resource(arn);
    lifecycle.checkAvailable(target.streamName);
    return target;
  };
  const settingsOf = (name: string): StreamSettings => log.stream(name).meta.settings ?? {};
  const encryptionOf = (name: string) => (settingsOf(name).encryption ? 'KMS' : 'NONE');
  const kms = options.kms ?? new LocalKms();
  /** On an encrypted stream, records go through the stream's key: its state may refuse them (KMS* errors). */
  const checkKey = (name: string) => {
    const key = settingsOf(name).encryption?.keyId;
    if (key !== undefined) kms.check(key);
  };

  async function describe(name: string) {
    const d = await log.describeStream(name);
    const settings = settingsOf(name);
    return { d, settings };
  }

  function streamBase(name: string, d: Awaited<ReturnType<Log['describeStream']>>, settings: StreamSettings) {
    return {
      StreamName: d.streamName,
      StreamARN: d.streamARN,
      StreamStatus: lifecycle.streamStatus(name),
      StreamModeDetails: { StreamMode: d.streamModeDetails.streamMode },
      RetentionPeriodHours: d.retentionPeriodHours,
      StreamCreationTimestamp: d.streamCreationTimestamp,
      EnhancedMonitoring: [{ ShardLevelMetrics: settings.shardLevelMetrics ?? [] }],
      EncryptionType: settings.encryption ? 'KMS' : 'NONE',
      KeyId: settings.encryption?.keyId,
    };
  }

  async function tagsOf(target: { streamName: string; consumerName?: string }) {
    const tags = await log.listTags(target);
    return Object.keys(tags)
      .sort()
      .map((Key) => ({ Key, Value: tags[Key] }));
  }

  const operations: Record<string, OperationHandler> = {
    // ---- streams --------------------------------------------------------------------------------------------
    async CreateStream(input: In) {
      await checkStreamsInTransition();
      if (input.StreamModeDetails?.StreamMode === 'ON_DEMAND') await checkOnDemandCount();
      await log.createStream({
        streamName: input.StreamName,
        shardCount: input.ShardCount,
        streamMode: input.StreamModeDetails?.StreamMode,
        tags: input.Tags,
        maxRecordSizeInKiB: input.MaxRecordSizeInKiB,
      });
      lifecycle.began(input.StreamName, createdAt(input.StreamName), 'CREATING');
      if (input.WarmThroughputMiBps !== undefined) await log.updateStreamSettings({ streamName: input.StreamName, warmThroughputMiBps: input.WarmThroughputMiBps });
    },

    async DeleteStream(input: In) {
      const name = await streamName(input);
      const status = lifecycle.streamStatus(name);
      if (status === 'CREATING' || status === 'DELETING') lifecycle.checkActive(name);
      await checkStreamsInTransition();
      await lifecycle.delete(name, input.EnforceConsumerDeletion);
    },

    async DescribeStream(input: In) {
      const name = await streamName(input);
      const { d, settings } = await describe(name);
      const limit: number = input.Limit ?? 100;
      const after: string | undefined = input.ExclusiveStartShardId;
      const rest = after === undefined ? d.shards : d.shards.filter((s) => s.shardId > after);
      return {
        StreamDescription: {
          ...streamBase(name, d, settings),
          Shards: rest.slice(0, limit).map(shardOut),
          HasMoreShards: rest.length > limit,
        },
      };
    },

    async DescribeStreamSummary(input: In) {
      const name = await streamName(input);
      const { d, settings } = await describe(name);
      return {
        StreamDescriptionSummary: {
          ...streamBase(name, d, settings),
          StreamId: at.streamId(name),
          OpenShardCount: d.openShardCount,
          ConsumerCount: d.consumerCount,
          MaxRecordSizeInKiB: d.maxRecordSizeInKiB,
          WarmThroughput: settings.warmThroughputMiBps === undefined ? undefined : { TargetMiBps: settings.warmThroughputMiBps, CurrentMiBps: settings.warmThroughputMiBps },
        },
      };
    },

    async ListStreams(input: In) {
      const names = await log.listStreams();
      let after: string | undefined = input.ExclusiveStartStreamName;
      if (input.NextToken !== undefined) after = decodeToken(input.NextToken, 'ListStreams', log.now).after;
      const rest = after === undefined ? names : names.filter((n) => n > after);
      const limit: number = input.Limit ?? 100;
      const page = rest.slice(0, limit);
      const more = rest.length > limit;
      const summaries = [];
      for (const name of page) {
        const meta = log.stream(name).meta;
        summaries.push({
          StreamName: name,
          StreamARN: log.streamArn(name),
          StreamStatus: lifecycle.streamStatus(name),
          StreamModeDetails: { StreamMode: meta.mode },
          StreamCreationTimestamp: meta.createdAtMs,
        });
      }
      return {
        StreamNames: page,
        HasMoreStreams: more,
        NextToken: more ? encodeToken({ op: 'ListStreams', after: page[page.length - 1]!, issued: log.now }) : undefined,
        StreamSummaries: summaries,
      };
    },

    async ListShards(input: In) {
      let name: string;
      let after: string | undefined = input.ExclusiveStartShardId;
      let filter: { Type: string; ShardId?: string; Timestamp?: number } | undefined = input.ShardFilter;
      if (input.NextToken !== undefined) {
        if (input.StreamName !== undefined || input.StreamARN !== undefined) {
          throw new ApiError('InvalidArgumentException', 'NextToken and StreamName or StreamARN cannot be provided together');
        }
        const token = decodeToken(input.NextToken, 'ListShards', log.now);
        name = token.stream!;
        if (log.stream(name).meta.createdAtMs !== token.created) throw new ApiError('ResourceNotFoundException', `Stream ${name} under account ${accountId} not found.`);
        lifecycle.checkAvailable(name);
        after = token.after;
        filter = token.filter;
      } else {
        name = await streamName(input);
        const created = log.stream(name).meta.createdAtMs;
        if (input.StreamCreationTimestamp !== undefined && Math.abs(input.StreamCreationTimestamp - created) >= 1) {
          throw new ApiError('ResourceNotFoundException', `Stream ${name} created at ${new Date(input.StreamCreationTimestamp).toISOString()} under account ${accountId} not found.`);
        }
        lifecycle.checkAvailable(name);
      }
      const shards = await log.listShards(name);
      let selected = filterShards(shards, log.stream(name).meta, filter);
      if (after !== undefined) selected = selected.filter((s) => s.shardId > after!);
      const limit: number = input.MaxResults ?? 1000;
      const page = selected.slice(0, limit);
      const more = selected.length > limit;
      return {
        Shards: page.map(shardOut),
        NextToken: more
          ? encodeToken({ op: 'ListShards', stream: name, created: log.stream(name).meta.createdAtMs, after: page[page.length - 1]!.shardId, filter, issued: log.now })
          : undefined,
      };
    },

    async IncreaseStreamRetentionPeriod(input: In) {
      const name = await streamName(input);
      await change(name, false, () => log.increaseStreamRetentionPeriod({ streamName: name, retentionPeriodHours: input.RetentionPeriodHours }));
    },

    async DecreaseStreamRetentionPeriod(input: In) {
      const name = await streamName(input);
      await change(name, false, () => log.decreaseStreamRetentionPeriod({ streamName: name, retentionPeriodHours: input.RetentionPeriodHours }));
    },

    async UpdateStreamMode(input: In) {
      const name = await streamName(input);
      if (input.StreamModeDetails.StreamMode === 'ON_DEMAND' && log.stream(name).meta.mode !== 'ON_DEMAND') await checkOnDemandCount();
      await change(name, true, () => log.updateStreamMode({ streamName: name, streamMode: input.StreamModeDetails.StreamMode }));
      if (input.WarmThroughputMiBps !== undefined) await log.updateStreamSettings({ streamName: name, warmThroughputMiBps: input.WarmThroughputMiBps });
    },

    async UpdateMaxRecordSize(input: In) {
      const name = await streamName(input);
      await change(name, false, () => log.updateMaxRecordSize({ streamName: name, maxRecordSizeInKiB: input.MaxRecordSizeInKiB }));
    },

    async UpdateStreamWarmThroughput(input: In) {
      const name = await streamName(input);
      if (log.stream(name).meta.mode !== 'ON_DEMAND') {
        throw new ApiError('InvalidArgumentException', `Warm throughput can only be set on ON_DEMAND streams; ${name} is PROVISIONED`);
      }
      const { after } = await change(name, true, () => log.updateStreamSettings({ streamName: name, warmThroughputMiBps: input.WarmThroughputMiBps }));
      return {
        StreamName: name,
        StreamARN: log.streamArn(name),
        WarmThroughput: { TargetMiBps: after.warmThroughputMiBps, CurrentMiBps: after.warmThroughputMiBps },
      };
    },

    // ---- resharding -----------------------------------------------------------------------------------------
    async SplitShard(input: In) {
      const name = await streamName(input);
      provisionedOnly(name, 'SplitShard');
      await change(name, true, () => log.splitShard({ streamName: name, shardToSplit: input.ShardToSplit, newStartingHashKey: input.NewStartingHashKey }));
    },

    async MergeShards(input: In) {
      const name = await streamName(input);
      provisionedOnly(name, 'MergeShards');
      await change(name, true, () => log.mergeShards({ streamName: name, shardToMerge: input.ShardToMerge, adjacentShardToMerge: input.AdjacentShardToMerge }));
    },

    async UpdateShardCount(input: In) {
      const name = await streamName(input);
      provisionedOnly(name, 'UpdateShardCount');
      const r = await change(name, true, () => log.updateShardCount({ streamName: name, targetShardCount: input.TargetShardCount, scalingType: input.ScalingType }));
      return { StreamName: name, StreamARN: log.streamArn(name), CurrentShardCount: r.currentShardCount, TargetShardCount: r.targetShardCount };
    },

    // ---- records --------------------------------------------------------------------------------------------
    async PutRecord(input: In) {
      const name = await streamName(input);
      lifecycle.checkReadable(name);
      checkKey(name);
      const r = await log.putRecord({
        streamName: name,
        partitionKey: input.PartitionKey,
        data: input.Data,
        explicitHashKey: input.ExplicitHashKey,
        sequenceNumberForOrdering: input.SequenceNumberForOrdering,
      });
      return { ShardId: r.shardId, SequenceNumber: r.sequenceNumber, EncryptionType: encryptionOf(name) };
    },

    async PutRecords(input: In) {
      const name = await streamName(input);
      lifecycle.checkReadable(name);
      checkKey(name);
      const records = (input.Records as In[]).map((r) => ({ partitionKey: r.PartitionKey, data: r.Data, explicitHashKey: r.ExplicitHashKey }));
      const r = await log.putRecords({ streamName: name, records });
      return {
        FailedRecordCount: r.failedRecordCount,
        Records: r.records.map((e) => ('errorCode' in e ? { ErrorCode: e.errorCode, ErrorMessage: e.errorMessage } : { ShardId: e.shardId, SequenceNumber: e.sequenceNumber })),
        EncryptionType: encryptionOf(name),
      };
    },

    async GetShardIterator(input: In) {
      const name = await streamName(input);
      lifecycle.checkReadable(name);
      if (iteratorRates && log.stream(name).shard(input.ShardId)) iteratorRates.admit(name, createdAt(name), input.ShardId);
      const iterator = await log.getShardIterator({
        streamName: name,
        shardId: input.ShardId,
        shardIteratorType: input.ShardIteratorType,
        startingSequenceNumber: input.StartingSequenceNumber,
        timestamp: input.Timestamp,
      });
      return { ShardIterator: iterator };
    },

    async GetRecords(input: In, context) {
      // An encrypted stream's records are read through its key (a bad iterator or a gone stream: the log reports it).
      let keyId: string | undefined;
      try {
        keyId = settingsOf(decodeIterator(input.ShardIterator).streamName).encryption?.keyId;
      } catch {
        keyId = undefined;
      }
      if (keyId !== undefined) kms.check(keyId);
      // JSON replies are written straight from the log's columnar read: no object per record (see getRecordsJson).
      if (context.encoding === 'json') return getRecordsJson(log, run, input.ShardIterator, input.Limit);
      const r = await log.getRecords({ shardIterator: input.ShardIterator, limit: input.Limit });
      return {
        Records: r.records.map((rec) => ({
          SequenceNumber: rec.sequenceNumber,
          ApproximateArrivalTimestamp: rec.approximateArrivalTimestamp,
          Data: rec.data,
          PartitionKey: rec.partitionKey,
        })),
        NextShardIterator: r.nextShardIterator ?? undefined,
        MillisBehindLatest: r.millisBehindLatest,
        ChildShards: r.childShards?.map((c) => ({
          ShardId: c.shardId,
          ParentShards: c.parentShards,
          HashKeyRange: { StartingHashKey: c.hashKeyRange.startingHashKey, EndingHashKey: c.hashKeyRange.endingHashKey },
        })),
      };
    },

    async SubscribeToShard(input: In) {
      return subscriptions.subscribe(input);
    },

    // ---- consumers ------------------------------------------------------------------------------------------
    async RegisterStreamConsumer(input: In) {
      const name = await streamName({ StreamARN: input.StreamARN, StreamId: input.StreamId });
      if (input.Tags !== undefined) validateNewTags(input.Tags);
      lifecycle.checkReadable(name);
      const creating = (await log.listStreamConsumers(name)).filter((c) => lifecycle.status(c.consumerARN, c.createdAtMs) === 'CREATING').length;
      if (creating >= MAX_CONSUMERS_CREATING) {
        throw new ApiError('LimitExceededException', `Stream ${name} under account ${accountId} already has ${creating} consumers in the CREATING state, the most allowed at once.`);
      }
      const c = await log.registerStreamConsumer({ streamName: name, consumerName: input.ConsumerName });
      if (input.Tags !== undefined) await log.addTags({ streamName: name, consumerName: c.consumerName, tags: input.Tags });
      lifecycle.began(c.consumerARN, c.createdAtMs, 'CREATING');
      return { Consumer: consumerOut(consumerView(c)) };
    },

    async DeregisterStreamConsumer(input: In) {
      const { streamName: name, consumerName } = await at.consumer(input);
      await log.deregisterStreamConsumer({ streamName: name, consumerName });
    },

    async DescribeStreamConsumer(input: In) {
      const { streamName: name, consumerName } = await at.consumer(input);
      const c = await log.describeStreamConsumer({ streamName: name, consumerName });
      return { ConsumerDescription: { ...consumerOut(consumerView(c)), StreamARN: c.streamARN } };
    },

    async ListStreamConsumers(input: In) {
      let name: string;
      let after: string | undefined;
      if (input.NextToken !== undefined) {
        const token = decodeToken(input.NextToken, 'ListStreamConsumers', log.now);
        name = token.stream!;
        after = token.after;
      } else name = await streamName({ StreamARN: input.StreamARN, StreamId: input.StreamId });
      const created = log.stream(name).meta.createdAtMs;
      if (input.StreamCreationTimestamp !== undefined && Math.abs(input.StreamCreationTimestamp - created) >= 1) {
        throw new ApiError('ResourceNotFoundException', `Stream ${name} created at ${new Date(input.StreamCreationTimestamp).toISOString()} under account ${accountId} not found.`);
      }
      lifecycle.checkAvailable(name);
      const all = (await log.listStreamConsumers(name)).sort((a, b) => (a.consumerName < b.consumerName ? -1 : 1));
      const rest = after === undefined ? all : all.filter((c) => c.consumerName > after!);
      const limit: number = input.MaxResults ?? 100;
      const page = rest.slice(0, limit);
      return {
        Consumers: page.map((c) => consumerOut(consumerView(c))),
        NextToken: rest.length > limit ? encodeToken({ op: 'ListStreamConsumers', stream: name, created, after: page[page.length - 1]!.consumerName, issued: log.now }) : undefined,
      };
    },

    // ---- tags -----------------------------------------------------------------------------------------------
    async AddTagsToStream(input: In) {
      await log.addTags({ streamName: await available(input), tags: input.Tags });
    },

    async RemoveTagsFromStream(input: In) {
      await log.removeTags({ streamName: await available(input), tagKeys: input.TagKeys });
    },

    async ListTagsForStream(input: In) {
      const all = await tagsOf({ streamName: await streamName(input) });
      const after: string | undefined = input.ExclusiveStartTagKey;
      const rest = after === undefined ? all : all.filter((t) => t.Key > after);
      const limit: number = input.Limit ?? 50;
      return { Tags: rest.slice(0, limit), HasMoreTags: rest.length > limit };
    },

    async TagResource(input: In) {
      await log.addTags({ ...(await availableResource(input.ResourceARN)), tags: input.Tags });
    },

    async UntagResource(input: In) {
      await log.removeTags({ ...(await availableResource(input.ResourceARN)), tagKeys: input.TagKeys });
    },

    async ListTagsForResource(input: In) {
      return { Tags: await tagsOf(await availableResource(input.ResourceARN)) };
    },

    // ---- resource policies ----------------------------------------------------------------------------------
    async PutResourcePolicy(input: In) {
      await log.setResourcePolicy({ ...(await availableResource(input.ResourceARN)), policy: input.Policy });
    },

    async GetResourcePolicy(input: In) {
      // A resource without a policy answers an empty policy document, as AWS does.
      return { Policy: (await log.resourcePolicy(await availableResource(input.ResourceARN))) ?? '{}' };
    },

    async DeleteResourcePolicy(input: In) {
      await log.setResourcePolicy({ ...(await availableResource(input.ResourceARN)), policy: null });
    },

    // ---- recorded settings ----------------------------------------------------------------------------------
    async StartStreamEncryption(input: In) {
      const name = await streamName(input);
      if (input.EncryptionType !== 'KMS') throw new ApiError('InvalidArgumentException', `EncryptionType must be KMS to start encryption, not ${input.EncryptionType}`);
      kms.check(input.KeyId);
      await change(name, true, () => log.updateStreamSettings({ streamName: name, encryption: { type: 'KMS', keyId: input.KeyId } }));
    },

    async StopStreamEncryption(input: In) {
      const name = await streamName(input);
      const current = settingsOf(name).encryption;
      if (input.EncryptionType !== 'KMS') throw new ApiError('InvalidArgumentException', `EncryptionType must be KMS to stop encryption, not ${input.EncryptionType}`);
      if (!current) throw new ApiError('InvalidArgumentException', `Stream ${name} under account ${accountId} is not encrypted`);
      if (current.keyId !== input.KeyId) throw new ApiError('InvalidArgumentException', `Stream ${name} is encrypted with key ${current.keyId}, not ${input.KeyId}`);
      await change(name, true, () => log.updateStreamSettings({ streamName: name, encryption: null }));
    },

    async EnableEnhancedMonitoring(input: In) {
      return monitoring(await available(input), true, input.ShardLevelMetrics);
    },

    async DisableEnhancedMonitoring(input: In) {
      return monitoring(await available(input), false, input.ShardLevelMetrics);
    },

    // ---- account --------------------------------------------------------------------------------------------
    async DescribeLimits() {
      let open = 0;
      let onDemand = 0;
      for (const name of await log.listStreams()) {
        const stream = log.stream(name);
        open += stream.openShardCount;
        if (stream.meta.mode === 'ON_DEMAND') onDemand++;
      }
      return { ShardLimit: log.options.shardLimit ?? 500, OpenShardCount: open, OnDemandStreamCount: onDemand, OnDemandStreamCountLimit: onDemandLimit };
    },

    async DescribeAccountSettings() {
      return { MinimumThroughputBillingCommitment: billingCommitment };
    },

    async UpdateAccountSettings(input: In) {
      const now = log.now;
      const status: string = input.MinimumThroughputBillingCommitment.Status;
      if (status === 'ENABLED') {
        if (billingCommitment.Status !== 'ENABLED') billingCommitment = { Status: 'ENABLED', StartedAt: now, EarliestAllowedEndAt: now + DAY_MS };
      } else if (billingCommitment.Status === 'DISABLED') {
        throw new ApiError('InvalidArgumentException', `Account ${accountId} has no minimum throughput billing commitment to disable`);
      } else if (billingCommitment.Status === 'ENABLED') {
        const earliest = billingCommitment.EarliestAllowedEndAt ?? now;
        billingCommitment =
          now < earliest
            ? { ...billingCommitment, Status: 'ENABLED_UNTIL_EARLIEST_ALLOWED_END', EndedAt: earliest }
            : { ...billingCommitment, Status: 'DISABLED', EndedAt: now };
      }
      return { MinimumThroughputBillingCommitment: billingCommitment };
    },
  };

  async function monitoring(name: string, enable: boolean, metrics: string[]) {
    const { before, after } = await log.updateStreamSettings({ streamName: name, shardLevelMetrics: { enable, metrics } });
    return {
      StreamName: name,
      StreamARN: log.streamArn(name),
      CurrentShardLevelMetrics: before.shardLevelMetrics ?? [],
      DesiredShardLevelMetrics: after.shardLevelMetrics ?? [],
    };
  }

  /** The stream and consumer a request addresses, if they exist (otherwise the handler reports what is wrong). */
  async function targetsOf(input: In): Promise<{ streamName: string; consumerName?: string }[]> {
    try {
      if (typeof input.ResourceARN === 'string') return [await at.resource(input.ResourceARN)];
      if (input.ConsumerARN !== undefined || input.ConsumerName !== undefined) return [await at.consumer(input)];
      if (input.StreamName !== undefined || input.StreamARN !== undefined || input.StreamId !== undefined) {
        const name = await streamName(input);
        log.stream(name);
        return [{ streamName: name }];
      }
      if (typeof input.ShardIterator === 'string') {
        const name = decodeIterator(input.ShardIterator).streamName;
        log.stream(name);
        return [{ streamName: name }];
      }
    } catch {
      // not found or malformed: the handler says so
    }
    return [];
  }

  /** AccessDeniedException when a resource policy of the addressed stream or consumer denies the caller (policy.ts). */
  async function authorize(op: string, input: In, context: RequestContext): Promise<void> {
    for (const target of await targetsOf(input)) {
      const checks: { policy: string | undefined; arn: string }[] = [{ policy: await log.resourcePolicy({ streamName: target.streamName }), arn: log.streamArn(target.streamName) }];
      if (target.consumerName !== undefined) {
        const consumer = (await log.listStreamConsumers(target.streamName)).find((c) => c.consumerName === target.consumerName);
        if (consumer) checks.push({ policy: await log.resourcePolicy(target), arn: consumer.consumerARN });
      }
      for (const { policy, arn } of checks) {
        if (policy !== undefined && explicitlyDenies(policy, `kinesis:${op}`, arn, { accessKeyId: context.accessKeyId, accountId })) {
          throw new ApiError('AccessDeniedException', `User: ${context.accessKeyId ?? 'anonymous'} is not authorized to perform: kinesis:${op} on resource: ${arn} with an explicit deny in a resource-based policy`);
        }
      }
    }
  }

  // Streams whose DELETING time is up are deleted before any request sees them.
  const settled: Record<string, OperationHandler> = {};
  for (const [op, handler] of Object.entries(operations)) {
    settled[op] = async (input, context) => {
      await lifecycle.settle();
      apiRates?.admit(op, input);
      await authorize(op, input, context);
      const output = await handler(input, context);
      apiRates?.succeeded(op, input);
      return output;
    };
  }
  return { targetPrefix: model.targetPrefix, model: kinesisModel(), cbor: true, operations: settled };
}

/**
 * GetRecords in AWS JSON 1.1, written from a RecordRun: the same reply the model would shape (SequenceNumber,
 * ApproximateArrivalTimestamp in epoch seconds, Data in base64, PartitionKey; NextShardIterator, MillisBehindLatest,
 * ChildShards), without an object per record.
 */
const B64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');

/** Writes `src[start, end)` in base64 into `out` at `o`; returns the offset after it. */
function writeBase64(src: Buffer, start: number, end: number, out: Buffer, o: number): number {
  let i = start;
  for (; i + 2 < end; i += 3) {
    const n = (src[i]! << 16) | (src[i + 1]! << 8) | src[i + 2]!;
    out[o++] = B64[n >>> 18]!;
    out[o++] = B64[(n >>> 12) & 63]!;
    out[o++] = B64[(n >>> 6) & 63]!;
    out[o++] = B64[n & 63]!;
  }
  if (i + 1 === end) {
    const n = src[i]! << 16;
    out[o++] = B64[n >>> 18]!;
    out[o++] = B64[(n >>> 12) & 63]!;
    out[o++] = 61;
    out[o++] = 61;
  } else if (i + 2 === end) {
    const n = (src[i]! << 16) | (src[i + 1]! << 8);
    out[o++] = B64[n >>> 18]!;
    out[o++] = B64[(n >>> 12) & 63]!;
    out[o++] = B64[(n >>> 6) & 63]!;
    out[o++] = 61;
  }
  return o;
}

/**
 * GetRecords in AWS JSON 1.1, written from a RecordRun straight into one Buffer (base64 encoded in place, no string
 * per record's data): the same reply the model would shape.
 */
function getRecordsJson(log: Log, run: RecordRun, shardIterator: string, limit: number | undefined): EncodedOutput {
  const position = log.readInto(shardIterator, run, limit);
  const heads: string[] = new Array(run.count);
  const keys: string[] = new Array(run.count);
  let size = 0;
  for (let i = 0; i < run.count; i++) {
    heads[i] = `{"SequenceNumber":"${run.sequenceNumber(i)}","ApproximateArrivalTimestamp":${run.arrivalMs[i]! / 1000},"Data":"`;
    keys[i] = JSON.stringify(run.partitionKey(i));
    size += heads[i]!.length + 4 * Math.ceil(run.dataLength[i]! / 3) + Buffer.byteLength(keys[i]!, 'utf8') + 20;
  }
  let tail = '';
  if (position.nextShardIterator !== null) tail += `,"NextShardIterator":${JSON.stringify(position.nextShardIterator)}`;
  tail += `,"MillisBehindLatest":${position.millisBehindLatest}`;
  if (position.childShards) {
    const children = position.childShards.map((c) => ({
      ShardId: c.shardId,
      ParentShards: c.parentShards,
      HashKeyRange: { StartingHashKey: c.hashKeyRange.startingHashKey, EndingHashKey: c.hashKeyRange.endingHashKey },
    }));
    tail += `,"ChildShards":${JSON.stringify(children)}`;
  }
  tail = `]${tail}}`;
  const out = Buffer.allocUnsafe(size + 16 + Buffer.byteLength(tail, 'utf8'));
  let o = out.write('{"Records":[', 0, 'latin1');
  for (let i = 0; i < run.count; i++) {
    if (i > 0) out[o++] = 44; // ,
    o += out.write(heads[i]!, o, 'latin1');
    const start = run.dataStart[i]!;
    o = writeBase64(run.buffer, start, start + run.dataLength[i]!, out, o);
    o += out.write('","PartitionKey":', o, 'latin1');
    o += out.write(keys[i]!, o, 'utf8');
    out[o++] = 125; // }
  }
  o += out.write(tail, o, 'utf8');
  return new EncodedOutput(out.subarray(0, o));
}

function shardOut(s: ShardDescription) {
  return {
    ShardId: s.shardId,
    ParentShardId: s.parentShardId,
    AdjacentParentShardId: s.adjacentParentShardId,
    HashKeyRange: { StartingHashKey: s.hashKeyRange.startingHashKey, EndingHashKey: s.hashKeyRange.endingHashKey },
    SequenceNumberRange: {
      StartingSequenceNumber: s.sequenceNumberRange.startingSequenceNumber,
      EndingSequenceNumber: s.sequenceNumberRange.endingSequenceNumber,
    },
  };
}

function consumerOut(c: { consumerName: string; consumerARN: string; consumerStatus: string; createdAtMs: number }) {
  return { ConsumerName: c.consumerName, ConsumerARN: c.consumerARN, ConsumerStatus: c.consumerStatus, ConsumerCreationTimestamp: c.createdAtMs };
}

/** Register + tag must not leave a consumer behind when the tags are bad: check them before registering. */
function validateNewTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > 50) throw new ApiError('LimitExceededException', 'A consumer can have at most 50 tags');
}

/**
 * ListShards' ShardFilter over the shards that have not expired. A shard is open from its parent's closing (or the
 * stream's creation) until its own closing.
 */
function filterShards(
  shards: ShardDescription[],
  stream: { createdAtMs: number; shards: ShardMeta[] },
  filter: { Type: string; ShardId?: string; Timestamp?: number } | undefined,
): ShardDescription[] {
  if (!filter) return shards;
  const metas = new Map(stream.shards.map((m) => [m.shardId, m]));
  const openedAt = (id: string): number => {
    const parent = metas.get(id)?.parentShardId;
    const closed = parent === undefined ? undefined : metas.get(parent)?.closedAtMs;
    return closed ?? stream.createdAtMs;
  };
  const closedAt = (id: string): number => metas.get(id)?.closedAtMs ?? Infinity;
  const needsTimestamp = () => {
    if (filter.Timestamp === undefined) throw new ApiError('InvalidArgumentException', `ShardFilter type ${filter.Type} needs a Timestamp`);
    return Math.max(filter.Timestamp, stream.createdAtMs);
  };
  switch (filter.Type) {
    case 'AFTER_SHARD_ID': {
      if (filter.ShardId === undefined) throw new ApiError('InvalidArgumentException', 'ShardFilter type AFTER_SHARD_ID needs a ShardId');
      return shards.filter((s) => s.shardId > filter.ShardId!);
    }
    case 'AT_TRIM_HORIZON': {
      // The shards open at the trim horizon: those whose parents have all expired.
      const present = new Set(shards.map((s) => s.shardId));
      return shards.filter((s) => !(s.parentShardId && present.has(s.parentShardId)) && !(s.adjacentParentShardId && present.has(s.adjacentParentShardId)));
    }
    case 'FROM_TRIM_HORIZON':
      return shards;
    case 'AT_LATEST':
      return shards.filter((s) => s.sequenceNumberRange.endingSequenceNumber === undefined);
    case 'AT_TIMESTAMP': {
      const t = needsTimestamp();
      return shards.filter((s) => openedAt(s.shardId) <= t && t < closedAt(s.shardId));
    }
    case 'FROM_TIMESTAMP': {
      const t = needsTimestamp();
      return shards.filter((s) => t < closedAt(s.shardId));
    }
    default:
      throw new ApiError('InvalidArgumentException', `Unknown ShardFilter type ${filter.Type}`);
  }
}
