export { Log } from './log.js';
export type {
  LogOptions,
  StreamDescription,
  ShardDescription,
  PutRecordInput,
  PutRecordsResultEntry,
  ShardIteratorType,
  GetRecordsOutput,
  ReadPosition,
  ChildShard,
  Consumer,
} from './log.js';
export { RecordRun, type LogRecord, type PackedRecords } from './frame.js';
export type { AppendedRecords } from './append-results.js';
export { StreamReader, type ReaderCheckpoint, type ReaderStart, type ReadRecord } from './reader.js';
export type { FsyncPolicy } from './durability.js';
export { parentsOf, type StreamMode, type StreamSettings } from './metadata.js';
export { SHARD_LEVEL_METRICS, MAX_TAGS_PER_RESOURCE, type StreamSettingsChange } from './attributes.js';
export { aggregate, deaggregate, isAggregated, type UserRecord, type UserRecordInput, type StoredRecord } from './kpl.js';
export { partitionKeyHash, evenRanges, MAX_HASH_KEY } from './hash-key.js';
export { formatSequenceNumber } from './sequence-number.js';
