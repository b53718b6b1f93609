/**
 * The rewrite rules, in the order they run. Each is a plain function from plan to plan, named for what it does
 * (after DataFusion's optimizer rules); each leaves what it cannot improve unchanged.
 */
import type { Plan } from './logical.js';
import { foldConstants } from './rules/fold-constants.js';
import { mapPlan } from './rules/map-plan.js';
import { mergeProjections } from './rules/merge-projections.js';
import { pruneJoinInputs } from './rules/prune-join-inputs.js';
import { pruneTableColumns } from './rules/prune-table-columns.js';
import { pushDownFilter } from './rules/push-down-filter.js';

export const RULES: { name: string; apply: (p: Plan) => Plan }[] = [
  { name: 'fold_constants', apply: foldConstants },
  { name: 'push_down_filter', apply: pushDownFilter },
  { name: 'merge_projections', apply: mergeProjections },
  { name: 'push_down_projection', apply: (p) => mapPlan(mapPlan(p, pruneTableColumns), pruneJoinInputs) },
];

export function optimize(plan: Plan): Plan {
  return RULES.reduce((p, rule) => rule.apply(p), plan);
}
