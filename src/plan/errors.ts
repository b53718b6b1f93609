import type { Span } from '../sql/ast.js';

/** A query the planner cannot run (yet, or by design), pointing at the SQL that asks for it. */
export class PlanError extends Error {
  constructor(
    message: string,
    readonly span?: Span,
  ) {
    super(span ? `${message} (line ${span.line}, column ${span.column})` : message);
    this.name = 'PlanError';
  }
}
