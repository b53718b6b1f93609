import type { Log } from '../../log/index.js';
import { ApiError } from '../errors.js';

export type TransientStatus = 'CREATING' | 'UPDATING' | 'DELETING';

/**
 * Stream and consumer lifecycle states as AWS shows them: a stream is CREATING for a while after CreateStream and
 * UPDATING after a reshard, a mode change or an encryption change; a consumer is CREATING after registration. The
 * log applies every change at once; this only delays when it is reported done, by `delayMs` of the log's clock (0,
 * the default, makes everything ACTIVE at once). While CREATING a stream takes no records and no control-plane
 * changes; while UPDATING it takes records but no further changes.
 */
export class Lifecycle {
  private readonly pending = new Map<string, { createdAtMs: number; status: TransientStatus; untilMs: number }>();
  private readonly deleting = new Map<string, { createdAtMs: number; status: 'DELETING'; untilMs: number }>();

  constructor(
    private readonly log: Log,
    private readonly delayMs: number,
  ) {}

  began(key: string, createdAtMs: number, status: TransientStatus): void {
    if (this.delayMs > 0) this.pending.set(key, { createdAtMs, status, untilMs: this.log.now + this.delayMs });
  }

  /** The status of a stream (`key` = name) or consumer (`key` = its ARN) created at `createdAtMs`. */
  status(key: string, createdAtMs: number): TransientStatus | 'ACTIVE' {
    const p = this.pending.get(key);
    if (!p) return 'ACTIVE';
    if (p.status === 'DELETING' && p.createdAtMs === createdAtMs) return 'DELETING'; // until settle() deletes it
    if (p.createdAtMs !== createdAtMs || this.log.now >= p.untilMs) {
      this.pending.delete(key);
      return 'ACTIVE';
    }
    return p.status;
  }

  streamStatus(name: string): TransientStatus | 'ACTIVE' {
    return this.status(name, this.log.stream(name).meta.createdAtMs);
  }

  /** Records in and out need the stream to exist: not while it is CREATING or DELETING. */
  checkReadable(name: string): void {
    const status = this.streamStatus(name);
    if (status === 'CREATING' || status === 'DELETING') {
      throw new ApiError('ResourceNotFoundException', `Stream ${name} under account ${this.accountId} is ${status}; it is not available.`);
    }
  }

  /** Deletes the streams whose DELETING time is up. Called before every request. */
  async settle(): Promise<void> {
    for (const [key, p] of this.deleting) {
      if (this.log.now < p.untilMs) continue;
      this.deleting.delete(key);
      this.pending.delete(key);
      const stream = (await this.log.listStreams()).includes(key) ? this.log.stream(key) : undefined;
      if (stream && stream.meta.createdAtMs === p.createdAtMs) await this.log.deleteStream({ streamName: key, enforceConsumerDeletion: true });
    }
  }

  /** DeleteStream: at once without a delay; otherwise DELETING first (the caller has checked the consumers). */
  async delete(name: string, enforceConsumerDeletion: boolean | undefined): Promise<void> {
    if (this.delayMs === 0) {
      await this.log.deleteStream({ streamName: name, enforceConsumerDeletion });
      return;
    }
    const stream = this.log.stream(name);
    if (stream.meta.consumers.length > 0 && !enforceConsumerDeletion) {
      // The log's own check, run now rather than when the deletion completes.
      await this.log.deleteStream({ streamName: name, enforceConsumerDeletion });
    }
    const entry = { createdAtMs: stream.meta.createdAtMs, status: 'DELETING' as const, untilMs: this.log.now + this.delayMs };
    this.pending.set(name, entry);
    this.deleting.set(name, entry);
  }

  /**
   * Tags, resource policies, metrics, shard and consumer listings need a stream that exists in full: not CREATING (it
   * has no shards yet) nor DELETING. UPDATING is fine.
   */
  checkAvailable(name: string): void {
    const status = this.streamStatus(name);
    if (status === 'CREATING' || status === 'DELETING') {
      throw new ApiError('ResourceInUseException', `Stream ${name} under account ${this.accountId} not available for this operation, instead in state ${status}`);
    }
  }

  /** Control-plane changes need an ACTIVE stream. */
  checkActive(name: string): void {
    const status = this.streamStatus(name);
    if (status !== 'ACTIVE') {
      throw new ApiError('ResourceInUseException', `Stream ${name} under account ${this.accountId} not ACTIVE, instead in state ${status}`);
    }
  }

  private get accountId(): string {
    return this.log.options.accountId ?? '000000000000';
  }
}
