/**
 * Outputs: each configured Output gets the rows of its in-application stream (or error_stream), encodes them as
 * records and delivers them, retrying failures; nothing is dropped. Every row an output is given gets an index
 * (0, 1, 2, … per output, the same in every run over the same input); the index is what makes delivery to a log
 * stream exactly-once across crashes (see LogStreamSink).
 */
import { randomUUID } from 'node:crypto';
import { StreamReader, type Log, type ReaderCheckpoint } from '../log/index.js';
import type { OutputProgress } from './checkpoint.js';
import { repliesById, type AppFunction, type DeliveryReply } from './functions.js';
import type { EncodedRecords } from './records/index.js';
import { writeInteger } from './records/encode.js';
import { copyBytes } from '../util/bytes.js';

/** Most records and bytes handed to a destination in one call (PutRecordBatch's limits, within PutRecords'). */
const DELIVERY_CHUNK = 500;
const DELIVERY_BYTES = 4 * 1024 * 1024;

/**
 * Records waiting for delivery, as they were encoded: one batch's records back to back in one buffer (no object per
 * record), positions `from..count-1` still pending. Position i is output row `indices[i]`, its data
 * `data[ends[i-1] .. ends[i])`.
 */
class Page {
  from = 0;
  /** Failed deliveries so far per position (a Lambda output's retryHint); null until one fails. */
  attempts: Uint16Array | null = null;

  constructor(
    readonly data: Buffer,
    readonly ends: Uint32Array,
    readonly indices: Float64Array,
    readonly count: number,
  ) {}

  start(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  record(i: number): Buffer {
    return this.data.subarray(this.start(i), this.ends[i]!);
  }

  get pending(): number {
    return this.count - this.from;
  }

  /** A page of the positions `keep` selects (in order), their data copied: how records are dropped mid-page. */
  select(keep: (i: number) => boolean, from = this.from): Page {
    const chosen: number[] = [];
    for (let i = from; i < this.count; i++) if (keep(i)) chosen.push(i);
    return Page.of(
      chosen.map((i) => this.record(i)),
      chosen.map((i) => this.indices[i]!),
      chosen.map((i) => this.attempts?.[i] ?? 0),
    );
  }

  static of(records: readonly Uint8Array[], indices: readonly number[], attempts?: readonly number[]): Page {
    const ends = new Uint32Array(records.length);
    let at = 0;
    records.forEach((r, i) => (ends[i] = at += r.byteLength));
    const page = new Page(Buffer.concat(records), ends, Float64Array.from(indices), records.length);
    if (attempts?.some((a) => a > 0)) page.attempts = Uint16Array.from(attempts);
    return page;
  }
}

/** What a destination acknowledged of a delivery: all of it, or the positions the predicate accepts. */
type Acked = true | ((position: number) => boolean);

export abstract class Sink {
  produced = 0;
  protected pages: Page[] = [];
  /** Indices found already delivered (after a crash) that must not be sent again. */
  protected skip = new Set<number>();
  /** Consecutive failed delivery calls (reset by any success). */
  failures = 0;
  /** Most records and bytes handed to the destination in one call. */
  protected maxCallRecords = DELIVERY_CHUNK;
  protected maxCallBytes = DELIVERY_BYTES;

  constructor(readonly name: string) {}

  /** Records not yet acknowledged. */
  get pendingCount(): number {
    let n = 0;
    for (const p of this.pages) n += p.pending;
    return n;
  }

  /** Takes a batch's encoded records: they are the next rows of this output, indexed from `produced`. */
  accept(encoded: EncodedRecords): void {
    const n = encoded.count;
    if (n === 0) return;
    const indices = new Float64Array(n);
    for (let i = 0; i < n; i++) indices[i] = this.produced + i;
    this.produced += n;
    const { bytes } = encoded;
    let page = new Page(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoded.ends, indices, n);
    if (this.skip.size > 0) page = page.select((i) => !this.skip.delete(page.indices[i]!), 0);
    if (page.count > 0) this.pages.push(page);
  }

  /** Delivers what is pending, one call per chunk; failures stay pending. Returns whether anything was acknowledged. */
  async deliver(): Promise<boolean> {
    let progress = false;
    while (this.pages.length > 0) {
      const page = this.pages[0]!;
      const from = page.from;
      const to = this.chunkEnd(page);
      let acked: Acked;
      try {
        acked = await this.send(page, from, to);
      } catch {
        acked = () => false;
      }
      if (acked === true) {
        progress = true;
        this.failures = 0;
        page.from = to;
        if (page.from === page.count) this.pages.shift();
        continue;
      }
      const ok = acked;
      const failed: number[] = [];
      for (let i = from; i < to; i++) if (!ok(i)) failed.push(i);
      if (failed.length < to - from) progress = true;
      this.failures = failed.length < to - from ? 1 : this.failures + 1;
      // The unacknowledged records stay first, in order, one more attempt counted against each.
      page.attempts ??= new Uint16Array(page.count);
      for (const i of failed) page.attempts[i]!++;
      const kept = page.select((i) => i >= to || !ok(i));
      if (kept.count > 0) this.pages[0] = kept;
      else this.pages.shift();
      break; // back off until the next round; input reading pauses while this output is behind
    }
    return progress;
  }

  /** The end of the next call's positions on `page`: within the call's record and byte limits, at least one record. */
  private chunkEnd(page: Page): number {
    const from = page.from;
    const limit = Math.min(page.count, from + this.maxCallRecords);
    const base = page.start(from);
    let to = from + 1;
    while (to < limit && page.ends[to]! - base <= this.maxCallBytes) to++;
    return to;
  }

  /** Sends positions `from..to-1` of the page; returns what the destination acknowledged. */
  protected abstract send(page: Page, from: number, to: number): Promise<Acked>;

  progress(): OutputProgress {
    const pending: OutputProgress['pending'] = [];
    for (const p of this.pages) for (let i = p.from; i < p.count; i++) pending.push({ index: p.indices[i]!, data: p.record(i) });
    return { produced: this.produced, pending };
  }

  /** Back to a checkpoint's state, before any new row is accepted. */
  async restore(p: OutputProgress): Promise<void> {
    this.produced = p.produced;
    this.pages = p.pending.length > 0 ? [Page.of(p.pending.map((x) => x.data), p.pending.map((x) => x.index))] : [];
  }
}

/**
 * A Kinesis stream of the log. Exactly-once by design: each record's partition key is `APP:OUTPUT:INDEX`, so the
 * destination itself records which rows arrived. A checkpoint notes where the destination stream ended; on restart
 * (and after a PutRecords call that threw) the records written since are read back and their indices are neither
 * re-sent from the pending list nor when the restarted run produces them again. The keys spread rows over shards as
 * random keys would, since shards are chosen by the keys' MD5.
 */
export class LogStreamSink extends Sink {
  private readonly prefix: Buffer;
  private keys = Buffer.alloc(0);
  private keyEnds = new Uint32Array(0);

  constructor(
    name: string,
    private readonly log: Log,
    readonly streamName: string,
    private readonly keyPrefix: string,
  ) {
    super(name);
    this.prefix = Buffer.from(keyPrefix, 'utf8');
    // No API call's limits apply in-process: a page goes in one append (one frame per shard) when it fits these.
    this.maxCallRecords = 10_000;
    this.maxCallBytes = 8 * 1024 * 1024;
  }

  key(index: number): string {
    return `${this.keyPrefix}${index}`;
  }

  /** Where the destination ends now. */
  end(): ReaderCheckpoint {
    return new StreamReader(this.log, this.streamName, 'LATEST').checkpoint();
  }

  protected async send(page: Page, from: number, to: number): Promise<Acked> {
    const before = this.end();
    try {
      const appended = await this.log.appendPacked(this.streamName, { from, to, ...this.keysOf(page, from, to), data: page.data, dataEnds: page.ends });
      return appended.failedRecordCount === 0 ? true : (i) => !appended.refused(i - from);
    } catch (e) {
      // The call may have written some records before failing: those count as delivered.
      const written = this.deliveredSince(before);
      if (written.size === 0) throw e;
      return (i) => written.has(page.indices[i]!);
    }
  }

  /**
   * The partition keys of positions `from..to-1` (the prefix, then the row index in decimal), packed as
   * PackedRecords wants them, into buffers reused from call to call (an append copies them into its frames).
   */
  private keysOf(page: Page, from: number, to: number): { keys: Buffer; keyEnds: Uint32Array } {
    const prefix = this.prefix;
    // An index is below 2^53: at most 16 digits.
    const need = (to - from) * (prefix.length + 16);
    if (this.keys.length < need) this.keys = Buffer.allocUnsafe(Math.max(need, this.keys.length * 2));
    if (this.keyEnds.length < to) this.keyEnds = new Uint32Array(Math.max(to, this.keyEnds.length * 2));
    const { keys, keyEnds } = this;
    // Record `from`'s key starts where the end before it says: at 0.
    if (from > 0) keyEnds[from - 1] = 0;
    const prefixView = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
    const keysView = new DataView(keys.buffer, keys.byteOffset, keys.byteLength);
    let at = 0;
    let previous = 0;
    for (let i = from; i < to; i++) {
      const start = at;
      const index = page.indices[i]!;
      if (i > from && index === page.indices[i - 1]! + 1 && !isPowerOfTen(index)) {
        // The previous key plus one (the usual case: indices run on): copied, then its last digits counted up, with
        // no division per digit. (Only at a power of ten would the count carry into a new digit.)
        at = copyBytes(keysView, previous, start - previous, keysView, at);
        let k = at - 1;
        while (keys[k] === 0x39) keys[k--] = 0x30;
        keys[k]!++;
      } else {
        at = copyBytes(prefixView, 0, prefix.byteLength, keysView, at);
        at = writeInteger(keysView, at, index);
      }
      previous = start;
      keyEnds[i] = at;
    }
    return { keys, keyEnds };
  }

  /** Indices of this output found in the destination after `from`. */
  deliveredSince(from: ReaderCheckpoint): Set<number> {
    const found = new Set<number>();
    const reader = new StreamReader(this.log, this.streamName, from);
    for (let batch = reader.read(); batch.length > 0; batch = reader.read()) {
      for (const r of batch) {
        if (r.partitionKey.startsWith(this.keyPrefix)) found.add(Number(r.partitionKey.slice(this.keyPrefix.length)));
      }
    }
    return found;
  }

  override progress(): OutputProgress {
    return { ...super.progress(), destination: this.end() };
  }

  override async restore(p: OutputProgress): Promise<void> {
    await super.restore(p);
    if (!p.destination) return;
    const delivered = this.deliveredSince(p.destination);
    this.pages = this.pages.map((page) => page.select((i) => !delivered.delete(page.indices[i]!))).filter((page) => page.count > 0);
    for (const i of delivered) if (i >= this.produced) this.skip.add(i);
  }
}

/** The Firehose seam: a delivery stream takes a batch whole or throws (retried whole: at-least-once). */
export interface FirehoseSeam {
  putRecordBatch(deliveryStreamName: string, records: Uint8Array[]): Promise<void>;
}

export class FirehoseSink extends Sink {
  constructor(
    name: string,
    private readonly firehose: FirehoseSeam,
    private readonly deliveryStream: string,
  ) {
    super(name);
  }

  protected async send(page: Page, from: number, to: number): Promise<Acked> {
    const records: Uint8Array[] = [];
    for (let i = from; i < to; i++) records.push(page.record(i));
    await this.firehose.putRecordBatch(this.deliveryStream, records);
    return true;
  }
}

/**
 * A Lambda output, per the documented contract: records answered DeliveryFailed (or not answered) are sent again
 * with a higher retryHint. recordIds are the row indices, stable across restarts, so a function can de-duplicate
 * the records a crash makes it see twice (delivery to functions is at-least-once).
 */
export class FunctionSink extends Sink {
  constructor(
    name: string,
    private readonly fn: AppFunction,
    private readonly applicationArn: string,
  ) {
    super(name);
  }

  protected async send(page: Page, from: number, to: number): Promise<Acked> {
    const records = [];
    for (let i = from; i < to; i++) {
      records.push({
        recordId: String(page.indices[i]!),
        lambdaDeliveryRecordMetadata: { retryHint: page.attempts?.[i] ?? 0 },
        data: page.record(i).toString('base64'),
      });
    }
    const replies = repliesById<DeliveryReply['records'][number]>(await this.fn({ invocationId: randomUUID(), applicationArn: this.applicationArn, records }), ['Ok', 'DeliveryFailed']);
    return (i) => replies.get(String(page.indices[i]!))?.result === 'Ok';
  }
}

function isPowerOfTen(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

