/** Walking a plan: rebuild it bottom-up with a rewrite applied to each node, or to each expression. */
import type { AggregateCall, Expr, Plan } from '../logical.js';

/** Apply `rule` to every node, children first. */
export function mapPlan(plan: Plan, rule: (p: Plan) => Plan): Plan {
  return rule(withChildren(plan, (c) => mapPlan(c, rule)));
}

export function withChildren(plan: Plan, f: (child: Plan) => Plan): Plan {
  switch (plan.kind) {
    case 'scan':
      return plan;
    case 'union':
      return { ...plan, inputs: plan.inputs.map(f) };
    case 'streamJoin':
      return { ...plan, left: f(plan.left), right: f(plan.right) };
    default:
      return { ...plan, input: f(plan.input) } as Plan;
  }
}

/** A rule that rewrites every expression of every node with `f`. */
export function mapExpressions(f: (e: Expr) => Expr): (plan: Plan) => Plan {
  return (plan) => mapPlan(plan, (p) => mapNodeExpressions(p, f));
}

/** One node with each of its own expressions (not its children's) rewritten by `f`. */
export function mapNodeExpressions(p: Plan, f: (e: Expr) => Expr): Plan {
  const agg = (a: AggregateCall): AggregateCall => ({ ...a, args: a.args.map(f) });
  switch (p.kind) {
    case 'filter':
      return { ...p, predicate: f(p.predicate) };
    case 'project':
      return { ...p, exprs: p.exprs.map(f) };
    case 'aggregate':
      return { ...p, keys: p.keys.map(f), aggregates: p.aggregates.map(agg) };
    case 'slidingAggregate':
      return { ...p, partitionBy: p.partitionBy.map(f), aggregates: p.aggregates.map(agg) };
    case 'tableJoin':
      return { ...p, streamKeys: p.streamKeys.map(f), tableKeys: p.tableKeys.map(f), ...(p.residual ? { residual: f(p.residual) } : {}) };
    case 'streamJoin':
      return { ...p, leftKeys: p.leftKeys.map(f), rightKeys: p.rightKeys.map(f), ...(p.residual ? { residual: f(p.residual) } : {}) };
    default:
      return p;
  }
}

/** The expressions of one node (not its children's), over its input's columns. */
export function nodeExpressions(p: Plan): Expr[] {
  const out: Expr[] = [];
  mapNodeExpressions(p, (e) => (out.push(e), e));
  return out;
}
