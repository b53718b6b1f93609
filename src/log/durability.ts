import type { SegmentStorage } from './storage.js';

/**
 * When an append counts as acknowledged:
 * - `always`: after its bytes are fsynced (group commit: appends that arrive while a sync runs share the next one);
 * - `batch`: after the next periodic sync, at most `batchMs` later;
 * - `never`: once written to the operating system (survives a process crash, not a power cut).
 */
export type FsyncPolicy = 'always' | 'batch' | 'never';

interface Round {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class Durability {
  private dirty = new Set<SegmentStorage>();
  private running: Promise<void> | null = null;
  private next: Round | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    readonly policy: FsyncPolicy,
    private readonly batchMs: number,
  ) {}

  /** Call after appending to `storage`; the promise resolves when the append counts as acknowledged. */
  commit(storage: SegmentStorage): Promise<void> {
    if (this.policy === 'never') return RESOLVED;
    this.dirty.add(storage);
    if (this.next) return this.next.promise;
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    this.next = { promise, resolve, reject };
    if (!this.running) this.schedule();
    return promise;
  }

  /** Waits for every pending sync (used by close). */
  async drain(): Promise<void> {
    // Appends that queued behind a running sync get their round when it ends, under `batch` on a timer that would
    // fire after close: start every such round now instead.
    while (this.running || this.next) {
      if (this.timer) clearTimeout(this.timer);
      if (!this.running) this.startRound();
      await this.running;
    }
  }

  private schedule(): void {
    if (this.policy === 'batch') this.timer = setTimeout(() => this.startRound(), this.batchMs);
    else this.startRound();
  }

  private startRound(): void {
    this.timer = null;
    const round = this.next;
    if (!round) return;
    this.next = null;
    const storages = [...this.dirty];
    this.dirty.clear();
    this.running = Promise.all(storages.map((s) => s.sync())).then(
      () => round.resolve(),
      (err) => round.reject(err),
    );
    void this.running.then(() => {
      this.running = null;
      if (this.next) this.schedule();
    });
  }
}

const RESOLVED = Promise.resolve();
