/** WHERE and HAVING: keep the rows for which the compiled predicate is TRUE. */
import type { RecordBatch } from 'apache-arrow';
import type { Expr } from '../../plan/logical.js';
import type { ColumnDef } from '../arrow.js';
import { viewsOf } from '../columns.js';
import { compilePredicate, type Predicate } from '../expr/compile.js';
import type { ExecContext, Operator, Output } from '../operator.js';
import { reportFailures, selectRows } from './failures.js';

export class FilterOperator implements Operator {
  private readonly predicate: Predicate;

  constructor(
    input: readonly ColumnDef[],
    expr: Expr,
    private readonly ctx: ExecContext,
    private readonly out: Output,
    private readonly stream = true,
  ) {
    this.predicate = compilePredicate(expr, input.map((c) => c.type), ctx);
  }

  process(batch: RecordBatch): void {
    const { selection, count, errors } = this.predicate(viewsOf(batch), batch.numRows);
    reportFailures(batch, errors, this.ctx, this.stream);
    if (count > 0) this.out.emit(selectRows(batch, selection, count));
  }

  advance(bound: number): void {
    this.out.advance(bound);
  }

  save(): unknown {
    return null;
  }

  load(): void {}
}
