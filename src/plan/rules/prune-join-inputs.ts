/**
 * push_down_projection (for stream joins): each side of a StreamJoin carries only the columns something above the
 * join reads (and its ROWTIME and keys), so the join keeps and copies narrow rows. A Project is put under each side
 * that has columns to drop, and the column positions above the join are remapped. Applies where a Project or an
 * Aggregate sits over the join, with any Filters between.
 */
import type { ColumnDef } from '../../exec/arrow.js';
import { columnsIn, substitute } from '../expr-utils.js';
import type { Expr, Plan, StreamJoin } from '../logical.js';
import { mapNodeExpressions, nodeExpressions } from './map-plan.js';

export function pruneJoinInputs(plan: Plan): Plan {
  if (plan.kind !== 'project' && plan.kind !== 'aggregate') return plan;
  const filters: Plan[] = [];
  let below = plan.input;
  while (below.kind === 'filter') {
    filters.push(below);
    below = below.input;
  }
  if (below.kind !== 'streamJoin') return plan;
  const join = below;
  const nl = join.left.schema.length;
  const used = new Set([plan, ...filters].flatMap((p) => nodeExpressions(p).flatMap(columnsIn)));
  for (const c of join.residual ? columnsIn(join.residual) : []) used.add(c);
  const keepLeft = kept(join.left.schema, (c) => used.has(1 + c), join.leftKeys);
  const keepRight = kept(join.right.schema, (c) => used.has(1 + nl + c), join.rightKeys);
  if (keepLeft.length === nl && keepRight.length === join.right.schema.length) return plan;
  const remap = (e: Expr) =>
    substitute(e, (c) => {
      if (c.index === 0) return c;
      if (c.index <= nl) return { ...c, index: 1 + keepLeft.indexOf(c.index - 1) };
      return { ...c, index: 1 + keepLeft.length + keepRight.indexOf(c.index - 1 - nl) };
    });
  const left = narrow(join.left, keepLeft);
  const right = narrow(join.right, keepRight);
  const narrowed: StreamJoin = {
    ...join,
    left,
    right,
    leftKeys: join.leftKeys.map((k) => substitute(k, (c) => ({ ...c, index: keepLeft.indexOf(c.index) }))),
    rightKeys: join.rightKeys.map((k) => substitute(k, (c) => ({ ...c, index: keepRight.indexOf(c.index) }))),
    ...(join.residual ? { residual: remap(join.residual) } : {}),
    // The join's own column names (qualified where both sides share one), for the columns kept.
    schema: [join.schema[0]!, ...keepLeft.map((c) => join.schema[1 + c]!), ...keepRight.map((c) => join.schema[1 + nl + c]!)],
  };
  let input: Plan = narrowed;
  for (const f of filters.reverse()) input = { ...mapNodeExpressions(f, remap), input, schema: narrowed.schema } as Plan;
  return { ...mapNodeExpressions(plan, remap), input } as Plan;
}

/** Column positions of a side to keep: its ROWTIME, its keys, and what is used. */
function kept(schema: ColumnDef[], isUsed: (c: number) => boolean, keys: Expr[]): number[] {
  const keyColumns = new Set(keys.flatMap(columnsIn));
  return schema.map((_, c) => c).filter((c) => c === 0 || keyColumns.has(c) || isUsed(c));
}

function narrow(side: Plan, keep: number[]): Plan {
  if (keep.length === side.schema.length) return side;
  const exprs: Expr[] = keep.map((c) => ({ kind: 'column', index: c, type: side.schema[c]!.type }));
  return { kind: 'project', input: side, exprs, rowtimeSet: false, schema: keep.map((c) => side.schema[c]!), stream: true };
}
