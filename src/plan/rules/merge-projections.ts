/**
 * merge_projections: a Project over a Project becomes one, so each batch is computed in one compiled loop instead of
 * two. Skipped when the inner projection sets ROWTIME (its ordering check must run first) or when the outer one would
 * evaluate a computed inner column more than once.
 */
import { columnsIn, substitute } from '../expr-utils.js';
import type { Plan } from '../logical.js';
import { mapPlan } from './map-plan.js';

export const mergeProjections = (plan: Plan): Plan => mapPlan(plan, mergeOne);

function mergeOne(plan: Plan): Plan {
  if (plan.kind !== 'project' || plan.input.kind !== 'project') return plan;
  const inner = plan.input;
  if (inner.rowtimeSet) return plan;
  const uses = plan.exprs.flatMap(columnsIn);
  const repeated = inner.exprs.some((e, i) => e.kind !== 'column' && e.kind !== 'literal' && uses.filter((u) => u === i).length > 1);
  if (repeated) return plan;
  return { ...plan, input: inner.input, exprs: plan.exprs.map((e) => substitute(e, (c) => inner.exprs[c.index]!)) };
}
