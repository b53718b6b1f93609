import type { Clock } from '../util/clock.js';

/**
 * A token bucket on the injected clock: `ratePerSecond` tokens accrue up to `capacity`. `take` may be allowed to
 * overdraw (reads may take one large batch and then wait it off, as Kinesis does).
 */
export class TokenBucket {
  private tokens: number;
  private updatedMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly ratePerSecond: number,
    private readonly capacity = ratePerSecond,
  ) {
    this.tokens = capacity;
    this.updatedMs = clock.now();
  }

  available(): number {
    const now = this.clock.now();
    if (now > this.updatedMs) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedMs) / 1000) * this.ratePerSecond);
      this.updatedMs = now;
    }
    return this.tokens;
  }

  /** Takes `n` tokens if they are there. */
  tryTake(n: number): boolean {
    if (this.available() < n) return false;
    this.tokens -= n;
    return true;
  }

  /** Takes `n` tokens even if that leaves the bucket in debt. */
  takeAll(n: number): void {
    this.available();
    this.tokens -= n;
  }
}

/** Kinesis's per-shard limits for PROVISIONED streams. */
export const SHARD_LIMITS = {
  writeBytesPerSecond: 1024 * 1024,
  writeRecordsPerSecond: 1000,
  readBytesPerSecond: 2 * 1024 * 1024,
  readCallsPerSecond: 5,
} as const;

export class ShardThroughput {
  readonly writeBytes: TokenBucket;
  readonly writeRecords: TokenBucket;
  readonly readBytes: TokenBucket;
  readonly readCalls: TokenBucket;

  constructor(clock: Clock) {
    this.writeBytes = new TokenBucket(clock, SHARD_LIMITS.writeBytesPerSecond);
    this.writeRecords = new TokenBucket(clock, SHARD_LIMITS.writeRecordsPerSecond);
    this.readBytes = new TokenBucket(clock, SHARD_LIMITS.readBytesPerSecond);
    this.readCalls = new TokenBucket(clock, SHARD_LIMITS.readCallsPerSecond);
  }

  /**
   * Admits one record of `bytes` for writing, or says no without taking anything. A record over a second's worth
   * (allowed after UpdateMaxRecordSize) could never fit the bucket, so it needs a full one and leaves it in debt: AWS
   * lets a shard burst for such records and then holds it to 1 MiB/s on average.
   */
  admitWrite(bytes: number): boolean {
    const needed = Math.min(bytes, SHARD_LIMITS.writeBytesPerSecond);
    if (this.writeRecords.available() < 1 || this.writeBytes.available() < needed) return false;
    this.writeRecords.tryTake(1);
    this.writeBytes.takeAll(bytes);
    return true;
  }
}
