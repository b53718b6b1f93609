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
  /** Failed deliveries so far (a Lambda output's retryHint). */
  attempts?: number;
}

/** Most records and bytes handed to a destination in one call (PutRecordBatch's limits, within PutRecords'). */
const DELIVERY_CHUNK = 500;
const DELIVERY_BYTES = 4 * 1024 * 1024;

function nextChunk(pending: readonly PendingRecord[]): PendingRecord[] {
  let bytes = 0;
  let n = 0;
  while (n < pending.length && n < DELIVERY_CHUNK && (n === 0 || bytes + pending[n]!.data.byteLength <= DELIVERY_BYTES)) bytes += pending[n++]!.data.byteLength;
  return pending.slice(0, n);
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
    for (const data of records) {
      const index = this.produced++;
      if (this.skip.delete(index)) continue;
      this.pending.push({ index, data });
    }
  }

  /** Delivers what is pending, one chunk per call; failures stay pending. Returns whether anything was acknowledged. */
  async deliver(): Promise<boolean> {
    let progress = false;
    while (this.pending.length > 0) {
      const chunk = nextChunk(this.pending);
      let acked: Set<number>;
      try {
        acked = await this.send(chunk);
      } catch {
        acked = new Set();
      }
      if (acked.size > 0) {
        progress = true;
        this.failures = 0;
        this.pending = this.pending.filter((p) => !acked.has(p.index));
      }
      if (acked.size < chunk.length) {
        this.failures++;
        for (const p of chunk) if (!acked.has(p.index)) p.attempts = (p.attempts ?? 0) + 1;
        break; // back off until the next round; input reading pauses while this output is behind
      }
    }
    return progress;
  }

  /** Sends a chunk; returns the indices the destination acknowledged. */
  protected abstract send(chunk: PendingRecord[]): Promise<Set<number>>;

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

  /** Where the destination ends now. */
  end(): ReaderCheckpoint {
    return new StreamReader(this.log, this.streamName, 'LATEST').checkpoint();
  }

  protected async send(chunk: PendingRecord[]): Promise<Set<number>> {
    const before = this.end();
    const records: PutRecordInput[] = chunk.map((p) => ({ partitionKey: this.key(p.index), data: p.data }));
    try {
      const result = await this.log.putRecords({ streamName: this.streamName, records });
      const acked = new Set<number>();
      if (result.failedRecordCount === 0) return new Set(chunk.map((p) => p.index));
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

  protected async send(chunk: PendingRecord[]): Promise<Set<number>> {
    await this.firehose.putRecordBatch(this.deliveryStream, chunk.map((p) => p.data));
    return new Set(chunk.map((p) => p.index));
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
