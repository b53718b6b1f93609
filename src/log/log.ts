import fs from 'node:fs';
import path from 'node:path';
import { WallClock, type Clock } from '../util/clock.js';
import { SluiceError, inUse, invalidArgument, limitExceeded, notFound } from '../util/errors.js';
import { Durability, type FsyncPolicy } from './durability.js';
import { dataLength, encodeFrame, frameLength, packedStart, RecordRun, type AppendBatch, type LogRecord, type PackedRecords } from './frame.js';
import { evenRanges, packedKeyWords, parseHashKey, partitionKeyWords, writeWords } from './hash-key.js';
import { decodeIterator, encodeIterator, ITERATOR_LIFETIME_MS } from './iterator.js';
import {
  FileMetadataStore,
  MemoryMetadataStore,
  parentsOf,
  shardIdFor,
  type ConsumerMeta,
  type LogMeta,
  type MetadataStore,
  type StreamMeta,
  type StreamMode,
  type StreamSettings,
} from './metadata.js';
import { mergeShards, scaleUniformly, splitShard } from './reshard.js';
import { formatSequenceNumber, parseSequenceNumber } from './sequence-number.js';
import { DirectoryShardStore, MemoryShardStore } from './storage.js';
import { OpenStream, type Shard } from './stream.js';
import {
  checkData,
  checkInteger,
  checkName,
  checkOneOf,
  checkPartitionKey,
  checkRecordSize,
  checkTags,
  validationError,
} from './validate.js';
import { SHARD_LIMITS } from './throughput.js';
import { AppendedRecords, putRecordsOutput, type PutRecordsOutput } from './append-results.js';
import { addTags, changeSettings, checkPolicy, removeTags, type StreamSettingsChange, type Tagged } from './attributes.js';
import { StreamReader, type ReaderCheckpoint, type ReaderStart } from './reader.js';

export interface LogOptions {
  /** A data directory; omit it to keep everything in memory. */
  dir?: string;
  clock?: Clock;
  /** When an append is acknowledged: after fsync (`always`, the default), after a periodic fsync (`batch`), or once written (`never`). */
  fsync?: FsyncPolicy;
  /** The `batch` policy's longest wait, in ms (default 10). */
  fsyncBatchMs?: number;
  /** Enforce the per-shard throughput limits of PROVISIONED streams (default false for embedding). */
  limits?: boolean;
  /** Roll to a new segment file past this size (default 64 MiB). */
  segmentBytes?: number;
  /** Most open shards a stream may have (default 500, AWS's default account quota in large regions). */
  shardLimit?: number;
  region?: string;
  accountId?: string;
}

export interface ShardDescription {
  shardId: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  hashKeyRange: { startingHashKey: string; endingHashKey: string };
  sequenceNumberRange: { startingSequenceNumber: string; endingSequenceNumber?: string };
}

export interface StreamDescription {
  streamName: string;
  streamARN: string;
  streamStatus: 'ACTIVE';
  streamModeDetails: { streamMode: StreamMode };
  shards: ShardDescription[];
  openShardCount: number;
  retentionPeriodHours: number;
  streamCreationTimestamp: number;
  maxRecordSizeInKiB: number;
  consumerCount: number;
}

export interface PutRecordInput {
  partitionKey: string;
  data: Uint8Array;
  explicitHashKey?: string;
}

export type { PutRecordsResultEntry, PutRecordsOutput } from './append-results.js';

export type ShardIteratorType = 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'AT_TIMESTAMP';
const ITERATOR_TYPES: readonly ShardIteratorType[] = ['TRIM_HORIZON', 'LATEST', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'AT_TIMESTAMP'];

export interface ChildShard {
  shardId: string;
  parentShards: string[];
  hashKeyRange: { startingHashKey: string; endingHashKey: string };
}

/** What a read returns besides the records. */
export interface ReadPosition {
  /** Null at the end of a closed shard: continue with `childShards`. */
  nextShardIterator: string | null;
  millisBehindLatest: number;
  childShards?: ChildShard[];
}

export interface GetRecordsOutput extends ReadPosition {
  records: LogRecord[];
}

export interface Consumer extends ConsumerMeta {
  consumerStatus: 'ACTIVE';
  streamARN: string;
}

const MAX_PUT_RECORDS = 500;
const MAX_PUT_RECORDS_BYTES = 5 * 1024 * 1024;
const MAX_GET_RECORDS = 10_000;
const MAX_GET_BYTES = 10 * 1024 * 1024;
const MAX_CONSUMERS = 20;
const HOUR_MS = 3_600_000;
/** The largest counter a record may get: the position after it (an iterator's next counter) must be exact too. */
const MAX_COUNTER = Number.MAX_SAFE_INTEGER - 1;
const TRIM_CHECK_EVERY_MS = 1_000;

/**
 * The shard log: Kinesis Data Streams as a library. Every method validates its whole input before changing anything,
 * and raises a SluiceError whose `code` is the AWS error code.
 */
export class Log {
  private readonly streams = new Map<string, OpenStream>();
  /** Creation times of the streams deleted since the log opened, by name (see createStream). */
  private readonly deletedCreatedAt = new Map<string, number>();
  private readonly clock: Clock;
  private readonly durability: Durability;
  private readonly metaStore: MetadataStore;
  private readonly segmentBytes: number;
  private readonly shardLimit: number;
  private readonly region: string;
  private readonly accountId: string;
  private readonly enforceLimits: boolean;
  private scratchArrays = scratchArrays(MAX_PUT_RECORDS);
  private readonly run = new RecordRun();
  private closed = false;
  private readonly changeListeners = new Set<(streamName: string) => void>();
  /** Bytes of torn tails cut when the log was opened (0 after a clean shutdown). */
  recoveredTornBytes = 0;

  private constructor(readonly options: LogOptions) {
    this.clock = options.clock ?? new WallClock();
    this.durability = new Durability(options.dir ? (options.fsync ?? 'always') : 'never', options.fsyncBatchMs ?? 10);
    this.metaStore = options.dir ? new FileMetadataStore(path.join(options.dir, 'meta.json')) : new MemoryMetadataStore();
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.shardLimit = options.shardLimit ?? 500;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '000000000000';
    this.enforceLimits = options.limits ?? false;
  }

  /** Opens (or creates) a log; with `dir`, recovers it from disk: torn tails are cut, nothing acknowledged is lost. */
  static async open(options: LogOptions = {}): Promise<Log> {
    const log = new Log(options);
    if (options.dir) fs.mkdirSync(path.join(options.dir, 'streams'), { recursive: true });
    const meta = log.metaStore.load();
    for (const streamMeta of meta.streams) {
      const stream = log.openStream(streamMeta);
      log.recoveredTornBytes += stream.openShards();
    }
    log.removeOrphanDirectories();
    return log;
  }

  // ---- streams ------------------------------------------------------------------------------------------------

  async createStream(input: {
    streamName: string;
    shardCount?: number;
    streamMode?: StreamMode;
    retentionPeriodHours?: number;
    tags?: Record<string, string>;
    /** 1024 (the default) to 10240. */
    maxRecordSizeInKiB?: number;
  }): Promise<void> {
    this.checkOpen();
    const streamName = checkName(input.streamName, 'StreamName');
    const mode = input.streamMode === undefined ? 'PROVISIONED' : checkOneOf(input.streamMode, 'StreamModeDetails.StreamMode', ['PROVISIONED', 'ON_DEMAND']);
    const defaultCount = mode === 'ON_DEMAND' ? 4 : undefined;
    const shardCount = input.shardCount ?? defaultCount;
    if (shardCount === undefined) throw invalidArgument('ShardCount is required for a PROVISIONED stream', 'ShardCount');
    checkInteger(shardCount, 'ShardCount', 1, 1_000_000);
    if (shardCount > this.shardLimit) {
      throw limitExceeded(`ShardCount ${shardCount} exceeds the shard limit of ${this.shardLimit}`, 'ShardCount');
    }
    const retentionHours = checkRetention(input.retentionPeriodHours ?? 24);
    const tags = checkTags(input.tags);
    const maxRecordSizeKiB = input.maxRecordSizeInKiB === undefined ? 1024 : checkInteger(input.maxRecordSizeInKiB, 'MaxRecordSizeInKiB', 1024, 10240);
    if (this.streams.has(streamName)) throw inUse(`Stream ${streamName} under account ${this.accountId} already exists.`, 'StreamName');
    // Iterators tell a stream from a deleted one of the same name by creation time, so a stream re-created within the
    // millisecond its predecessor was created in is dated just after it.
    const createdAtMs = Math.max(this.clock.now(), (this.deletedCreatedAt.get(streamName) ?? -Infinity) + 1);
    const meta: StreamMeta = {
      streamName,
      createdAtMs,
      retentionHours,
      mode,
      maxRecordSizeKiB,
      shards: evenRanges(shardCount).map((r, i) => ({
        shardId: shardIdFor(i),
        startingHashKey: r.start.toString(),
        endingHashKey: r.end.toString(),
        startingCounter: 0,
        trimCounter: 0,
      })),
      nextShardIndex: shardCount,
      counterFloor: 0,
      consumers: [],
      tags,
    };
    this.openStream(meta).openShards();
    this.saveMeta();
  }

  async deleteStream(input: { streamName: string; enforceConsumerDeletion?: boolean }): Promise<void> {
    const stream = this.stream(input.streamName);
    if (stream.meta.consumers.length > 0 && !input.enforceConsumerDeletion) {
      throw inUse(`Stream ${stream.meta.streamName} has registered consumers; pass EnforceConsumerDeletion to delete it anyway`, 'EnforceConsumerDeletion');
    }
    this.streams.delete(stream.meta.streamName);
    this.deletedCreatedAt.set(stream.meta.streamName, stream.meta.createdAtMs);
    this.saveMeta();
    for (const shard of stream.shards.values()) shard.log.destroy();
    if (this.options.dir) fs.rmSync(this.streamDir(stream.meta), { recursive: true, force: true });
    this.notifyChange(stream.meta.streamName);
  }

  async listStreams(): Promise<string[]> {
    this.checkOpen();
    return [...this.streams.keys()].sort();
  }

  async describeStream(streamName: string): Promise<StreamDescription> {
    const stream = this.stream(streamName);
    this.maybeTrim(stream);
    const shards = this.describeShards(stream);
    return {
      streamName: stream.meta.streamName,
      streamARN: this.streamArn(stream.meta.streamName),
      streamStatus: 'ACTIVE',
      streamModeDetails: { streamMode: stream.meta.mode },
      shards,
      openShardCount: stream.openShardCount,
      retentionPeriodHours: stream.meta.retentionHours,
      streamCreationTimestamp: stream.meta.createdAtMs,
      maxRecordSizeInKiB: stream.meta.maxRecordSizeKiB,
      consumerCount: stream.meta.consumers.length,
    };
  }

  /** The stream's shards that have not expired, in creation order. */
  async listShards(streamName: string): Promise<ShardDescription[]> {
    const stream = this.stream(streamName);
    this.maybeTrim(stream);
    return this.describeShards(stream);
  }

  async increaseStreamRetentionPeriod(input: { streamName: string; retentionPeriodHours: number }): Promise<void> {
    const stream = this.stream(input.streamName);
    const hours = checkRetention(input.retentionPeriodHours);
    if (hours < stream.meta.retentionHours) {
      throw invalidArgument(`Requested retention period (${hours} hours) for stream ${stream.meta.streamName} can not be shorter than existing retention period (${stream.meta.retentionHours} hours). Use DecreaseStreamRetentionPeriod API.`, 'RetentionPeriodHours');
    }
    stream.meta.retentionHours = hours;
    this.saveMeta();
  }

  async decreaseStreamRetentionPeriod(input: { streamName: string; retentionPeriodHours: number }): Promise<void> {
    const stream = this.stream(input.streamName);
    const hours = checkRetention(input.retentionPeriodHours);
    if (hours > stream.meta.retentionHours) {
      throw invalidArgument(`Requested retention period (${hours} hours) for stream ${stream.meta.streamName} can not be longer than existing retention period (${stream.meta.retentionHours} hours). Use IncreaseStreamRetentionPeriod API.`, 'RetentionPeriodHours');
    }
    stream.meta.retentionHours = hours;
    this.trimStream(stream);
    this.saveMeta();
  }

  async updateStreamMode(input: { streamName: string; streamMode: StreamMode }): Promise<void> {
    const stream = this.stream(input.streamName);
    stream.meta.mode = checkOneOf(input.streamMode, 'StreamModeDetails.StreamMode', ['PROVISIONED', 'ON_DEMAND']);
    stream.rebuildRoutes();
    this.saveMeta();
  }

  async updateMaxRecordSize(input: { streamName: string; maxRecordSizeInKiB: number }): Promise<void> {
    const stream = this.stream(input.streamName);
    stream.meta.maxRecordSizeKiB = checkInteger(input.maxRecordSizeInKiB, 'MaxRecordSizeInKiB', 1024, 10240);
    this.saveMeta();
  }

  // ---- resharding ---------------------------------------------------------------------------------------------

  async splitShard(input: { streamName: string; shardToSplit: string; newStartingHashKey: string }): Promise<void> {
    const stream = this.stream(input.streamName);
    const key = parseHashKey(input.newStartingHashKey, 'NewStartingHashKey');
    splitShard(stream, checkName(input.shardToSplit, 'ShardToSplit'), key, this.clock.now(), this.shardLimit);
    this.saveMeta();
    this.notifyChange(stream.meta.streamName);
  }

  async mergeShards(input: { streamName: string; shardToMerge: string; adjacentShardToMerge: string }): Promise<void> {
    const stream = this.stream(input.streamName);
    const a = checkName(input.shardToMerge, 'ShardToMerge');
    const b = checkName(input.adjacentShardToMerge, 'AdjacentShardToMerge');
    mergeShards(stream, a, b, this.clock.now());
    this.saveMeta();
    this.notifyChange(stream.meta.streamName);
  }

  async updateShardCount(input: { streamName: string; targetShardCount: number; scalingType?: 'UNIFORM_SCALING' }): Promise<{ currentShardCount: number; targetShardCount: number }> {
    const stream = this.stream(input.streamName);
    checkOneOf(input.scalingType ?? 'UNIFORM_SCALING', 'ScalingType', ['UNIFORM_SCALING']);
    const target = checkInteger(input.targetShardCount, 'TargetShardCount', 1, 1_000_000);
    const current = stream.openShardCount;
    scaleUniformly(stream, target, this.clock.now(), this.shardLimit);
    this.saveMeta();
    this.notifyChange(stream.meta.streamName);
    return { currentShardCount: current, targetShardCount: target };
  }

  // ---- writing ------------------------------------------------------------------------------------------------

  async putRecord(input: { streamName: string; sequenceNumberForOrdering?: string } & PutRecordInput): Promise<{ shardId: string; sequenceNumber: string }> {
    const stream = this.stream(input.streamName);
    const after = input.sequenceNumberForOrdering === undefined ? -1 : parseSequenceNumber(input.sequenceNumberForOrdering, 'SequenceNumberForOrdering');
    const [result] = (await this.append(stream, [input], '', after)).entries();
    if (!result || 'errorCode' in result) throw new SluiceError('ProvisionedThroughputExceededException', result?.errorMessage ?? 'Rate exceeded');
    return result;
  }

  async putRecords(input: { streamName: string; records: readonly PutRecordInput[] }): Promise<PutRecordsOutput> {
    const stream = this.stream(input.streamName);
    const records = input.records;
    if (!Array.isArray(records)) throw validationError('Records', 'Member must be a list', records);
    if (records.length < 1 || records.length > MAX_PUT_RECORDS) {
      throw validationError('Records', `Member must have length between 1 and ${MAX_PUT_RECORDS}`, `<${records.length} records>`);
    }
    return putRecordsOutput(await this.append(stream, records, 'Records.'));
  }

  /**
   * Appends packed records (see PackedRecords) by the same path as PutRecords — validation, routing by the MD5 of the
   * partition key, the shards' throughput limits, the durability policy — for in-process producers that encode
   * records in bulk. Being no API call, it has no limit on the count or total size of one call (its records form one
   * frame per shard); explicit hash keys are not taken. Refused records are the result's `refused(i)`.
   */
  async appendPacked(streamName: string, records: PackedRecords): Promise<AppendedRecords> {
    const stream = this.stream(streamName);
    const { appended, commits } = this.writePacked(stream, records);
    await Promise.all(commits);
    this.notifyChange(stream.meta.streamName);
    return appended;
  }

  /**
   * The write path shared by PutRecord and PutRecords: validate everything, route, admit against the shard limits,
   * draw counters, then write one frame per shard touched and wait for the durability policy.
   */
  private async append(stream: OpenStream, records: readonly PutRecordInput[], fieldPrefix: string, orderAfter = -1): Promise<AppendedRecords> {
    const { appended, commits } = this.writeRecords(stream, records, fieldPrefix, orderAfter);
    await Promise.all(commits);
    this.notifyChange(stream.meta.streamName);
    return appended;
  }

  /**
   * The synchronous part of `append`. Only its result lives on while the durability policy runs (under `never` until
   * the event loop's turn ends): the per-record arrays it works with die here, rather than in the garbage collector's
   * survivor space.
   */
  private writeRecords(stream: OpenStream, records: readonly PutRecordInput[], fieldPrefix: string, orderAfter: number) {
    const n = records.length;
    const keys: string[] = new Array(n);
    const hashKeys: (string | undefined)[] = new Array(n);
    const data: Uint8Array[] = new Array(n);
    const { keyBytes, words } = this.appendScratch(n);
    const maxBytes = stream.meta.maxRecordSizeKiB * 1024;
    const hashing = stream.openShardCount > 1;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const r = records[i]!;
      // The checks inline, and the field-naming error only built when one fails: this loop runs per record.
      const key = r?.partitionKey;
      const bytes = r?.data;
      if (typeof key !== 'string' || key.length < 1 || key.length > 256 || !(bytes instanceof Uint8Array)) {
        explainBadRecord(r, i, fieldPrefix, stream.meta.maxRecordSizeKiB);
      }
      // Hashing encodes the key to UTF-8 anyway, so it gives the key's byte length too.
      const kb = r.explicitHashKey === undefined && hashing ? partitionKeyWords(key, words, i * 4) : utf8Length(key);
      if (bytes.byteLength + kb > maxBytes) explainBadRecord(r, i, fieldPrefix, stream.meta.maxRecordSizeKiB);
      keys[i] = key;
      data[i] = bytes;
      keyBytes[i] = kb;
      total += bytes.byteLength + kb;
      if (r.explicitHashKey !== undefined) {
        hashKeys[i] = r.explicitHashKey;
        writeWords(parseHashKey(r.explicitHashKey, recordField(fieldPrefix, i, 'ExplicitHashKey')), words, i * 4);
      }
    }
    if (fieldPrefix && total > MAX_PUT_RECORDS_BYTES) {
      throw invalidArgument(`Records total ${total} bytes, over the PutRecords limit of ${MAX_PUT_RECORDS_BYTES} bytes (5 MiB)`, 'Records');
    }
    return this.admitAndWrite(stream, { keys, keyBytes, hashKeys, data, packed: null, counters: this.scratchArrays.counters, arrivalMs: 0 }, n, hashing, orderAfter);
  }

  /** The synchronous part of `appendPacked`: `writeRecords` for packed records. */
  private writePacked(stream: OpenStream, packed: PackedRecords) {
    const { from, to, keys, keyEnds, dataEnds } = packed;
    const n = to - from;
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && n >= 1 && to <= keyEnds.length && to <= dataEnds.length)) {
      throw invalidArgument(`packed records ${from}..${to} are not a non-empty range of the ${Math.min(keyEnds.length, dataEnds.length)} given`, 'Records');
    }
    const { keyBytes, words } = this.appendScratch(n);
    const maxBytes = stream.meta.maxRecordSizeKiB * 1024;
    const hashing = stream.openShardCount > 1;
    for (let i = 0; i < n; i++) {
      const r = from + i;
      const keyStart = packedStart(keyEnds, r);
      const kb = keyEnds[r]! - keyStart;
      const db = dataEnds[r]! - packedStart(dataEnds, r);
      // More than 256 bytes may still be 256 characters or fewer: only then are they counted.
      if (kb < 1 || db < 0 || db + kb > maxBytes || (kb > 256 && utf16Length(keys, keyStart, keyEnds[r]!) > 256)) {
        explainBadPacked(packed, r, stream.meta.maxRecordSizeKiB);
      }
      keyBytes[i] = kb;
      if (hashing) packedKeyWords(keys, keyStart, keyEnds[r]!, words, i * 4);
    }
    return this.admitAndWrite(stream, { keys: NO_KEYS, keyBytes, hashKeys: NO_KEYS, data: NO_DATA, packed, counters: this.scratchArrays.counters, arrivalMs: 0 }, n, hashing, -1);
  }

  /** The rest of an append once its records are valid: route, admit against the shard limits, draw counters, write. */
  private admitAndWrite(stream: OpenStream, batch: AppendBatch, n: number, hashing: boolean, orderAfter: number) {
    // Counters must stay exact doubles; only a SequenceNumberForOrdering far ahead of the stream can bring them near 2^53.
    if (orderAfter + 1 > MAX_COUNTER) {
      throw invalidArgument(`SequenceNumberForOrdering ${formatSequenceNumber(orderAfter)} is at or past the last sequence number: none can follow it`, 'SequenceNumberForOrdering');
    }
    if (Math.max(stream.nextCounter, orderAfter + 1) + n - 1 > MAX_COUNTER) {
      throw limitExceeded(`Stream ${stream.meta.streamName} has issued its last sequence number`);
    }
    // Writes apply retention too: a stream that is only ever written to must still shed its expired segments.
    this.maybeTrim(stream);
    const { words, order } = this.scratchArrays;
    const counters = batch.counters;
    // A plain array, not a typed one: typed arrays of this size live off the heap and cost more to make than to fill.
    const slotOf: number[] = new Array(n);
    let throttled: Uint8Array | null = null;
    let firstCounter = -1;
    for (let i = 0; i < n; i++) {
      // With one open shard every key routes to it, so the keys were not hashed.
      const slot = hashing ? stream.route(words, i * 4) : 0;
      const shard = stream.openShardAt(slot);
      slotOf[i] = slot;
      if (shard.throughput && !shard.throughput.admitWrite(dataLength(batch, i) + batch.keyBytes[i]!)) {
        counters[i] = -1;
        (throttled ??= new Uint8Array(n))[i] = 1;
        continue;
      }
      // SequenceNumberForOrdering moves the counter only now, once the record is valid and admitted.
      if (orderAfter >= stream.nextCounter) stream.nextCounter = orderAfter + 1;
      counters[i] = stream.nextCounter++;
      if (firstCounter < 0) firstCounter = counters[i]!;
    }
    batch.arrivalMs = stream.arrivalNow();
    const commits = this.writeFrames(stream, batch, slotOf, n, order);
    const refused = (shardId: string) => this.throttleMessage(stream, shardId);
    return { appended: new AppendedRecords(firstCounter, slotOf, stream.openShardIds, throttled, refused), commits };
  }

  /**
   * Per-record working arrays of an append, reused from call to call (an append's synchronous part never interleaves
   * with another's): allocating typed arrays per call showed in the profile.
   */
  private appendScratch(n: number): typeof this.scratchArrays {
    if (this.scratchArrays.keyBytes.length < n) this.scratchArrays = scratchArrays(n);
    return this.scratchArrays;
  }

  private throttleMessage(stream: OpenStream, shardId: string): string {
    return `Rate exceeded for shard ${shardId} in stream ${stream.meta.streamName} under account ${this.accountId}.`;
  }

  /** One frame per shard touched, records in counter order within it. */
  private writeFrames(stream: OpenStream, batch: AppendBatch, slotOf: readonly number[], n: number, order: Int32Array): Promise<void>[] {
    // Group record indexes by shard slot, keeping their order: a counting sort (counter -1 marks a throttled record).
    const slots = stream.openShardCount;
    const { counters } = batch;
    const starts = new Int32Array(slots + 1);
    for (let i = 0; i < n; i++) if (counters[i]! >= 0) starts[slotOf[i]! + 1]!++;
    for (let s = 0; s < slots; s++) starts[s + 1]! += starts[s]!;
    const fill = starts.slice(0, slots);
    for (let i = 0; i < n; i++) if (counters[i]! >= 0) order[fill[slotOf[i]!]!++] = i;

    const commits: Promise<void>[] = [];
    for (let s = 0; s < slots; s++) {
      const from = starts[s]!;
      const to = starts[s + 1]!;
      if (from === to) continue;
      const length = frameLength(batch, order, from, to);
      const summary = {
        length,
        count: to - from,
        firstCounter: batch.counters[order[from]!]!,
        lastCounter: batch.counters[order[to - 1]!]!,
        firstArrivalMs: batch.arrivalMs,
        lastArrivalMs: batch.arrivalMs,
      };
      const storage = stream.openShardAt(s).log.append(summary, (out, checksum) => encodeFrame(out, batch, order, from, to, checksum));
      commits.push(this.durability.commit(storage));
    }
    return commits;
  }

  // ---- reading ------------------------------------------------------------------------------------------------

  async getShardIterator(input: {
    streamName: string;
    shardId: string;
    shardIteratorType: ShardIteratorType;
    startingSequenceNumber?: string;
    /** AT_TIMESTAMP: milliseconds since the epoch, or a Date. */
    timestamp?: number | Date;
  }): Promise<string> {
    const stream = this.stream(input.streamName);
    this.maybeTrim(stream);
    const shard = this.shardOf(stream, input.shardId);
    const type = checkOneOf(input.shardIteratorType, 'ShardIteratorType', ITERATOR_TYPES);
    const counter = this.startCounter(stream, shard, type, input.startingSequenceNumber, input.timestamp);
    return encodeIterator({
      streamName: stream.meta.streamName,
      streamCreatedAtMs: stream.meta.createdAtMs,
      shardId: shard.meta.shardId,
      counter,
      issuedAtMs: this.clock.now(),
    });
  }

  private startCounter(stream: OpenStream, shard: Shard, type: ShardIteratorType, sequenceNumber: string | undefined, timestamp: number | Date | undefined): number {
    const meta = shard.meta;
    switch (type) {
      case 'TRIM_HORIZON':
        return Math.max(shard.log.trimCounter, meta.startingCounter);
      case 'LATEST':
        return meta.endingCounter ?? Math.max(shard.log.lastCounter + 1, meta.startingCounter);
      case 'AT_TIMESTAMP': {
        const ms = timestamp instanceof Date ? timestamp.getTime() : timestamp;
        if (typeof ms !== 'number' || !Number.isFinite(ms)) {
          throw invalidArgument('Timestamp is required (milliseconds since the epoch) for AT_TIMESTAMP', 'Timestamp');
        }
        return Math.max(shard.log.counterAtArrival(ms, this.run), meta.startingCounter);
      }
      default: {
        if (sequenceNumber === undefined) {
          throw invalidArgument(`StartingSequenceNumber is required for ${type}`, 'StartingSequenceNumber');
        }
        const c = parseSequenceNumber(sequenceNumber, 'StartingSequenceNumber');
        if (c < meta.startingCounter || c > (meta.endingCounter ?? stream.nextCounter)) {
          throw invalidArgument(`StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${meta.shardId} in stream ${stream.meta.streamName} under account ${this.accountId} is invalid because it did not come from this stream.`, 'StartingSequenceNumber');
        }
        if (!this.holdsCounter(shard, c)) {
          throw invalidArgument(`StartingSequenceNumber ${sequenceNumber} used in GetShardIterator on shard ${meta.shardId} in stream ${stream.meta.streamName} under account ${this.accountId} is invalid because it did not come from this shard.`, 'StartingSequenceNumber');
        }
        return type === 'AT_SEQUENCE_NUMBER' ? c : c + 1;
      }
    }
  }

  /**
   * Whether `counter` can be a sequence number of this shard: one of its records, one of its range's ends, or below its
   * trim horizon (expired, so no longer checkable). The stream's shards share one counter, so the range check alone
   * takes any other shard's sequence numbers.
   */
  private holdsCounter(shard: Shard, counter: number): boolean {
    const meta = shard.meta;
    if (counter === meta.startingCounter || counter === meta.endingCounter || counter < shard.log.trimCounter) return true;
    shard.log.read({ fromCounter: counter, untilCounter: counter + 1, maxRecords: 1, maxBytes: Infinity }, this.run);
    return this.run.count === 1;
  }

  async getRecords(input: { shardIterator: string; limit?: number }): Promise<GetRecordsOutput> {
    const position = this.readInto(input.shardIterator, this.run, input.limit);
    return { records: this.run.records(), ...position };
  }

  /**
   * GetRecords without making an object per record: fills `run` (typed arrays over one buffer) and returns the
   * position. For ingest paths that decode records straight into columns. `run` is overwritten by the next call.
   */
  readInto(shardIterator: string, run: RecordRun, limit = MAX_GET_RECORDS): ReadPosition {
    this.checkOpen();
    const it = decodeIterator(shardIterator);
    const stream = this.streams.get(it.streamName);
    if (!stream || stream.meta.createdAtMs !== it.streamCreatedAtMs) {
      throw notFound(`Stream ${it.streamName} under account ${this.accountId} not found.`, 'ShardIterator');
    }
    const now = this.clock.now();
    if (now - it.issuedAtMs > ITERATOR_LIFETIME_MS) {
      throw new SluiceError('ExpiredIteratorException', `Iterator expired. The iterator was created at time ${new Date(it.issuedAtMs).toISOString()} while right now it is ${new Date(now).toISOString()} which is further in the future than the tolerated delay of ${ITERATOR_LIFETIME_MS} milliseconds.`, 'ShardIterator');
    }
    checkInteger(limit, 'Limit', 1, MAX_GET_RECORDS);
    this.maybeTrim(stream);
    const shard = this.shardOf(stream, it.shardId);
    this.admitRead(stream, shard);
    const result = this.readShard(shard, it.counter, limit, run);
    shard.throughput?.readBytes.takeAll(run.bytes);
    const position: ReadPosition = {
      nextShardIterator: result.ended ? null : encodeIterator({ ...it, counter: result.next, issuedAtMs: now }),
      millisBehindLatest: result.next > shard.log.lastCounter || run.count === 0 ? 0 : Math.max(0, now - run.arrivalMs[run.count - 1]!),
    };
    if (result.ended) position.childShards = this.childShards(stream, shard);
    return position;
  }

  /** Reads one shard from `counter`; `ended` when a closed shard has nothing left. */
  readShard(shard: Shard, counter: number, limit: number, run: RecordRun): { next: number; ended: boolean } {
    const until = shard.meta.endingCounter ?? Infinity;
    shard.log.read({ fromCounter: counter, untilCounter: until, maxRecords: limit, maxBytes: MAX_GET_BYTES }, run);
    const next = run.count > 0 ? run.counters[run.count - 1]! + 1 : Math.max(counter, shard.log.trimCounter);
    const ended = shard.meta.endingCounter !== undefined && next > shard.log.lastCounter;
    return { next, ended };
  }

  private admitRead(stream: OpenStream, shard: Shard): void {
    const t = shard.throughput;
    if (!t) return;
    if (t.readBytes.available() < 0 || !t.readCalls.tryTake(1)) {
      throw new SluiceError(
        'ProvisionedThroughputExceededException',
        `Rate exceeded for shard ${shard.meta.shardId} in stream ${stream.meta.streamName} under account ${this.accountId}: at most ${SHARD_LIMITS.readCallsPerSecond} GetRecords calls and ${SHARD_LIMITS.readBytesPerSecond} bytes per second.`,
      );
    }
  }

  private childShards(stream: OpenStream, shard: Shard): ChildShard[] {
    return stream.children(shard.meta.shardId).map((c) => ({
      shardId: c.meta.shardId,
      parentShards: parentsOf(c.meta),
      hashKeyRange: { startingHashKey: c.meta.startingHashKey, endingHashKey: c.meta.endingHashKey },
    }));
  }

  /** A reader of the whole stream that follows shard lineage (see StreamReader), with its own positions. */
  reader(streamName: string, start: ReaderStart | ReaderCheckpoint = 'TRIM_HORIZON'): StreamReader {
    return new StreamReader(this, streamName, start);
  }

  // ---- consumers ----------------------------------------------------------------------------------------------

  async registerStreamConsumer(input: { streamName: string; consumerName: string }): Promise<Consumer> {
    const stream = this.stream(input.streamName);
    const consumerName = checkName(input.consumerName, 'ConsumerName');
    if (stream.meta.consumers.some((c) => c.consumerName === consumerName)) {
      throw inUse(`Consumer ${consumerName} already exists on stream ${stream.meta.streamName}`, 'ConsumerName');
    }
    if (stream.meta.consumers.length >= MAX_CONSUMERS) {
      throw limitExceeded(`Stream ${stream.meta.streamName} already has ${MAX_CONSUMERS} consumers, the most allowed`, 'ConsumerName');
    }
    const now = this.clock.now();
    const consumer: ConsumerMeta = {
      consumerName,
      consumerARN: `${this.streamArn(stream.meta.streamName)}/consumer/${consumerName}:${Math.floor(now / 1000)}`,
      createdAtMs: now,
    };
    stream.meta.consumers.push(consumer);
    this.saveMeta();
    return this.consumerView(stream, consumer);
  }

  async deregisterStreamConsumer(input: { streamName: string; consumerName: string }): Promise<void> {
    const stream = this.stream(input.streamName);
    const before = stream.meta.consumers.length;
    stream.meta.consumers = stream.meta.consumers.filter((c) => c.consumerName !== input.consumerName);
    if (stream.meta.consumers.length === before) throw notFound(`Consumer ${String(input.consumerName)} on stream ${stream.meta.streamName} not found`, 'ConsumerName');
    this.saveMeta();
  }

  async listStreamConsumers(streamName: string): Promise<Consumer[]> {
    const stream = this.stream(streamName);
    return stream.meta.consumers.map((c) => this.consumerView(stream, c));
  }

  async describeStreamConsumer(input: { streamName: string; consumerName: string }): Promise<Consumer> {
    const stream = this.stream(input.streamName);
    const consumer = stream.meta.consumers.find((c) => c.consumerName === input.consumerName);
    if (!consumer) throw notFound(`Consumer ${String(input.consumerName)} on stream ${stream.meta.streamName} not found`, 'ConsumerName');
    return this.consumerView(stream, consumer);
  }

  private consumerView(stream: OpenStream, c: ConsumerMeta): Consumer {
    return { ...c, consumerStatus: 'ACTIVE', streamARN: this.streamArn(stream.meta.streamName) };
  }

  // ---- change notification ----------------------------------------------------------------------------------

  /**
   * Calls `listener` with a stream's name whenever records were appended to it (once acknowledged), its shards changed
   * (split, merge, UpdateShardCount) or it was deleted. For readers that push records as they arrive (the server's
   * SubscribeToShard). Returns a function that removes the listener.
   */
  onChange(listener: (streamName: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private notifyChange(streamName: string): void {
    for (const listener of this.changeListeners) {
      try {
        listener(streamName);
      } catch {
        // A listener's failure is its own: the change it hears about has happened and stays acknowledged.
      }
    }
  }

  // ---- tags, resource policies, recorded settings (attributes.ts) -----------------------------------------------

  /** Adds or overwrites tags of a stream, or of one of its consumers when `consumerName` is given. */
  async addTags(input: { streamName: string; consumerName?: string; tags: Record<string, string> }): Promise<void> {
    const { target, resource } = this.attributeTarget(input.streamName, input.consumerName);
    addTags(target, input.tags, resource);
    this.saveMeta();
  }

  async removeTags(input: { streamName: string; consumerName?: string; tagKeys: string[] }): Promise<void> {
    const { target } = this.attributeTarget(input.streamName, input.consumerName);
    removeTags(target, input.tagKeys);
    this.saveMeta();
  }

  async listTags(input: { streamName: string; consumerName?: string }): Promise<Record<string, string>> {
    return { ...(this.attributeTarget(input.streamName, input.consumerName).target.tags ?? {}) };
  }

  /** Stores (a JSON document), replaces, or with `policy: null` deletes the resource policy of a stream or consumer. */
  async setResourcePolicy(input: { streamName: string; consumerName?: string; policy: string | null }): Promise<void> {
    const { target, resource } = this.attributeTarget(input.streamName, input.consumerName);
    if (input.policy === null) {
      if (target.resourcePolicy === undefined) throw notFound(`No resource policy found for ${resource}`, 'ResourceARN');
      target.resourcePolicy = undefined;
    } else target.resourcePolicy = checkPolicy(input.policy);
    this.saveMeta();
  }

  async resourcePolicy(input: { streamName: string; consumerName?: string }): Promise<string | undefined> {
    return this.attributeTarget(input.streamName, input.consumerName).target.resourcePolicy;
  }

  /** Records encryption, shard-level metrics or warm throughput (they change nothing else); returns before and after. */
  async updateStreamSettings(input: { streamName: string } & StreamSettingsChange): Promise<{ before: StreamSettings; after: StreamSettings }> {
    const stream = this.stream(input.streamName);
    const { resourcePolicy, ...current } = stream.meta.settings ?? {};
    const result = changeSettings(current, input);
    stream.meta.settings = resourcePolicy === undefined ? result.after : { ...result.after, resourcePolicy };
    this.saveMeta();
    return result;
  }

  async streamSettings(streamName: string): Promise<StreamSettings> {
    const { resourcePolicy: _, ...settings } = this.stream(streamName).meta.settings ?? {};
    return settings;
  }

  private attributeTarget(streamName: string, consumerName: string | undefined): { target: Tagged & { resourcePolicy?: string }; resource: string } {
    const stream = this.stream(streamName);
    if (consumerName === undefined) {
      const settings = (stream.meta.settings ??= {});
      const target = {
        get tags() {
          return stream.meta.tags;
        },
        set tags(tags: Record<string, string> | undefined) {
          stream.meta.tags = tags ?? {};
        },
        get resourcePolicy() {
          return settings.resourcePolicy;
        },
        set resourcePolicy(policy: string | undefined) {
          if (policy === undefined) delete settings.resourcePolicy;
          else settings.resourcePolicy = policy;
        },
      };
      return { target, resource: `stream ${stream.meta.streamName} under account ${this.accountId}` };
    }
    const consumer = stream.meta.consumers.find((c) => c.consumerName === consumerName);
    if (!consumer) throw notFound(`Consumer ${String(consumerName)} on stream ${stream.meta.streamName} not found`, 'ConsumerName');
    return { target: consumer, resource: `consumer ${consumer.consumerName} of stream ${stream.meta.streamName} under account ${this.accountId}` };
  }

  // ---- retention ----------------------------------------------------------------------------------------------

  /** Applies retention to every stream now (reads and writes also do it lazily, at most once a second per stream). */
  async trim(): Promise<void> {
    for (const stream of this.streams.values()) this.trimStream(stream);
    this.saveMeta();
  }

  private maybeTrim(stream: OpenStream): void {
    const now = this.clock.now();
    if (now - stream.lastTrimCheckMs < TRIM_CHECK_EVERY_MS) return;
    if (this.trimStream(stream)) this.saveMeta();
  }

  /** Records older than the retention period go; so do closed shards once all they held has expired. */
  private trimStream(stream: OpenStream): boolean {
    const now = this.clock.now();
    stream.lastTrimCheckMs = now;
    const horizon = now - stream.meta.retentionHours * HOUR_MS;
    let changed = false;
    for (const shard of [...stream.shards.values()]) {
      if (shard.log.trim(horizon, this.run)) {
        shard.meta.trimCounter = shard.log.trimCounter;
        changed = true;
      }
      const closedAt = shard.meta.closedAtMs;
      if (closedAt !== undefined && closedAt < horizon && shard.log.lastCounter < shard.log.trimCounter) {
        shard.log.destroy();
        stream.shards.delete(shard.meta.shardId);
        stream.meta.shards = stream.meta.shards.filter((s) => s !== shard.meta);
        changed = true;
      }
    }
    return changed;
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------------

  /** Waits for pending syncs and closes every file. The log cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.durability.drain();
    this.saveMeta();
    for (const stream of this.streams.values()) for (const shard of stream.shards.values()) shard.log.close();
  }

  /** The stream, for the library's own readers (the lineage reader, the server). */
  stream(streamName: string): OpenStream {
    this.checkOpen();
    const name = checkName(streamName, 'StreamName');
    const stream = this.streams.get(name);
    if (!stream) throw notFound(`Stream ${name} under account ${this.accountId} not found.`, 'StreamName');
    return stream;
  }

  streamArn(streamName: string): string {
    return `arn:aws:kinesis:${this.region}:${this.accountId}:stream/${streamName}`;
  }

  get now(): number {
    return this.clock.now();
  }

  private shardOf(stream: OpenStream, shardId: string): Shard {
    const shard = stream.shard(checkName(shardId, 'ShardId'));
    if (!shard) throw notFound(`Shard ${shardId} in stream ${stream.meta.streamName} under account ${this.accountId} does not exist`, 'ShardId');
    return shard;
  }

  private describeShards(stream: OpenStream): ShardDescription[] {
    return stream.meta.shards.map((m) => {
      const d: ShardDescription = {
        shardId: m.shardId,
        hashKeyRange: { startingHashKey: m.startingHashKey, endingHashKey: m.endingHashKey },
        sequenceNumberRange: { startingSequenceNumber: formatSequenceNumber(m.startingCounter) },
      };
      if (m.parentShardId !== undefined) d.parentShardId = m.parentShardId;
      if (m.adjacentParentShardId !== undefined) d.adjacentParentShardId = m.adjacentParentShardId;
      if (m.endingCounter !== undefined) d.sequenceNumberRange.endingSequenceNumber = formatSequenceNumber(m.endingCounter);
      return d;
    });
  }

  private openStream(meta: StreamMeta): OpenStream {
    const stream = new OpenStream(
      meta,
      (s, shardId) => (this.options.dir ? new DirectoryShardStore(path.join(this.streamDir(s), shardId)) : new MemoryShardStore()),
      this.segmentBytes,
      this.clock,
      this.enforceLimits,
    );
    this.streams.set(meta.streamName, stream);
    return stream;
  }

  private streamDir(meta: StreamMeta): string {
    return path.join(this.options.dir!, 'streams', `${meta.streamName}.${meta.createdAtMs}`);
  }

  /** A crash between deleting a stream from the metadata and deleting its files leaves files no stream owns. */
  private removeOrphanDirectories(): void {
    if (!this.options.dir) return;
    const owned = new Set([...this.streams.values()].map((s) => path.basename(this.streamDir(s.meta))));
    for (const entry of fs.readdirSync(path.join(this.options.dir, 'streams'))) {
      if (!owned.has(entry)) fs.rmSync(path.join(this.options.dir, 'streams', entry), { recursive: true, force: true });
    }
  }

  private saveMeta(): void {
    const meta: LogMeta = { version: 1, streams: [] };
    for (const stream of this.streams.values()) {
      stream.meta.counterFloor = stream.nextCounter;
      meta.streams.push(stream.meta);
    }
    this.metaStore.save(meta);
  }

  private checkOpen(): void {
    if (this.closed) throw new SluiceError('InternalFailure', 'The log is closed');
  }
}

/** An append's working arrays for up to `n` records (see Log.appendScratch). */
function scratchArrays(n: number) {
  return { keyBytes: new Int32Array(n), words: new Uint32Array(n * 4), order: new Int32Array(n), counters: new Float64Array(n) };
}

const NO_KEYS: readonly string[] = [];
const NO_DATA: readonly Uint8Array[] = [];

/** A string's UTF-8 length; ASCII (the common case) without the native call. */
function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

/** The UTF-16 length of the UTF-8 text `b[start..end)` (a 4-byte sequence is a surrogate pair), as PartitionKey's limit counts. */
function utf16Length(b: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if ((c & 0xc0) !== 0x80) n += c >= 0xf0 ? 2 : 1;
  }
  return n;
}

/** Throws the specific error for packed record `r` that failed writePacked's quick checks. */
function explainBadPacked(packed: PackedRecords, r: number, maxKiB: number): never {
  const field = `Records[${r}]`;
  const keyStart = packedStart(packed.keyEnds, r);
  const kb = packed.keyEnds[r]! - keyStart;
  const db = packed.dataEnds[r]! - packedStart(packed.dataEnds, r);
  if (kb < 1) throw invalidArgument(`${field}.PartitionKey: a partition key must have length greater than or equal to 1 (its end is before its start)`, `${field}.PartitionKey`);
  if (db < 0) throw invalidArgument(`${field}.Data: its end is before its start`, `${field}.Data`);
  const chars = utf16Length(packed.keys, keyStart, packed.keyEnds[r]!);
  if (chars > 256) throw invalidArgument(`${field}.PartitionKey: a partition key must have length less than or equal to 256, this one has ${chars}`, `${field}.PartitionKey`);
  checkRecordSize(db, kb, maxKiB, `${field}.Data`);
  throw new SluiceError('InternalFailure', `packed record ${r} failed validation for an unknown reason`);
}

function recordField(prefix: string, i: number, name: string): string {
  return prefix ? `${prefix}${i + 1}.${name}` : name;
}

/** Throws the specific error for a record that failed the append path's quick checks. */
function explainBadRecord(r: unknown, i: number, prefix: string, maxKiB: number): never {
  if (typeof r !== 'object' || r === null) throw validationError(prefix ? `${prefix}${i + 1}` : 'Record', 'Member must be an object', r);
  const { partitionKey, data } = r as PutRecordInput;
  const key = checkPartitionKey(partitionKey, recordField(prefix, i, 'PartitionKey'));
  const bytes = checkData(data, recordField(prefix, i, 'Data'));
  checkRecordSize(bytes.byteLength, Buffer.byteLength(key, 'utf8'), maxKiB, recordField(prefix, i, 'Data'));
  throw new SluiceError('InternalFailure', `record ${i + 1} failed validation for an unknown reason`);
}

function checkRetention(hours: unknown): number {
  return checkInteger(hours, 'RetentionPeriodHours', 24, 8760);
}
