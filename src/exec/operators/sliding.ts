/**
 * Aggregates OVER a sliding window (`RANGE INTERVAL ... PRECEDING` or `ROWS n PRECEDING`, PARTITION BY keys): one
 * output row per input row, the input's columns passed through unchanged plus one column per aggregate. Partitions
 * are numbered by a GroupTable; the per-partition frames (SlidingWindows) add each row once and evict it once, so the
 * cost of a row does not grow with the window.
 */
import type { RecordBatch } from 'apache-arrow';
import type { SlidingAggregate } from '../../plan/logical.js';
import { arrowSchema, batchOf, type ColumnDef } from '../arrow.js';
import { SlidingWindows } from '../aggregates/index.js';
import { ColumnBuilder, rowtimes, viewOf, viewsOf } from '../columns.js';
import { compileProjection, type Projector } from '../expr/compile.js';
import { GroupTable } from '../group-table.js';
import type { ExecContext, Operator, Output } from '../operator.js';
import type { Value } from '../values.js';
import { reportFailures, withoutFailures } from './failures.js';
import { argumentExprs, compactTable } from './window-state.js';

export class SlidingOperator implements Operator {
  private readonly projector: Projector;
  private partitions: GroupTable;
  private readonly windows: SlidingWindows;
  private readonly schema;

  constructor(
    input: readonly ColumnDef[],
    private readonly plan: SlidingAggregate,
    private readonly ctx: ExecContext,
    private readonly out: Output,
  ) {
    const argExprs = argumentExprs(plan.aggregates, input);
    this.projector = compileProjection([...plan.partitionBy, ...argExprs], input.map((c) => c.type), ctx);
    this.partitions = new GroupTable(plan.partitionBy.length);
    this.windows = new SlidingWindows({
      frame: plan.frame,
      aggregates: plan.aggregates.map((a) => ({ name: a.fn, argTypes: a.args.map((x) => x.type), resultType: a.type, star: a.star, distinct: a.distinct, params: a.params })),
    });
    this.schema = arrowSchema(plan.schema);
  }

  process(batch: RecordBatch): void {
    const n = batch.numRows;
    if (n === 0) return;
    const { columns, errors } = this.projector(viewsOf(batch), n);
    reportFailures(batch, errors, this.ctx, true);
    const views = columns.map(viewOf);
    const width = this.plan.partitionBy.length;
    const keys = views.slice(0, width);
    const parts = new Int32Array(n);
    // A failed row joins no partition (its key may not even be computed); it is dropped from the output below.
    let from = 0;
    for (const e of errors) {
      this.partitions.groupsOf(keys, from, e.row, parts);
      parts[e.row] = -1;
      from = e.row + 1;
    }
    this.partitions.groupsOf(keys, from, n, parts);
    const builders = this.plan.aggregates.map((a) => new ColumnBuilder(a.type, n));
    this.windows.push(parts, rowtimes(batch), views.slice(width), builders, n);
    const data = [...batch.schema.fields.map((_, c) => batch.getChildAt(c)!.data[0]!), ...builders.map((b) => b.finish())];
    const result = withoutFailures(batchOf(this.schema, data, n), errors);
    if (result.numRows > 0) this.out.emit(result);
  }

  /**
   * RANGE partitions idle for longer than the frame are freed (a fresh frame gives the same results), and the key
   * table is rebuilt without them once they outnumber the live ones: state follows the keys in the window, not every
   * key ever seen.
   */
  advance(bound: number): void {
    if (this.windows.expire(bound) > 0 && this.windows.partitions * 2 < this.partitions.size) {
      const live = this.windows.livePartitions();
      this.partitions = compactTable(this.partitions, this.plan.partitionBy.map((e) => e.type), live);
      this.windows.renumber(live);
    }
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
