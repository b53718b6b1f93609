import { formatSequenceNumber, parentsOf, RecordRun, type Log } from '../../log/index.js';
import { decodeIterator } from '../../log/iterator.js';
import { ApiError } from '../errors.js';
import { EventStreamReply, type EventStreamWriter } from '../eventstream.js';
import type { Addressing } from './addressing.js';
import type { Lifecycle } from './lifecycle.js';

/** A subscription lasts 5 minutes; a new one for the same consumer and shard may take over 5 seconds after the last began. */
export const SUBSCRIPTION_LIFETIME_MS = 5 * 60 * 1000;
export const TAKEOVER_AFTER_MS = 5000;
/** Enhanced fan-out reads per consumer and shard (with the log's limits on): 2 MiB/s, a second's worth at once. */
export const CONSUMER_SHARD_BYTES_PER_SECOND = 2 * 1024 * 1024;
/** Most records in one SubscribeToShardEvent. */
const MAX_EVENT_RECORDS = 10_000;

interface Active {
  startedAt: number;
  stop(): void;
}

/**
 * SubscribeToShard (enhanced fan-out): an event stream that pushes a shard's records as they are appended. The log's
 * change notifications wake a subscription (no polling); each wake-up reads what is new and sends one event (more if
 * over 10,000 records) with ContinuationSequenceNumber and MillisBehindLatest; at the end of a closed shard the event
 * carries ChildShards and the stream ends. Time (the 5-minute lifetime, the 5-second takeover) is the log's clock.
 */
export class Subscriptions {
  private readonly active = new Map<string, Active>();

  constructor(
    private readonly log: Log,
    private readonly at: Addressing,
    private readonly lifecycle: Lifecycle,
  ) {}

  async subscribe(input: Record<string, any>): Promise<EventStreamReply> {
    const log = this.log;
    const consumerARN: string = input.ConsumerARN;
    const shardId: string = input.ShardId;
    const { streamName, consumerName } = await this.at.parseConsumerArn(consumerARN);
    const consumer = await log.describeStreamConsumer({ streamName, consumerName });
    const status = this.lifecycle.status(consumerARN, consumer.createdAtMs);
    if (status !== 'ACTIVE') throw new ApiError('ResourceInUseException', `Consumer ${consumerARN} is not ACTIVE, instead in state ${status}`);
    const position = input.StartingPosition as { Type: string; SequenceNumber?: string; Timestamp?: number };
    const iterator = await log.getShardIterator({
      streamName,
      shardId,
      shardIteratorType: position.Type as never,
      startingSequenceNumber: position.SequenceNumber,
      timestamp: position.Timestamp,
    });
    const key = `${consumerARN}|${shardId}`;
    const startedAt = log.now;
    const existing = this.active.get(key);
    if (existing && startedAt - existing.startedAt < TAKEOVER_AFTER_MS) {
      throw new ApiError(
        'ResourceInUseException',
        `Another active subscription exists for consumer ${consumerARN} on shard ${shardId}; a new one may take over ${TAKEOVER_AFTER_MS / 1000} seconds after it started`,
      );
    }
    existing?.stop();

    let counter = decodeIterator(iterator).counter;
    const createdAt = log.stream(streamName).meta.createdAtMs;
    let wake: (() => void) | undefined;
    let pending = true;
    let stopped = false;
    const stop = () => {
      stopped = true;
      wake?.();
    };
    const me: Active = { startedAt, stop };
    this.active.set(key, me);

    return new EventStreamReply(async (writer: EventStreamWriter) => {
      const unsubscribe = log.onChange((name) => {
        if (name !== streamName) return;
        pending = true;
        wake?.();
      });
      // Idle subscriptions end on the wall clock too, so a quiet shard does not hold a connection forever.
      const cutoff = setTimeout(stop, SUBSCRIPTION_LIFETIME_MS);
      cutoff.unref();
      writer.onClose(stop);
      const run = new RecordRun();
      // The per consumer-shard read limit: a token bucket on the log's clock. Once spent, the subscription waits for a
      // timer (or the next append) and reads again when the bucket has refilled.
      const limited = log.options.limits === true;
      let tokens = CONSUMER_SHARD_BYTES_PER_SECOND;
      let refilledAt = log.now;
      let retry: NodeJS.Timeout | undefined;
      const refill = () => {
        const now = log.now;
        tokens = Math.min(CONSUMER_SHARD_BYTES_PER_SECOND, tokens + ((now - refilledAt) * CONSUMER_SHARD_BYTES_PER_SECOND) / 1000);
        refilledAt = now;
      };
      const retryLater = () => {
        clearTimeout(retry);
        const waitMs = Math.max(10, Math.ceil((-tokens / CONSUMER_SHARD_BYTES_PER_SECOND) * 1000));
        retry = setTimeout(() => {
          pending = true;
          wake?.();
        }, waitMs);
        retry.unref();
      };
      // ContinuationSequenceNumber must be one a client can resubscribe AFTER without skipping a record: the last
      // record delivered, or the sequence number just before the starting position when the shard accepts it (a
      // record of this shard, or its range's start). A fresh shard's start may be its first record's own number, so
      // there the first event waits for the first record rather than name a position that would skip it.
      let continuation: string | undefined;
      if (counter > log.stream(streamName).shard(shardId)!.meta.startingCounter) {
        const before = formatSequenceNumber(counter - 1);
        try {
          await log.getShardIterator({ streamName, shardId, shardIteratorType: 'AFTER_SEQUENCE_NUMBER', startingSequenceNumber: before });
          continuation = before;
        } catch {
          continuation = undefined;
        }
      }
      try {
        while (!stopped && !writer.closed) {
          if (!pending) {
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
            continue;
          }
          pending = false;
          if (log.now - startedAt >= SUBSCRIPTION_LIFETIME_MS) break;
          let stream;
          try {
            stream = log.stream(streamName);
          } catch {
            stream = undefined;
          }
          const shard = stream?.meta.createdAtMs === createdAt ? stream.shard(shardId) : undefined;
          if (!stream || !shard) {
            writer.exception('ResourceNotFoundException', `Shard ${shardId} of stream ${streamName} no longer exists`);
            break;
          }
          let ended = false;
          let take = 0;
          do {
            if (limited) {
              refill();
              if (tokens <= 0) {
                retryLater();
                break;
              }
            }
            const read = log.readShard(shard, counter, MAX_EVENT_RECORDS, run);
            // Over the limit, the event carries the records the bucket pays for (always at least one).
            take = run.count;
            if (limited) {
              let bytes = 0;
              for (let i = 0; i < run.count; i++) {
                const size = run.dataLength[i]! + run.keyLength[i]!;
                if (i > 0 && bytes + size > tokens) {
                  take = i;
                  break;
                }
                bytes += size;
              }
              tokens -= bytes;
            }
            const complete = take === run.count;
            counter = complete ? read.next : run.counters[take]!;
            ended = complete && read.ended;
            const records = complete ? run.records() : run.records().slice(0, take);
            if (records.length > 0) continuation = records[records.length - 1]!.sequenceNumber;
            // The end of a closed shard: its ending sequence number is after every record of it.
            else if (ended) continuation ??= formatSequenceNumber(shard.meta.endingCounter!);
            if (continuation === undefined) break; // nothing to say yet: wait for the first record
            const now = log.now;
            const behind = (complete && read.next > shard.log.lastCounter) || take === 0 ? 0 : Math.max(0, now - run.arrivalMs[take - 1]!);
            await writer.event('SubscribeToShardEvent', 'SubscribeToShardEvent', {
              Records: records.map((r) => ({
                SequenceNumber: r.sequenceNumber,
                ApproximateArrivalTimestamp: r.approximateArrivalTimestamp,
                Data: r.data,
                PartitionKey: r.partitionKey,
              })),
              ContinuationSequenceNumber: continuation,
              MillisBehindLatest: behind,
              ChildShards: ended
                ? stream.children(shardId).map((c) => ({
                    ShardId: c.meta.shardId,
                    ParentShards: parentsOf(c.meta),
                    HashKeyRange: { StartingHashKey: c.meta.startingHashKey, EndingHashKey: c.meta.endingHashKey },
                  }))
                : undefined,
            });
            // A read stops at a chunk or the record limit: go on while the shard has more than was sent.
          } while (!ended && take > 0 && counter <= shard.log.lastCounter && !writer.closed);
          if (ended) break;
        }
      } finally {
        unsubscribe();
        clearTimeout(cutoff);
        clearTimeout(retry);
        if (this.active.get(key) === me) this.active.delete(key);
      }
    });
  }
}
