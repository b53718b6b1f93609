import { SluiceError } from '../util/errors.js';
import { readFrames, type FrameSummary, type ReadLimits, RecordRun } from './frame.js';
import { Segment } from './segment.js';
import { segmentName, type FrameWriter, type SegmentStorage, type ShardStore } from './storage.js';

/** Reads from disk take this much at a time; a frame larger than that is read whole. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
const MIN_CHUNK_BYTES = 64 * 1024;

/**
 * The records of one shard: a list of segments, the newest taking appends. It knows nothing of hash keys or
 * iterators; it maps counters and arrival times to bytes.
 */
export class ShardLog {
  private segments: Segment[] = [];
  /** Records below this counter have been trimmed away by retention. */
  trimCounter = 0;
  lastCounter = -1;
  lastArrivalMs = -Infinity;

  constructor(
    private readonly store: ShardStore,
    private readonly segmentBytes: number,
  ) {}

  /** Opens the shard's existing segments, cutting any torn tail. Returns the bytes cut. */
  recover(): number {
    let cut = 0;
    for (const name of this.store.list()) {
      const segment = new Segment(name, this.store.open(name));
      if (!segment.loadIndex(this.store.readIndex(name))) cut += segment.recover();
      if (segment.isEmpty) {
        this.store.removeSegment(name, segment.storage);
        continue;
      }
      this.segments.push(segment);
      this.lastCounter = segment.lastCounter;
      this.lastArrivalMs = segment.lastArrivalMs;
    }
    return cut;
  }

  get oldestArrivalMs(): number {
    return this.segments[0]?.firstArrivalMs ?? Infinity;
  }

  /**
   * Appends the frame that `write` encodes straight into the segment's storage (no copy through a scratch buffer).
   * Returns the storage it went to, for the durability policy to sync.
   */
  append(summary: FrameSummary, write: FrameWriter): SegmentStorage {
    let active = this.segments[this.segments.length - 1];
    if (!active || (active.size > 0 && active.size + summary.length > this.segmentBytes)) {
      if (active) this.seal(active);
      const name = segmentName(summary.firstCounter);
      active = new Segment(name, this.store.open(name));
      this.segments.push(active);
    }
    active.append(summary, write);
    this.lastCounter = summary.lastCounter;
    this.lastArrivalMs = summary.lastArrivalMs;
    return active.storage;
  }

  /**
   * Saves a full segment's index. Its bytes are written out (a sealed segment keeps no pending memory) but not
   * fsynced here (that cost a fifth of the append path under `never`): the durability policy syncs them as for any
   * append, and a saved index is only trusted on reopen if the segment still ends with the intact frame it names.
   */
  private seal(segment: Segment): void {
    segment.storage.flush();
    this.store.writeIndex(segment.name, segment.serializeIndex());
  }

  /**
   * Fills `run` with records in [limits.fromCounter, limits.untilCounter), at most limits.maxRecords and (after the
   * first) limits.maxBytes of data and keys, all from one segment. An empty run means nothing more to read yet.
   */
  read(limits: ReadLimits, run: RecordRun): void {
    const from = Math.max(limits.fromCounter, this.trimCounter);
    const bounded = from === limits.fromCounter ? limits : { ...limits, fromCounter: from };
    run.reset(EMPTY);
    for (let s = this.segmentIndexFor(from); s < this.segments.length; s++) {
      const segment = this.segments[s]!;
      if (segment.lastCounter < from) continue;
      for (let offset = segment.seekCounter(from); offset < segment.size; ) {
        // Read about what the limit will take, not a fixed chunk: over-reading was most of a disk read's cost.
        const wanted = Math.min(READ_CHUNK_BYTES, bounded.maxBytes * 1.05, bounded.maxRecords * segment.bytesPerRecord * 1.05);
        const result = readChunk(segment, offset, bounded, run, Math.max(MIN_CHUNK_BYTES, Math.ceil(wanted)));
        if (run.count > 0 || result.passedEnd || result.full) return;
        offset = result.offset;
      }
    }
  }

  /** The first counter of a record that arrived at or after `ms`, or lastCounter + 1 if there is none. */
  counterAtArrival(ms: number, run: RecordRun): number {
    for (const segment of this.segments) {
      if (segment.lastArrivalMs < ms) continue;
      // The sparse index puts the record within a few frames of the seek offset.
      for (let offset = segment.seekArrival(ms); offset < segment.size; ) {
        const result = readChunk(segment, offset, EVERYTHING, run, READ_CHUNK_BYTES);
        for (let i = 0; i < run.count; i++) {
          if (run.arrivalMs[i]! >= ms) return Math.max(run.counters[i]!, this.trimCounter);
        }
        offset = result.offset;
      }
    }
    return this.lastCounter + 1;
  }

  /**
   * Retention: records that arrived before `horizonMs` are gone. Whole segments past it are deleted from storage;
   * the trim counter hides the rest of them. Returns whether anything changed.
   */
  trim(horizonMs: number, run: RecordRun): boolean {
    if (this.oldestArrivalMs >= horizonMs) return false;
    const newTrim = this.counterAtArrival(horizonMs, run);
    let changed = newTrim > this.trimCounter;
    this.trimCounter = Math.max(this.trimCounter, newTrim);
    while (this.segments.length > 0 && this.segments[0]!.lastArrivalMs < horizonMs) {
      const gone = this.segments.shift()!;
      this.store.removeSegment(gone.name, gone.storage);
      changed = true;
    }
    return changed;
  }

  get isEmpty(): boolean {
    return this.segments.length === 0;
  }

  close(): void {
    for (const s of this.segments) s.storage.close();
  }

  destroy(): void {
    for (const s of this.segments) this.store.removeSegment(s.name, s.storage);
    this.segments = [];
    this.store.destroy();
  }

  private segmentIndexFor(counter: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid]!.firstCounter <= counter) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}

const EMPTY = Buffer.alloc(0);
const EVERYTHING: ReadLimits = { fromCounter: 0, untilCounter: Infinity, maxRecords: Infinity, maxBytes: Infinity };

/** Reads the whole frames of one chunk of `segment` from `offset` into `run` (a frame bigger than a chunk whole). */
function readChunk(segment: Segment, offset: number, limits: ReadLimits, run: RecordRun, chunkBytes: number) {
  let chunk = segment.storage.read(offset, chunkBytes);
  const declared = chunk.length >= 4 ? chunk.readUInt32LE(0) : 0;
  if (declared > chunk.length) chunk = segment.storage.read(offset, declared);
  run.reset(chunk);
  const result = readFrames(chunk, 0, chunk.length, limits, run, segment.storage.verifyOnRead);
  if (result.offset === 0 && run.count === 0 && !result.passedEnd && !result.full) {
    throw new SluiceError('InternalFailure', `segment ${segment.name} holds a damaged frame at offset ${offset}`);
  }
  return { ...result, offset: offset + result.offset };
}
