/**
 * Subqueries inside expressions (`x IN (SELECT ...)`, a scalar `(SELECT ...)`): uncorrelated and over reference
 * tables, so each is evaluated once, when the pump's operators are made, and its values stored in the expression
 * (`rows`); the compiled expression then reads those (a set lookup for IN, a constant for a scalar subquery). A
 * failure while evaluating one (a conversion error in its WHERE, say) fails the start, as a reference join's keys do.
 */
import type { Data, RecordBatch } from 'apache-arrow';
import type { Expr, Plan, SubqueryExpr } from '../plan/logical.js';
import { mapNodeExpressions } from '../plan/rules/map-plan.js';
import { gather, readValue, viewOf } from './columns.js';
import { compilePredicate, compileProjection, type EvalContext } from './expr/compile.js';
import type { Value } from './values.js';

/** `plan` (one node; its children are resolved when they are made) with every subquery in its expressions evaluated. */
export function resolveSubqueries(plan: Plan, ctx: EvalContext, table: (name: string) => RecordBatch): Plan {
  let found = false;
  const resolve = (e: Expr): Expr =>
    mapSubqueries(e, (q) => {
      found = true;
      return { ...q, ...(q.operand ? { operand: resolve(q.operand) } : {}), rows: q.rows ?? subqueryValues(q.plan, ctx, table) };
    });
  const out = mapNodeExpressions(plan, resolve);
  return found ? out : plan;
}

/** Rebuild `e` with each subquery (outermost first; `f` resolves what is inside one) replaced by what `f` gives. */
export function mapSubqueries(e: Expr, f: (q: SubqueryExpr) => Expr): Expr {
  const m = (x: Expr) => mapSubqueries(x, f);
  switch (e.kind) {
    case 'column':
    case 'literal':
      return e;
    case 'subquery':
      return f(e);
    case 'cast':
      return { ...e, operand: m(e.operand) };
    case 'call':
      return { ...e, args: e.args.map(m) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ when: m(w.when), then: m(w.then) })), ...(e.else ? { else: m(e.else) } : {}) };
  }
}

/** The first column of a subquery's table plan, row by row. */
export function subqueryValues(plan: Plan, ctx: EvalContext, table: (name: string) => RecordBatch): Value[] {
  const { data, n } = evaluate(plan, ctx, table);
  const view = viewOf(data[0]!);
  const out: Value[] = [];
  for (let i = 0; i < n; i++) out.push(readValue(view, i));
  return out;
}

function evaluate(plan: Plan, ctx: EvalContext, table: (name: string) => RecordBatch): { data: Data[]; n: number } {
  const node = resolveSubqueries(plan, ctx, table);
  const fail = (what: string, e: { row: number; message: string }) => new Error(`a subquery over ${relationOf(plan)}: ${what} fails for table row ${e.row + 1}: ${e.message}`);
  switch (node.kind) {
    case 'scan': {
      if (node.stream) throw new Error(`a subquery can only read a reference table, not ${node.relation}`);
      const batch = table(node.relation);
      const data = node.schema.map((c, k) => (batch.getChild(c.name) ?? batch.getChildAt(k))!.data[0]!);
      return { data, n: batch.numRows };
    }
    case 'filter': {
      const input = evaluate(node.input, ctx, table);
      const types = node.input.schema.map((c) => c.type);
      const { selection, count, errors } = compilePredicate(node.predicate, types, ctx)(input.data.map(viewOf), input.n);
      if (errors.length > 0) throw fail('WHERE', errors[0]!);
      return { data: input.data.map((d, k) => gather(d, types[k]!, selection, count)), n: count };
    }
    case 'project': {
      const input = evaluate(node.input, ctx, table);
      const { columns, errors } = compileProjection(node.exprs, node.input.schema.map((c) => c.type), ctx)(input.data.map(viewOf), input.n);
      if (errors.length > 0) throw fail('the select list', errors[0]!);
      return { data: columns, n: input.n };
    }
    default:
      throw new Error(`a subquery over ${relationOf(plan)} can only filter and project the table`);
  }
}

function relationOf(p: Plan): string {
  if (p.kind === 'scan') return p.relation;
  if ('input' in p) return relationOf(p.input);
  return 'a reference table';
}
