/**
 * Logical plan → operators. Each plan node becomes one operator whose output feeds its parent's input port; a scan
 * becomes a subscription to a stream (the dataflow delivers that stream's batches to the scan's parent).
 */
import type { RecordBatch } from 'apache-arrow';
import { PlanError } from '../plan/errors.js';
import type { Plan } from '../plan/logical.js';
import type { ExecContext, Operator, Output } from './operator.js';
import { DistinctOperator } from './operators/distinct.js';
import { FilterOperator } from './operators/filter.js';
import { GroupRankOperator } from './operators/group-rank.js';
import { GroupWindowOperator } from './operators/group-window.js';
import { ProjectOperator } from './operators/project.js';
import { SessionOperator } from './operators/session.js';
import { StaggerOperator } from './operators/stagger.js';
import { StreamJoinOperator } from './operators/stream-join.js';
import { SketchWindowOperator } from './operators/sketch-window.js';
import { SlidingOperator } from './operators/sliding.js';
import { SortOperator } from './operators/sort.js';
import { TableJoinOperator } from './operators/table-join.js';
import { UnionOperator } from './operators/union.js';
import { arrowSchema } from './arrow.js';
import { resolveSubqueries } from './subquery.js';

export interface Wiring {
  /** The scan of `stream` delivers to `into`. */
  subscribe(stream: string, into: Output): void;
  /** A reference table's rows. */
  table(name: string): RecordBatch;
  /** Every operator made, for checkpoints. */
  operators: Operator[];
}

/** Make the operators of `plan`, sending its output to `out`. */
export function instantiate(node: Plan, out: Output, ctx: ExecContext, wiring: Wiring): void {
  // Subqueries in this node's expressions read reference tables: evaluated now, once, before the expressions compile.
  const plan = resolveSubqueries(node, ctx, (name) => wiring.table(name));
  const make = (op: Operator, inputs: Plan[]): void => {
    wiring.operators.push(op);
    inputs.forEach((input, port) => instantiate(input, { emit: (b) => op.process(b, port), advance: (t) => op.advance(t, port) }, ctx, wiring));
  };
  switch (plan.kind) {
    case 'scan':
      if (!plan.stream) throw new PlanError(`reference table ${plan.relation} can only be joined to a stream`);
      return wiring.subscribe(plan.relation, out);
    case 'filter':
      return make(new FilterOperator(plan.input.schema, plan.predicate, ctx, out, plan.stream), [plan.input]);
    case 'project':
      return make(new ProjectOperator(plan.input.schema, plan.exprs, plan.schema, plan.rowtimeSet, ctx, out, plan.stream), [plan.input]);
    case 'distinct':
      return make(new DistinctOperator(plan, out), [plan.input]);
    case 'sort':
      return make(new SortOperator(plan, out), [plan.input]);
    case 'groupRank':
      return make(new GroupRankOperator(plan, out), [plan.input]);
    case 'sketchWindow':
      return make(new SketchWindowOperator(plan, out), [plan.input]);
    case 'union':
      return make(new UnionOperator(arrowSchema(plan.schema), plan.inputs.length, out), plan.inputs);
    case 'aggregate': {
      const w = plan.window;
      if (w && (w.kind === 'tumbling' || w.kind === 'hop')) return make(new GroupWindowOperator(plan.input.schema, plan, ctx, out), [plan.input]);
      if (w && w.kind === 'stagger') return make(new StaggerOperator(plan.input.schema, plan, ctx, out), [plan.input]);
      if (w && w.kind === 'session') return make(new SessionOperator(plan.input.schema, plan, ctx, out), [plan.input]);
      throw new PlanError(`${w ? `${(w as { kind: string }).kind} windows are` : 'an aggregate without a window is'} not supported yet`);
    }
    case 'slidingAggregate':
      return make(new SlidingOperator(plan.input.schema, plan, ctx, out), [plan.input]);
    case 'tableJoin':
      return make(new TableJoinOperator(plan.input.schema, plan, wiring.table(plan.table.relation), ctx, out), [plan.input]);
    case 'streamJoin':
      return make(new StreamJoinOperator(plan, ctx, out), [plan.left, plan.right]);
  }
}
