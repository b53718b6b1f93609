/**
 * Reading an application's input streams: every shard of every input, following shard lineage, merged into one
 * sequence in arrival order. The merge is deterministic — the same records come out in the same order however the
 * reads are cut — because a record is released only when no shard can still produce an earlier one: every other
 * shard either holds a later record or has been read to its end at a log time after it. That is what lets a restart
 * from a checkpoint recompute exactly the rows an uninterrupted run computes.
 */
import { deaggregate, formatSequenceNumber, isAggregated, parentsOf, RecordRun, type Log, type ReaderCheckpoint } from '../log/index.js';

export type StartingPosition = 'NOW' | 'TRIM_HORIZON' | 'LAST_STOPPED_POINT';

/** One log record (several user records when KPL-aggregated), on its way into the application. */
export interface Released {
  input: number;
  /** Which of the input's source streams (`_001` is 0): the shard's index modulo InputParallelism. */
  stream: number;
  shardId: string;
  counter: number;
  arrival: number;
  /** The user records: one, or the sub-records of a KPL aggregate. */
  records: { data: Uint8Array; partitionKey: string }[];
}

interface Cursor {
  shardId: string;
  /** The shard's number (`shardId-000000000003` is 3): merge tie-break and parallel-stream choice. */
  order: number;
  /** Next counter to read from the log. */
  next: number;
  buffer: Released[];
  head: number;
  /** Log time of the last read that reached the shard's end (-Infinity while records may be left unread). */
  caughtUpAt: number;
  /** The last read found the shard closed and fully read. */
  ended: boolean;
  /** The release call of the last read: a shard caught up in an earlier call may have received records since. */
  epoch: number;
}

const READ_CHUNK = 1_000;

/** One input stream's shards. */
export class InputReader {
  readonly cursors = new Map<string, Cursor>();
  private readonly finished = new Set<string>();
  private readonly run = new RecordRun();

  constructor(
    private readonly log: Log,
    readonly streamName: string,
    readonly input: number,
    private readonly parallelism: number,
    start: Exclude<StartingPosition, 'LAST_STOPPED_POINT'> | ReaderCheckpoint,
  ) {
    if (typeof start === 'object') {
      for (const id of start.finished) this.finished.add(id);
      for (const [id, counter] of Object.entries(start.positions)) this.open(id, counter);
    } else {
      for (const shard of this.log.stream(streamName).shards.values()) {
        const id = shard.meta.shardId;
        if (start === 'NOW') {
          if (shard.meta.endingCounter !== undefined) this.finished.add(id);
          else this.open(id, shard.log.lastCounter + 1);
        } else if (!this.hasLiveParent(id)) {
          this.open(id, shard.log.trimCounter);
        }
      }
    }
  }

  private open(shardId: string, counter: number): void {
    const order = Number(/(\d+)$/.exec(shardId)?.[1] ?? 0);
    this.cursors.set(shardId, { shardId, order, next: counter, buffer: [], head: 0, caughtUpAt: -Infinity, ended: false, epoch: -1 });
  }

  private hasLiveParent(shardId: string): boolean {
    const stream = this.log.stream(this.streamName);
    const shard = stream.shard(shardId);
    return !!shard && parentsOf(shard.meta).some((p) => stream.shard(p) !== undefined && !this.finished.has(p));
  }

  /** Reads the next chunk of a shard into its buffer. */
  fill(c: Cursor, epoch: number): void {
    c.epoch = epoch;
    const readAt = this.log.now;
    const shard = this.log.stream(this.streamName).shard(c.shardId);
    if (!shard) {
      c.ended = true; // expired by retention while we were away
      return;
    }
    const { next, ended } = this.log.readShard(shard, c.next, READ_CHUNK, this.run);
    const run = this.run;
    for (let i = 0; i < run.count; i++) {
      // Copied: the run's buffer is reused by the next read.
      const data = Buffer.from(run.data(i));
      const partitionKey = run.partitionKey(i);
      const counter = run.counters[i]!;
      const arrival = run.arrivalMs[i]!;
      // The full KPL record (with its 56-digit sequence number) is made only for data that looks aggregated.
      const records = isAggregated(data)
        ? deaggregate({ data, partitionKey, sequenceNumber: formatSequenceNumber(counter), approximateArrivalTimestamp: arrival })
        : [{ data, partitionKey }];
      c.buffer.push({ input: this.input, stream: c.order % this.parallelism, shardId: c.shardId, counter, arrival, records });
    }
    c.next = next;
    c.ended = ended;
    // Caught up only when nothing is left (a read may also stop short at its byte limit).
    c.caughtUpAt = next > shard.log.lastCounter ? readAt : -Infinity;
  }

  /** A drained, ended shard is done: its children become readable. */
  finish(c: Cursor): void {
    this.cursors.delete(c.shardId);
    this.finished.add(c.shardId);
    for (const child of this.log.stream(this.streamName).children(c.shardId)) {
      const id = child.meta.shardId;
      if (this.cursors.has(id) || this.finished.has(id) || this.hasLiveParent(id)) continue;
      this.open(id, child.meta.startingCounter);
    }
  }

  /** The first record not yet released of each shard: where a restart resumes. */
  checkpoint(): ReaderCheckpoint {
    const positions: Record<string, number> = {};
    for (const c of this.cursors.values()) positions[c.shardId] = c.head < c.buffer.length ? c.buffer[c.head]!.counter : c.next;
    return { positions, finished: [...this.finished] };
  }
}

/** The merge of every input's shards, in (arrival, input, shard number, sequence) order. */
export class InputMerger {
  private epoch = 0;

  constructor(readonly readers: InputReader[]) {}

  private *all(): Generator<[InputReader, Cursor]> {
    for (const r of this.readers) for (const c of r.cursors.values()) yield [r, c];
  }

  /**
   * Up to `max` records that can be released now. At end of input (`final`), a shard read to its end will get no
   * more records, so it holds nothing back.
   */
  release(max: number, final: boolean): Released[] {
    this.epoch++;
    const out: Released[] = [];
    while (out.length < max) {
      const next = this.nextReleasable(final);
      if (!next) break;
      const [r, c] = next;
      // Everything of this shard before the next other shard's head (and any holdback) goes out in one run.
      const { head, arrivalLimit } = this.limits(c, final);
      do out.push(c.buffer[c.head++]!);
      while (out.length < max && c.head < c.buffer.length && c.buffer[c.head]!.arrival < arrivalLimit && (!head || before(c.buffer[c.head]!, c, head[0], head[1])));
      if (c.head >= c.buffer.length) {
        c.buffer = [];
        c.head = 0;
        if (c.ended) r.finish(c);
      }
    }
    return out;
  }

  /** For shard `c`: the earliest head of the other shards, and the arrival an empty shard holds records back to. */
  private limits(c: Cursor, final: boolean): { head: [Released, Cursor] | undefined; arrivalLimit: number } {
    let head: [Released, Cursor] | undefined;
    let arrivalLimit = Infinity;
    for (const [, o] of this.all()) {
      if (o === c) continue;
      if (o.head < o.buffer.length) {
        const h = o.buffer[o.head]!;
        if (!head || before(h, o, head[0], head[1])) head = [h, o];
      } else if (!final && !o.ended) arrivalLimit = Math.min(arrivalLimit, o.caughtUpAt);
    }
    return { head, arrivalLimit };
  }

  private nextReleasable(final: boolean): [InputReader, Cursor] | undefined {
    this.refillDrained();
    let best: [InputReader, Cursor] | undefined;
    for (const rc of this.all()) {
      const c = rc[1];
      if (c.head < c.buffer.length && (!best || before(c.buffer[c.head]!, c, best[1].buffer[best[1].head]!, best[1]))) best = rc;
    }
    if (!best) return undefined;
    const head = best[1].buffer[best[1].head]!;
    for (const [, c] of this.all()) {
      // An empty shard read to its end at log time T may still receive a record arriving at T or later.
      if (c.head >= c.buffer.length && !final && c.caughtUpAt <= head.arrival) return undefined;
    }
    return best;
  }

  /** Reads shards that ran dry without reaching their end (or just opened); finishes ended ones, opening children. */
  private refillDrained(): void {
    for (let changed = true; changed; ) {
      changed = false;
      for (const [r, c] of [...this.all()]) {
        if (c.head < c.buffer.length) continue;
        if (c.ended) {
          r.finish(c);
          changed = true;
        } else if (c.caughtUpAt === -Infinity || c.epoch !== this.epoch) {
          r.fill(c, this.epoch);
          changed = true;
        }
      }
    }
  }

  /** No record released from now on arrives before this: the rowtime bound the inputs allow. */
  frontier(final: boolean): number {
    let bound = Infinity;
    for (const [, c] of this.all()) {
      if (c.head < c.buffer.length) bound = Math.min(bound, c.buffer[c.head]!.arrival);
      else if (!c.ended && !(final && this.atEnd(c))) bound = Math.min(bound, c.caughtUpAt);
    }
    return bound;
  }

  /** Whether every shard is drained (and, at end of input, read to its end). */
  drained(): boolean {
    for (const [, c] of this.all()) if (c.head < c.buffer.length || !this.atEnd(c)) return false;
    return true;
  }

  /** Read to its end in this release call (a read in an earlier call may have missed records put since). */
  private atEnd(c: Cursor): boolean {
    return c.caughtUpAt !== -Infinity && c.epoch === this.epoch;
  }
}

function before(a: Released, ca: Cursor, b: Released, cb: Cursor): boolean {
  return a.arrival !== b.arrival ? a.arrival < b.arrival : a.input !== b.input ? a.input < b.input : ca.order !== cb.order ? ca.order < cb.order : a.counter < b.counter;
}
