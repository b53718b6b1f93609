/**
 * Aggregates OVER a sliding window (`RANGE INTERVAL ... PRECEDING` or `ROWS n PRECEDING`, PARTITION BY keys): one
 * output row per input row, the input's columns passed through unchanged plus one column per aggregate. Partitions
 * are numbered by a GroupTable; the per-partition frames (SlidingWindows) add each row once and evict it once, so the
 * cost of a row does not grow with the window.
 */
import type { RecordBatch } from 'apache-arrow';
import type { Expr, SlidingAggregate } from '../../plan/logical.js';
import { arrowSchema, batchOf, type ColumnDef } from '../arrow.js';
import { SlidingWindows } from '../aggregates/index.js';
import { ColumnBuilder, readValue, rowtimes, viewOf, viewsOf } from '../columns.js';
import { compileProjection, type Projector } from '../expr/compile.js';
import { GroupTable } from '../group-table.js';
import type { ExecContext, Operator, Output } from '../operator.js';
import type { Value } from '../values.js';
import { reportFailures, withoutFailures } from './failures.js';

export class SlidingOperator implements Operator {
  private readonly projector: Projector;
  private readonly partitions: GroupTable;
  private readonly windows: SlidingWindows;
  private readonly schema;
  private readonly args: Value[];
  private readonly results: Value[];

  constructor(
    input: readonly ColumnDef[],
    private readonly plan: SlidingAggregate,
    private readonly ctx: ExecContext,
    private readonly out: Output,
  ) {
    const argExprs = plan.aggregates.map((a): Expr => a.args[0] ?? { kind: 'literal', value: null, type: a.type });
    this.projector = compileProjection([...plan.partitionBy, ...argExprs], input.map((c) => c.type), ctx);
    this.partitions = new GroupTable(plan.partitionBy.length);
    this.windows = new SlidingWindows({
      frame: plan.frame,
      aggregates: plan.aggregates.map((a) => ({ name: a.fn, argTypes: a.args.map((x) => x.type), resultType: a.type, star: a.star, distinct: a.distinct, params: a.params })),
    });
    this.schema = arrowSchema(plan.schema);
    this.args = new Array<Value>(plan.aggregates.length).fill(null);
    this.results = new Array<Value>(plan.aggregates.length).fill(null);
  }

  process(batch: RecordBatch): void {
    const n = batch.numRows;
    if (n === 0) return;
    const { columns, errors } = this.projector(viewsOf(batch), n);
    reportFailures(batch, errors, this.ctx, true);
    const failed = new Set(errors.map((e) => e.row));
    const views = columns.map(viewOf);
    const keys = views.slice(0, this.plan.partitionBy.length);
    const argViews = views.slice(this.plan.partitionBy.length);
    const times = rowtimes(batch);
    const builders = this.plan.aggregates.map((a) => new ColumnBuilder(a.type, n));
    for (let i = 0; i < n; i++) {
      if (failed.size > 0 && failed.has(i)) {
        for (const b of builders) b.appendNull();
        continue;
      }
      const p = this.partitions.groupOf(keys, i);
      for (let a = 0; a < argViews.length; a++) this.args[a] = this.plan.aggregates[a]!.star ? undefined! : readValue(argViews[a]!, i);
      this.windows.push(p, times[i]!, this.args, this.results);
      for (let a = 0; a < builders.length; a++) builders[a]!.append(this.results[a]!);
    }
    const data = [...batch.schema.fields.map((_, c) => batch.getChildAt(c)!.data[0]!), ...builders.map((b) => b.finish())];
    const result = withoutFailures(batchOf(this.schema, data, n), errors);
    if (result.numRows > 0) this.out.emit(result);
  }

  advance(bound: number): void {
    this.out.advance(bound);
  }

  /** The frames, and the partition keys in partition-number order (the frames are filed by that number). */
  save(): unknown {
    const kinds = this.plan.partitionBy.map((e) => viewOf(new ColumnBuilder(e.type, 0).finish()).kind);
    const keys = Array.from({ length: this.partitions.size }, (_, g) => kinds.map((kind, k) => this.partitions.keyValue(g, k, kind)));
    return { windows: this.windows.save(), keys };
  }

  load(state: unknown): void {
    const { windows, keys } = state as { windows: unknown; keys: Value[][] };
    for (const values of keys) {
      const views = this.plan.partitionBy.map((e, k) => {
        const b = new ColumnBuilder(e.type, 1);
        b.append(values[k]!);
        return viewOf(b.finish());
      });
      this.partitions.groupOf(views, 0);
    }
    this.windows.load(windows);
  }
}
