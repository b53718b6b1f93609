/**
 * A stream joined to a reference table (INNER or LEFT) by equality keys: the table is indexed once, when the operator
 * is made, in a GroupTable (key → list of table rows); each stream row probes it. NULL keys match nothing, as in SQL.
 * Output rows keep the stream's order; a stream row with several matches gives one row per match, in table order.
 */
import type { Data, RecordBatch } from 'apache-arrow';
import type { TableJoin } from '../../plan/logical.js';
import { arrowSchema, batchOf, columnDefs, type ColumnDef } from '../arrow.js';
import { ColumnBuilder, gather, isNull, viewOf, viewsOf, type ColumnView } from '../columns.js';
import { compilePredicate, compileProjection, type Predicate, type Projector } from '../expr/compile.js';
import { GroupTable } from '../group-table.js';
import type { ExecContext, Operator, Output } from '../operator.js';
import { reportFailures } from './failures.js';

export class TableJoinOperator implements Operator {
  private readonly probeKeys: Projector;
  private readonly index: GroupTable;
  /** Table rows of each key group. */
  private readonly rowsOf: number[][] = [];
  private readonly tableViews: ColumnView[];
  private readonly tableTypes: ColumnDef[];
  private readonly residual?: Predicate;
  private readonly schema;

  constructor(
    input: readonly ColumnDef[],
    private readonly plan: TableJoin,
    table: RecordBatch,
    private readonly ctx: ExecContext,
    private readonly out: Output,
  ) {
    this.tableTypes = columnDefs(table.schema);
    this.tableViews = viewsOf(table);
    this.index = new GroupTable(plan.tableKeys.length, table.numRows);
    const { columns, errors } = compileProjection(plan.tableKeys, this.tableTypes.map((c) => c.type), ctx)(this.tableViews, table.numRows);
    if (errors.length > 0) throw new Error(`reference table ${plan.table.relation}: ${errors[0]!.message} (row ${errors[0]!.row + 1})`);
    const keyViews = columns.map(viewOf);
    for (let j = 0; j < table.numRows; j++) {
      if (keyViews.some((k) => isNull(k, j))) continue;
      const g = this.index.groupOf(keyViews, j);
      (this.rowsOf[g] ??= []).push(j);
    }
    this.probeKeys = compileProjection(plan.streamKeys, input.map((c) => c.type), ctx);
    if (plan.residual) this.residual = compilePredicate(plan.residual, plan.schema.map((c) => c.type), ctx);
    this.schema = arrowSchema(plan.schema);
  }

  process(batch: RecordBatch): void {
    const n = batch.numRows;
    if (n === 0) return;
    const { columns, errors } = this.probeKeys(viewsOf(batch), n);
    reportFailures(batch, errors, this.ctx, true);
    const failed = new Set(errors.map((e) => e.row));
    const keys = columns.map(viewOf);
    const left: number[] = [];
    const right: number[] = [];
    for (let i = 0; i < n; i++) {
      if (failed.has(i) || keys.some((k) => isNull(k, i))) continue;
      const g = this.index.find(keys, i);
      for (const j of g < 0 ? [] : this.rowsOf[g]!) {
        left.push(i);
        right.push(j);
      }
    }
    let pairs = { left, right };
    if (this.residual) pairs = this.applyResidual(batch, pairs);
    if (this.plan.type === 'LEFT') pairs = padUnmatched(n, failed, pairs);
    if (pairs.left.length > 0) this.out.emit(this.joined(batch, pairs.left, pairs.right));
  }

  private applyResidual(batch: RecordBatch, pairs: { left: number[]; right: number[] }): { left: number[]; right: number[] } {
    const candidate = this.joined(batch, pairs.left, pairs.right);
    const { selection, count, errors } = this.residual!(viewsOf(candidate), candidate.numRows);
    reportFailures(candidate, errors, this.ctx, true);
    const kept = Array.from(selection.subarray(0, count));
    return { left: kept.map((k) => pairs.left[k]!), right: kept.map((k) => pairs.right[k]!) };
  }

  /** Stream rows `left[k]` beside table rows `right[k]` (−1: NULLs). */
  private joined(batch: RecordBatch, left: number[], right: number[]): RecordBatch {
    const sel = Int32Array.from(left);
    const streamDefs = columnDefs(batch.schema);
    const data: Data[] = streamDefs.map((d, c) => gather(batch.getChildAt(c)!.data[0]!, d.type, sel, sel.length));
    for (let c = 0; c < this.tableTypes.length; c++) {
      const b = new ColumnBuilder(this.tableTypes[c]!.type, right.length);
      for (const j of right) {
        if (j < 0) b.appendNull();
        else b.appendFrom(this.tableViews[c]!, j);
      }
      data.push(b.finish());
    }
    return batchOf(this.schema, data, sel.length);
  }

  advance(bound: number): void {
    this.out.advance(bound);
  }

  save(): unknown {
    return null;
  }

  load(): void {}
}

/** LEFT JOIN: stream rows (not failed) with no match get one row of NULLs, in stream order. */
function padUnmatched(n: number, failed: Set<number>, pairs: { left: number[]; right: number[] }): { left: number[]; right: number[] } {
  const left: number[] = [];
  const right: number[] = [];
  let k = 0;
  for (let i = 0; i < n; i++) {
    if (failed.has(i)) continue;
    if (k < pairs.left.length && pairs.left[k] === i) {
      while (k < pairs.left.length && pairs.left[k] === i) {
        left.push(i);
        right.push(pairs.right[k++]!);
      }
    } else {
      left.push(i);
      right.push(-1);
    }
  }
  return { left, right };
}
