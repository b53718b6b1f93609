/**
 * SELECT STREAM DISTINCT: each row goes on the first time its values (ROWTIME aside) are seen while the bucket column
 * keeps its value; when the bucket value changes, the memory of seen rows is dropped with the old group table.
 */
import type { RecordBatch } from 'apache-arrow';
import type { Distinct } from '../../plan/logical.js';
import { readValue, viewsOf } from '../columns.js';
import { GroupTable } from '../group-table.js';
import type { Operator, Output } from '../operator.js';
import type { Value } from '../values.js';
import { selectRows } from './failures.js';

export class DistinctOperator implements Operator {
  private seen: GroupTable;
  private bucket: Value | undefined;

  constructor(
    private readonly plan: Distinct,
    private readonly out: Output,
  ) {
    this.seen = new GroupTable(plan.schema.length - 1);
  }

  process(batch: RecordBatch): void {
    const views = viewsOf(batch);
    const values = views.slice(1);
    const bucket = views[this.plan.bucketColumn]!;
    const keep = new Int32Array(batch.numRows);
    let count = 0;
    for (let i = 0; i < batch.numRows; i++) {
      const b = readValue(bucket, i);
      if (b !== this.bucket) {
        this.bucket = b;
        this.seen = new GroupTable(values.length);
      }
      const before = this.seen.size;
      if (this.seen.groupOf(values, i) === before) keep[count++] = i;
    }
    if (count > 0) this.out.emit(selectRows(batch, keep, count));
  }

  advance(bound: number): void {
    this.out.advance(bound);
  }

  save(): unknown {
    return { bucket: this.bucket ?? null, seen: this.seen.savedKeys(this.valueTypes()) };
  }

  load(state: unknown): void {
    const s = state as { bucket: Value; seen: Value[][] };
    this.bucket = s.bucket;
    this.seen = new GroupTable(this.plan.schema.length - 1);
    this.seen.loadKeys(this.valueTypes(), s.seen);
  }

  private valueTypes() {
    return this.plan.schema.slice(1).map((c) => c.type);
  }
}
