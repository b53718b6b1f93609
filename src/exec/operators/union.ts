/**
 * UNION ALL, and the meeting point of several pumps inserting into one stream: rows from k inputs merged into one
 * stream whose ROWTIME never goes backwards. A row is released once every input's bound has reached its ROWTIME (no
 * input can still send an earlier row); rows with equal ROWTIME leave in input order, then arrival order, so the
 * merge is deterministic whatever the batch sizes.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { batchOf, columnDefs, type ColumnDef } from '../arrow.js';
import { ColumnBuilder, rowtimes, viewsOf, type ColumnView } from '../columns.js';
import type { Operator, Output } from '../operator.js';

interface Queued {
  views: ColumnView[];
  times: Float64Array;
  /** The next row of this batch not yet released. */
  at: number;
}

export class UnionOperator implements Operator {
  private readonly queues: Queued[][];
  private readonly bounds: number[];
  private readonly columns: ColumnDef[];
  private released = -Infinity;

  constructor(
    private readonly schema: Schema,
    inputs: number,
    private readonly out: Output,
  ) {
    this.queues = Array.from({ length: inputs }, () => []);
    this.bounds = Array.from({ length: inputs }, () => -Infinity);
    this.columns = columnDefs(schema);
  }

  process(batch: RecordBatch, port: number): void {
    if (batch.numRows === 0) return;
    if (this.queues.length === 1) {
      this.out.emit(batch);
      return;
    }
    const times = rowtimes(batch);
    this.queues[port]!.push({ views: viewsOf(batch), times, at: 0 });
    this.bounds[port] = Math.max(this.bounds[port]!, times[0]!);
    this.release();
  }

  advance(bound: number, port: number): void {
    this.bounds[port] = Math.max(this.bounds[port]!, bound);
    if (this.queues.length > 1) this.release();
    const low = Math.min(...this.bounds);
    if (low > this.released) {
      this.released = low;
      this.out.advance(low);
    }
  }

  private release(): void {
    const limit = Math.min(...this.bounds);
    const builders = this.columns.map((d) => new ColumnBuilder(d.type, 256));
    for (;;) {
      let best = -1;
      let bestTime = Infinity;
      for (let p = 0; p < this.queues.length; p++) {
        const head = this.queues[p]![0];
        if (head && head.times[head.at]! < bestTime) {
          best = p;
          bestTime = head.times[head.at]!;
        }
      }
      if (best < 0 || bestTime > limit) break;
      const q = this.queues[best]!;
      const head = q[0]!;
      for (let c = 0; c < builders.length; c++) builders[c]!.appendFrom(head.views[c]!, head.at);
      if (++head.at === head.times.length) q.shift();
    }
    const n = builders[0]!.length;
    if (n > 0) this.out.emit(batchOf(this.schema, builders.map((b) => b.finish()), n));
  }

  save(): unknown {
    if (this.queues.some((q) => q.length > 0)) throw new Error('a union cannot be checkpointed with rows waiting; advance every input first');
    return { bounds: this.bounds.map((b) => (b === -Infinity ? null : b)), released: this.released === -Infinity ? null : this.released };
  }

  load(state: unknown): void {
    const s = state as { bounds: (number | null)[]; released: number | null };
    s.bounds.forEach((b, i) => (this.bounds[i] = b ?? -Infinity));
    this.released = s.released ?? -Infinity;
  }
}
