/**
 * Planning: the bound AST of each pump becomes a logical plan (logical.ts). One method per construct, in the order a
 * SELECT is evaluated: FROM (scans, joins, derived tables), WHERE, window functions, grouping and aggregates, HAVING,
 * the select list. The binder has already checked names, types and the streaming rules, so what fails here is only
 * what the engine does not run (yet), with the position in the SQL.
 */
import type { ColumnDef } from '../exec/arrow.js';
import type * as A from '../sql/ast.js';
import { canonical, implicitName, type BoundProgram } from '../sql/bind/binder.js';
import { builtin } from '../sql/bind/functions.js';
import { children } from '../sql/walk.js';
import { t, TIMESTAMP } from '../sql/bind/types.js';
import type { RelationKind } from '../sql/catalog.js';
import { PlanError } from './errors.js';
import { ExprTranslator, fnName, type Hook } from './expr.js';
import { and, columnsIn, conjuncts, shift } from './expr-utils.js';
import { intervalMs } from './literals.js';
import type { AggregateCall, Expr, GroupWindow, Plan, PumpPlan, Scan } from './logical.js';
import type { Scope, ScopeColumn, ScopeEntry } from './scope.js';
import { groupWindowOf, mentionsRowtime } from './time-key.js';

export interface RelationSchema {
  kind: Exclude<RelationKind, 'error'>;
  /** ROWTIME first for streams and sources; a source's APPROXIMATE_ARRIVAL_TIME last. */
  schema: ColumnDef[];
}

export interface PlannedProgram {
  pumps: PumpPlan[];
  relations: Map<string, RelationSchema>;
}

type Frame = { unit: 'RANGE'; ms: number } | { unit: 'ROWS'; rows: number };

const ROWTIME_COLUMN: ScopeColumn = { name: 'ROWTIME', type: TIMESTAMP, hidden: true };

export function planProgram(script: A.Script, program: BoundProgram): PlannedProgram {
  const relations = new Map<string, RelationSchema>();
  for (const name of program.catalog.relationNames(['stream', 'source', 'table'])) {
    const r = program.catalog.relation(name)!;
    const columns = r.columns.map((c) => ({ name: c.name, type: c.type }));
    relations.set(name, { kind: r.kind as RelationSchema['kind'], schema: r.kind === 'table' ? columns : [{ name: 'ROWTIME', type: TIMESTAMP }, ...columns] });
  }
  const functions = new Map<string, A.CreateFunction>();
  for (const s of script.statements) if (s.kind === 'createFunction') functions.set(canonical(s.name.at(-1)!), s);
  const planner = new QueryPlanner(new ExprTranslator(program.types, functions), relations, program.catalog.relation.bind(program.catalog));
  const pumps = program.pumps.map((p): PumpPlan => {
    const { plan } = planner.planQuery(p.query.ast);
    const target = relations.get(p.target)!.schema;
    const targetColumns = [0, ...p.columns.map((c) => target.findIndex((x) => x.name === c))];
    return { name: p.name, stopped: p.stopped, target: p.target, targetColumns, plan };
  });
  return { pumps, relations };
}

class QueryPlanner {
  constructor(
    private readonly tx: ExprTranslator,
    private readonly relations: Map<string, RelationSchema>,
    private readonly relationKind: (name: string) => { kind: RelationKind; columns: { name: string; hidden?: boolean }[] } | undefined,
  ) {
    tx.planSubquery = (q, span) => this.planSubquery(q, span);
  }

  /**
   * A subquery inside an expression: uncorrelated, over reference tables, only filtering and projecting (the binder
   * has checked it reads no stream). A name it does not resolve itself is the outer query's: correlated, refused.
   */
  private planSubquery(q: A.Query, span: A.Span): Plan {
    let plan: Plan;
    try {
      plan = this.planQuery(q).plan;
    } catch (err) {
      const m = err instanceof PlanError ? /^cannot resolve (.+?) here(?: \(line|$)/.exec(err.message) : null;
      if (m) throw new PlanError(`a correlated subquery is not supported: ${m[1]} refers to the outer query; join the reference table instead`, err instanceof PlanError && err.span ? err.span : span);
      throw err;
    }
    const check = (p: Plan): void => {
      if (p.kind === 'scan' && p.relationKind === 'table') return;
      if (p.kind === 'filter' || p.kind === 'project') return check(p.input);
      throw new PlanError('a subquery inside an expression can only select from one reference table (with WHERE)', span);
    };
    check(plan);
    return plan;
  }

  planQuery(q: A.Query): { plan: Plan; names: string[] } {
    if (q.orderBy.length === 0) return this.planBody(q.body);
    if (q.body.kind !== 'select') throw new PlanError('ORDER BY over a UNION is not supported yet; order inside a pump that reads the union', q.orderBy[0]!.span);
    return this.planSelect(q.body, q.orderBy);
  }

  private planBody(b: A.QueryBody): { plan: Plan; names: string[] } {
    if (b.kind === 'query') return this.planQuery(b);
    if (b.kind === 'select') return this.planSelect(b);
    const left = this.planBody(b.left);
    const right = this.planBody(b.right);
    if (!b.all) throw new PlanError('UNION without ALL is not supported on streams', b.span);
    return { plan: { kind: 'union', inputs: [left.plan, right.plan], schema: left.plan.schema, stream: left.plan.stream }, names: left.names };
  }

  // ---- SELECT -----------------------------------------------------------------------------------------------------
  private planSelect(s: A.Select, orderBy: A.OrderItem[] = []): { plan: Plan; names: string[] } {
    if (!s.from) throw new PlanError('a query without FROM is not supported', s.span);
    const windows = new Map(s.windows.map((w) => [canonical(w.name), w.spec]));
    let { plan, scope } = this.planFrom(s.from, windows);
    if (s.where) plan = { kind: 'filter', input: plan, predicate: this.tx.translate(s.where, scope), schema: plan.schema, stream: plan.stream };
    const itemExprs = s.items.flatMap((i) => (i.kind === 'exprItem' ? [i.expr] : []));
    const aggregates = [...itemExprs, ...(s.having ? [s.having] : [])].flatMap((e) => callsIn(e, (c) => !c.over && builtin(fnName(c.name))?.kind === 'aggregate'));
    if (s.groupBy || s.stagger || aggregates.length > 0) return this.planAggregate(s, plan, scope, aggregates, orderBy);
    const windowed = itemExprs.flatMap((e) => callsIn(e, (c) => c.over !== undefined));
    let hook: Hook | undefined;
    if (windowed.length > 0) ({ plan, scope, hook } = this.planSliding(windowed, plan, scope, windows));
    return this.planProjection(s, plan, scope, hook, orderBy);
  }

  /**
   * The select list over `plan`: ROWTIME first (the input's, or `expr AS ROWTIME`), then the items; then DISTINCT
   * and ORDER BY, whose keys not in the select list are computed as extra columns and dropped after sorting.
   */
  private planProjection(s: A.Select, plan: Plan, scope: Scope, hook?: Hook, orderBy: A.OrderItem[] = []): { plan: Plan; names: string[] } {
    const exprs: Expr[] = [];
    const names: string[] = [];
    let rowtime: Expr | undefined;
    s.items.forEach((item, i) => {
      if (item.kind === 'star') {
        for (const entry of scope.entries) {
          if (item.qualifier && entry.alias !== canonical(item.qualifier)) continue;
          entry.columns.forEach((c, k) => {
            if (c.hidden) return;
            exprs.push({ kind: 'column', index: entry.offset + k, type: c.type });
            names.push(c.name);
          });
        }
        return;
      }
      const name = item.alias ? canonical(item.alias) : implicitName(item.expr, i);
      const e = this.tx.translate(item.expr, scope, hook);
      if (name === 'ROWTIME') rowtime = e;
      else {
        exprs.push(e);
        names.push(name);
      }
    });
    if (!plan.stream) {
      return { plan: { kind: 'project', input: plan, exprs, rowtimeSet: false, schema: columnsOf(names, exprs), stream: false }, names };
    }
    const rt: Expr = rowtime ?? { kind: 'column', index: scope.rowtime ?? 0, type: TIMESTAMP };
    const all = [rt, ...exprs];
    const width = all.length;
    const sortKeys = orderBy.slice(1).map((o) => {
      const named = o.expr.kind === 'column' && o.expr.parts.length === 1 ? names.indexOf(canonical(o.expr.parts[0]!)) : -1;
      const index = named >= 0 ? named + 1 : all.push(this.tx.translate(o.expr, scope, hook)) - 1;
      return { index, descending: o.direction === 'DESC', nullsFirst: o.nulls === 'FIRST' };
    });
    let out: Plan = { kind: 'project', input: plan, exprs: all, rowtimeSet: rowtime !== undefined, schema: columnsOf(['ROWTIME', ...names, ...all.slice(width).map((_, i) => `ORDER$${i}`)], all), stream: true };
    if (s.quantifier === 'DISTINCT') out = { kind: 'distinct', input: out, bucketColumn: this.distinctBucket(s), schema: out.schema, stream: true };
    if (orderBy.length > 0) {
      const bucket = groupWindowOf(orderBy[0]!.expr, 0);
      if (bucket?.kind !== 'tumbling') throw new PlanError('ORDER BY on a stream must start with a time bucket of ROWTIME: STEP(ROWTIME BY ...) or FLOOR(ROWTIME TO unit)', orderBy[0]!.span);
      out = { kind: 'sort', input: out, widthMs: bucket.widthMs, offsetMs: bucket.offsetMs, keys: sortKeys, schema: out.schema, stream: true };
      if (all.length > width) {
        const keep = out.schema.slice(0, width).map((c, i): Expr => ({ kind: 'column', index: i, type: c.type }));
        out = { kind: 'project', input: out, exprs: keep, rowtimeSet: false, schema: out.schema.slice(0, width), stream: true };
      }
    }
    return { plan: out, names };
  }

  /** The select item DISTINCT's memory is bucketed by: ROWTIME itself or a time bucket of it. */
  private distinctBucket(s: A.Select): number {
    let k = 0;
    for (const item of s.items) {
      if (item.kind === 'star') throw new PlanError('SELECT STREAM DISTINCT * is not supported: list the columns, with a time bucket of ROWTIME among them', item.span);
      if (item.alias && canonical(item.alias) === 'ROWTIME') continue;
      const e = item.expr;
      if ((e.kind === 'column' && canonical(e.parts.at(-1)!) === 'ROWTIME') || groupWindowOf(e, 0)) return k + 1;
      k++;
    }
    throw new PlanError('SELECT STREAM DISTINCT needs a time bucket of ROWTIME in the select list (e.g. FLOOR(s.ROWTIME TO MINUTE)), so that its memory of seen rows can be freed', s.span);
  }

  // ---- GROUP BY / WINDOWED BY STAGGER ----------------------------------------------------------------------------
  private planAggregate(s: A.Select, input: Plan, scope: Scope, calls: A.FunctionCall[], orderBy: A.OrderItem[]): { plan: Plan; names: string[] } {
    const keyAsts = s.stagger ? s.stagger.partitionBy : (s.groupBy ?? []);
    const keys = keyAsts.map((k) => this.tx.translate(k, scope));
    let window: GroupWindow | undefined;
    if (s.stagger) {
      if (s.stagger.range.kind !== 'interval') throw new PlanError("STAGGER takes RANGE INTERVAL '...' unit", s.stagger.range.span);
      window = { kind: 'stagger', rangeMs: intervalMs(s.stagger.range) };
    } else if (input.stream) {
      for (const [k, key] of keyAsts.entries()) {
        window = groupWindowOf(key, k);
        if (window) break;
      }
      const timeKey = keyAsts.find(mentionsRowtime);
      if (!window) throw new PlanError('this GROUP BY time expression is not supported yet: use STEP(ROWTIME BY ...), FLOOR(ROWTIME TO unit) or TUMBLE/HOP/SESSION', (timeKey ?? s).span);
    } else {
      throw new PlanError('GROUP BY over a reference table alone is not supported', s.span);
    }
    // One aggregate per distinct call: COUNT(*) in the select list and in HAVING is computed once.
    const aggregates: AggregateCall[] = [];
    const slotOf = new Map<A.FunctionCall, number>();
    const seen = new Map<string, number>();
    for (const c of calls) {
      const call = this.aggregateCall(c, scope);
      const key = JSON.stringify(call);
      if (!seen.has(key)) seen.set(key, aggregates.push(call) - 1);
      slotOf.set(c, seen.get(key)!);
    }
    const schema: ColumnDef[] = [
      { name: 'ROWTIME', type: TIMESTAMP },
      ...keys.map((k, i) => ({ name: `KEY$${i}`, type: k.type })),
      ...aggregates.map((a, j) => ({ name: `AGG$${j}`, type: a.type })),
    ];
    let plan: Plan = { kind: 'aggregate', input, ...(window ? { window } : {}), keys, aggregates, schema, stream: true };
    const keyJson = keys.map((k) => JSON.stringify(k));
    const post: Scope = { entries: [], rowtime: 0, types: schema.map((c) => c.type) };
    const hook: Hook = (e) => {
      if (e.kind === 'call') {
        const j = slotOf.get(e);
        if (j !== undefined) return { kind: 'column', index: 1 + keys.length + j, type: aggregates[j]!.type };
        const accessor = windowAccessor(fnName(e.name), window);
        if (accessor === 'start') return { kind: 'column', index: 1 + (window as { keyIndex: number }).keyIndex, type: TIMESTAMP };
        if (accessor === 'end') return { kind: 'column', index: 0, type: TIMESTAMP };
      }
      if (e.kind === 'column' && canonical(e.parts.at(-1)!) === 'ROWTIME') return { kind: 'column', index: 0, type: TIMESTAMP };
      if (e.kind === 'number' || e.kind === 'string' || e.kind === 'interval' || e.kind === 'boolean' || e.kind === 'null') return undefined;
      const k = keyJson.indexOf(tryJson(() => this.tx.translate(e, scope)));
      return k >= 0 ? { kind: 'column', index: 1 + k, type: keys[k]!.type } : undefined;
    };
    if (s.having) plan = { kind: 'filter', input: plan, predicate: this.tx.translate(s.having, post, hook), schema, stream: true };
    return this.planProjection(s, plan, post, hook, orderBy);
  }

  private aggregateCall(c: A.FunctionCall, scope: Scope): AggregateCall {
    const name = fnName(c.name);
    const valueArgs = name === 'EXP_AVG' ? c.args.slice(0, 1) : c.args;
    const params = name === 'EXP_AVG' ? [constantInterval(c.args[1]!)] : [];
    return {
      fn: name,
      args: valueArgs.map((a) => this.tx.translate(a, scope)),
      params,
      star: c.star,
      distinct: c.quantifier === 'DISTINCT',
      type: this.tx.typeOf(c),
    };
  }

  // ---- aggregates OVER sliding windows ---------------------------------------------------------------------------
  private planSliding(calls: A.FunctionCall[], input: Plan, scope: Scope, windows: Map<string, A.WindowSpec>): { plan: Plan; scope: Scope; hook: Hook } {
    const groups = new Map<string, { spec: A.WindowSpec; calls: A.FunctionCall[] }>();
    for (const c of calls) {
      const spec = resolveWindow(c.over!, windows);
      const key = JSON.stringify([spec.partitionBy.map((p) => this.tx.translate(p, scope)), frameOf(spec)]);
      const g = groups.get(key) ?? { spec, calls: [] };
      g.calls.push(c);
      groups.set(key, g);
    }
    const columnOf = new Map<A.FunctionCall, Expr>();
    let plan = input;
    const types = [...scope.types];
    for (const { spec, calls: group } of groups.values()) {
      const aggregates = group.map((c) => this.windowCall(c, scope));
      const base = plan.schema.length;
      group.forEach((c, j) => columnOf.set(c, { kind: 'column', index: base + j, type: aggregates[j]!.type }));
      const schema = [...plan.schema, ...aggregates.map((a, j) => ({ name: `OVER$${base + j}`, type: a.type }))];
      types.push(...aggregates.map((a) => a.type));
      plan = { kind: 'slidingAggregate', input: plan, partitionBy: spec.partitionBy.map((p) => this.tx.translate(p, scope)), frame: frameOf(spec), aggregates, schema, stream: true };
    }
    return { plan, scope: { ...scope, types }, hook: (e) => (e.kind === 'call' ? columnOf.get(e) : undefined) };
  }

  private windowCall(c: A.FunctionCall, scope: Scope): AggregateCall {
    const name = fnName(c.name);
    if (name === 'LAG' || name === 'NTH_VALUE') {
      return { fn: name, args: [this.tx.translate(c.args[0]!, scope)], params: c.args.slice(1).map(constantValue), star: false, distinct: false, type: this.tx.typeOf(c) };
    }
    return this.aggregateCall(c, scope);
  }

  // ---- FROM -------------------------------------------------------------------------------------------------------
  private planFrom(f: A.FromItem, windows: Map<string, A.WindowSpec>): { plan: Plan; scope: Scope } {
    if (f.kind !== 'join') return this.planFromItem(f);
    const left = this.planFrom(f.left, windows);
    const right = this.planFromItem(f.right);
    if (!right.plan.stream) return this.planTableJoin(f, left, right);
    if (!left.plan.stream) throw new PlanError('a reference table must come after the stream it joins (FROM stream JOIN table)', f.span);
    return this.planStreamJoin(f, left, right, windows);
  }

  private planFromItem(f: A.TableRef | A.DerivedTable | A.TableFunction): { plan: Plan; scope: Scope } {
    if (f.kind === 'tableFunction') return this.planTableFunction(f);
    if (f.kind === 'derivedTable') {
      const { plan, names } = this.planQuery(f.query);
      const renamed = f.columnAliases?.map(canonical) ?? names;
      const data = renamed.map((name, i) => ({ name, type: plan.schema[plan.stream ? i + 1 : i]!.type, hidden: false }));
      const columns = plan.stream ? [ROWTIME_COLUMN, ...data] : data;
      return { plan, scope: single(f.alias ? canonical(f.alias) : '', columns, plan.stream) };
    }
    const name = canonical(f.name.at(-1)!);
    const rel = this.relations.get(name)!;
    const hidden = new Set(this.relationKind(name)?.columns.filter((c) => c.hidden).map((c) => c.name));
    const scan: Scan = { kind: 'scan', relation: name, relationKind: rel.kind, schema: rel.schema, stream: rel.kind !== 'table' };
    const columns = rel.schema.map((c) => ({ ...c, hidden: c.name === 'ROWTIME' || hidden.has(c.name) }));
    const renamed = f.columnAliases ? renameVisible(columns, f.columnAliases.map(canonical)) : columns;
    return { plan: scan, scope: single(f.alias ? canonical(f.alias) : name, renamed, scan.stream) };
  }

  /** The tumbling sketches; the machine-learning functions and GROUP_RANK are refused clearly. */
  private planTableFunction(f: A.TableFunction): { plan: Plan; scope: Scope } {
    const name = fnName(f.call.name);
    if (name === 'GROUP_RANK') return this.planGroupRank(f);
    if (name !== 'COUNT_DISTINCT_ITEMS_TUMBLING' && name !== 'TOP_K_ITEMS_TUMBLING') throw new PlanError(`${name} is not yet supported`, f.span);
    const [cursor, columnArg, ...rest] = f.call.args as [A.CursorExpr, A.StringLiteral, ...A.Expr[]];
    const { plan: input, names } = this.planQuery(cursor.query);
    const column = names.indexOf(columnArg.value) + 1;
    const k = name === 'TOP_K_ITEMS_TUMBLING' ? Number(constantValue(rest[0]!)) : 0;
    const seconds = Number(constantValue(rest.at(-1)!));
    if (!(seconds > 0) || (name === 'TOP_K_ITEMS_TUMBLING' && !(Number.isInteger(k) && k > 0))) {
      throw new PlanError(`${name} needs a positive ${!(seconds > 0) ? 'window length in seconds' : 'whole number k'}`, f.call.span);
    }
    const valueColumn = { name: columnArg.value, type: input.schema[column]!.type };
    const outputs = name === 'TOP_K_ITEMS_TUMBLING' ? [valueColumn, { name: 'MOST_FREQUENT_VALUES', type: t('BIGINT') }] : [{ name: 'NUMBER_OF_DISTINCT_ITEMS', type: t('BIGINT') }];
    const schema = [{ name: 'ROWTIME', type: TIMESTAMP }, ...outputs];
    const plan: Plan = { kind: 'sketchWindow', fn: name, input, column, k, windowMs: seconds * 1000, schema, stream: true };
    const columns = schema.map((c, i) => ({ ...c, hidden: i === 0 }));
    return { plan, scope: single(f.alias ? canonical(f.alias) : '', f.columnAliases ? renameVisible(columns, f.columnAliases.map(canonical)) : columns, true) };
  }

  /** GROUP_RANK(CURSOR, rankByColumnName, rankOutColumnName, sortOrder, outputOrder, maxIdle, outputMax). */
  private planGroupRank(f: A.TableFunction): { plan: Plan; scope: Scope } {
    const [cursor, ...args] = f.call.args as [A.CursorExpr, ...A.Expr[]];
    const [rankBy, rankOut, sortOrder, outputOrder, , outputMax] = args.map(constantValue);
    const { plan: input, names } = this.planQuery(cursor.query);
    const schema = [...input.schema, { name: String(rankOut), type: t('INTEGER') }];
    const plan: Plan = {
      kind: 'groupRank', input, column: names.indexOf(String(rankBy)) + 1, descending: String(sortOrder).toUpperCase() === 'DESC',
      outputDescending: String(outputOrder).toUpperCase() === 'DESC', outputMax: Number(outputMax), schema, stream: true,
    };
    const columns = schema.map((c, i) => ({ ...c, hidden: i === 0 }));
    return { plan, scope: single(f.alias ? canonical(f.alias) : '', f.columnAliases ? renameVisible(columns, f.columnAliases.map(canonical)) : columns, true) };
  }

  private planTableJoin(f: A.Join, left: { plan: Plan; scope: Scope }, right: { plan: Plan; scope: Scope }): { plan: Plan; scope: Scope } {
    if (f.type !== 'INNER' && f.type !== 'LEFT') throw new PlanError(`a ${f.type} join to a reference table is not supported; use INNER or LEFT`, f.span);
    if (right.plan.kind !== 'scan') throw new PlanError('a join to a derived table is not supported; join the reference table itself', f.right.span);
    const offset = left.plan.schema.length;
    const scope = combine(left.scope, right.scope, 0, offset, left.scope.rowtime);
    const { leftKeys, rightKeys, residual } = this.splitOn(f.on, scope, offset);
    if (leftKeys.length === 0) throw new PlanError('a join to a reference table needs an equality between a stream column and a table column in ON', f.span);
    const schema = qualifyDuplicates([...left.plan.schema, ...right.plan.schema], scope);
    const plan: Plan = {
      kind: 'tableJoin', type: f.type, input: left.plan, table: right.plan, streamKeys: leftKeys, tableKeys: rightKeys.map((k) => shift(k, -offset)),
      ...(residual ? { residual } : {}), schema, stream: true,
    };
    return { plan, scope };
  }

  private planStreamJoin(f: A.Join, left: { plan: Plan; scope: Scope }, right: { plan: Plan; scope: Scope }, windows: Map<string, A.WindowSpec>): { plan: Plan; scope: Scope } {
    const offset = 1 + left.plan.schema.length;
    const scope = combine(left.scope, right.scope, 1, offset, 0);
    const { leftKeys, rightKeys, residual } = f.type === 'CROSS' || f.type === 'COMMA' ? { leftKeys: [], rightKeys: [], residual: undefined } : this.splitOn(f.on, scope, offset);
    const leftOver = f.left.kind !== 'join' ? f.left.over : undefined;
    const rightOver = f.right.over;
    if (!leftOver && !rightOver) throw new PlanError('a join of two streams needs a window on at least one side: JOIN s OVER (RANGE INTERVAL ... PRECEDING) AS x', f.span);
    const schema = qualifyDuplicates([{ name: 'ROWTIME', type: TIMESTAMP }, ...left.plan.schema, ...right.plan.schema], scope);
    const plan: Plan = {
      kind: 'streamJoin', type: f.type === 'COMMA' ? 'CROSS' : f.type, left: left.plan, right: right.plan,
      ...(leftOver ? { leftWindow: frameOf(resolveWindow(leftOver, windows)) } : {}),
      ...(rightOver ? { rightWindow: frameOf(resolveWindow(rightOver, windows)) } : {}),
      leftKeys: leftKeys.map((k) => shift(k, -1)), rightKeys: rightKeys.map((k) => shift(k, -offset)),
      ...(residual ? { residual } : {}), schema, stream: true,
    };
    return { plan, scope };
  }

  /** ON's conjuncts: equalities between one side and the other become keys; the rest a residual condition. */
  private splitOn(on: A.Expr | undefined, scope: Scope, rightStart: number): { leftKeys: Expr[]; rightKeys: Expr[]; residual: Expr | undefined } {
    const leftKeys: Expr[] = [];
    const rightKeys: Expr[] = [];
    const rest: Expr[] = [];
    const side = (e: Expr): 'left' | 'right' | 'both' | 'none' => {
      const cols = columnsIn(e);
      if (cols.length === 0) return 'none';
      if (cols.every((c) => c < rightStart)) return 'left';
      if (cols.every((c) => c >= rightStart)) return 'right';
      return 'both';
    };
    for (const c of on ? conjuncts(this.tx.translate(on, scope)) : []) {
      if (c.kind === 'call' && c.fn === '=') {
        const [a, b] = c.args as [Expr, Expr];
        const [sa, sb] = [side(a), side(b)];
        if (sa === 'left' && sb === 'right') {
          leftKeys.push(a);
          rightKeys.push(b);
          continue;
        }
        if (sa === 'right' && sb === 'left') {
          leftKeys.push(b);
          rightKeys.push(a);
          continue;
        }
      }
      rest.push(c);
    }
    const residual = and(rest);
    return { leftKeys, rightKeys, residual };
  }
}

// ---- helpers -------------------------------------------------------------------------------------------------------
function single(alias: string, columns: ScopeColumn[], stream: boolean): Scope {
  const entry: ScopeEntry = { alias, columns, offset: 0 };
  return { entries: [entry], ...(stream ? { rowtime: 0 } : {}), types: columns.map((c) => c.type) };
}

function combine(left: Scope, right: Scope, leftOffset: number, rightOffset: number, rowtime: number | undefined): Scope {
  const entries = [
    ...left.entries.map((e) => ({ ...e, offset: e.offset + leftOffset })),
    ...right.entries.map((e) => ({ ...e, offset: e.offset + rightOffset })),
  ];
  const types = [...(leftOffset > 0 ? [TIMESTAMP] : []), ...left.types, ...right.types];
  return { entries, ...(rowtime !== undefined ? { rowtime } : {}), types };
}

/**
 * A join's columns, with a name both sides have written `alias.name` (`B.dateTime`, `A.dateTime`), so EXPLAIN and
 * error rows say which side a column is from. Names resolve through the scope, not these, so nothing else changes.
 */
function qualifyDuplicates(columns: ColumnDef[], scope: Scope): ColumnDef[] {
  const count = new Map<string, number>();
  for (const c of columns) count.set(c.name, (count.get(c.name) ?? 0) + 1);
  const aliasAt = (i: number) => scope.entries.find((e) => i >= e.offset && i < e.offset + e.columns.length)?.alias;
  return columns.map((c, i) => {
    const alias = aliasAt(i);
    return count.get(c.name)! > 1 && alias ? { ...c, name: `${alias}.${c.name}` } : c;
  });
}

function renameVisible(columns: ScopeColumn[], names: string[]): ScopeColumn[] {
  let k = 0;
  return columns.map((c) => (c.hidden ? c : { ...c, name: names[k++] ?? c.name }));
}

function columnsOf(names: string[], exprs: Expr[]): ColumnDef[] {
  return names.map((name, i) => ({ name, type: exprs[i]!.type }));
}

/** Calls in an expression that match, not looking inside the matches themselves or into subqueries. */
function callsIn(e: A.Expr, match: (c: A.FunctionCall) => boolean): A.FunctionCall[] {
  if (e.kind === 'call' && match(e)) return [e];
  return children(e).flatMap((c) => callsIn(c, match));
}

function tryJson(f: () => Expr): string {
  try {
    return JSON.stringify(f());
  } catch {
    return '';
  }
}

function resolveWindow(over: A.Over, windows: Map<string, A.WindowSpec>): A.WindowSpec {
  if (over.kind === 'windowSpec') {
    if (!over.base) return over;
    const base = resolveWindow({ kind: 'identifier', text: over.base.text, quoted: over.base.quoted, span: over.base.span }, windows);
    return { ...base, ...(over.partitionBy.length ? { partitionBy: over.partitionBy } : {}), ...(over.frame ? { frame: over.frame } : {}) };
  }
  const spec = windows.get(canonical(over));
  if (!spec) throw new PlanError(`no window named ${canonical(over)}`, over.span);
  return spec.base ? resolveWindow(spec, windows) : spec;
}

function frameOf(spec: A.WindowSpec): Frame {
  const f = spec.frame;
  if (!f) throw new PlanError('a window over a stream needs a frame', spec.span);
  const start = f.start;
  if (start.type === 'CURRENT ROW') return f.unit === 'ROWS' ? { unit: 'ROWS', rows: 0 } : { unit: 'RANGE', ms: 0 };
  if (start.type === 'UNBOUNDED PRECEDING') return f.unit === 'ROWS' ? { unit: 'ROWS', rows: Infinity } : { unit: 'RANGE', ms: Infinity };
  if (f.unit === 'ROWS') return { unit: 'ROWS', rows: Number((start.offset as A.NumberLiteral).text) };
  return { unit: 'RANGE', ms: intervalMs(start.offset as A.IntervalLiteral) };
}

function windowAccessor(name: string, window: GroupWindow | undefined): 'start' | 'end' | undefined {
  if (!window || window.kind === 'stagger') return undefined;
  if (/^(TUMBLE|HOP|SESSION)_START$/.test(name)) return 'start';
  if (/^(TUMBLE|HOP|SESSION)_(END|ROWTIME)$/.test(name)) return 'end';
  return undefined;
}

function constantInterval(e: A.Expr): number {
  if (e.kind !== 'interval') throw new PlanError('expected a constant interval', e.span);
  return intervalMs(e);
}

function constantValue(e: A.Expr): number | string | null {
  if (e.kind === 'number') return Number(e.text);
  if (e.kind === 'unary' && e.operand.kind === 'number') return (e.op === '-' ? -1 : 1) * Number(e.operand.text);
  if (e.kind === 'string') return e.value;
  if (e.kind === 'null') return null;
  throw new PlanError('expected a constant', e.span);
}

