import { invalidArgument, limitExceeded, notFound } from '../util/errors.js';
import { evenRanges } from './hash-key.js';
import { shardIdFor, type ShardMeta } from './metadata.js';
import type { OpenStream, Shard } from './stream.js';

/**
 * Resharding. A parent closes (its ending counter is drawn from the stream counter, so every child record sorts after
 * every parent record) and children open with lineage. Callers save the metadata afterwards.
 */
export function splitShard(stream: OpenStream, shardId: string, newStartingHashKey: bigint, nowMs: number, shardLimit: number): void {
  const parent = openShard(stream, shardId, 'ShardToSplit');
  const start = BigInt(parent.meta.startingHashKey);
  const end = BigInt(parent.meta.endingHashKey);
  if (!(newStartingHashKey > start + 1n && newStartingHashKey < end)) {
    throw invalidArgument(
      `NewStartingHashKey ${newStartingHashKey} must be greater than ${start + 1n} and less than ${end} (inside the range of ${shardId})`,
      'NewStartingHashKey',
    );
  }
  checkShardLimit(stream, stream.openShardCount + 1, shardLimit);
  close(stream, parent, nowMs);
  openChild(stream, start, newStartingHashKey - 1n, parent.meta.shardId);
  openChild(stream, newStartingHashKey, end, parent.meta.shardId);
  stream.rebuildRoutes();
}

export function mergeShards(stream: OpenStream, shardId: string, adjacentShardId: string, nowMs: number): void {
  const a = openShard(stream, shardId, 'ShardToMerge');
  const b = openShard(stream, adjacentShardId, 'AdjacentShardToMerge');
  const [low, high] = BigInt(a.meta.startingHashKey) < BigInt(b.meta.startingHashKey) ? [a, b] : [b, a];
  if (BigInt(low.meta.endingHashKey) + 1n !== BigInt(high.meta.startingHashKey)) {
    throw invalidArgument(
      `Shards ${shardId} and ${adjacentShardId} are not an adjacent pair of shards eligible for merging`,
      'AdjacentShardToMerge',
    );
  }
  close(stream, a, nowMs);
  close(stream, b, nowMs);
  openChild(stream, BigInt(low.meta.startingHashKey), BigInt(high.meta.endingHashKey), a.meta.shardId, b.meta.shardId);
  stream.rebuildRoutes();
}

/**
 * UpdateShardCount with UNIFORM_SCALING, done as AWS does it: a series of splits and merges, so every shard keeps at
 * most two parents and readers that follow lineage stay in order. First every open shard is split at each target
 * boundary inside it; then the pieces of each target range are merged left to right.
 */
export function scaleUniformly(stream: OpenStream, target: number, nowMs: number, shardLimit: number): void {
  const current = stream.openShardCount;
  if (target > current * 2 || target * 2 < current) {
    throw invalidArgument(
      `TargetShardCount ${target} must be between half (${Math.ceil(current / 2)}) and double (${current * 2}) of the current open shard count ${current}`,
      'TargetShardCount',
    );
  }
  checkShardLimit(stream, target, shardLimit);
  if (target === current && isUniform(stream, target)) return;
  const targets = evenRanges(target);
  for (const range of targets.slice(1)) {
    const owner = stream.openShardsByKey().find((s) => BigInt(s.meta.startingHashKey) < range.start && range.start <= BigInt(s.meta.endingHashKey));
    if (owner) {
      close(stream, owner, nowMs);
      openChild(stream, BigInt(owner.meta.startingHashKey), range.start - 1n, owner.meta.shardId);
      openChild(stream, range.start, BigInt(owner.meta.endingHashKey), owner.meta.shardId);
    }
  }
  for (const range of targets) {
    let pieces = stream.openShardsByKey().filter((s) => BigInt(s.meta.startingHashKey) >= range.start && BigInt(s.meta.endingHashKey) <= range.end);
    while (pieces.length > 1) {
      const [left, right] = pieces as [Shard, Shard];
      close(stream, left, nowMs);
      close(stream, right, nowMs);
      const merged = openChild(stream, BigInt(left.meta.startingHashKey), BigInt(right.meta.endingHashKey), left.meta.shardId, right.meta.shardId);
      pieces = [stream.shard(merged.shardId)!, ...pieces.slice(2)];
    }
  }
  stream.rebuildRoutes();
}

function isUniform(stream: OpenStream, target: number): boolean {
  const ranges = evenRanges(target);
  return stream.openShardsByKey().every((s, i) => BigInt(s.meta.startingHashKey) === ranges[i]?.start);
}

function openShard(stream: OpenStream, shardId: string, field: string): Shard {
  const shard = stream.shard(shardId);
  if (!shard) throw notFound(`Shard ${shardId} in stream ${stream.meta.streamName} does not exist`, field);
  if (shard.meta.endingCounter !== undefined) {
    throw invalidArgument(`Shard ${shardId} has already been merged or split, and thus is not eligible for merging or splitting`, field);
  }
  return shard;
}

function checkShardLimit(stream: OpenStream, openAfter: number, shardLimit: number): void {
  if (openAfter > shardLimit) {
    throw limitExceeded(`Stream ${stream.meta.streamName} would have ${openAfter} open shards; the limit is ${shardLimit}`);
  }
}

function close(stream: OpenStream, shard: Shard, nowMs: number): void {
  shard.meta.endingCounter = stream.nextCounter++;
  shard.meta.closedAtMs = nowMs;
}

function openChild(stream: OpenStream, start: bigint, end: bigint, parent: string, adjacentParent?: string): ShardMeta {
  const meta: ShardMeta = {
    shardId: shardIdFor(stream.meta.nextShardIndex++),
    startingHashKey: start.toString(),
    endingHashKey: end.toString(),
    parentShardId: parent,
    startingCounter: stream.nextCounter,
    trimCounter: 0,
  };
  if (adjacentParent !== undefined) meta.adjacentParentShardId = adjacentParent;
  stream.meta.shards.push(meta);
  stream.attach(meta);
  return meta;
}
