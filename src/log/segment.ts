import { crc32 } from 'node:zlib';
import { checkFrame, type FrameSummary } from './frame.js';
import type { FrameWriter, SegmentStorage } from './storage.js';

/** A sparse index entry every this many bytes keeps seeks cheap without holding an entry per record in memory. */
const INDEX_EVERY_BYTES = 16 * 1024;
const SCAN_CHUNK_BYTES = 8 * 1024 * 1024;
const INDEX_MAGIC = 0x534c4958; // "SLIX"
/** Magic, entry count, then size, first/last counter, first/last arrival, record count, last frame offset (doubles). */
const HEADER_BYTES = 8 + 8 * 7;
/** A CRC32 of everything before it ends the file: the index is trusted for seeks, so a damaged entry must be noticed. */
const CRC_BYTES = 4;

/**
 * One append-only run of frames, plus a sparse index over it: (first counter, offset, first arrival time) of a frame
 * every INDEX_EVERY_BYTES. Counters and arrival times only grow within a shard, so both are binary-searchable.
 */
export class Segment {
  private idxCounter = new Float64Array(16);
  private idxOffset = new Float64Array(16);
  private idxArrival = new Float64Array(16);
  private idxCount = 0;
  private lastIndexedOffset = -Infinity;
  firstCounter = NaN;
  lastCounter = NaN;
  firstArrivalMs = NaN;
  lastArrivalMs = NaN;
  recordCount = 0;
  private lastFrameOffset = 0;

  constructor(
    readonly name: string,
    readonly storage: SegmentStorage,
  ) {}

  get size(): number {
    return this.storage.size;
  }

  /** Average bytes a record takes in this segment, frame overhead included (for sizing reads). */
  get bytesPerRecord(): number {
    return this.recordCount === 0 ? 1024 : this.size / this.recordCount;
  }

  get isEmpty(): boolean {
    return this.storage.size === 0;
  }

  /** Appends the frame that `write` encodes into `out` (summary.length bytes). */
  append(summary: FrameSummary, write: FrameWriter): void {
    const offset = this.storage.size;
    this.storage.append(summary.length, write);
    this.noteFrame(offset, summary);
  }

  private noteFrame(offset: number, s: FrameSummary): void {
    if (Number.isNaN(this.firstCounter)) {
      this.firstCounter = s.firstCounter;
      this.firstArrivalMs = s.firstArrivalMs;
    }
    this.lastCounter = s.lastCounter;
    this.lastArrivalMs = s.lastArrivalMs;
    this.recordCount += s.count;
    this.lastFrameOffset = offset;
    if (offset - this.lastIndexedOffset >= INDEX_EVERY_BYTES) {
      this.addIndexEntry(s.firstCounter, offset, s.firstArrivalMs);
      this.lastIndexedOffset = offset;
    }
  }

  private addIndexEntry(counter: number, offset: number, arrival: number): void {
    if (this.idxCount === this.idxCounter.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.idxCounter = grow(this.idxCounter);
      this.idxOffset = grow(this.idxOffset);
      this.idxArrival = grow(this.idxArrival);
    }
    this.idxCounter[this.idxCount] = counter;
    this.idxOffset[this.idxCount] = offset;
    this.idxArrival[this.idxCount] = arrival;
    this.idxCount++;
  }

  /** Offset of a frame at or before the first record whose counter is >= `counter`. */
  seekCounter(counter: number): number {
    return this.idxOffset[lastAtOrBelow(this.idxCounter, this.idxCount, counter)] ?? 0;
  }

  /** Offset of a frame at or before the first record that arrived at or after `ms`. */
  seekArrival(ms: number): number {
    // Equal arrival times can span frames, so step back past entries equal to `ms`.
    let i = lastAtOrBelow(this.idxArrival, this.idxCount, ms);
    while (i > 0 && this.idxArrival[i] === ms) i--;
    return this.idxOffset[i] ?? 0;
  }

  /**
   * Rebuilds the index by scanning every frame, and cuts off whatever follows the last intact frame: after a crash
   * that is a torn write that was never acknowledged. Returns the number of bytes cut.
   */
  recover(): number {
    let at = 0;
    const size = this.storage.size;
    while (at < size) {
      let chunk = this.storage.read(at, Math.min(SCAN_CHUNK_BYTES, size - at));
      let p = 0;
      let progressed = false;
      while (p < chunk.length) {
        const frame = checkFrame(chunk, p, chunk.length);
        if (!frame) break;
        this.noteFrame(at + p, frame);
        p += frame.length;
        progressed = true;
      }
      if (!progressed) {
        // Either a frame larger than the chunk, or the torn tail.
        const declared = chunk.length >= 4 ? chunk.readUInt32LE(0) : 0;
        if (declared > chunk.length && at + declared <= size) {
          chunk = this.storage.read(at, declared);
          const frame = checkFrame(chunk, 0, chunk.length);
          if (frame) {
            this.noteFrame(at, frame);
            at += frame.length;
            continue;
          }
        }
        break;
      }
      at += p;
    }
    const cut = size - at;
    if (cut > 0) this.storage.truncate(at);
    return cut;
  }

  /** The index as bytes, written beside a sealed segment so reopening does not rescan it. */
  serializeIndex(): Buffer {
    const n = this.idxCount;
    const out = Buffer.alloc(HEADER_BYTES + n * 24 + CRC_BYTES);
    out.writeUInt32LE(INDEX_MAGIC, 0);
    out.writeUInt32LE(n, 4);
    const header = [this.size, this.firstCounter, this.lastCounter, this.firstArrivalMs, this.lastArrivalMs, this.recordCount, this.lastFrameOffset];
    header.forEach((v, k) => out.writeDoubleLE(v, 8 + 8 * k));
    let p = HEADER_BYTES;
    for (let i = 0; i < n; i++, p += 24) {
      out.writeDoubleLE(this.idxCounter[i]!, p);
      out.writeDoubleLE(this.idxOffset[i]!, p + 8);
      out.writeDoubleLE(this.idxArrival[i]!, p + 16);
    }
    out.writeUInt32LE(crc32(out.subarray(0, p)), p);
    return out;
  }

  /** Loads a saved index; false if it is missing, damaged, or does not match the segment's bytes. */
  loadIndex(bytes: Buffer | null): boolean {
    if (!bytes || bytes.length < HEADER_BYTES || bytes.readUInt32LE(0) !== INDEX_MAGIC) return false;
    const n = bytes.readUInt32LE(4);
    const end = HEADER_BYTES + n * 24;
    if (bytes.length !== end + CRC_BYTES || crc32(bytes.subarray(0, end)) !== bytes.readUInt32LE(end)) return false;
    if (bytes.readDoubleLE(8) !== this.size || n === 0) return false;
    // The segment must still end with the frame the index names (its bytes may not have been synced when saved), and
    // that frame must end at the index's last counter (an index of another segment of the same size does not).
    const lastFrameOffset = bytes.readDoubleLE(56);
    const tail = this.storage.read(lastFrameOffset, this.size - lastFrameOffset);
    const frame = checkFrame(tail, 0, tail.length);
    if (frame?.length !== tail.length || frame.lastCounter !== bytes.readDoubleLE(24)) return false;
    this.lastFrameOffset = lastFrameOffset;
    this.firstCounter = bytes.readDoubleLE(16);
    this.lastCounter = bytes.readDoubleLE(24);
    this.firstArrivalMs = bytes.readDoubleLE(32);
    this.lastArrivalMs = bytes.readDoubleLE(40);
    this.recordCount = bytes.readDoubleLE(48);
    for (let i = 0, p = HEADER_BYTES; i < n; i++, p += 24) {
      this.addIndexEntry(bytes.readDoubleLE(p), bytes.readDoubleLE(p + 8), bytes.readDoubleLE(p + 16));
    }
    this.lastIndexedOffset = this.idxOffset[n - 1]!;
    return true;
  }
}

/** Index of the last of the first `n` sorted values that is <= `target` (0 if none is). */
function lastAtOrBelow(values: Float64Array, n: number, target: number): number {
  let lo = 0;
  let hi = n - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! <= target) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
