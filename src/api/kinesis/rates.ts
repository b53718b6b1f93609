import type { Log } from '../../log/index.js';
import { TokenBucket } from '../../log/throughput.js';
import { ApiError } from '../errors.js';

/**
 * Kinesis's control-plane call rates. AWS rate-limits every control-plane operation per account (or per stream, or per
 * consumer and shard) and refuses calls over the rate with LimitExceededException ("Rate exceeded for stream ... under
 * account ..."). The figures are the ones the API reference gives per operation; where it gives none, 5 per second,
 * the rate of most of them. Each limit is a token bucket of one second's calls on the log's clock.
 *
 * Some changes are also limited per stream per rolling 24 hours (CHANGES_PER_DAY): UpdateShardCount 10 times,
 * UpdateStreamMode twice, StartStreamEncryption and StopStreamEncryption 25 times each.
 *
 * GetShardIterator's limit (5 per second per open shard) is a data-plane limit: ProvisionedThroughputExceededException,
 * enforced with the log's per-shard throughput limits (see `ShardIteratorRates`).
 */
export type RateScope = 'account' | 'stream' | 'consumer-shard';

export const API_RATES: Readonly<Record<string, { perSecond: number; scope: RateScope }>> = {
  AddTagsToStream: { perSecond: 5, scope: 'account' },
  CreateStream: { perSecond: 5, scope: 'account' },
  DecreaseStreamRetentionPeriod: { perSecond: 5, scope: 'account' },
  DeleteResourcePolicy: { perSecond: 5, scope: 'account' },
  DeleteStream: { perSecond: 5, scope: 'account' },
  DeregisterStreamConsumer: { perSecond: 5, scope: 'stream' },
  DescribeAccountSettings: { perSecond: 5, scope: 'account' },
  DescribeLimits: { perSecond: 1, scope: 'account' },
  DescribeStream: { perSecond: 10, scope: 'account' },
  DescribeStreamConsumer: { perSecond: 20, scope: 'stream' },
  DescribeStreamSummary: { perSecond: 20, scope: 'account' },
  DisableEnhancedMonitoring: { perSecond: 5, scope: 'account' },
  EnableEnhancedMonitoring: { perSecond: 5, scope: 'account' },
  GetResourcePolicy: { perSecond: 5, scope: 'account' },
  IncreaseStreamRetentionPeriod: { perSecond: 5, scope: 'account' },
  ListShards: { perSecond: 1000, scope: 'stream' },
  ListStreamConsumers: { perSecond: 5, scope: 'stream' },
  ListStreams: { perSecond: 5, scope: 'account' },
  ListTagsForResource: { perSecond: 5, scope: 'account' },
  ListTagsForStream: { perSecond: 5, scope: 'account' },
  MergeShards: { perSecond: 5, scope: 'account' },
  PutResourcePolicy: { perSecond: 5, scope: 'account' },
  RegisterStreamConsumer: { perSecond: 5, scope: 'account' },
  RemoveTagsFromStream: { perSecond: 5, scope: 'account' },
  SplitShard: { perSecond: 5, scope: 'account' },
  StartStreamEncryption: { perSecond: 5, scope: 'account' },
  StopStreamEncryption: { perSecond: 5, scope: 'account' },
  /** One call per second per registered consumer per shard. */
  SubscribeToShard: { perSecond: 1, scope: 'consumer-shard' },
  TagResource: { perSecond: 5, scope: 'account' },
  UntagResource: { perSecond: 5, scope: 'account' },
  UpdateAccountSettings: { perSecond: 5, scope: 'account' },
  UpdateMaxRecordSize: { perSecond: 5, scope: 'account' },
  UpdateShardCount: { perSecond: 10, scope: 'account' },
  UpdateStreamMode: { perSecond: 5, scope: 'account' },
  UpdateStreamWarmThroughput: { perSecond: 5, scope: 'account' },
};

/** Successful changes a stream may have per rolling 24 hours (AWS's documented limits), by operation. */
export const CHANGES_PER_DAY: Readonly<Record<string, number>> = {
  UpdateShardCount: 10,
  UpdateStreamMode: 2,
  StartStreamEncryption: 25,
  StopStreamEncryption: 25,
};

const DAY_MS = 86_400_000;

/** Buckets kept before idle ones are forgotten (a forgotten bucket was full anyway, or soon would be). */
const MAX_BUCKETS = 10_000;

/** The stream a request names, read from its input without looking it up (for the bucket's key and the message). */
function streamOf(input: Record<string, unknown>): string | undefined {
  if (typeof input.StreamName === 'string') return input.StreamName;
  for (const member of ['StreamARN', 'ConsumerARN', 'ResourceARN']) {
    const arn = input[member];
    if (typeof arn === 'string') {
      const m = /:stream\/([a-zA-Z0-9_.-]+)/.exec(arn);
      if (m) return m[1];
    }
  }
  return undefined;
}

class Buckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly log: Log) {}

  /** Takes one call from the bucket under `key` (made with `perSecond` on first use); false if it is empty. */
  take(key: string, perSecond: number): boolean {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= MAX_BUCKETS) this.forgetIdle();
      const log = this.log;
      bucket = new TokenBucket({ now: () => log.now }, perSecond);
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake(1);
  }

  private forgetIdle(): void {
    for (const [key, bucket] of this.buckets) if (bucket.available() >= 1) this.buckets.delete(key);
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
  }
}

/** The control-plane call rates of one account's service (see API_RATES and CHANGES_PER_DAY). */
export class ApiRates {
  private readonly buckets: Buckets;
  /** Times of the last day's successful changes, by operation and stream (name and creation time). */
  private readonly changes = new Map<string, number[]>();

  constructor(private readonly log: Log) {
    this.buckets = new Buckets(log);
  }

  /** Raises LimitExceededException when `op` has been called more often than its rate allows. */
  admit(op: string, input: Record<string, unknown>): void {
    const rate = API_RATES[op];
    if (!rate) return;
    const stream = streamOf(input);
    let key = op;
    if (rate.scope === 'stream' && stream !== undefined) key += `|${stream}`;
    if (rate.scope === 'consumer-shard') key += `|${String(input.ConsumerARN)}|${String(input.ShardId)}`;
    const account = this.log.options.accountId ?? '000000000000';
    if (!this.buckets.take(key, rate.perSecond)) {
      const per = rate.scope === 'account' ? 'per account' : rate.scope === 'stream' ? 'per stream' : 'per consumer and shard';
      const subject = stream === undefined ? `account ${account}` : `stream ${stream} under account ${account}`;
      throw new ApiError('LimitExceededException', `Rate exceeded for ${subject}: ${op} allows ${rate.perSecond} call${rate.perSecond === 1 ? '' : 's'} per second ${per}.`);
    }
    const perDay = CHANGES_PER_DAY[op];
    const changeKey = this.changeKey(op, stream);
    if (perDay === undefined || changeKey === undefined) return;
    const recent = this.recent(changeKey);
    if (recent.length >= perDay) {
      throw new ApiError(
        'LimitExceededException',
        `Stream ${stream} under account ${account} has had ${recent.length} ${op} changes in the last 24 hours, the most allowed; the next is possible at ${new Date(recent[0]! + DAY_MS).toISOString()}.`,
      );
    }
  }

  /** Records a successful call of `op` (for the changes per day). */
  succeeded(op: string, input: Record<string, unknown>): void {
    if (CHANGES_PER_DAY[op] === undefined) return;
    const key = this.changeKey(op, streamOf(input));
    if (key === undefined) return;
    const recent = this.recent(key);
    recent.push(this.log.now);
    this.changes.set(key, recent);
  }

  private changeKey(op: string, stream: string | undefined): string | undefined {
    if (stream === undefined) return undefined;
    try {
      return `${op}|${stream}|${this.log.stream(stream).meta.createdAtMs}`;
    } catch {
      return undefined; // no such stream: the handler says so
    }
  }

  private recent(key: string): number[] {
    const since = this.log.now - DAY_MS;
    return (this.changes.get(key) ?? []).filter((t) => t > since);
  }
}

/** GetShardIterator: 5 calls per second per open shard (ProvisionedThroughputExceededException past it). */
export const SHARD_ITERATOR_CALLS_PER_SECOND = 5;

export class ShardIteratorRates {
  private readonly buckets: Buckets;

  constructor(private readonly log: Log) {
    this.buckets = new Buckets(log);
  }

  admit(streamName: string, createdAtMs: number, shardId: string): void {
    if (this.buckets.take(`${streamName}|${createdAtMs}|${shardId}`, SHARD_ITERATOR_CALLS_PER_SECOND)) return;
    throw new ApiError(
      'ProvisionedThroughputExceededException',
      `Rate exceeded for shard ${shardId} in stream ${streamName} under account ${this.log.options.accountId ?? '000000000000'}: at most ${SHARD_ITERATOR_CALLS_PER_SECOND} GetShardIterator calls per second.`,
    );
  }
}
