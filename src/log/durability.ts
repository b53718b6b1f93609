import type { SegmentStorage } from './storage.js';

/**
 * When an append counts as acknowledged:
 * - `always`: after its bytes are fsynced (group commit: appends that arrive while a sync runs share the next one);
 * - `batch`: after the next periodic sync, at most `batchMs` later;
 * - `never`: once written to the operating system (survives a process crash, not a power cut).
 *
 * File storage holds appended frames in memory until a round flushes them (see FileStorage), so every policy works
 * in rounds: a round writes out what the appends before it left pending, in one write per file, then (except under
 * `never`) fsyncs those files, then acknowledges those appends. Appends that arrive while a round's fsync runs only
 * add to memory, never wait for the file, and go to the next round.
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
  /** When the first append of `next` arrived (performance.now()). */
  private nextSinceMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;

  constructor(
    readonly policy: FsyncPolicy,
    private readonly batchMs: number,
  ) {}

  /** Call after appending to `storage`; the promise resolves when the append counts as acknowledged. */
  commit(storage: SegmentStorage): Promise<void> {
    // Under `never` an append that is already with the operating system (memory storage has nothing pending) is done.
    if (this.policy === 'never' && storage.pendingBytes === 0) return RESOLVED;
    this.dirty.add(storage);
    if (this.next) {
      const promise = this.next.promise;
      // A round already batchMs old starts now rather than on its timer: the timer cannot fire while appends keep
      // the event loop busy, and meanwhile nothing would be syncing.
      if (this.policy === 'batch' && !this.running && performance.now() - this.nextSinceMs >= this.batchMs) this.startRound();
      return promise;
    }
    let resolve!: () => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
    this.next = { promise, resolve, reject };
    this.nextSinceMs = performance.now();
    if (!this.running) this.schedule();
    return promise;
  }

  /** Waits for every pending round (used by close). */
  async drain(): Promise<void> {
    // Appends that queued behind a running sync get their round when it ends, on a timer or an immediate that would
    // fire after close: start every such round now instead.
    while (this.running || this.next) {
      this.cancelSchedule();
      if (!this.running) this.startRound();
      await this.running;
    }
  }

  /**
   * `always` starts a round at once; `batch` starts it batchMs after its first append (or when the previous round's
   * sync ends, if that is later: waiting batchMs more after it only made appends queue behind the sync for longer);
   * `never` waits until the event loop's current turn ends, so the appends of all requests handled in it share one
   * write per file.
   */
  private schedule(): void {
    if (this.policy === 'batch') {
      const wait = this.nextSinceMs + this.batchMs - performance.now();
      if (wait > 0) this.timer = setTimeout(() => this.startRound(), wait);
      else this.startRound();
    } else if (this.policy === 'never') this.immediate = setImmediate(() => this.startRound());
    else this.startRound();
  }

  private cancelSchedule(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private startRound(): void {
    this.cancelSchedule();
    const round = this.next;
    if (!round) return;
    this.next = null;
    const storages = [...this.dirty];
    this.dirty.clear();
    try {
      for (const s of storages) s.flush();
    } catch (err) {
      round.reject(err);
      return;
    }
    if (this.policy === 'never') {
      round.resolve();
      return;
    }
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
