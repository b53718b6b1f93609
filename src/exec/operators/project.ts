/**
 * The select list: one compiled projector computes every output column in one pass (a column passed through
 * unchanged is not copied). With `expr AS ROWTIME`, a row whose new ROWTIME would go backwards goes to error_stream
 * (ROWTIME must stay non-decreasing within a stream).
 */
import type { Data, RecordBatch } from 'apache-arrow';
import type { Expr } from '../../plan/logical.js';
import { arrowSchema, batchOf, type ColumnDef } from '../arrow.js';
import { readNumber, viewOf, viewsOf } from '../columns.js';
import { compileProjection, type Projector, type RowError } from '../expr/compile.js';
import type { ExecContext, Operator, Output } from '../operator.js';
import { reportFailures, withoutFailures } from './failures.js';

export class ProjectOperator implements Operator {
  private readonly projector: Projector;
  private readonly schema;
  /** The last ROWTIME emitted, when the projection sets ROWTIME itself. */
  private lastRowtime = -Infinity;

  constructor(
    input: readonly ColumnDef[],
    exprs: readonly Expr[],
    output: readonly ColumnDef[],
    private readonly rowtimeSet: boolean,
    private readonly ctx: ExecContext,
    private readonly out: Output,
    private readonly stream = true,
  ) {
    this.projector = compileProjection(exprs, input.map((c) => c.type), ctx);
    this.schema = arrowSchema(output);
  }

  process(batch: RecordBatch): void {
    const n = batch.numRows;
    const { columns: data, errors } = this.projector(viewsOf(batch), n);
    const failed = this.rowtimeSet ? [...errors, ...this.rowtimeRegressions(data[0]!, errors)].sort((a, b) => a.row - b.row) : errors;
    reportFailures(batch, failed, this.ctx, this.stream);
    const result = withoutFailures(batchOf(this.schema, data, n), failed);
    if (result.numRows > 0) this.out.emit(result);
  }

  /** Rows whose computed ROWTIME is NULL or below the last one kept. */
  private rowtimeRegressions(rowtime: Data, already: readonly RowError[]): RowError[] {
    const failedRows = new Set(already.map((e) => e.row));
    const view = viewOf(rowtime);
    const out: RowError[] = [];
    for (let i = 0; i < rowtime.length; i++) {
      if (failedRows.has(i)) continue;
      const valid = view.valid === null || ((view.valid[(view.bitOffset + i) >> 3]! >> ((view.bitOffset + i) & 7)) & 1) === 1;
      const t = readNumber(view, i);
      if (!valid || t < this.lastRowtime) {
        out.push({ row: i, name: 'ROWTIME_OUT_OF_ORDER', message: valid ? `ROWTIME ${new Date(t).toISOString()} is before the previous row's ${new Date(this.lastRowtime).toISOString()}` : 'ROWTIME cannot be NULL' });
      } else this.lastRowtime = t;
    }
    return out;
  }

  advance(bound: number): void {
    // With ROWTIME set by the query, only the rows themselves say how far output time has got.
    this.out.advance(this.rowtimeSet ? Math.min(bound, this.lastRowtime) : bound);
  }

  save(): unknown {
    return { lastRowtime: this.lastRowtime };
  }

  load(state: unknown): void {
    this.lastRowtime = (state as { lastRowtime: number }).lastRowtime;
  }
}
