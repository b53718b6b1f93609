import fs from 'node:fs';
import { writeFileAtomic } from './storage.js';

/**
 * Everything about the log that is not record bytes: streams, shards and their lineage, retention, consumers. Small,
 * changed rarely, and replaced atomically as a whole on every change.
 */
export type StreamMode = 'PROVISIONED' | 'ON_DEMAND';

export interface ShardMeta {
  shardId: string;
  /** Decimal strings, as AWS shows them. */
  startingHashKey: string;
  endingHashKey: string;
  parentShardId?: string;
  adjacentParentShardId?: string;
  /** The stream counter when the shard opened: no record of it is below. */
  startingCounter: number;
  /** Set when the shard closed (split or merge): every record of it is below. */
  endingCounter?: number;
  closedAtMs?: number;
  /** Records below this counter have expired. */
  trimCounter: number;
}

export interface ConsumerMeta {
  consumerName: string;
  consumerARN: string;
  createdAtMs: number;
  tags?: Record<string, string>;
  resourcePolicy?: string;
}

/**
 * Stream settings that the log records and reports but that change nothing about records: server-side encryption,
 * enhanced (shard-level) monitoring, a resource policy, warm throughput. Absent in metadata written before they
 * existed, so every field is optional.
 */
export interface StreamSettings {
  encryption?: { type: 'KMS'; keyId: string };
  shardLevelMetrics?: string[];
  resourcePolicy?: string;
  warmThroughputMiBps?: number;
}

export interface StreamMeta {
  streamName: string;
  /** Creation time; it tells a stream apart from an earlier one of the same name (iterators, ARNs of consumers). */
  createdAtMs: number;
  retentionHours: number;
  mode: StreamMode;
  maxRecordSizeKiB: number;
  shards: ShardMeta[];
  nextShardIndex: number;
  /** No record of this stream has a counter at or above this... at the time of the last metadata write. */
  counterFloor: number;
  consumers: ConsumerMeta[];
  tags: Record<string, string>;
  settings?: StreamSettings;
}

export interface LogMeta {
  version: 1;
  streams: StreamMeta[];
}

export interface MetadataStore {
  load(): LogMeta;
  save(meta: LogMeta): void;
}

export class MemoryMetadataStore implements MetadataStore {
  load(): LogMeta {
    return { version: 1, streams: [] };
  }
  save(): void {}
}

export class FileMetadataStore implements MetadataStore {
  constructor(readonly path: string) {}

  load(): LogMeta {
    let text: string;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, streams: [] };
      throw err;
    }
    const meta = JSON.parse(text) as LogMeta;
    if (meta.version !== 1) throw new Error(`${this.path}: unsupported metadata version ${String(meta.version)}`);
    return meta;
  }

  save(meta: LogMeta): void {
    writeFileAtomic(this.path, JSON.stringify(meta));
  }
}

/** A shard's parents: none for an original shard, one after a split, two after a merge. */
export function parentsOf(shard: ShardMeta): string[] {
  const parents: string[] = [];
  if (shard.parentShardId !== undefined) parents.push(shard.parentShardId);
  if (shard.adjacentParentShardId !== undefined) parents.push(shard.adjacentParentShardId);
  return parents;
}

export function shardIdFor(index: number): string {
  return `shardId-${index.toString().padStart(12, '0')}`;
}
