import { RecordRun, type LogRecord } from './frame.js';
import type { Log } from './log.js';
import { parentsOf } from './metadata.js';
import type { Shard } from './stream.js';

export type ReaderStart = 'TRIM_HORIZON' | 'LATEST';

/** Where a reader is: the next counter of each shard it is reading, and the shards it has finished. */
export interface ReaderCheckpoint {
  positions: Record<string, number>;
  finished: string[];
}

export interface ReadRecord extends LogRecord {
  shardId: string;
}

/**
 * A consumer of a whole stream that follows shard lineage the way the KCL does: a child shard is read only after
 * every parent is finished, so the records of each partition key arrive exactly once and in order across resharding.
 * Each reader keeps its own positions; any number can read the same stream.
 */
export class StreamReader {
  private readonly positions = new Map<string, number>();
  private readonly finished = new Set<string>();
  private readonly run = new RecordRun();

  constructor(
    private readonly log: Log,
    readonly streamName: string,
    start: ReaderStart | ReaderCheckpoint = 'TRIM_HORIZON',
  ) {
    if (typeof start === 'object') {
      for (const [id, c] of Object.entries(start.positions)) this.positions.set(id, c);
      for (const id of start.finished) this.finished.add(id);
    } else {
      this.startAt(start);
    }
  }

  private startAt(start: ReaderStart): void {
    const stream = this.log.stream(this.streamName);
    for (const shard of stream.shards.values()) {
      const closed = shard.meta.endingCounter !== undefined;
      if (start === 'LATEST') {
        if (closed) this.finished.add(shard.meta.shardId);
        else this.positions.set(shard.meta.shardId, shard.log.lastCounter + 1);
      } else if (!this.hasLiveParent(shard)) {
        this.positions.set(shard.meta.shardId, shard.log.trimCounter);
      }
    }
  }

  /** Reads up to `limit` records from the shards that are ready, oldest shard first. Empty when caught up. */
  read(limit = 10_000): ReadRecord[] {
    const stream = this.log.stream(this.streamName);
    const out: ReadRecord[] = [];
    // Finishing a shard can make its children ready; they join the queue of this same call.
    const queue = [...this.positions.keys()];
    for (let q = 0; q < queue.length && out.length < limit; q++) {
      const shardId = queue[q]!;
      const shard = stream.shard(shardId);
      if (!shard) {
        // Expired by retention while we were away: nothing left to read there.
        queue.push(...this.finish(shardId), ...this.orphans());
        continue;
      }
      const { next, ended } = this.log.readShard(shard, this.positions.get(shardId)!, limit - out.length, this.run);
      for (const r of this.run.records()) out.push({ ...r, shardId });
      this.positions.set(shardId, next);
      if (ended) queue.push(...this.finish(shardId));
    }
    return out;
  }

  /** Reads until caught up. */
  readAll(): ReadRecord[] {
    const all: ReadRecord[] = [];
    for (let batch = this.read(); batch.length > 0; batch = this.read()) all.push(...batch);
    return all;
  }

  checkpoint(): ReaderCheckpoint {
    return { positions: Object.fromEntries(this.positions), finished: [...this.finished] };
  }

  /** Marks a shard done; returns the children that became ready to read. */
  private finish(shardId: string): string[] {
    this.positions.delete(shardId);
    this.finished.add(shardId);
    const ready: string[] = [];
    for (const child of this.log.stream(this.streamName).children(shardId)) {
      const id = child.meta.shardId;
      if (this.positions.has(id) || this.finished.has(id) || this.hasLiveParent(child)) continue;
      this.positions.set(id, child.meta.startingCounter);
      ready.push(id);
    }
    return ready;
  }

  /**
   * Shards whose lineage back to us was cut by retention: a parent expired (children and all) before we finished it,
   * so `finish` never met them. Any whose parents are all gone or finished is ready, from its start.
   */
  private orphans(): string[] {
    const stream = this.log.stream(this.streamName);
    const ready: string[] = [];
    for (const shard of stream.shards.values()) {
      const id = shard.meta.shardId;
      const parents = parentsOf(shard.meta);
      if (this.positions.has(id) || this.finished.has(id) || this.hasLiveParent(shard)) continue;
      if (!parents.some((p) => stream.shard(p) === undefined)) continue;
      this.positions.set(id, shard.meta.startingCounter);
      ready.push(id);
    }
    return ready;
  }

  /** Whether a parent of `shard` still has to be finished first. */
  private hasLiveParent(shard: Shard): boolean {
    const stream = this.log.stream(this.streamName);
    return parentsOf(shard.meta).some((p) => stream.shard(p) !== undefined && !this.finished.has(p));
  }
}
