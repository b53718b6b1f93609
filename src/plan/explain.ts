/** EXPLAIN: a logical plan as an indented tree, one node per line, expressions written with column names. */
import { show } from '../sql/bind/types.js';
import type { AggregateCall, Expr, Plan, PumpPlan } from './logical.js';

export function explainPump(p: PumpPlan, targetColumns: string[]): string {
  const into = p.targetColumns.map((i) => targetColumns[i]).join(', ');
  return `Pump ${p.name}${p.stopped ? ' (STOPPED)' : ''}: INSERT INTO ${p.target} (${into})\n${explain(p.plan, 1)}`;
}

export function explain(plan: Plan, depth = 0): string {
  const pad = '  '.repeat(depth);
  const names = inputNames(plan);
  const e = (x: Expr) => formatExpr(x, names);
  const line = (text: string, ...children: Plan[]) => [`${pad}${text}`, ...children.map((c) => explain(c, depth + 1))].join('\n');
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
      return line(`Aggregate${window} keys [${plan.keys.map(e).join(', ')}] aggregates [${plan.aggregates.map((a) => formatAggregate(a, names)).join(', ')}]`, plan.input);
    }
    case 'slidingAggregate': {
      const frame = plan.frame.unit === 'RANGE' ? `RANGE ${plan.frame.ms} ms` : `ROWS ${plan.frame.rows}`;
      return line(`SlidingAggregate ${frame} partition [${plan.partitionBy.map(e).join(', ')}] aggregates [${plan.aggregates.map((a) => formatAggregate(a, names)).join(', ')}]`, plan.input);
    }
    case 'tableJoin':
      return line(`TableJoin ${plan.type} ${plan.table.relation} on [${plan.streamKeys.map(e).join(', ')}] = [${plan.tableKeys.map((k) => formatExpr(k, plan.table.schema.map((c) => c.name))).join(', ')}]${plan.residual ? ` and ${e(plan.residual)}` : ''}`, plan.input, plan.table);
    case 'streamJoin': {
      const win = (w: typeof plan.leftWindow) => (!w ? 'current row' : w.unit === 'RANGE' ? `RANGE ${w.ms} ms` : `ROWS ${w.rows}`);
      const ln = plan.left.schema.map((c) => c.name);
      const rn = plan.right.schema.map((c) => c.name);
      return line(
        `StreamJoin ${plan.type} left ${win(plan.leftWindow)}, right ${win(plan.rightWindow)} on [${plan.leftKeys.map((k) => formatExpr(k, ln)).join(', ')}] = [${plan.rightKeys.map((k) => formatExpr(k, rn)).join(', ')}]${plan.residual ? ` and ${e(plan.residual)}` : ''}`,
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

function formatAggregate(a: AggregateCall, names: string[]): string {
  const args = a.star ? '*' : [...a.args.map((x) => formatExpr(x, names)), ...a.params.map((p) => JSON.stringify(p))].join(', ');
  return `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${args})`;
}

const INFIX = new Set(['+', '-', '*', '/', '%', '=', '<>', '<', '<=', '>', '>=', 'AND', 'OR', '||', 'LIKE', 'SIMILAR TO']);

export function formatExpr(e: Expr, names: readonly string[]): string {
  switch (e.kind) {
    case 'column':
      return names[e.index] ?? `#${e.index}`;
    case 'literal':
      return e.value === null ? 'NULL' : typeof e.value === 'string' ? `'${e.value.replace(/'/g, "''")}'` : e.value instanceof Uint8Array ? `X'${Buffer.from(e.value).toString('hex')}'` : String(e.value);
    case 'cast':
      return `CAST(${formatExpr(e.operand, names)} AS ${show(e.type)})`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${formatExpr(w.when, names)} THEN ${formatExpr(w.then, names)}`).join(' ')}${e.else ? ` ELSE ${formatExpr(e.else, names)}` : ''} END`;
    case 'call': {
      const args = e.args.map((a) => formatExpr(a, names));
      if (INFIX.has(e.fn) && args.length === 2) return `(${args[0]} ${e.fn} ${args[1]})`;
      if (e.fn === 'NEG') return `-${args[0]}`;
      if (e.fn === 'NOT') return `NOT ${args[0]}`;
      if (e.fn.startsWith('IS ')) return `(${args[0]} ${e.fn})`;
      return `${e.fn}(${args.join(', ')})`;
    }
  }
}
