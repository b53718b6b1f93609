/**
 * push_down_filter: move WHERE conditions closer to the scan, so fewer rows reach the expensive operators.
 * - through a Project that does not set ROWTIME (the condition is rewritten in terms of the projection's input);
 * - into each input of a Union;
 * - below a TableJoin when a conjunct reads only the stream's columns (for LEFT joins too: the stream side is the
 *   preserved side, so filtering it first changes nothing);
 * - two adjacent Filters become one.
 * Conditions with CURRENT_ROW_TIMESTAMP stay where they are.
 */
import { and, columnsIn, conjuncts, deterministic, substitute } from '../expr-utils.js';
import type { Expr, Plan } from '../logical.js';
import { mapPlan } from './map-plan.js';

export const pushDownFilter = (plan: Plan): Plan => mapPlan(plan, pushOne);

function pushOne(plan: Plan): Plan {
  if (plan.kind !== 'filter' || !deterministic(plan.predicate)) return plan;
  const input = plan.input;
  const filter = (p: Plan, predicate: Expr): Plan => pushOne({ kind: 'filter', input: p, predicate, schema: p.schema, stream: p.stream });
  switch (input.kind) {
    case 'filter':
      return filter(input.input, and([input.predicate, plan.predicate])!);
    case 'project': {
      if (input.rowtimeSet || !input.exprs.every(deterministic)) return plan;
      const rewritten = substitute(plan.predicate, (c) => input.exprs[c.index]!);
      return { ...input, input: filter(input.input, rewritten) };
    }
    case 'union':
      return { ...input, inputs: input.inputs.map((i) => filter(i, plan.predicate)) };
    case 'tableJoin': {
      const width = input.input.schema.length;
      const parts = conjuncts(plan.predicate);
      const below = parts.filter((c) => columnsIn(c).every((i) => i < width));
      if (below.length === 0) return plan;
      const above = and(parts.filter((c) => !below.includes(c)));
      const joined: Plan = { ...input, input: filter(input.input, and(below)!) };
      return above ? { ...plan, input: joined, predicate: above } : joined;
    }
    default:
      return plan;
  }
}
