/**
 * ORDER BY on a stream: rows are held per time bucket and, when the rowtime bound passes the bucket's end, emitted
 * sorted by the other ORDER BY keys (stable: equal keys keep arrival order), each with ROWTIME = the bucket's end so
 * that ROWTIME stays non-decreasing. NULLs sort last unless NULLS FIRST.
 */
import type { RecordBatch } from 'apache-arrow';
import type { Sort } from '../../plan/logical.js';
import { arrowSchema, batchOf } from '../arrow.js';
import { compareValues } from '../functions/index.js';
import { ColumnBuilder, readValue, rowtimes, viewsOf } from '../columns.js';
import type { Operator, Output } from '../operator.js';
import type { Value } from '../values.js';

export class SortOperator implements Operator {
  private readonly schema;
  private rows: Value[][] = [];
  private end = -Infinity;

  constructor(
    private readonly plan: Sort,
    private readonly out: Output,
  ) {
    this.schema = arrowSchema(plan.schema);
  }

  process(batch: RecordBatch): void {
    const times = rowtimes(batch);
    const views = viewsOf(batch);
    for (let i = 0; i < batch.numRows; i++) {
      const t = times[i]!;
      if (t >= this.end) {
        this.flush();
        const { widthMs: w, offsetMs: o } = this.plan;
        this.end = Math.floor((t - o) / w) * w + o + w;
      }
      this.rows.push(views.map((v) => readValue(v, i)));
    }
  }

  advance(bound: number): void {
    if (bound >= this.end) this.flush();
    this.out.advance(bound);
  }

  private flush(): void {
    if (this.rows.length === 0) return;
    const keys = this.plan.keys;
    const sorted = this.rows
      .map((row, arrival) => ({ row, arrival }))
      .sort((a, b) => {
        for (const k of keys) {
          const x = a.row[k.index]!;
          const y = b.row[k.index]!;
          if (x === null || y === null) {
            if (x === y) continue;
            return (x === null) === k.nullsFirst ? -1 : 1;
          }
          const c = compareValues(x, y);
          if (c !== 0) return k.descending ? -c : c;
        }
        return a.arrival - b.arrival;
      });
    const builders = this.plan.schema.map((c) => new ColumnBuilder(c.type, sorted.length));
    for (const { row } of sorted) {
      builders[0]!.append(this.end);
      for (let c = 1; c < builders.length; c++) builders[c]!.append(row[c]!);
    }
    this.rows = [];
    this.out.emit(batchOf(this.schema, builders.map((b) => b.finish()), sorted.length));
  }

  save(): unknown {
    return { end: this.end === -Infinity ? null : this.end, rows: this.rows };
  }

  load(state: unknown): void {
    const s = state as { end: number | null; rows: Value[][] };
    this.end = s.end ?? -Infinity;
    this.rows = s.rows;
  }
}
