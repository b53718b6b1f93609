/**
 * Reading an application's input streams: every shard of every input, following shard lineage, merged into one
 * sequence in arrival order. The merge is deterministic — the same records come out in the same order however the
 * reads are cut — because a record is released only when no shard can still produce an earlier one: every other
 * shard either holds a later record or has been read to its end at a log time after it. That is what lets a restart
 * from a checkpoint recompute exactly the rows an uninterrupted run computes.
 */
import { deaggregate, formatSequenceNumber, isAggregated, parentsOf, RecordRun, type Log, type ReaderCheckpoint } from '../log/index.js';
import type { ByteRun } from './records/index.js';

export type StartingPosition = 'NOW' | 'TRIM_HORIZON' | 'LAST_STOPPED_POINT';

/** A user record: one, or a sub-record of a KPL aggregate. */
export interface UserRecord {
  data: Uint8Array;
  partitionKey: string;
}

/**
 * Records of one shard read in one go, column by column over the read's byte buffer (no object per record). Record i
 * is log record `counter[i]`; its data is `bytes[start[i] .. start[i] + length[i])`. The bytes are the log's: read-only.
 */
export interface Chunk {
  shardId: string;
  count: number;
  bytes: Buffer;
  start: Uint32Array;
  length: Uint32Array;
  keyStart: Uint32Array;
  keyLength: Uint16Array;
  counter: Float64Array;
  arrival: Float64Array;
  /** The sub-records of the KPL aggregates among the records, by record index; null when there are none. */
  aggregates: Map<number, UserRecord[]> | null;
}

/** Consecutive log records of one shard released together: records `from..to-1` of `chunk`. */
export interface Released {
  input: number;
  /** Which of the input's source streams (`_001` is 0): the shard's index modulo InputParallelism. */
  stream: number;
  shardId: string;
  chunk: Chunk;
  from: number;
  to: number;
}

/** One log record (several user records when KPL-aggregated), as preprocessing sees it. */
export interface ReleasedRecord {
  input: number;
  stream: number;
  shardId: string;
  counter: number;
  arrival: number;
  /** The user records: one, or the sub-records of a KPL aggregate. */
  records: UserRecord[];
}

/** Record i of a chunk as its user records. */
export function userRecords(chunk: Chunk, i: number): UserRecord[] {
  const agg = chunk.aggregates?.get(i);
  if (agg) return agg;
  const s = chunk.start[i]!;
  const k = chunk.keyStart[i]!;
  return [{ data: chunk.bytes.subarray(s, s + chunk.length[i]!), partitionKey: chunk.bytes.toString('utf8', k, k + chunk.keyLength[i]!) }];
}

/** The log records of a released run, one object each (for preprocessing). */
export function releasedRecords(r: Released): ReleasedRecord[] {
  const out: ReleasedRecord[] = [];
  for (let i = r.from; i < r.to; i++) {
    out.push({ input: r.input, stream: r.stream, shardId: r.shardId, counter: r.chunk.counter[i]!, arrival: r.chunk.arrival[i]!, records: userRecords(r.chunk, i) });
  }
  return out;
}

/** The run as the decoder's ByteRun (valid when the chunk holds no aggregates). */
export function byteRun(r: Released): ByteRun {
  const c = r.chunk;
  return { bytes: c.bytes, start: c.start, length: c.length, arrival: c.arrival, from: r.from, to: r.to };
}

/**
 * The run's records as a Chunk. The bytes are the read's buffer itself, not a copy: the log hands out bytes it never
 * writes again (a view of a filled memory block, or a buffer allocated for one disk read), and only the run's typed
 * arrays are reused by the next read, so those are the part copied.
 */
function chunkOf(run: RecordRun, shardId: string): Chunk {
  const n = run.count;
  const bytes = run.buffer;
  const start = run.dataStart.slice(0, n);
  const length = run.dataLength.slice(0, n);
  const keyStart = run.keyStart.slice(0, n);
  const keyLength = run.keyLength.slice(0, n);
  const counter = run.counters.slice(0, n);
  const arrival = run.arrivalMs.slice(0, n);
  const chunk: Chunk = { shardId, count: n, bytes, start, length, keyStart, keyLength, counter, arrival, aggregates: null };
  for (let i = 0; i < n; i++) {
    // KPL aggregates start with magic 0xF3899AC2; only those are looked at further.
    if (bytes[start[i]!] !== 0xf3) continue;
    const data = bytes.subarray(start[i]!, start[i]! + length[i]!);
    if (!isAggregated(data)) continue;
    const partitionKey = bytes.toString('utf8', keyStart[i]!, keyStart[i]! + keyLength[i]!);
    const records = deaggregate({ data, partitionKey, sequenceNumber: formatSequenceNumber(counter[i]!), approximateArrivalTimestamp: arrival[i]! });
    (chunk.aggregates ??= new Map()).set(i, records.map((u) => ({ data: u.data, partitionKey: u.partitionKey })));
  }
  return chunk;
}

interface Cursor {
  shardId: string;
  /** The input this shard belongs to (merge tie-break). */
  input: number;
  /** The shard's number (`shardId-000000000003` is 3): merge tie-break and parallel-stream choice. */
  order: number;
  /** Next counter to read from the log. */
  next: number;
  /** Records read and not yet released: chunk records head..count-1 (null when none). */
  chunk: Chunk | null;
  head: number;
  /** Log time of the last read that reached the shard's end (-Infinity while records may be left unread). */
  caughtUpAt: number;
  /** The last read found the shard closed and fully read. */
  ended: boolean;
  /** The release call of the last read: a shard caught up in an earlier call may have received records since. */
  epoch: number;
}

/** Whether the cursor holds unreleased records. */
const holds = (c: Cursor): boolean => c.chunk !== null && c.head < c.chunk.count;

const READ_CHUNK = 10_000;

/** One input stream's shards. */
export class InputReader {
  readonly cursors = new Map<string, Cursor>();
  private readonly finished = new Set<string>();
  private readonly run = new RecordRun();

  constructor(
    private readonly log: Log,
    readonly streamName: string,
    readonly input: number,
    readonly parallelism: number,
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
    this.cursors.set(shardId, { shardId, input: this.input, order, next: counter, chunk: null, head: 0, caughtUpAt: -Infinity, ended: false, epoch: -1 });
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
    c.chunk = this.run.count > 0 ? chunkOf(this.run, c.shardId) : null;
    c.head = 0;
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
    for (const c of this.cursors.values()) positions[c.shardId] = holds(c) ? c.chunk!.counter[c.head]! : c.next;
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
    let n = 0;
    while (n < max) {
      const next = this.nextReleasable(final);
      if (!next) break;
      const [r, c] = next;
      // Everything of this shard before the next other shard's head (and any holdback) goes out in one run.
      const { head, arrivalLimit } = this.limits(c, final);
      const chunk = c.chunk!;
      const from = c.head;
      do {
        c.head++;
        n++;
      } while (n < max && c.head < chunk.count && chunk.arrival[c.head]! < arrivalLimit && (!head || before(c, head)));
      out.push({ input: r.input, stream: c.order % r.parallelism, shardId: c.shardId, chunk, from, to: c.head });
      if (c.head >= chunk.count) {
        c.chunk = null;
        c.head = 0;
        if (c.ended) r.finish(c);
      }
    }
    return out;
  }

  /** For shard `c`: the other shard with the earliest head, and the arrival an empty shard holds records back to. */
  private limits(c: Cursor, final: boolean): { head: Cursor | undefined; arrivalLimit: number } {
    let head: Cursor | undefined;
    let arrivalLimit = Infinity;
    for (const [, o] of this.all()) {
      if (o === c) continue;
      if (holds(o)) {
        if (!head || before(o, head)) head = o;
      } else if (!final && !o.ended) arrivalLimit = Math.min(arrivalLimit, o.caughtUpAt);
    }
    return { head, arrivalLimit };
  }

  private nextReleasable(final: boolean): [InputReader, Cursor] | undefined {
    this.refillDrained();
    let best: [InputReader, Cursor] | undefined;
    for (const rc of this.all()) {
      const c = rc[1];
      if (holds(c) && (!best || before(c, best[1]))) best = rc;
    }
    if (!best) return undefined;
    const arrival = best[1].chunk!.arrival[best[1].head]!;
    for (const [, c] of this.all()) {
      // An empty shard read to its end at log time T may still receive a record arriving at T or later.
      if (!holds(c) && !final && c.caughtUpAt <= arrival) return undefined;
    }
    return best;
  }

  /** Reads shards that ran dry without reaching their end (or just opened); finishes ended ones, opening children. */
  private refillDrained(): void {
    for (let changed = true; changed; ) {
      changed = false;
      for (const [r, c] of [...this.all()]) {
        if (holds(c)) continue;
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
      if (holds(c)) bound = Math.min(bound, c.chunk!.arrival[c.head]!);
      else if (!c.ended && !(final && this.atEnd(c))) bound = Math.min(bound, c.caughtUpAt);
    }
    return bound;
  }

  /** Whether every shard is drained (and, at end of input, read to its end). */
  drained(): boolean {
    for (const [, c] of this.all()) if (holds(c) || !this.atEnd(c)) return false;
    return true;
  }

  /** Read to its end in this release call (a read in an earlier call may have missed records put since). */
  private atEnd(c: Cursor): boolean {
    return c.caughtUpAt !== -Infinity && c.epoch === this.epoch;
  }
}

/** Merge order of two shards' heads: (arrival, input, shard number, sequence). */
function before(ca: Cursor, cb: Cursor): boolean {
  const a = ca.chunk!.arrival[ca.head]!;
  const b = cb.chunk!.arrival[cb.head]!;
  return a !== b ? a < b : ca.input !== cb.input ? ca.input < cb.input : ca.order !== cb.order ? ca.order < cb.order : ca.chunk!.counter[ca.head]! < cb.chunk!.counter[cb.head]!;
}
