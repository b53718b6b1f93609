/**
 * Time is injected everywhere it matters, so replays and tests are deterministic.
 * No module reads `Date.now()` on its own: it asks the clock it was given.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The real clock, for live use. */
export class WallClock implements Clock {
  now(): number {
    return Date.now();
  }
}

/** A clock that moves only when told to: for tests, replays and simulations. */
export class VirtualClock implements Clock {
  private current: number;

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** Moves time forward by `ms` (never backward). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`VirtualClock.advance: ms must be >= 0, got ${ms}`);
    this.current += ms;
  }

  /** Jumps to an absolute time, which must not be earlier than now. */
  set(ms: number): void {
    if (!(ms >= this.current)) throw new RangeError(`VirtualClock.set: time may not go backward (${ms} < ${this.current})`);
    this.current = ms;
  }
}
