/**
 * Outputs: each configured Output gets the rows of its in-application stream (or error_stream), encodes them as
 * records and delivers them, retrying failures; nothing is dropped. Every row an output is given gets an index
 * (0, 1, 2, … per output, the same in every run over the same input); the index is what makes delivery to a log
 * stream exactly-once across crashes (see LogStreamSink).
 */
import { randomUUID } from 'node:crypto';
import { StreamReader, type Log, type PutRecordInput, type ReaderCheckpoint } from '../log/index.js';
import type { OutputProgress } from './checkpoint.js';
import { repliesById, type AppFunction, type DeliveryReply } from './functions.js';

export interface PendingRecord {
  index: number;
  data: Uint8Array;
  /** A log-stream output's partition key (`APP:OUTPUT:INDEX`), made once: the record is then its own PutRecords entry. */
  partitionKey?: string;
  /** Failed deliveries so far (a Lambda output's retryHint). */
  attempts?: number;
}

/** Most records and bytes handed to a destination in one call (PutRecordBatch's limits, within PutRecords'). */
const DELIVERY_CHUNK = 500;
const DELIVERY_BYTES = 4 * 1024 * 1024;

/** The records of `pending[from..]` the next delivery call takes. */
function nextChunk(pending: readonly PendingRecord[], from: number): PendingRecord[] {
  let bytes = 0;
  let n = from;
  while (n < pending.length && n - from < DELIVERY_CHUNK && (n === from || bytes + pending[n]!.data.byteLength <= DELIVERY_BYTES)) bytes += pending[n++]!.data.byteLength;
  return pending.slice(from, n);
}

export abstract class Sink {
  produced = 0;
  pending: PendingRecord[] = [];
  /** Indices found already delivered (after a crash) that must not be sent again. */
  protected skip = new Set<number>();
  /** Consecutive failed delivery calls (reset by any success). */
  failures = 0;

  constructor(readonly name: string) {}

  accept(records: readonly Uint8Array[]): void {
    const pending = this.pending;
    const skipping = this.skip.size > 0;
    for (let i = 0; i < records.length; i++) {
      const index = this.produced++;
      if (skipping && this.skip.delete(index)) continue;
      pending.push(this.pendingRecord(index, records[i]!));
    }
  }

  protected pendingRecord(index: number, data: Uint8Array): PendingRecord {
    return { index, data };
  }

  /** Delivers what is pending, one chunk per call; failures stay pending. Returns whether anything was acknowledged. */
  async deliver(): Promise<boolean> {
    let progress = false;
    const pending = this.pending;
    // Chunks fully acknowledged are dropped from the front in one go at the end (not one filter per chunk).
    let at = 0;
    try {
      while (at < pending.length) {
        const chunk = nextChunk(pending, at);
        let acked: Set<number> | true;
        try {
          acked = await this.send(chunk);
        } catch {
          acked = new Set();
        }
        if (acked === true || acked.size === chunk.length) {
          progress = true;
          this.failures = 0;
          at += chunk.length;
          continue;
        }
        if (acked.size > 0) {
          progress = true;
          this.failures = 0;
        }
        this.failures++;
        const kept: PendingRecord[] = [];
        for (const p of chunk) {
          if (acked.has(p.index)) continue;
          p.attempts = (p.attempts ?? 0) + 1;
          kept.push(p);
        }
        // The unacknowledged records of this chunk stay first, in order.
        for (let i = 0; i < kept.length; i++) pending[at + chunk.length - kept.length + i] = kept[i]!;
        at += chunk.length - kept.length;
        break; // back off until the next round; input reading pauses while this output is behind
      }
    } finally {
      if (at > 0) this.pending = at >= pending.length ? [] : pending.slice(at);
    }
    return progress;
  }

  /** Sends a chunk; returns the indices the destination acknowledged (`true`: all of them). */
  protected abstract send(chunk: PendingRecord[]): Promise<Set<number> | true>;

  progress(): OutputProgress {
    return { produced: this.produced, pending: this.pending.map((p) => ({ index: p.index, data: p.data })) };
  }

  /** Back to a checkpoint's state, before any new row is accepted. */
  async restore(p: OutputProgress): Promise<void> {
    this.produced = p.produced;
    this.pending = p.pending.map((x) => ({ index: x.index, data: x.data }));
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
  constructor(
    name: string,
    private readonly log: Log,
    readonly streamName: string,
    private readonly keyPrefix: string,
  ) {
    super(name);
  }

  key(index: number): string {
    return `${this.keyPrefix}${index}`;
  }

  protected override pendingRecord(index: number, data: Uint8Array): PendingRecord {
    return { index, data, partitionKey: this.keyPrefix + index };
  }

  /** Where the destination ends now. */
  end(): ReaderCheckpoint {
    return new StreamReader(this.log, this.streamName, 'LATEST').checkpoint();
  }

  protected async send(chunk: PendingRecord[]): Promise<Set<number> | true> {
    const before = this.end();
    // The pending records themselves are the PutRecords entries (no object per record per attempt).
    for (let i = 0; i < chunk.length; i++) {
      const p = chunk[i]!;
      if (p.partitionKey === undefined) p.partitionKey = this.keyPrefix + p.index;
    }
    const records = chunk as PutRecordInput[];
    try {
      const result = await this.log.putRecords({ streamName: this.streamName, records });
      const acked = new Set<number>();
      if (result.failedRecordCount === 0) return true;
      result.records.forEach((r, i) => {
        if (!('errorCode' in r)) acked.add(chunk[i]!.index);
      });
      return acked;
    } catch (e) {
      // The call may have written some records before failing: those count as delivered.
      const written = this.deliveredSince(before);
      if (written.size === 0) throw e;
      return written;
    }
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
    this.pending = this.pending.filter((x) => !delivered.delete(x.index));
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

  protected async send(chunk: PendingRecord[]): Promise<Set<number> | true> {
    await this.firehose.putRecordBatch(this.deliveryStream, chunk.map((p) => p.data));
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

  protected async send(chunk: PendingRecord[]): Promise<Set<number>> {
    const request = {
      invocationId: randomUUID(),
      applicationArn: this.applicationArn,
      records: chunk.map((p) => ({
        recordId: String(p.index),
        lambdaDeliveryRecordMetadata: { retryHint: p.attempts ?? 0 },
        data: Buffer.from(p.data).toString('base64'),
      })),
    };
    const replies = repliesById<DeliveryReply['records'][number]>(await this.fn(request), ['Ok', 'DeliveryFailed']);
    return new Set(chunk.filter((p) => replies.get(String(p.index))?.result === 'Ok').map((p) => p.index));
  }
}
