import type { Clock } from '../util/clock.js';
import { compareWords, writeWords } from './hash-key.js';
import type { ShardMeta, StreamMeta } from './metadata.js';
import { ShardLog } from './shard-log.js';
import type { ShardStore } from './storage.js';
import { ShardThroughput } from './throughput.js';

export interface Shard {
  meta: ShardMeta;
  log: ShardLog;
  /** Per-shard limits; null when the log does not enforce them or the stream is ON_DEMAND. */
  throughput: ShardThroughput | null;
}

/** Where a shard's segments live, made by the log (a directory per shard, or memory). */
export type ShardStoreFactory = (stream: StreamMeta, shardId: string) => ShardStore;

/** A stream while the log is open: its metadata, its shards' logs, and the routing table over its open shards. */
export class OpenStream {
  readonly shards = new Map<string, Shard>();
  /** Starting hash keys of the open shards, four words each, ascending. */
  private routeStarts = new Uint32Array(0);
  private routeShards: Shard[] = [];
  /** The ids of routeShards, by slot; a new array whenever the routes change, so a caller may keep it. */
  openShardIds: readonly string[] = [];
  /** The next record's counter; drawn by every shard of the stream. */
  nextCounter: number;
  /** Arrival times never go backward within a stream, even if the clock does. */
  lastArrivalMs = -Infinity;
  lastTrimCheckMs = -Infinity;

  constructor(
    readonly meta: StreamMeta,
    private readonly makeStore: ShardStoreFactory,
    private readonly segmentBytes: number,
    private readonly clock: Clock,
    private readonly enforceLimits: boolean,
  ) {
    this.nextCounter = meta.counterFloor;
  }

  /** Opens the logs of all shards in the metadata (recovering them from storage); returns bytes of torn tails cut. */
  openShards(): number {
    let cut = 0;
    for (const meta of this.meta.shards) {
      const shard = this.attach(meta);
      cut += shard.log.recover();
      shard.log.trimCounter = meta.trimCounter;
      this.nextCounter = Math.max(this.nextCounter, shard.log.lastCounter + 1, (meta.endingCounter ?? -1) + 1);
      this.lastArrivalMs = Math.max(this.lastArrivalMs, shard.log.lastArrivalMs);
    }
    this.rebuildRoutes();
    return cut;
  }

  attach(meta: ShardMeta): Shard {
    const limited = this.enforceLimits && this.meta.mode === 'PROVISIONED';
    const shard: Shard = {
      meta,
      log: new ShardLog(this.makeStore(this.meta, meta.shardId), this.segmentBytes),
      throughput: limited ? new ShardThroughput(this.clock) : null,
    };
    this.shards.set(meta.shardId, shard);
    return shard;
  }

  /** The open shards in hash-key order, read from the metadata (resharding uses it while the routes are stale). */
  openShardsByKey(): Shard[] {
    return [...this.shards.values()]
      .filter((s) => s.meta.endingCounter === undefined)
      .sort((a, b) => (BigInt(a.meta.startingHashKey) < BigInt(b.meta.startingHashKey) ? -1 : 1));
  }

  /** Call after any change to which shards are open, or to the stream's mode. */
  rebuildRoutes(): void {
    const limited = this.enforceLimits && this.meta.mode === 'PROVISIONED';
    for (const shard of this.shards.values()) {
      if (limited && !shard.throughput) shard.throughput = new ShardThroughput(this.clock);
      if (!limited) shard.throughput = null;
    }
    this.routeShards = this.openShardsByKey();
    this.openShardIds = this.routeShards.map((s) => s.meta.shardId);
    this.routeStarts = new Uint32Array(this.routeShards.length * 4);
    this.routeShards.forEach((s, i) => writeWords(BigInt(s.meta.startingHashKey), this.routeStarts, i * 4));
  }

  /**
   * The slot (0 .. openShardCount-1, in hash-key order) of the open shard whose range holds the key in
   * `words[at..at+4)`. Appends group records by slot; `openShardAt` gives the shard.
   */
  route(words: Uint32Array, at: number): number {
    // Open shards tile the key space, so the owner is the last one starting at or below the key.
    let lo = 0;
    let hi = this.routeShards.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (compareWords(this.routeStarts, mid * 4, words, at) <= 0) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  openShardAt(slot: number): Shard {
    return this.routeShards[slot]!;
  }

  get openShardCount(): number {
    return this.routeShards.length;
  }

  shard(shardId: string): Shard | undefined {
    return this.shards.get(shardId);
  }

  /** Shards whose parent or adjacent parent is `shardId`. */
  children(shardId: string): Shard[] {
    return [...this.shards.values()].filter(
      (s) => s.meta.parentShardId === shardId || s.meta.adjacentParentShardId === shardId,
    );
  }

  /** Draws the arrival time for an append. */
  arrivalNow(): number {
    this.lastArrivalMs = Math.max(this.lastArrivalMs, this.clock.now());
    return this.lastArrivalMs;
  }
}
