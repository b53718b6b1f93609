import { crc32 } from 'node:zlib';
import { copyBytes } from '../util/bytes.js';
import { SluiceError } from '../util/errors.js';
import { formatSequenceNumber } from './sequence-number.js';

/**
 * On-disk (and in-memory) layout of the shard log. One append call writes one frame per shard it touches, so the
 * checksum and length cost is paid per batch, not per record, and a torn frame is exactly an unacknowledged append.
 *
 *   frame  := u32 frameLength (whole frame, header included) | u32 crc32(bytes 8..frameLength) | u32 recordCount | record*
 *   record := f64 counter | f64 arrivalMs | u32 dataLength | u16 keyLength | u8 hashKeyLength | key | hashKey | data
 *
 * Little-endian. `hashKey` is the ExplicitHashKey as ASCII decimal, empty when the producer gave none.
 */
export const FRAME_HEADER_BYTES = 12;
export const RECORD_HEADER_BYTES = 23;

/**
 * Records packed for a columnar append, the write-side twin of RecordRun: partition keys (UTF-8) and data back to back
 * in two buffers, so a producer that encodes records in bulk (an analytics application's output, say) hands them
 * over without an object or a string per record. Records `from..to-1` are appended; record i's key is
 * `keys[keyEnds[i-1] .. keyEnds[i])` (from 0 for the first record of the buffers), its data likewise with `dataEnds`.
 */
export interface PackedRecords {
  from: number;
  to: number;
  keys: Buffer;
  keyEnds: Uint32Array;
  data: Buffer;
  dataEnds: Uint32Array;
}

/** Where record i of packed records starts in a buffer whose ends are `ends`. */
export function packedStart(ends: Uint32Array, i: number): number {
  return i === 0 ? 0 : ends[i - 1]!;
}

/**
 * What an append hands to the encoder: the records of one call, and which of them go into this frame. Record i is
 * either the i-th of `keys`/`hashKeys`/`data` (PutRecords' objects) or, when `packed` is set, record `packed.from + i`
 * of the packed buffers (which have no explicit hash keys).
 */
export interface AppendBatch {
  keys: readonly string[];
  keyBytes: Int32Array;
  hashKeys: readonly (string | undefined)[];
  data: readonly Uint8Array[];
  packed: PackedRecords | null;
  /** Each record's counter, -1 for a record the throughput limits refused (scratch: only the batch's first n count). */
  counters: Float64Array;
  arrivalMs: number;
}

/** The byte length of record i's data. */
export function dataLength(batch: AppendBatch, i: number): number {
  const packed = batch.packed;
  if (packed === null) return batch.data[i]!.byteLength;
  const r = packed.from + i;
  return packed.dataEnds[r]! - packedStart(packed.dataEnds, r);
}

export function frameLength(batch: AppendBatch, order: Int32Array, from: number, to: number): number {
  let n = FRAME_HEADER_BYTES + (to - from) * RECORD_HEADER_BYTES;
  for (let j = from; j < to; j++) {
    const i = order[j]!;
    n += batch.keyBytes[i]! + dataLength(batch, i);
    if (batch.packed === null) n += batch.hashKeys[i]?.length ?? 0;
  }
  return n;
}

/**
 * Encodes records `order[from..to)` of the batch into `out` at offset 0; returns the frame's length. Without
 * `checksum` the crc32 field is 0: frames kept in memory are never verified.
 */
export function encodeFrame(out: Buffer, batch: AppendBatch, order: Int32Array, from: number, to: number, checksum: boolean): number {
  // DataView rather than Buffer's write* methods: V8 compiles it to plain stores, without per-call range checks.
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const p = batch.packed === null ? encodeRecords(out, view, batch, order, from, to) : encodePacked(out, view, batch, batch.packed, order, from, to);
  view.setUint32(0, p, true);
  view.setUint32(8, to - from, true);
  view.setUint32(4, checksum ? crc32(out.subarray(8, p)) : 0, true);
  return p;
}

function encodeRecords(out: Buffer, view: DataView, batch: AppendBatch, order: Int32Array, from: number, to: number): number {
  let p = FRAME_HEADER_BYTES;
  for (let j = from; j < to; j++) {
    const i = order[j]!;
    const hashKey = batch.hashKeys[i];
    const data = batch.data[i]!;
    const keyLength = batch.keyBytes[i]!;
    writeRecordHeader(view, p, batch.counters[i]!, batch.arrivalMs, data.byteLength, keyLength, hashKey === undefined ? 0 : hashKey.length);
    p += RECORD_HEADER_BYTES;
    const key = batch.keys[i]!;
    if (keyLength === key.length) {
      // An ASCII key (as long in bytes as in characters): a plain loop beats Buffer.write's call for keys this short.
      for (let c = 0; c < keyLength; c++) out[p + c] = key.charCodeAt(c);
      p += keyLength;
    } else {
      p += out.write(key, p, 'utf8');
    }
    if (hashKey !== undefined) p += out.write(hashKey, p, 'latin1');
    out.set(data, p);
    p += data.byteLength;
  }
  return p;
}

function encodePacked(out: Buffer, view: DataView, batch: AppendBatch, packed: PackedRecords, order: Int32Array, from: number, to: number): number {
  const { keys, keyEnds, data, dataEnds } = packed;
  const keyView = new DataView(keys.buffer, keys.byteOffset, keys.byteLength);
  const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let p = FRAME_HEADER_BYTES;
  for (let j = from; j < to; j++) {
    const i = order[j]!;
    const r = packed.from + i;
    const keyStart = packedStart(keyEnds, r);
    const dataStart = packedStart(dataEnds, r);
    const keyLength = keyEnds[r]! - keyStart;
    const dataLength = dataEnds[r]! - dataStart;
    writeRecordHeader(view, p, batch.counters[i]!, batch.arrivalMs, dataLength, keyLength, 0);
    p += RECORD_HEADER_BYTES;
    p = copyBytes(keyView, keyStart, keyLength, view, p);
    p = copyBytes(dataView, dataStart, dataLength, view, p);
  }
  return p;
}

function writeRecordHeader(view: DataView, p: number, counter: number, arrivalMs: number, dataLength: number, keyLength: number, hashKeyLength: number): void {
  view.setFloat64(p, counter, true);
  view.setFloat64(p + 8, arrivalMs, true);
  view.setUint32(p + 16, dataLength, true);
  view.setUint16(p + 20, keyLength, true);
  view.setUint8(p + 22, hashKeyLength);
}

/** The counters and arrival times at a frame's ends, for the sparse index. */
export interface FrameSummary {
  length: number;
  /** Records in the frame. */
  count: number;
  firstCounter: number;
  lastCounter: number;
  firstArrivalMs: number;
  lastArrivalMs: number;
}

/**
 * Checks the frame at `at`: returns its summary, or null if the bytes up to `end` do not hold a whole, intact frame
 * (a torn tail after a crash looks exactly like that).
 */
export function checkFrame(buf: Buffer, at: number, end: number): FrameSummary | null {
  if (end - at < FRAME_HEADER_BYTES) return null;
  const length = buf.readUInt32LE(at);
  const count = buf.readUInt32LE(at + 8);
  if (length < FRAME_HEADER_BYTES + RECORD_HEADER_BYTES || count === 0 || at + length > end) return null;
  if (crc32(buf.subarray(at + 8, at + length)) !== buf.readUInt32LE(at + 4)) return null;
  // Walk the record headers so a frame whose checksum happens to match garbage still cannot point outside itself.
  let p = at + FRAME_HEADER_BYTES;
  let lastRecord = p;
  for (let r = 0; r < count; r++) {
    if (p + RECORD_HEADER_BYTES > at + length) return null;
    lastRecord = p;
    p += RECORD_HEADER_BYTES + buf.readUInt32LE(p + 16) + buf.readUInt16LE(p + 20) + buf.readUInt8(p + 22);
  }
  if (p !== at + length) return null;
  const first = at + FRAME_HEADER_BYTES;
  return {
    length,
    count,
    firstCounter: buf.readDoubleLE(first),
    lastCounter: buf.readDoubleLE(lastRecord),
    firstArrivalMs: buf.readDoubleLE(first + 8),
    lastArrivalMs: buf.readDoubleLE(lastRecord + 8),
  };
}

/**
 * Records read from a shard, column by column over one shared byte buffer: typed arrays rather than an object per
 * record, so readers that decode into Arrow (or count, or copy) never allocate per row. `records()` makes the
 * Kinesis-shaped objects when a caller wants them.
 */
export class RecordRun {
  count = 0;
  bytes = 0;
  buffer: Buffer = Buffer.alloc(0);
  counters = new Float64Array(0);
  arrivalMs = new Float64Array(0);
  keyStart = new Uint32Array(0);
  keyLength = new Uint16Array(0);
  hashKeyLength = new Uint8Array(0);
  dataStart = new Uint32Array(0);
  dataLength = new Uint32Array(0);

  reset(buffer: Buffer): void {
    this.buffer = buffer;
    this.count = 0;
    this.bytes = 0;
  }

  ensureCapacity(n: number): void {
    if (this.counters.length >= n) return;
    const size = Math.max(n, this.counters.length * 2, 64);
    const grow = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a as never);
      return b;
    };
    this.counters = grow(this.counters, (n) => new Float64Array(n));
    this.arrivalMs = grow(this.arrivalMs, (n) => new Float64Array(n));
    this.keyStart = grow(this.keyStart, (n) => new Uint32Array(n));
    this.keyLength = grow(this.keyLength, (n) => new Uint16Array(n));
    this.hashKeyLength = grow(this.hashKeyLength, (n) => new Uint8Array(n));
    this.dataStart = grow(this.dataStart, (n) => new Uint32Array(n));
    this.dataLength = grow(this.dataLength, (n) => new Uint32Array(n));
  }

  sequenceNumber(i: number): string {
    return formatSequenceNumber(this.counters[i]!);
  }

  partitionKey(i: number): string {
    const s = this.keyStart[i]!;
    return this.buffer.toString('utf8', s, s + this.keyLength[i]!);
  }

  explicitHashKey(i: number): string | undefined {
    const n = this.hashKeyLength[i]!;
    if (n === 0) return undefined;
    const s = this.keyStart[i]! + this.keyLength[i]!;
    return this.buffer.toString('latin1', s, s + n);
  }

  /** The record's data as a view over the shared buffer (no copy). */
  data(i: number): Buffer {
    const s = this.dataStart[i]!;
    return this.buffer.subarray(s, s + this.dataLength[i]!);
  }

  records(): LogRecord[] {
    const out: LogRecord[] = new Array(this.count);
    for (let i = 0; i < this.count; i++) {
      const record: LogRecord = {
        sequenceNumber: this.sequenceNumber(i),
        approximateArrivalTimestamp: this.arrivalMs[i]!,
        data: this.data(i),
        partitionKey: this.partitionKey(i),
      };
      const hashKey = this.explicitHashKey(i);
      if (hashKey !== undefined) record.explicitHashKey = hashKey;
      out[i] = record;
    }
    return out;
  }
}

/** A record as GetRecords returns it. */
export interface LogRecord {
  sequenceNumber: string;
  /** Arrival time, milliseconds since the epoch, from the log's clock. */
  approximateArrivalTimestamp: number;
  data: Buffer;
  partitionKey: string;
  explicitHashKey?: string;
}

export interface ReadLimits {
  /** Only records with counter >= fromCounter... */
  fromCounter: number;
  /** ...and counter < untilCounter are taken. */
  untilCounter: number;
  maxRecords: number;
  maxBytes: number;
}

/**
 * Appends to `run` the records of the frames in `buf[at..end)` that fall within the limits. Stops at the first frame
 * that does not fit in the buffer. Returns the offset just after the last frame it finished, and whether it stopped
 * because a limit was reached.
 */
export function readFrames(
  buf: Buffer,
  at: number,
  end: number,
  limits: ReadLimits,
  run: RecordRun,
  verify: boolean,
): { offset: number; full: boolean; passedEnd: boolean } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  while (end - at >= FRAME_HEADER_BYTES) {
    const length = view.getUint32(at, true);
    // A length too small for a frame is damage (zeroed bytes, say): stop there, as the caller reports, not loop on it.
    if (length < FRAME_HEADER_BYTES + RECORD_HEADER_BYTES || at + length > end) break;
    const count = view.getUint32(at + 8, true);
    if (verify && crc32(buf.subarray(at + 8, at + length)) !== view.getUint32(at + 4, true)) {
      throw new SluiceError('InternalFailure', `shard log frame at offset ${at} failed its checksum`);
    }
    run.ensureCapacity(run.count + count);
    let p = at + FRAME_HEADER_BYTES;
    for (let r = 0; r < count; r++) {
      const counter = view.getFloat64(p, true);
      const dataLength = view.getUint32(p + 16, true);
      const keyLength = view.getUint16(p + 20, true);
      const hashKeyLength = buf[p + 22]!;
      const next = p + RECORD_HEADER_BYTES + keyLength + hashKeyLength + dataLength;
      if (counter >= limits.untilCounter) return { offset: at, full: false, passedEnd: true };
      if (counter >= limits.fromCounter) {
        const size = dataLength + keyLength;
        if (run.count >= limits.maxRecords || (run.count > 0 && run.bytes + size > limits.maxBytes)) {
          return { offset: at, full: true, passedEnd: false };
        }
        const i = run.count++;
        run.bytes += size;
        run.counters[i] = counter;
        run.arrivalMs[i] = view.getFloat64(p + 8, true);
        run.keyStart[i] = p + RECORD_HEADER_BYTES;
        run.keyLength[i] = keyLength;
        run.hashKeyLength[i] = hashKeyLength;
        run.dataStart[i] = next - dataLength;
        run.dataLength[i] = dataLength;
      }
      p = next;
    }
    at += length;
  }
  return { offset: at, full: false, passedEnd: false };
}
