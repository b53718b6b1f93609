/**
 * push_down_projection (for reference tables): a TableJoin carries only the table columns something above it reads,
 * so each joined row copies fewer values. The table's scan is narrowed and the column positions above are remapped.
 */
import { columnsIn, substitute } from '../expr-utils.js';
import type { Expr, Plan, TableJoin } from '../logical.js';

/** Applies where a Project (or a Filter then a Project) sits directly over a TableJoin. */
export function pruneTableColumns(plan: Plan): Plan {
  if (plan.kind !== 'project') return plan;
  const { join, wrap } = findJoin(plan.input);
  if (!join) return plan;
  const width = join.input.schema.length;
  const used = new Set([...plan.exprs.flatMap(columnsIn), ...(plan.input.kind === 'filter' ? columnsIn(plan.input.predicate) : []), ...(join.residual ? columnsIn(join.residual) : [])]);
  const keep = join.table.schema.map((_, j) => j).filter((j) => used.has(width + j) || join.tableKeys.some((k) => columnsIn(k).includes(j)));
  if (keep.length === join.table.schema.length) return plan;
  const remap = (e: Expr) => substitute(e, (c) => (c.index < width ? c : { ...c, index: width + keep.indexOf(c.index - width) }));
  const table = { ...join.table, schema: keep.map((j) => join.table.schema[j]!) };
  const narrowed: TableJoin = {
    ...join,
    table,
    tableKeys: join.tableKeys.map((k) => substitute(k, (c) => ({ ...c, index: keep.indexOf(c.index) }))),
    ...(join.residual ? { residual: remap(join.residual) } : {}),
    schema: [...join.input.schema, ...table.schema],
  };
  return { ...plan, input: wrap(narrowed, remap), exprs: plan.exprs.map(remap) };
}

function findJoin(p: Plan): { join?: TableJoin; wrap: (j: TableJoin, remap: (e: Expr) => Expr) => Plan } {
  if (p.kind === 'tableJoin') return { join: p, wrap: (j) => j };
  if (p.kind === 'filter' && p.input.kind === 'tableJoin') {
    return { join: p.input, wrap: (j, remap) => ({ ...p, input: j, predicate: remap(p.predicate), schema: j.schema }) };
  }
  return { wrap: () => p };
}
