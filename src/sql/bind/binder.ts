/**
 * The binder: resolves every name in a parsed script against the catalog, infers and checks types, and enforces the
 * streaming rules. Its output (BoundProgram) is what planning reads; binding never plans (the DuckDB split). Each
 * `bind*` method handles one construct; errors are reported and binding carries on with type ANY, so one mistake
 * does not bury the next under follow-on errors.
 */
import type * as A from '../ast.js';
import { joinSpans } from '../build-ast.js';
import { Catalog, type Relation } from '../catalog.js';
import { Codes, didYouMean, error, quoteName, type Code, type Diagnostic } from '../diagnostics.js';
import { children } from '../walk.js';
import { builtin, BUILTIN_NAMES, NILADIC, TABLE_FUNCTIONS, type ArgInfo } from './functions.js';
import { checkFrame } from './windows.js';
import {
  ANY, BOOLEAN, INTERVAL, TIMESTAMP, assignable, castable, common, comparable, fromTypeName, isChar, isDatetime,
  isExact, isNumeric, isUnknown, numericResult, show, t, VARCHAR, type Column, type SqlType,
} from './types.js';

export interface BoundQuery {
  ast: A.Query;
  columns: Column[];
  /** Reads at least one stream (so produces a stream). */
  stream: boolean;
}

export interface BoundPump {
  name: string;
  stopped: boolean;
  target: string;
  /** The target columns filled, in the order the query produces them. */
  columns: string[];
  query: BoundQuery;
}

export interface BoundProgram {
  catalog: Catalog;
  pumps: BoundPump[];
  /** The type of every bound expression. */
  types: Map<A.Expr, SqlType>;
  diagnostics: Diagnostic[];
}

/** One FROM item visible in a query: its alias, columns, and whether it is a stream (has ROWTIME). */
interface Entry {
  alias?: string;
  columns: Column[];
  stream: boolean;
  open: boolean;
  relation?: Relation;
  span: A.Span;
}

interface Scope {
  entries: Entry[];
  /** Output aliases usable in ORDER BY. */
  outputs?: Column[];
  windows: Map<string, A.WindowSpec>;
  parent?: Scope;
}

/** Where an expression is being bound, which decides what it may contain. */
interface Context {
  aggregates: boolean;
  groupWindows: boolean;
  cursor: boolean;
}

const PLAIN: Context = { aggregates: false, groupWindows: false, cursor: false };

/** The canonical form of a name: unquoted names fold to upper case. */
export const canonical = (id: A.Identifier): string => (id.quoted ? id.text : id.text.toUpperCase());

export function bind(script: A.Script, catalog: Catalog): BoundProgram {
  return new Binder(catalog).bindScript(script);
}

export class Binder {
  readonly diagnostics: Diagnostic[] = [];
  readonly types = new Map<A.Expr, SqlType>();
  /** What each column reference resolved to (`entry#column`), for comparing expressions with GROUP BY keys. */
  private readonly resolved = new Map<A.ColumnRef, string>();
  private readonly entryIds = new Map<Entry, number>();
  /** Pumps, by canonical name, so a second CREATE PUMP of the same name is caught. */
  private readonly pumps = new Map<string, BoundPump>();

  constructor(readonly catalog: Catalog) {}

  private err(code: Code, message: string, span: A.Span): void {
    this.diagnostics.push(error(code, message, span));
  }

  bindScript(script: A.Script): BoundProgram {
    for (const s of script.statements) this.bindStatement(s);
    return { catalog: this.catalog, pumps: [...this.pumps.values()], types: this.types, diagnostics: this.diagnostics };
  }

  private bindStatement(s: A.Statement): void {
    switch (s.kind) {
      case 'createStream':
        return this.bindCreateStream(s);
      case 'createPump':
        return this.bindCreatePump(s);
      case 'createFunction':
        return this.bindCreateFunction(s);
      case 'createSchema':
      case 'setSchema':
        return this.err(Codes.NOT_SUPPORTED, 'schemas are not supported: an application has one schema, and every stream lives in it', s.span);
      case 'insert':
        this.err(Codes.QUERY_OUTSIDE_PUMP, 'INSERT runs only inside a pump: CREATE OR REPLACE PUMP name AS INSERT INTO ...', s.span);
        this.bindInsert(s);
        return;
      case 'queryStatement':
        this.err(Codes.QUERY_OUTSIDE_PUMP, 'a query runs only inside a pump: CREATE OR REPLACE PUMP name AS INSERT INTO stream SELECT STREAM ...', s.span);
        this.bindQuery(s.query, undefined);
        return;
    }
  }

  /** A one-part name, folded; qualified names (`schema.stream`) are refused. */
  private simpleName(parts: A.Identifier[]): string {
    if (parts.length > 1) this.err(Codes.NOT_SUPPORTED, 'qualified names (schema.name) are not supported: every stream is in the one application schema', joinSpans(parts[0]!.span, parts.at(-1)!.span));
    return canonical(parts.at(-1)!);
  }

  // ---- CREATE STREAM / FUNCTION -----------------------------------------------------------------------------------
  private bindCreateStream(s: A.CreateStream): void {
    const name = this.simpleName(s.name);
    const existing = this.catalog.relation(name);
    if (existing?.kind === 'error') return this.err(Codes.ERROR_STREAM, 'error_stream is created by the system; choose another name', s.name[0]!.span);
    if (existing && existing.kind !== 'stream') {
      return this.err(Codes.DUPLICATE_NAME, `${quoteName(name)} is already the name of ${existing.kind === 'source' ? 'a source stream' : 'a reference table'}`, s.name[0]!.span);
    }
    if (existing && !s.orReplace) {
      this.err(Codes.DUPLICATE_NAME, `stream ${quoteName(name)} already exists; use CREATE OR REPLACE STREAM to redefine it`, s.name[0]!.span);
    }
    const columns: Column[] = [];
    for (const c of s.columns) {
      const cn = canonical(c.name);
      if (cn === 'ROWTIME') this.err(Codes.DUPLICATE_NAME, 'every stream already has ROWTIME; do not declare it', c.name.span);
      else if (columns.some((x) => x.name === cn)) this.err(Codes.DUPLICATE_NAME, `column ${quoteName(cn)} is declared twice`, c.name.span);
      else columns.push({ name: cn, type: fromTypeName(c.type), ...(c.notNull ? { notNull: true } : {}) });
    }
    this.catalog.addRelation({ name, kind: 'stream', columns });
  }

  private bindCreateFunction(f: A.CreateFunction): void {
    const name = this.simpleName(f.name);
    if (builtin(name)) this.err(Codes.DUPLICATE_NAME, `${name} is a built-in function`, f.name[0]!.span);
    else if (this.catalog.function(name) && !f.orReplace) this.err(Codes.DUPLICATE_NAME, `function ${quoteName(name)} already exists`, f.name[0]!.span);
    const parameters = f.parameters.map((p) => ({ name: canonical(p.name), type: fromTypeName(p.type) }));
    const returns = fromTypeName(f.returns);
    const scope: Scope = { entries: [{ columns: parameters, stream: false, open: false, span: f.span }], windows: new Map() };
    const body = this.bindExpr(f.body, scope, PLAIN);
    if (!assignable(body, returns, isLiteral(f.body))) {
      this.err(Codes.NOT_ASSIGNABLE, `function ${quoteName(name)} returns ${show(returns)} but its body is ${show(body)}`, f.body.span);
    }
    this.catalog.addFunction({ name, parameters, returns });
  }

  // ---- pumps and INSERT -------------------------------------------------------------------------------------------
  private bindCreatePump(p: A.CreatePump): void {
    const name = this.simpleName(p.name);
    if (this.pumps.has(name) && !p.orReplace) this.err(Codes.DUPLICATE_NAME, `pump ${quoteName(name)} already exists; use CREATE OR REPLACE PUMP`, p.name[0]!.span);
    const bound = this.bindInsert(p.insert);
    if (bound) this.pumps.set(name, { name, stopped: p.stopped, ...bound });
  }

  private bindInsert(ins: A.InsertStatement): Omit<BoundPump, 'name' | 'stopped'> | undefined {
    const target = this.insertTarget(ins);
    const query = this.bindQuery(ins.query, undefined);
    if (!target) return undefined;
    const saidStream = ins.query.body.kind === 'select' && ins.query.body.stream;
    if (!query.stream && !saidStream) this.err(Codes.NOT_A_STREAM, 'a pump inserts a stream: its query must read a stream (SELECT STREAM ... FROM a stream)', ins.query.span);
    const columns = this.targetColumns(ins, target);
    if (!columns) return undefined;
    // `*` over a source whose columns are unknown (no config): the count and types are checked when they are known.
    if (query.columns.some((c) => c.type.kind === 'ANY' && c.name === '*')) return { target: target.name, columns: columns.map((c) => c.name), query };
    if (query.columns.length !== columns.length) {
      this.err(Codes.COLUMN_COUNT, `the query produces ${query.columns.length} column${query.columns.length === 1 ? '' : 's'} but ${quoteName(target.name)}${ins.columns ? ' (as listed)' : ''} takes ${columns.length}`, ins.query.span);
      return undefined;
    }
    this.checkAssignments(ins, query, columns);
    return { target: target.name, columns: columns.map((c) => c.name), query };
  }

  private insertTarget(ins: A.InsertStatement): Relation | undefined {
    const name = this.simpleName(ins.target);
    const r = this.catalog.relation(name);
    const span = ins.target.at(-1)!.span;
    if (!r) {
      this.err(Codes.UNKNOWN_STREAM, `no stream named ${quoteName(name)}${didYouMean(name, this.catalog.relationNames(['stream']))}`, span);
      return undefined;
    }
    if (r.kind === 'error') return void this.err(Codes.ERROR_STREAM, 'error_stream is written by the system only; a pump cannot insert into it', span);
    if (r.kind !== 'stream') {
      return void this.err(Codes.NOT_WRITABLE, `${quoteName(name)} is ${r.kind === 'source' ? 'a source stream (filled from the input)' : 'a reference table'}; a pump inserts into an in-application stream`, span);
    }
    return r;
  }

  private targetColumns(ins: A.InsertStatement, target: Relation): Column[] | undefined {
    if (!ins.columns) return target.columns;
    const out: Column[] = [];
    for (const id of ins.columns) {
      const c = target.columns.find((x) => x.name === canonical(id));
      if (!c) {
        this.err(Codes.UNKNOWN_COLUMN, `stream ${quoteName(target.name)} has no column ${quoteName(canonical(id))}${didYouMean(canonical(id), target.columns.map((x) => x.name))}`, id.span);
        return undefined;
      }
      out.push(c);
    }
    return out;
  }

  private checkAssignments(ins: A.InsertStatement, query: BoundQuery, columns: Column[]): void {
    const items = selectItemsOf(ins.query);
    columns.forEach((col, i) => {
      const from = query.columns[i]!;
      const item = items?.[i];
      const literal = item?.kind === 'exprItem' && isLiteral(item.expr);
      if (assignable(from.type, col.type, literal)) return;
      const span = item?.span ?? ins.query.span;
      const hint = isChar(from.type) || isChar(col.type) ? `; convert it with CAST(... AS ${show(col.type)})` : '';
      this.err(Codes.NOT_ASSIGNABLE, `cannot insert ${show(from.type)} into column ${quoteName(col.name)} of type ${show(col.type)}${hint}`, span);
    });
  }

  // ---- queries ----------------------------------------------------------------------------------------------------
  bindQuery(q: A.Query, parent: Scope | undefined): BoundQuery {
    const { columns, stream, scope } = this.bindBody(q.body, parent);
    if (q.orderBy.length > 0) this.bindOrderBy(q, { ...scope, outputs: columns }, stream);
    return { ast: q, columns, stream };
  }

  private bindBody(b: A.QueryBody, parent: Scope | undefined): { columns: Column[]; stream: boolean; scope: Scope } {
    if (b.kind === 'select') return this.bindSelect(b, parent);
    if (b.kind === 'query') {
      const r = this.bindQuery(b, parent);
      return { columns: r.columns, stream: r.stream, scope: { entries: [], windows: new Map(), ...(parent ? { parent } : {}) } };
    }
    return this.bindSetOperation(b, parent);
  }

  private bindSetOperation(u: A.SetOperation, parent: Scope | undefined) {
    const left = this.bindBody(u.left, parent);
    const right = this.bindBody(u.right, parent);
    const stream = left.stream || right.stream;
    if (u.op !== 'UNION') this.err(Codes.NOT_SUPPORTED, `${u.op} is not supported; streams combine with UNION ALL`, u.span);
    else if (!u.all && stream) this.err(Codes.NOT_SUPPORTED, 'UNION without ALL is not supported on streams (it would need to remember every row); write UNION ALL', u.span);
    if (left.stream !== right.stream) this.err(Codes.NOT_A_STREAM, 'UNION ALL needs both sides to be streams (or both tables)', u.span);
    if (left.columns.length !== right.columns.length) {
      this.err(Codes.COLUMN_COUNT, `the sides of ${u.op} have ${left.columns.length} and ${right.columns.length} columns`, u.span);
      return { ...left, stream };
    }
    const columns = left.columns.map((c, i) => {
      const r = right.columns[i]!;
      const type = common(c.type, r.type);
      if (!type) this.err(Codes.TYPE_MISMATCH, `column ${i + 1} of ${u.op} is ${show(c.type)} on the left and ${show(r.type)} on the right`, u.span);
      return { name: c.name, type: type ?? ANY };
    });
    return { columns, stream, scope: left.scope };
  }

  private bindSelect(s: A.Select, parent: Scope | undefined): { columns: Column[]; stream: boolean; scope: Scope } {
    const scope: Scope = { entries: [], windows: new Map(), ...(parent ? { parent } : {}) };
    // Named windows first: a join in FROM may use one (`JOIN trades OVER w`); their expressions bind after FROM.
    for (const w of s.windows) this.defineWindow(w, scope);
    if (s.from) this.bindFrom(s.from, scope);
    const stream = scope.entries.some((e) => e.stream);
    if (s.stream && !stream) {
      this.err(Codes.NOT_A_STREAM, s.from ? 'SELECT STREAM reads no stream here; drop STREAM to query a table' : 'SELECT STREAM needs FROM a stream', s.span);
    }
    for (const w of s.windows) for (const p of w.spec.partitionBy) this.bindExpr(p, scope, PLAIN);
    if (s.where) this.expectBoolean(s.where, this.bindExpr(s.where, scope, PLAIN), 'WHERE');
    const groupKeys = this.bindGrouping(s, scope, stream);
    const columns = this.bindSelectItems(s, scope);
    if (s.having) this.expectBoolean(s.having, this.bindExpr(s.having, scope, { ...PLAIN, aggregates: true }), 'HAVING');
    this.checkAggregation(s, scope, stream, groupKeys);
    return { columns, stream, scope };
  }

  private defineWindow(w: A.WindowDefinition, scope: Scope): void {
    const name = canonical(w.name);
    if (scope.windows.has(name)) this.err(Codes.DUPLICATE_NAME, `window ${quoteName(name)} is defined twice`, w.name.span);
    scope.windows.set(name, w.spec);
  }

  private expectBoolean(e: A.Expr, type: SqlType, clause: string): void {
    if (type.kind !== 'BOOLEAN' && !isUnknown(type)) this.err(Codes.TYPE_MISMATCH, `${clause} needs a condition (BOOLEAN), not ${show(type)}`, e.span);
  }

  // ---- FROM -------------------------------------------------------------------------------------------------------
  private bindFrom(f: A.FromItem, scope: Scope): void {
    if (f.kind !== 'join') {
      const entry = this.bindFromItem(f, scope);
      scope.entries.push(entry);
      this.bindItemWindow(f, entry, scope);
      return;
    }
    this.bindFrom(f.left, scope);
    const leftEntries = [...scope.entries];
    const right = this.bindFromItem(f.right, scope);
    scope.entries.push(right);
    this.bindItemWindow(f.right, right, scope);
    this.checkJoin(f, leftEntries, right);
    if (f.on) this.expectBoolean(f.on, this.bindExpr(f.on, scope, PLAIN), 'ON');
    else if (f.type !== 'CROSS' && f.type !== 'COMMA') this.err(Codes.SYNTAX, `${f.type} JOIN needs an ON condition`, f.span);
  }

  /** Stream–stream joins need a window on at least one side; a reference table can only be the inner side. */
  private checkJoin(j: A.Join, left: Entry[], right: Entry): void {
    const leftStream = left.some((e) => e.stream);
    const leftWindowed = hasOver(j.left);
    const rightWindowed = j.right.over !== undefined;
    if (leftStream && right.stream && !leftWindowed && !rightWindowed) {
      this.err(Codes.JOIN_NEEDS_WINDOW, 'a join of two streams needs a window on at least one side, e.g. JOIN s2 OVER (RANGE INTERVAL \'1\' MINUTE PRECEDING) AS b', j.span);
    }
    if (leftStream && !right.stream && (j.type === 'RIGHT' || j.type === 'FULL')) {
      this.err(Codes.NOT_SUPPORTED, `${j.type} JOIN of a stream to a table is not supported (the table side cannot drive output rows); use INNER or LEFT`, j.span);
    }
    if (!leftStream && right.stream && (j.type === 'LEFT' || j.type === 'FULL')) {
      this.err(Codes.NOT_SUPPORTED, `${j.type} JOIN of a table to a stream is not supported; put the stream first and use INNER or LEFT`, j.span);
    }
  }

  private bindFromItem(f: A.TableRef | A.DerivedTable | A.TableFunction, scope: Scope): Entry {
    const entry = f.kind === 'tableRef' ? this.bindTableRef(f) : f.kind === 'derivedTable' ? this.bindDerived(f, scope) : this.bindTableFunction(f, scope);
    if (f.columnAliases) this.renameColumns(entry, f.columnAliases, f.span);
    this.entryIds.set(entry, this.entryIds.size);
    return entry;
  }

  /** A FROM item's window binds once the item is in scope (it may partition by the item's own columns). */
  private bindItemWindow(f: A.TableRef | A.DerivedTable | A.TableFunction, entry: Entry, scope: Scope): void {
    if (!f.over) return;
    if (!entry.stream) this.err(Codes.BAD_WINDOW, 'only a stream can have a window; a reference table is read whole', overSpan(f.over));
    // Its PARTITION BY names the item's own columns, so it binds against that item alone.
    else this.bindOver(f.over, { entries: [entry], windows: scope.windows, ...(scope.parent ? { parent: scope.parent } : {}) }, false);
  }

  private bindTableRef(f: A.TableRef): Entry {
    const name = this.simpleName(f.name);
    const span = f.name.at(-1)!.span;
    const alias = f.alias ? canonical(f.alias) : name;
    const r = this.catalog.relation(name);
    if (!r) {
      const known = this.catalog.relationNames(['stream', 'source', 'table']);
      this.err(Codes.UNKNOWN_STREAM, `no stream or table named ${quoteName(name)}${didYouMean(name, known)}`, span);
      return { alias, columns: [], stream: true, open: true, span };
    }
    if (r.kind === 'error') {
      this.err(Codes.ERROR_STREAM, 'error_stream cannot be read by application code (KDA sends it to a destination only)', span);
      return { alias, columns: r.columns, stream: true, open: false, span };
    }
    const stream = r.kind !== 'table';
    const columns = stream ? [...r.columns, { name: 'ROWTIME', type: TIMESTAMP, notNull: true, hidden: true }] : r.columns;
    return { alias, columns, stream, open: r.open === true, relation: r, span };
  }

  private bindDerived(f: A.DerivedTable, scope: Scope): Entry {
    const q = this.bindQuery(f.query, scope.parent);
    const columns = q.stream ? [...q.columns, { name: 'ROWTIME', type: TIMESTAMP, notNull: true, hidden: true }] : q.columns;
    return { ...(f.alias ? { alias: canonical(f.alias) } : {}), columns, stream: q.stream, open: q.columns.some((c) => c.name === '*'), span: f.span };
  }

  private bindTableFunction(f: A.TableFunction, scope: Scope): Entry {
    const name = f.call.name.quoted ? f.call.name.text : f.call.name.text.toUpperCase();
    const alias = f.alias ? canonical(f.alias) : undefined;
    const spec = TABLE_FUNCTIONS[name];
    const base = { ...(alias ? { alias } : {}), stream: true, span: f.span };
    const [first, ...rest] = f.call.args;
    if (!spec) {
      this.err(Codes.UNKNOWN_FUNCTION, `no table function named ${quoteName(name)}${didYouMean(name, Object.keys(TABLE_FUNCTIONS))}`, f.call.name.span);
      return { ...base, columns: [], open: true };
    }
    if (!first || first.kind !== 'cursor') {
      this.err(Codes.BAD_ARGUMENTS, `${name} takes CURSOR(SELECT STREAM ...) as its first argument`, f.call.span);
      return { ...base, columns: [], open: true };
    }
    const input = this.bindQuery(first.query, scope.parent);
    this.types.set(first, t('CURSOR'));
    if (!input.stream) this.err(Codes.NOT_A_STREAM, `${name} reads a stream: its CURSOR needs SELECT STREAM from a stream`, first.span);
    const args: ArgInfo[] = rest.map((a) => ({ type: this.bindExpr(a, scope, PLAIN), expr: a }));
    const [min, max] = spec.args;
    if (args.length < min || args.length > max) {
      this.err(Codes.BAD_ARGUMENTS, `${name} takes a cursor and ${min === max ? min : `${min} to ${max}`} more arguments, not ${args.length}`, f.call.span);
      return { ...base, columns: [], open: true };
    }
    const out = spec.output(input.columns, args);
    if (typeof out === 'string') {
      this.err(Codes.BAD_ARGUMENTS, `${name}: ${out}`, f.call.span);
      return { ...base, columns: [], open: true };
    }
    const open = input.columns.some((c) => c.name === '*');
    return { ...base, columns: [...out, { name: 'ROWTIME', type: TIMESTAMP, notNull: true, hidden: true }], open };
  }

  private renameColumns(entry: Entry, aliases: A.Identifier[], span: A.Span): void {
    const visible = entry.columns.filter((c) => !c.hidden);
    if (!entry.open && visible.length !== aliases.length) {
      this.err(Codes.COLUMN_COUNT, `${aliases.length} column alias${aliases.length === 1 ? '' : 'es'} for ${visible.length} column${visible.length === 1 ? '' : 's'}`, span);
      return;
    }
    const renamed = aliases.map((a, i) => ({ ...(visible[i] ?? { type: ANY }), name: canonical(a) }));
    entry.columns = [...renamed, ...entry.columns.filter((c) => c.hidden)];
    entry.open = false;
  }

  // ---- GROUP BY, STAGGER and aggregation ---------------------------------------------------------------------------
  /** Binds GROUP BY / WINDOWED BY; returns the keys select items may use. */
  private bindGrouping(s: A.Select, scope: Scope, stream: boolean): Set<string> {
    const keys = new Set<string>();
    if (s.groupBy) {
      for (const g of s.groupBy) {
        this.bindExpr(g, scope, { ...PLAIN, groupWindows: true });
        keys.add(this.key(g));
      }
      if (stream && !s.groupBy.some((g) => this.isMonotoneTime(g, scope))) {
        this.err(
          Codes.GROUP_BY_NEEDS_ROWTIME,
          "a GROUP BY on a stream needs a time bucket of ROWTIME, e.g. STEP(s.ROWTIME BY INTERVAL '1' MINUTE) or FLOOR(s.ROWTIME TO MINUTE), so groups can close",
          joinSpans(s.groupBy[0]!.span, s.groupBy.at(-1)!.span),
        );
      }
    }
    if (s.stagger) {
      if (!stream) this.err(Codes.NOT_A_STREAM, 'WINDOWED BY STAGGER windows a stream; this query reads none', s.stagger.span);
      for (const p of s.stagger.partitionBy) {
        this.bindExpr(p, scope, PLAIN);
        keys.add(this.key(p));
      }
      const range = this.bindExpr(s.stagger.range, scope, PLAIN);
      if (range.kind !== 'INTERVAL' && !isUnknown(range)) this.err(Codes.BAD_WINDOW, `STAGGER's RANGE is an interval, e.g. INTERVAL '1' MINUTE, not ${show(range)}`, s.stagger.range.span);
    }
    return keys;
  }

  /** Aggregates need a group; grouped queries may only use group keys outside aggregates. */
  private checkAggregation(s: A.Select, scope: Scope, stream: boolean, keys: Set<string>): void {
    const exprs = [...s.items.flatMap((i) => (i.kind === 'exprItem' ? [i.expr] : [])), ...(s.having ? [s.having] : [])];
    const aggs = exprs.flatMap((e) => this.aggregatesIn(e));
    const grouped = s.groupBy !== undefined || s.stagger !== undefined || aggs.length > 0;
    if (!grouped) return;
    if (stream && !s.groupBy && !s.stagger && aggs.length > 0) {
      this.err(
        Codes.AGGREGATE_NEEDS_WINDOW,
        `${aggs[0]!.name.text.toUpperCase()} over a stream needs a window: GROUP BY a ROWTIME bucket, WINDOWED BY STAGGER, or OVER (RANGE ... PRECEDING)`,
        aggs[0]!.span,
      );
      return;
    }
    if (stream && s.groupBy) {
      for (const a of aggs) {
        if (a.quantifier === 'DISTINCT') this.err(Codes.DISTINCT_IN_STREAM_GROUP, `${a.name.text.toUpperCase()}(DISTINCT ...) is not supported in a streaming GROUP BY; use COUNT_DISTINCT_ITEMS_TUMBLING for approximate distinct counts`, a.span);
      }
    }
    if (s.items.some((i) => i.kind === 'star')) {
      this.err(Codes.NOT_GROUPED, 'SELECT * cannot be used with GROUP BY; list the grouped columns', s.span);
    }
    for (const e of exprs) this.checkGrouped(e, keys, scope);
  }

  private aggregatesIn(e: A.Expr): A.FunctionCall[] {
    if (e.kind === 'call' && !e.over && builtin(fnName(e))?.kind === 'aggregate') return [e];
    if (e.kind === 'call' && e.over) return [];
    return children(e).flatMap((c) => this.aggregatesIn(c));
  }

  private checkGrouped(e: A.Expr, keys: Set<string>, scope: Scope): void {
    if (keys.has(this.key(e))) return;
    if (e.kind === 'call' && (e.over || ['aggregate', 'groupWindowAccessor'].includes(builtin(fnName(e))?.kind ?? ''))) return;
    if (e.kind === 'column') {
      const last = canonical(e.parts.at(-1)!);
      // ROWTIME in a grouped query is the group's closing time: always available.
      if (last === 'ROWTIME' || NILADIC[last]) return;
      if (this.resolved.has(e) || scope.entries.length > 0) {
        this.err(Codes.NOT_GROUPED, `${e.parts.map((p) => p.text).join('.')} is neither grouped nor inside an aggregate; add it to GROUP BY or aggregate it (e.g. MAX(...))`, e.span);
      }
      return;
    }
    for (const c of children(e)) this.checkGrouped(c, keys, scope);
  }

  /** A structural key for an expression, with column references replaced by what they resolved to. */
  private key(e: A.Expr): string {
    return JSON.stringify(e, (k, v) => {
      if (k === 'span') return undefined;
      if (v && typeof v === 'object' && (v as A.Expr).kind === 'column') return this.resolved.get(v as A.ColumnRef) ?? v;
      if (v && typeof v === 'object' && (v as A.Identifier).kind === 'identifier') return canonical(v as A.Identifier);
      return v;
    });
  }

  /**
   * Is `e` a non-decreasing function of ROWTIME? ROWTIME itself; FLOOR/CEIL/STEP of one; one plus or minus a
   * constant; one divided or multiplied by a positive constant; an interval-qualified difference; CAST of one;
   * MONOTONIC(x) (the user's promise); and the group windows TUMBLE/HOP/SESSION of one.
   */
  isMonotoneTime(e: A.Expr, scope: Scope): boolean {
    switch (e.kind) {
      case 'column':
        return canonical(e.parts.at(-1)!) === 'ROWTIME' && e.parts.length <= 2;
      case 'floor':
      case 'step':
      case 'cast':
      case 'intervalQualified':
        return this.isMonotoneTime(e.operand, scope);
      case 'unary':
        return e.op === '+' && this.isMonotoneTime(e.operand, scope);
      case 'binary':
        if (e.op === '+') return (this.isMonotoneTime(e.left, scope) && isConstant(e.right)) || (isConstant(e.left) && this.isMonotoneTime(e.right, scope));
        if (e.op === '-') return this.isMonotoneTime(e.left, scope) && isConstant(e.right);
        if (e.op === '/' || e.op === '*') return this.isMonotoneTime(e.left, scope) && isPositiveConstant(e.right);
        return false;
      case 'call': {
        const n = fnName(e);
        if (n === 'MONOTONIC') return true;
        if (['TUMBLE', 'HOP', 'SESSION', 'FLOOR', 'CEIL', 'CEILING'].includes(n)) return e.args[0] !== undefined && this.isMonotoneTime(e.args[0], scope);
        return false;
      }
      default:
        return false;
    }
  }

  // ---- select list and ORDER BY -------------------------------------------------------------------------------------
  private bindSelectItems(s: A.Select, scope: Scope): Column[] {
    const out: Column[] = [];
    s.items.forEach((item, i) => {
      if (item.kind === 'star') {
        out.push(...this.expandStar(item, scope));
        return;
      }
      const type = this.bindExpr(item.expr, scope, { ...PLAIN, aggregates: true });
      const name = item.alias ? canonical(item.alias) : implicitName(item.expr, i);
      if (name === 'ROWTIME') {
        // `expr AS ROWTIME` sets the output row's time; it is not a column of the result.
        if (type.kind !== 'TIMESTAMP' && !isUnknown(type)) this.err(Codes.TYPE_MISMATCH, `ROWTIME must be a TIMESTAMP, not ${show(type)}`, item.span);
        return;
      }
      out.push({ name, type });
    });
    return out;
  }

  private expandStar(item: A.StarItem, scope: Scope): Column[] {
    let entries = scope.entries;
    if (item.qualifier) {
      const alias = canonical(item.qualifier);
      entries = scope.entries.filter((e) => e.alias === alias);
      if (entries.length === 0) {
        this.err(Codes.UNKNOWN_ALIAS, `no stream or table called ${quoteName(alias)} in FROM${didYouMean(alias, aliasesOf(scope))}`, item.qualifier.span);
        return [];
      }
    }
    if (entries.length === 0 && !item.qualifier) this.err(Codes.SYNTAX, 'SELECT * needs a FROM clause', item.span);
    const cols: Column[] = [];
    for (const e of entries) {
      if (e.open) cols.push({ name: '*', type: ANY });
      cols.push(...e.columns.filter((c) => !c.hidden));
    }
    return cols;
  }

  private bindOrderBy(q: A.Query, scope: Scope, stream: boolean): void {
    for (const o of q.orderBy) {
      if (!this.bindOutputAlias(o.expr, scope)) this.bindExpr(o.expr, scope, { ...PLAIN, aggregates: true });
    }
    if (stream && !this.isMonotoneTime(q.orderBy[0]!.expr, scope)) {
      this.err(Codes.ORDER_BY_NEEDS_TIME, "ORDER BY on a stream must start with a time bucket of ROWTIME, e.g. ORDER BY FLOOR(s.ROWTIME TO SECOND), score DESC", q.orderBy[0]!.span);
    } else if (stream && q.orderBy[0]!.direction === 'DESC') this.err(Codes.ORDER_BY_NEEDS_TIME, 'a stream cannot be ordered by time descending', q.orderBy[0]!.span);
  }

  /** ORDER BY may name an output column by its alias. */
  private bindOutputAlias(e: A.Expr, scope: Scope): boolean {
    if (e.kind !== 'column' || e.parts.length !== 1) return false;
    const c = scope.outputs?.find((x) => x.name === canonical(e.parts[0]!));
    if (!c) return false;
    this.types.set(e, c.type);
    return true;
  }

  // ---- windows ------------------------------------------------------------------------------------------------------
  /** Resolves OVER name or OVER (spec), merges a base window, and checks the frame is one KDA runs. */
  private bindOver(over: A.Over, scope: Scope, aggregation: boolean): void {
    const spec = this.resolveWindow(over, scope);
    if (!spec) return;
    // A named window's expressions were bound with its WINDOW clause; bind only what is written inline.
    if (over.kind === 'windowSpec') {
      for (const p of over.partitionBy) this.bindExpr(p, scope, PLAIN);
      for (const o of over.orderBy) this.bindExpr(o.expr, scope, PLAIN);
    }
    const offsetTypes = new Map<A.Expr, SqlType>();
    for (const b of [spec.frame?.start, spec.frame?.end]) {
      if (b?.offset) offsetTypes.set(b.offset, this.bindExpr(b.offset, scope, PLAIN));
    }
    for (const problem of checkFrame(spec, aggregation, offsetTypes)) this.err(Codes.BAD_WINDOW, problem.message, problem.span);
  }

  private resolveWindow(over: A.Over, scope: Scope): A.WindowSpec | undefined {
    if (over.kind === 'identifier') {
      const w = this.lookupWindow(canonical(over), scope);
      if (!w) this.err(Codes.UNKNOWN_WINDOW, `no window named ${quoteName(canonical(over))}${didYouMean(canonical(over), windowNames(scope))}`, over.span);
      return w;
    }
    if (!over.base) return over;
    const base = this.lookupWindow(canonical(over.base), scope);
    if (!base) {
      this.err(Codes.UNKNOWN_WINDOW, `no window named ${quoteName(canonical(over.base))}${didYouMean(canonical(over.base), windowNames(scope))}`, over.base.span);
      return over;
    }
    return {
      ...over,
      partitionBy: over.partitionBy.length ? over.partitionBy : base.partitionBy,
      orderBy: over.orderBy.length ? over.orderBy : base.orderBy,
      ...(over.frame ?? base.frame ? { frame: (over.frame ?? base.frame)! } : {}),
    };
  }

  private lookupWindow(name: string, scope: Scope): A.WindowSpec | undefined {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const w = s.windows.get(name);
      if (w) return w;
    }
    return undefined;
  }

  // ---- expressions ----------------------------------------------------------------------------------------------------
  bindExpr(e: A.Expr, scope: Scope, ctx: Context): SqlType {
    const type = this.exprType(e, scope, ctx);
    this.types.set(e, type);
    return type;
  }

  private exprType(e: A.Expr, scope: Scope, ctx: Context): SqlType {
    switch (e.kind) {
      case 'number':
        return numberType(e.text);
      case 'string':
        return t('CHAR', Math.max(1, e.value.length));
      case 'binaryString':
        return t('BINARY', Math.max(1, e.hex.length / 2));
      case 'boolean':
        return BOOLEAN;
      case 'null':
        return t('NULL');
      case 'interval':
        return INTERVAL;
      case 'datetime':
        return t(e.type);
      case 'column':
        return this.bindColumn(e, scope);
      case 'binary':
        return this.bindBinary(e, scope, ctx);
      case 'unary': {
        const x = this.bindExpr(e.operand, scope, ctx);
        if (!isNumeric(x) && x.kind !== 'INTERVAL' && !isUnknown(x)) this.err(Codes.TYPE_MISMATCH, `cannot negate ${show(x)}`, e.span);
        return x;
      }
      case 'not':
        this.expectBoolean(e.operand, this.bindExpr(e.operand, scope, ctx), 'NOT');
        return BOOLEAN;
      case 'is':
        this.bindExpr(e.operand, scope, ctx);
        return BOOLEAN;
      case 'between':
        return this.bindBetween(e, scope, ctx);
      case 'in':
        return this.bindIn(e, scope, ctx);
      case 'like': {
        for (const x of [e.operand, e.pattern, ...(e.escape ? [e.escape] : [])]) {
          const ty = this.bindExpr(x, scope, ctx);
          if (!isChar(ty) && !isUnknown(ty)) this.err(Codes.TYPE_MISMATCH, `${e.op} works on strings, not ${show(ty)}`, x.span);
        }
        return BOOLEAN;
      }
      case 'case':
        return this.bindCase(e, scope, ctx);
      case 'cast': {
        const from = this.bindExpr(e.operand, scope, ctx);
        const to = fromTypeName(e.type);
        if (!castable(from, to)) this.err(Codes.TYPE_MISMATCH, `cannot CAST ${show(from)} to ${show(to)}`, e.span);
        return to;
      }
      case 'call':
        return this.bindCall(e, scope, ctx);
      case 'floor': {
        const x = this.bindExpr(e.operand, scope, ctx);
        if (!isDatetime(x) && x.kind !== 'INTERVAL' && !isUnknown(x)) this.err(Codes.TYPE_MISMATCH, `${e.fn}(... TO ${e.unit}) rounds a TIMESTAMP, DATE, TIME or interval, not ${show(x)}`, e.operand.span);
        return isUnknown(x) ? TIMESTAMP : x;
      }
      case 'step': {
        const x = this.bindExpr(e.operand, scope, ctx);
        const w = this.bindExpr(e.width, scope, ctx);
        if (!isDatetime(x) && !isNumeric(x) && !isUnknown(x)) this.err(Codes.TYPE_MISMATCH, `STEP rounds a TIMESTAMP or a number, not ${show(x)}`, e.operand.span);
        if (isDatetime(x) && w.kind !== 'INTERVAL' && !isUnknown(w)) this.err(Codes.TYPE_MISMATCH, `STEP(... BY ...) over a TIMESTAMP takes an INTERVAL, not ${show(w)}`, e.width.span);
        return isUnknown(x) ? TIMESTAMP : x;
      }
      case 'extract': {
        const x = this.bindExpr(e.operand, scope, ctx);
        if (!isDatetime(x) && x.kind !== 'INTERVAL' && !isUnknown(x)) this.err(Codes.TYPE_MISMATCH, `EXTRACT reads a date, time or interval, not ${show(x)}`, e.operand.span);
        return t('BIGINT');
      }
      case 'position':
        this.expectChars(e.needle, scope, ctx, 'POSITION');
        this.expectChars(e.haystack, scope, ctx, 'POSITION');
        return t('INTEGER');
      case 'substring':
        this.expectChars(e.operand, scope, ctx, 'SUBSTRING');
        this.expectNumber(e.from, scope, ctx, 'SUBSTRING');
        if (e.for) this.expectNumber(e.for, scope, ctx, 'SUBSTRING');
        return VARCHAR();
      case 'substringSimilar':
        this.expectChars(e.operand, scope, ctx, 'SUBSTRING');
        this.expectChars(e.pattern, scope, ctx, 'SUBSTRING');
        this.expectChars(e.escape, scope, ctx, 'SUBSTRING');
        return VARCHAR();
      case 'period':
        this.err(Codes.MISPLACED, 'a period, PERIOD(start, end) or (start, end), is only an operand of a temporal predicate (OVERLAPS, CONTAINS, PRECEDES, ...)', e.span);
        this.bindPeriod(e, scope, ctx);
        return ANY;
      case 'temporal':
        for (const [side, x] of [['left', e.left], ['right', e.right]] as const) {
          if (x.kind === 'period') this.bindPeriod(x, scope, ctx);
          // compact chaining: `p1 PRECEDES p2 PRECEDES p3` is `p1 PRECEDES p2 AND p2 PRECEDES p3`
          else if (side === 'left' && x.kind === 'temporal') this.bindExpr(x, scope, ctx);
          else {
            const ty = this.bindExpr(x, scope, ctx);
            // standard SQL's `PERIOD(s, e) CONTAINS t`, with t a single TIMESTAMP
            if (side === 'right' && e.op === 'CONTAINS' && (ty.kind === 'TIMESTAMP' || isUnknown(ty))) continue;
            const also = side === 'right' && e.op === 'CONTAINS' ? ' or a TIMESTAMP' : '';
            this.err(Codes.TYPE_MISMATCH, `the ${side} operand of ${e.op} must be a period, PERIOD(start, end) of two TIMESTAMPs${also}, not ${show(ty)}`, x.span);
          }
        }
        return BOOLEAN;
      case 'trim':
        if (e.characters) this.expectChars(e.characters, scope, ctx, 'TRIM');
        return this.expectChars(e.operand, scope, ctx, 'TRIM');
      case 'overlay':
        this.expectChars(e.operand, scope, ctx, 'OVERLAY');
        this.expectChars(e.placing, scope, ctx, 'OVERLAY');
        this.expectNumber(e.from, scope, ctx, 'OVERLAY');
        if (e.for) this.expectNumber(e.for, scope, ctx, 'OVERLAY');
        return VARCHAR();
      case 'cursor':
        this.err(Codes.MISPLACED, 'CURSOR(...) is only an argument of a table function in FROM TABLE(...)', e.span);
        this.bindQuery(e.query, scope);
        return t('CURSOR');
      case 'subquery': {
        const q = this.bindQuery(e.query, scope);
        if (q.stream) this.err(Codes.NOT_SUPPORTED, 'a subquery inside an expression cannot read a stream; join the stream instead', e.span);
        return q.columns[0]?.type ?? ANY;
      }
      case 'intervalQualified': {
        const x = this.bindExpr(e.operand, scope, ctx);
        if (x.kind !== 'INTERVAL' && !isUnknown(x)) this.err(Codes.TYPE_MISMATCH, `(...) ${e.unit} reads a difference of two times as an interval; this is ${show(x)}`, e.span);
        // Read as a count of the qualifier's unit, it behaves as a number in arithmetic (the console's FLOOR idiom).
        return INTERVAL;
      }
    }
  }

  /** The start and end of a period are TIMESTAMPs. */
  private bindPeriod(p: A.PeriodExpr, scope: Scope, ctx: Context): void {
    for (const [what, x] of [['start', p.start], ['end', p.end]] as const) {
      const ty = this.bindExpr(x, scope, ctx);
      if (ty.kind !== 'TIMESTAMP' && !isUnknown(ty)) this.err(Codes.TYPE_MISMATCH, `the ${what} of a PERIOD must be a TIMESTAMP, not ${show(ty)}`, x.span);
    }
  }

  private expectChars(e: A.Expr, scope: Scope, ctx: Context, fn: string): SqlType {
    const x = this.bindExpr(e, scope, ctx);
    if (!isChar(x) && !isUnknown(x)) this.err(Codes.BAD_ARGUMENTS, `${fn} takes strings, not ${show(x)}`, e.span);
    return isUnknown(x) ? VARCHAR() : x;
  }

  private expectNumber(e: A.Expr, scope: Scope, ctx: Context, fn: string): void {
    const x = this.bindExpr(e, scope, ctx);
    if (!isNumeric(x) && !isUnknown(x)) this.err(Codes.BAD_ARGUMENTS, `${fn} takes a number here, not ${show(x)}`, e.span);
  }

  private bindBinary(e: A.BinaryExpr, scope: Scope, ctx: Context): SqlType {
    const l = this.bindExpr(e.left, scope, ctx);
    const r = this.bindExpr(e.right, scope, ctx);
    const mismatch = (hint = ''): SqlType => {
      this.err(Codes.TYPE_MISMATCH, `cannot apply ${e.op} to ${show(l)} and ${show(r)}${hint}`, e.span);
      return ANY;
    };
    switch (e.op) {
      case 'AND':
      case 'OR':
        this.expectBoolean(e.left, l, e.op);
        this.expectBoolean(e.right, r, e.op);
        return BOOLEAN;
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (!comparable(l, r)) this.err(Codes.TYPE_MISMATCH, `cannot compare ${show(l)} with ${show(r)}${isChar(l) !== isChar(r) ? '; CAST one side' : ''}`, e.span);
        return BOOLEAN;
      case '||':
        if ((isChar(l) || isUnknown(l)) && (isChar(r) || isUnknown(r))) return VARCHAR(l.precision !== undefined && r.precision !== undefined ? l.precision + r.precision : undefined);
        return mismatch('; || joins strings: CAST the other side to VARCHAR');
      default:
        return arithmetic(e.op, l, r) ?? mismatch(isChar(l) || isChar(r) ? (e.op === '+' ? '; use || to join strings' : '') : '');
    }
  }

  private bindBetween(e: A.BetweenExpr, scope: Scope, ctx: Context): SqlType {
    const x = this.bindExpr(e.operand, scope, ctx);
    for (const b of [e.low, e.high]) {
      const y = this.bindExpr(b, scope, ctx);
      if (!comparable(x, y)) this.err(Codes.TYPE_MISMATCH, `cannot compare ${show(x)} with ${show(y)}`, b.span);
    }
    return BOOLEAN;
  }

  private bindIn(e: A.InExpr, scope: Scope, ctx: Context): SqlType {
    const x = this.bindExpr(e.operand, scope, ctx);
    if (e.query) {
      const q = this.bindQuery(e.query, scope);
      if (q.stream) this.err(Codes.NOT_SUPPORTED, 'IN (SELECT ...) cannot read a stream; join the stream instead', e.query.span);
      else if (q.columns.length !== 1) this.err(Codes.COLUMN_COUNT, `IN (SELECT ...) needs one column, not ${q.columns.length}`, e.query.span);
      else if (!comparable(x, q.columns[0]!.type)) this.err(Codes.TYPE_MISMATCH, `cannot compare ${show(x)} with ${show(q.columns[0]!.type)}`, e.span);
      return BOOLEAN;
    }
    for (const item of e.list ?? []) {
      const y = this.bindExpr(item, scope, ctx);
      if (!comparable(x, y)) this.err(Codes.TYPE_MISMATCH, `cannot compare ${show(x)} with ${show(y)}`, item.span);
    }
    return BOOLEAN;
  }

  private bindCase(e: A.CaseExpr, scope: Scope, ctx: Context): SqlType {
    const operand = e.operand ? this.bindExpr(e.operand, scope, ctx) : undefined;
    let result: SqlType = t('NULL');
    for (const w of e.whens) {
      const c = this.bindExpr(w.when, scope, ctx);
      if (operand) {
        if (!comparable(operand, c)) this.err(Codes.TYPE_MISMATCH, `CASE compares ${show(operand)} with ${show(c)}`, w.when.span);
      } else this.expectBoolean(w.when, c, 'WHEN');
      result = this.unify(result, this.bindExpr(w.then, scope, ctx), w.then.span);
    }
    if (e.else) result = this.unify(result, this.bindExpr(e.else, scope, ctx), e.else.span);
    return result;
  }

  private unify(a: SqlType, b: SqlType, span: A.Span): SqlType {
    const c = common(a, b);
    if (c) return c;
    this.err(Codes.TYPE_MISMATCH, `CASE branches disagree: ${show(a)} and ${show(b)}`, span);
    return ANY;
  }

  // ---- names ------------------------------------------------------------------------------------------------------------
  private bindColumn(e: A.ColumnRef, scope: Scope): SqlType {
    const names = e.parts.map(canonical);
    if (names.length === 1 && !e.parts[0]!.quoted && NILADIC[names[0]!] && !this.findColumn(names[0]!, scope).length) return NILADIC[names[0]!]!;
    // alias.column.field, alias.column, column.field, column
    if (names.length >= 2) {
      const entries = this.entriesWithAlias(names[0]!, scope);
      if (entries.length > 0) return this.columnOf(e, entries[0]!, names[1]!, names.slice(2));
    }
    const found = this.findColumn(names[0]!, scope);
    if (found.length > 1) {
      this.err(Codes.AMBIGUOUS_COLUMN, `${quoteName(names[0]!)} is a column of more than one FROM item; qualify it (e.g. ${found.map((f) => f.alias ?? '?').join('.' + quoteName(names[0]!) + ' or ')}.${quoteName(names[0]!)})`, e.span);
      return ANY;
    }
    if (found.length === 1) return this.columnOf(e, found[0]!, names[0]!, names.slice(1));
    if (names.length >= 2) {
      this.err(Codes.UNKNOWN_ALIAS, `no stream, table or column called ${quoteName(names[0]!)}${didYouMean(names[0]!, [...aliasesOf(scope), ...visibleColumns(scope)])}`, e.parts[0]!.span);
      return ANY;
    }
    const open = this.openEntries(scope);
    if (open.length > 0) {
      this.resolved.set(e, `open#${names[0]}`);
      return ANY;
    }
    this.err(Codes.UNKNOWN_COLUMN, `no column named ${quoteName(names[0]!)}${didYouMean(names[0]!, visibleColumns(scope))}`, e.span);
    return ANY;
  }

  private columnOf(e: A.ColumnRef, entry: Entry, name: string, fields: string[]): SqlType {
    const col = entry.columns.find((c) => c.name === name);
    if (!col) {
      if (entry.open) {
        this.resolved.set(e, `${this.entryIds.get(entry)}#${name}`);
        return ANY;
      }
      const span = e.parts[e.parts.length - fields.length - 1]!.span;
      this.err(Codes.UNKNOWN_COLUMN, `${entry.alias ? quoteName(entry.alias) : 'the subquery'} has no column ${quoteName(name)}${didYouMean(name, entry.columns.map((c) => c.name))}`, span);
      return ANY;
    }
    this.resolved.set(e, `${this.entryIds.get(entry)}#${name}`);
    let type = col.type;
    for (const [i, f] of fields.entries()) {
      if (type.kind !== 'ROW') {
        if (isUnknown(type)) return ANY;
        this.err(Codes.UNKNOWN_COLUMN, `${quoteName(name)} is ${show(type)}, not a row, so it has no field ${quoteName(f)}`, e.parts.at(-fields.length + i)!.span);
        return ANY;
      }
      const field = type.fields ? type.fields.find((x) => x.name === f) : { name: f, type: VARCHAR(1024) };
      if (!field) {
        this.err(Codes.UNKNOWN_COLUMN, `row ${quoteName(name)} has no field ${quoteName(f)} (it has ${type.fields!.map((x) => x.name).join(', ') || 'none'})`, e.parts.at(-fields.length + i)!.span);
        return ANY;
      }
      type = field.type;
    }
    return type;
  }

  private entriesWithAlias(alias: string, scope: Scope): Entry[] {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const found = s.entries.filter((e) => e.alias === alias);
      if (found.length) return found;
    }
    return [];
  }

  private findColumn(name: string, scope: Scope): Entry[] {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const found = s.entries.filter((e) => e.columns.some((c) => c.name === name));
      if (found.length) return found;
    }
    return [];
  }

  private openEntries(scope: Scope): Entry[] {
    const out: Entry[] = [];
    for (let s: Scope | undefined = scope; s; s = s.parent) out.push(...s.entries.filter((e) => e.open));
    return out;
  }

  // ---- function calls -----------------------------------------------------------------------------------------------------
  private bindCall(e: A.FunctionCall, scope: Scope, ctx: Context): SqlType {
    const name = fnName(e);
    const b = builtin(name);
    const user = b ? undefined : this.catalog.function(name);
    if (!b && !user) {
      for (const a of e.args) this.bindExpr(a, scope, ctx);
      const known = [...BUILTIN_NAMES, ...this.catalog.functionNames()];
      const table = TABLE_FUNCTIONS[name] ? `; ${name} is a table function: FROM TABLE(${name}(CURSOR(SELECT STREAM ...), ...))` : didYouMean(name, known);
      this.err(Codes.UNKNOWN_FUNCTION, `no function named ${quoteName(name)}${table}`, e.name.span);
      return ANY;
    }
    const kind = b?.kind ?? 'scalar';
    this.checkCallPlacement(e, kind, ctx);
    const innerCtx = kind === 'aggregate' || e.over ? { ...ctx, aggregates: false } : ctx;
    const args: ArgInfo[] = e.args.map((a) => ({ type: this.bindExpr(a, scope, innerCtx), expr: a }));
    if (e.over) this.bindOver(e.over, scope, kind === 'aggregate');
    if (e.star && name !== 'COUNT') this.err(Codes.BAD_ARGUMENTS, `only COUNT takes *`, e.span);
    if (e.star) return t('BIGINT');
    if (user) return this.checkUserCall(e, user.parameters, args, user.returns);
    const result = b!.check(args);
    if (typeof result === 'string') {
      this.err(Codes.BAD_ARGUMENTS, `${name} ${result}`, e.span);
      return ANY;
    }
    return result;
  }

  private checkCallPlacement(e: A.FunctionCall, kind: string, ctx: Context): void {
    const name = fnName(e);
    if (kind === 'aggregate' && !e.over && !ctx.aggregates) this.err(Codes.MISPLACED, `aggregate ${name} is not allowed here (only in the select list, HAVING or with OVER)`, e.span);
    if (kind === 'analytic' && name !== 'MONOTONIC' && !e.over) this.err(Codes.BAD_WINDOW, `${name} needs a window: ${name}(...) OVER w`, e.span);
    if (kind === 'groupWindow' && !ctx.groupWindows) this.err(Codes.MISPLACED, `${name}(...) defines a group window and belongs in GROUP BY; read its bounds with ${name}_START/${name}_END`, e.span);
    if (e.over && (kind === 'scalar' || kind === 'groupWindow' || kind === 'groupWindowAccessor')) this.err(Codes.BAD_WINDOW, `${name} is not an aggregate and cannot take OVER`, e.span);
    if (e.quantifier === 'DISTINCT' && kind !== 'aggregate') this.err(Codes.BAD_ARGUMENTS, `DISTINCT applies only to aggregates, not ${name}`, e.span);
  }

  private checkUserCall(e: A.FunctionCall, params: Column[], args: ArgInfo[], returns: SqlType): SqlType {
    if (params.length !== args.length) {
      this.err(Codes.BAD_ARGUMENTS, `${quoteName(fnName(e))} takes ${params.length} argument${params.length === 1 ? '' : 's'}, not ${args.length}`, e.span);
      return returns;
    }
    params.forEach((p, i) => {
      if (!assignable(args[i]!.type, p.type, isLiteral(args[i]!.expr))) {
        this.err(Codes.BAD_ARGUMENTS, `argument ${i + 1} of ${quoteName(fnName(e))} is ${show(p.type)}, not ${show(args[i]!.type)}`, args[i]!.expr.span);
      }
    });
    return returns;
  }
}

// ---- helpers ------------------------------------------------------------------------------------------------------------
const fnName = (e: A.FunctionCall): string => (e.name.quoted ? e.name.text : e.name.text.toUpperCase());

function hasOver(f: A.FromItem): boolean {
  return f.kind === 'join' ? hasOver(f.left) || f.right.over !== undefined : f.over !== undefined;
}

function overSpan(o: A.Over): A.Span {
  return o.span;
}

function isLiteral(e: A.Expr): boolean {
  if (e.kind === 'unary') return isLiteral(e.operand);
  return ['number', 'string', 'boolean', 'null', 'interval', 'datetime', 'binaryString'].includes(e.kind);
}

function isConstant(e: A.Expr): boolean {
  if (isLiteral(e)) return true;
  if (e.kind === 'binary') return isConstant(e.left) && isConstant(e.right);
  if (e.kind === 'cast') return isConstant(e.operand);
  return false;
}

function isPositiveConstant(e: A.Expr): boolean {
  return (e.kind === 'number' && Number(e.text) > 0) || e.kind === 'interval';
}

function numberType(text: string): SqlType {
  if (/[eE]/.test(text)) return t('DOUBLE');
  if (text.includes('.')) {
    const [i = '', f = ''] = text.split('.');
    const digits = i.replace(/^0+/, '').length + f.length;
    return t('DECIMAL', Math.min(19, Math.max(1, digits)), Math.min(19, f.length));
  }
  const n = Number(text);
  if (n <= 2147483647) return t('INTEGER');
  if (BigInt(text) <= 9223372036854775807n) return t('BIGINT');
  return t('DECIMAL', 19, 0);
}

/** Result of arithmetic on numbers, times and intervals; undefined when the operator does not apply. */
function arithmetic(op: A.BinaryOperator, l: SqlType, r: SqlType): SqlType | undefined {
  if (isUnknown(l) && isUnknown(r)) return ANY;
  if (isUnknown(l)) return isNumeric(r) || r.kind === 'INTERVAL' ? r : isDatetime(r) ? (op === '-' ? ANY : r) : undefined;
  if (isUnknown(r)) return isNumeric(l) || l.kind === 'INTERVAL' || isDatetime(l) ? (isDatetime(l) && op === '-' ? ANY : l) : undefined;
  if (isNumeric(l) && isNumeric(r)) return op === '%' && !(isExact(l) && isExact(r)) ? undefined : numericResult(l, r, op);
  const iv = (x: SqlType) => x.kind === 'INTERVAL';
  switch (op) {
    case '+':
      if (isDatetime(l) && iv(r)) return l;
      if (iv(l) && isDatetime(r)) return r;
      if (iv(l) && iv(r)) return INTERVAL;
      return undefined;
    case '-':
      if (isDatetime(l) && iv(r)) return l;
      if (isDatetime(l) && l.kind === r.kind) return INTERVAL;
      if (iv(l) && iv(r)) return INTERVAL;
      return undefined;
    case '*':
      if ((iv(l) && isNumeric(r)) || (isNumeric(l) && iv(r))) return INTERVAL;
      return undefined;
    case '/':
      // (t - t0) SECOND / 10: an interval divided by a number (the console's bucket idiom).
      if (iv(l) && isNumeric(r)) return INTERVAL;
      return undefined;
    default:
      return undefined;
  }
}

export function implicitName(e: A.Expr, i: number): string {
  if (e.kind === 'column') return canonical(e.parts.at(-1)!);
  return `EXPR$${i}`;
}

function selectItemsOf(q: A.Query): A.SelectItem[] | undefined {
  let b: A.QueryBody = q.body;
  while (b.kind !== 'select') {
    if (b.kind === 'query') b = b.body;
    else b = b.left;
  }
  return b.items.some((i) => i.kind === 'star') ? undefined : b.items.filter((i) => !(i.kind === 'exprItem' && i.alias && canonical(i.alias) === 'ROWTIME'));
}

function aliasesOf(scope: Scope): string[] {
  const out: string[] = [];
  for (let s: Scope | undefined = scope; s; s = s.parent) for (const e of s.entries) if (e.alias) out.push(e.alias);
  return out;
}

function visibleColumns(scope: Scope): string[] {
  const out: string[] = [];
  for (let s: Scope | undefined = scope; s; s = s.parent) for (const e of s.entries) out.push(...e.columns.map((c) => c.name));
  return out;
}

function windowNames(scope: Scope): string[] {
  const out: string[] = [];
  for (let s: Scope | undefined = scope; s; s = s.parent) out.push(...s.windows.keys());
  return out;
}
