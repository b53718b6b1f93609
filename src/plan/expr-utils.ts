/** Small structural operations on plan expressions, shared by the planner and the rewrite rules. */
import { BOOLEAN } from '../sql/bind/types.js';
import type { ColumnExpr, Expr } from './logical.js';

/** Replace every column reference by what `f` gives for it. */
export function substitute(e: Expr, f: (column: ColumnExpr) => Expr): Expr {
  switch (e.kind) {
    case 'column':
      return f(e);
    case 'literal':
      return e;
    case 'cast':
      return { ...e, operand: substitute(e.operand, f) };
    case 'call':
      return { ...e, args: e.args.map((a) => substitute(a, f)) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ when: substitute(w.when, f), then: substitute(w.then, f) })), ...(e.else ? { else: substitute(e.else, f) } : {}) };
    case 'subquery':
      // The subquery's own plan reads its table, not the outer columns: only the IN operand is rewritten.
      return e.operand ? { ...e, operand: substitute(e.operand, f) } : e;
  }
}

/** Add `delta` to every column position. */
export const shift = (e: Expr, delta: number): Expr => substitute(e, (c) => ({ ...c, index: c.index + delta }));

/** The column positions an expression reads. */
export function columnsIn(e: Expr): number[] {
  const out: number[] = [];
  substitute(e, (c) => {
    out.push(c.index);
    return c;
  });
  return out;
}

export function conjuncts(e: Expr): Expr[] {
  return e.kind === 'call' && e.fn === 'AND' ? e.args.flatMap(conjuncts) : [e];
}

export function and(parts: Expr[]): Expr | undefined {
  return parts.length === 0 ? undefined : parts.reduce((a, b) => ({ kind: 'call', fn: 'AND', args: [a, b], type: BOOLEAN }));
}

/** Functions whose value depends on when they run, not only on their arguments: never moved or folded. */
const VOLATILE = new Set(['CURRENT_ROW_TIMESTAMP']);

export function deterministic(e: Expr): boolean {
  switch (e.kind) {
    case 'column':
    case 'literal':
      return true;
    case 'cast':
      return deterministic(e.operand);
    case 'call':
      return !VOLATILE.has(e.fn) && e.args.every(deterministic);
    case 'case':
      return e.whens.every((w) => deterministic(w.when) && deterministic(w.then)) && (!e.else || deterministic(e.else));
    case 'subquery':
      return !e.operand || deterministic(e.operand);
  }
}
