/** EXPLAIN: a logical plan as an indented tree, one node per line, expressions written with column names. */
import { show } from '../sql/bind/types.js';
import type { AggregateCall, Expr, Plan, PumpPlan, SubqueryExpr } from './logical.js';

export function explainPump(p: PumpPlan, targetColumns: string[]): string {
  const into = p.targetColumns.map((i) => targetColumns[i]).join(', ');
  return `Pump ${p.name}${p.stopped ? ' (STOPPED)' : ''}: INSERT INTO ${p.target} (${into})\n${explain(p.plan, 1)}`;
}

export function explain(plan: Plan, depth = 0): string {
  const pad = '  '.repeat(depth);
  const names = inputNames(plan);
  // Subqueries in this node's expressions are written $subqueryK in them, and their plans listed under the node.
  const subqueries: SubqueryExpr[] = [];
  const e = (x: Expr) => formatExpr(x, names, subqueries);
  const line = (text: string, ...children: Plan[]) =>
    [
      `${pad}${text}`,
      ...subqueries.map((q, k) => `${pad}  Subquery $subquery${k + 1} (${q.mode === 'in' ? 'IN set' : 'scalar'}, evaluated once at start):\n${explain(q.plan, depth + 2)}`),
      ...children.map((c) => explain(c, depth + 1)),
    ].join('\n');
  switch (plan.kind) {
    case 'scan':
      return line(`Scan ${plan.relation} (${plan.relationKind}): ${plan.schema.map((c) => c.name).join(', ')}`);
    case 'filter':
      return line(`Filter ${e(plan.predicate)}`, plan.input);
    case 'project':
      return line(`Project ${plan.exprs.map((x, i) => `${plan.schema[i]!.name} := ${e(x)}`).join(', ')}${plan.rowtimeSet ? ' [ROWTIME set by the query]' : ''}`, plan.input);
    case 'aggregate': {
      const w = plan.window;
      const window = !w ? '' : w.kind === 'tumbling' ? ` tumbling ${w.widthMs} ms${w.offsetMs ? ` from ${w.offsetMs}` : ''}` : w.kind === 'hop' ? ` hop ${w.sizeMs} ms every ${w.slideMs} ms` : w.kind === 'session' ? ` session gap ${w.gapMs} ms` : ` stagger ${w.rangeMs} ms`;
      return line(`Aggregate${window} keys [${plan.keys.map(e).join(', ')}] aggregates [${plan.aggregates.map((a) => formatAggregate(a, names, subqueries)).join(', ')}]`, plan.input);
    }
    case 'slidingAggregate': {
      const frame = plan.frame.unit === 'RANGE' ? `RANGE ${plan.frame.ms} ms` : `ROWS ${plan.frame.rows}`;
      return line(`SlidingAggregate ${frame} partition [${plan.partitionBy.map(e).join(', ')}] aggregates [${plan.aggregates.map((a) => formatAggregate(a, names, subqueries)).join(', ')}]`, plan.input);
    }
    case 'tableJoin':
      return line(`TableJoin ${plan.type} ${plan.table.relation} on [${plan.streamKeys.map(e).join(', ')}] = [${plan.tableKeys.map((k) => formatExpr(k, plan.table.schema.map((c) => c.name), subqueries)).join(', ')}]${plan.residual ? ` and ${e(plan.residual)}` : ''}`, plan.input, plan.table);
    case 'streamJoin': {
      const win = (w: typeof plan.leftWindow) => (!w ? 'current row' : w.unit === 'RANGE' ? `RANGE ${w.ms} ms` : `ROWS ${w.rows}`);
      const ln = plan.left.schema.map((c) => c.name);
      const rn = plan.right.schema.map((c) => c.name);
      return line(
        `StreamJoin ${plan.type} left ${win(plan.leftWindow)}, right ${win(plan.rightWindow)} on [${plan.leftKeys.map((k) => formatExpr(k, ln, subqueries)).join(', ')}] = [${plan.rightKeys.map((k) => formatExpr(k, rn, subqueries)).join(', ')}]${plan.residual ? ` and ${e(plan.residual)}` : ''}`,
        plan.left,
        plan.right,
      );
    }
    case 'union':
      return line('Union ALL', ...plan.inputs);
    case 'distinct':
      return line(`Distinct, memory reset when ${names[plan.bucketColumn]} changes`, plan.input);
    case 'sort':
      return line(`Sort per ${plan.widthMs} ms bucket by [${plan.keys.map((k) => `${names[k.index]}${k.descending ? ' DESC' : ''}${k.nullsFirst ? ' NULLS FIRST' : ''}`).join(', ')}]`, plan.input);
    case 'groupRank':
      return line(`GroupRank by ${names[plan.column]}${plan.descending ? ' DESC' : ''}, output ${plan.outputDescending ? 'DESC' : 'ASC'}${plan.outputMax ? `, at most ${plan.outputMax}` : ''}`, plan.input);
    case 'sketchWindow':
      return line(`${plan.fn} of ${names[plan.column]}${plan.k ? ` top ${plan.k}` : ''} every ${plan.windowMs} ms`, plan.input);
  }
}

/** The names expressions of this node refer to: its input's columns (for a join, the joined columns). */
function inputNames(plan: Plan): string[] {
  switch (plan.kind) {
    case 'scan':
    case 'union':
      return plan.schema.map((c) => c.name);
    case 'tableJoin':
    case 'streamJoin':
      return plan.schema.map((c) => c.name);
    default:
      return plan.input.schema.map((c) => c.name);
  }
}

function formatAggregate(a: AggregateCall, names: string[], subqueries: SubqueryExpr[]): string {
  const args = a.star ? '*' : [...a.args.map((x) => formatExpr(x, names, subqueries)), ...a.params.map((p) => JSON.stringify(p))].join(', ');
  return `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${args})`;
}

const INFIX = new Set(['+', '-', '*', '/', '%', '=', '<>', '<', '<=', '>', '>=', 'AND', 'OR', '||', 'LIKE', 'SIMILAR TO']);

/** `subqueries` numbers the subqueries met (in order); without it a subquery is written `$subquery`. */
export function formatExpr(e: Expr, names: readonly string[], subqueries?: SubqueryExpr[]): string {
  const f = (x: Expr) => formatExpr(x, names, subqueries);
  switch (e.kind) {
    case 'subquery': {
      let k = subqueries ? subqueries.indexOf(e) : -1;
      if (subqueries && k < 0) k = subqueries.push(e) - 1;
      const ref = `$subquery${k >= 0 ? k + 1 : ''}`;
      return e.mode === 'in' ? `(${f(e.operand!)} IN ${ref})` : ref;
    }
    case 'column':
      return names[e.index] ?? `#${e.index}`;
    case 'literal':
      return e.value === null ? 'NULL' : typeof e.value === 'string' ? `'${e.value.replace(/'/g, "''")}'` : e.value instanceof Uint8Array ? `X'${Buffer.from(e.value).toString('hex')}'` : String(e.value);
    case 'cast':
      return `CAST(${f(e.operand)} AS ${show(e.type)})`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${f(w.when)} THEN ${f(w.then)}`).join(' ')}${e.else ? ` ELSE ${f(e.else)}` : ''} END`;
    case 'call': {
      const args = e.args.map(f);
      if (INFIX.has(e.fn) && args.length === 2) return `(${args[0]} ${e.fn} ${args[1]})`;
      if (e.fn === 'NEG') return `-${args[0]}`;
      if (e.fn === 'NOT') return `NOT ${args[0]}`;
      if (e.fn.startsWith('IS ')) return `(${args[0]} ${e.fn})`;
      return `${e.fn}(${args.join(', ')})`;
    }
  }
}
