/**
 * A NAIVE REFERENCE EVALUATOR for KDA SQL applications, written for clarity, not speed: the whole input is in memory,
 * every query is interpreted straight from its AST one row at a time, every window is recomputed from scratch. The
 * engine's output is compared with this one in the property tests.
 *
 * Model. Each source row gets an order key [ROWTIME, global index], the global index being its rank when all source
 * streams are merged in ROWTIME order (ties: order of streams in config.Inputs, _001 before _002, then row order).
 * Every derived row carries an order key too: a per-row result inherits its input row's key; a group closed at time E
 * gets [E, (index of the first source row with ROWTIME >= E) - 0.5, group number] (it is emitted when the bound passes
 * E, so before rows arriving at E). Merges (UNION ALL, the two sides of a stream join, several pumps into one stream)
 * order by these keys. At end of input the bound is infinite, so every window closes.
 */
import type { Row } from '../../../src/exec/arrow.js';
import type { RunInput, RunResult } from '../../../src/exec/program.js';
import { SqlRuntimeError, MS_PER_DAY, type Value } from '../../../src/exec/values.js';
import type * as A from '../../../src/sql/ast.js';
import type { BoundProgram, BoundPump } from '../../../src/sql/bind/binder.js';
import { builtin, NILADIC } from '../../../src/sql/bind/functions.js';
import { t as mkType, type SqlType } from '../../../src/sql/bind/types.js';
import type { ApplicationConfig } from '../../../src/sql/catalog.js';
import { sourceStreamNames, DEFAULT_NAME_PREFIX } from '../../../src/sql/catalog.js';
import { checkApplication } from '../../../src/sql/index.js';
import { children } from '../../../src/sql/walk.js';
import { computeAggregate } from './aggregates.js';
import { castValue, compareValues as compare, SCALAR_FUNCTIONS } from '../../../src/exec/functions/index.js';
import { intervalMs, parseDate, parseTime, parseTimestamp } from './scalar.js';

const valuesEqual = (a: Value, b: Value): boolean => (a === null || b === null ? a === b : compare(a, b) === 0);
const BOOL_T = mkType('BOOLEAN');
const VARCHAR_T = mkType('VARCHAR');

/** Store assignment into a target column: numbers convert (and must fit), strings are cut, others stay as they are. */
function storeAssign(v: Value, from: SqlType, to: SqlType): Value {
  if (v === null) return null;
  const num = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'REAL', 'DOUBLE', 'DECIMAL'];
  if (num.includes(to.kind) && typeof v === 'number') return from.kind === to.kind && to.kind !== 'DECIMAL' ? v : castValue(v, from.kind === 'ANY' ? mkType('DOUBLE') : from, to);
  if ((to.kind === 'CHAR' || to.kind === 'VARCHAR') && typeof v === 'string') return castValue(v, from.kind === 'ANY' ? VARCHAR_T : from, to);
  return v;
}

export interface ReferenceOptions {
  /** What CURRENT_TIMESTAMP and friends return, ms. Default 0. */
  startTime?: number;
}

export class ReferenceUnsupported extends Error {}

const ANY_T = mkType('ANY');
const canonical = (id: A.Identifier): string => (id.quoted ? id.text : id.text.toUpperCase());
const fnName = (c: A.FunctionCall): string => canonical(c.name);

type OrderKey = number[];
function cmpKey(a: OrderKey, b: OrderKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
}
/** Stable merge of several ordered lists by order key (ties: earlier list first). */
function mergeByKey<T extends { key: OrderKey }>(lists: T[][]): T[] {
  const all = lists.flatMap((l, li) => l.map((x, i) => ({ x, li, i })));
  all.sort((a, b) => cmpKey(a.x.key, b.x.key) || a.li - b.li || a.i - b.i);
  return all.map((a) => a.x);
}

interface ColumnInfo {
  name: string;
  type: SqlType;
  hidden?: boolean;
}

/** One FROM item in scope: its alias and columns. A tuple holds one row (or NULL padding) per item. */
interface Item {
  alias?: string;
  columns: ColumnInfo[];
  stream: boolean;
}

interface Tuple {
  /** ROWTIME of the tuple (the arriving row's, for a join). */
  rowtime: number;
  key: OrderKey;
  rows: (Row | null)[];
}

interface Rel {
  layout: Item[];
  stream: boolean;
  tuples: Tuple[];
}

interface OutRow {
  rowtime: number;
  key: OrderKey;
  values: Value[];
}

interface Out {
  columns: ColumnInfo[];
  stream: boolean;
  rows: OutRow[];
}

interface Ctx {
  layout: Item[];
  tuple: Tuple;
  /** Answers for whole sub-expressions (aggregates of a group, group keys, window functions). */
  intercept?: (e: A.Expr) => { v: Value } | undefined;
  /** While searching for the end of a time bucket: the ROWTIME to pretend. */
  rowtimeOverride?: number;
}

/** Run the application over in-memory input; see the file comment for the model. */
export function referenceRun(code: string, config: ApplicationConfig | undefined, input: RunInput, options: ReferenceOptions = {}): RunResult {
  const check = checkApplication(code, config);
  if (!check.ok || !check.program) {
    throw new Error(`reference: the application does not check:\n${check.diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`).join('\n')}`);
  }
  return new Reference(check.program, config, input, options.startTime ?? 0).run();
}

class Reference {
  private readonly sources = new Map<string, { rows: Row[]; keys: OrderKey[] }>();
  private readonly sourceTimes: number[] = [];
  private readonly streams = new Map<string, { row: Row; key: OrderKey }[]>();
  private readonly errors: Row[] = [];
  private pump = '';
  private readonly resolved = new Map<A.ColumnRef, { i: number; name: string } | { niladic: string }>();

  constructor(
    private readonly program: BoundProgram,
    private readonly config: ApplicationConfig | undefined,
    private readonly input: RunInput,
    private readonly startTime: number,
  ) {}

  private type(e: A.Expr): SqlType {
    return this.program.types.get(e) ?? ANY_T;
  }

  private readonly libCache = new Map<object, (...args: Value[]) => Value>();

  /** The scalar library's implementation of `name` for these types (cached per call site), NULL-strict if it says so. */
  private lib(site: object, name: string, argTypes: SqlType[], result: SqlType): (...args: Value[]) => Value {
    let f = this.libCache.get(site);
    if (!f) {
      const sf = SCALAR_FUNCTIONS.get(name);
      if (!sf) throw new ReferenceUnsupported(`reference: function ${name} is not in the scalar library`);
      const impl = sf.make(argTypes, result);
      f = sf.nulls === 'strict' ? (...a: Value[]) => (a.some((v) => v === null) ? null : impl(...a)) : impl;
      this.libCache.set(site, f);
    }
    return f;
  }

  run(): RunResult {
    this.loadSources();
    const pumps = this.program.pumps.filter((p) => !p.stopped);
    const created = this.program.catalog.relationNames(['stream']);
    const pending = new Map(pumps.map((p) => [p, readsOf(p.query.ast).map((n) => n)]));
    const outputs = new Map<string, { row: Row; key: OrderKey }[][]>();
    const ready = (name: string): boolean => !pumps.some((p) => p.target === name && pending.has(p));
    while (pending.size > 0) {
      const next = [...pending.entries()].find(([, reads]) => reads.every((r) => !created.includes(r) || ready(r) && this.streams.has(r)));
      if (!next) {
        // streams whose pumps are all done are published; if nothing can run, the pumps form a cycle
        const published = this.publish(created, pumps, pending, outputs);
        if (!published) throw new ReferenceUnsupported('reference: pumps read each other in a cycle');
        continue;
      }
      const [p] = next;
      pending.delete(p);
      const rows = this.runPump(p);
      if (!outputs.has(p.target)) outputs.set(p.target, []);
      outputs.get(p.target)!.push(rows);
      this.publish(created, pumps, pending, outputs);
    }
    this.publish(created, pumps, pending, outputs);
    const streams: Record<string, Row[]> = {};
    for (const name of created) streams[name] = (this.streams.get(name) ?? []).map((r) => r.row);
    // error rows in time order (pumps run one after the other here; a streaming engine interleaves them)
    const errors = this.errors.map((e, i) => ({ e, i })).sort((a, b) => (a.e.DATA_ROWTIME as number) - (b.e.DATA_ROWTIME as number) || a.i - b.i);
    return { streams, errors: errors.map((x) => x.e) };
  }

  /** A stream is complete once every pump into it has run: merge its pumps' rows in order. */
  private publish(created: string[], pumps: BoundPump[], pending: Map<BoundPump, string[]>, outputs: Map<string, { row: Row; key: OrderKey }[][]>): boolean {
    let any = false;
    for (const name of created) {
      if (this.streams.has(name)) continue;
      if (pumps.some((p) => p.target === name && pending.has(p))) continue;
      this.streams.set(name, mergeByKey(outputs.get(name) ?? []));
      any = true;
    }
    return any;
  }

  // ---- input ------------------------------------------------------------------------------------------------------
  private loadSources(): void {
    const names: string[] = [];
    const inputs = this.config?.Inputs ?? [];
    if (inputs.length === 0) names.push(`${DEFAULT_NAME_PREFIX}_001`);
    for (const i of inputs) names.push(...sourceStreamNames(i.NamePrefix ?? DEFAULT_NAME_PREFIX, i.InputParallelism?.Count ?? 1));
    const all: { name: string; si: number; ri: number; t: number }[] = [];
    names.forEach((name, si) => {
      const rel = this.program.catalog.relation(name)!;
      const rows = (this.input.streams[name] ?? []).map((r) => {
        const row: Row = { ROWTIME: r.ROWTIME as number };
        for (const c of rel.columns) row[c.name] = normalize(r[c.name] ?? null, c.type);
        if (row.APPROXIMATE_ARRIVAL_TIME === null) row.APPROXIMATE_ARRIVAL_TIME = r.ROWTIME as number;
        return row;
      });
      for (let i = 1; i < rows.length; i++) {
        if ((rows[i]!.ROWTIME as number) < (rows[i - 1]!.ROWTIME as number)) throw new Error(`reference: ROWTIME decreases in input ${name}`);
      }
      this.sources.set(name, { rows, keys: [] });
      rows.forEach((r, ri) => all.push({ name, si, ri, t: r.ROWTIME as number }));
    });
    all.sort((a, b) => a.t - b.t || a.si - b.si || a.ri - b.ri);
    all.forEach((a, g) => {
      this.sources.get(a.name)!.keys[a.ri] = [a.t, g];
      this.sourceTimes.push(a.t);
    });
  }

  /** Order key of a group closing at `end`: just before the first source row at or after `end`. */
  private closeKey(end: number, n: number): OrderKey {
    let lo = 0;
    let hi = this.sourceTimes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sourceTimes[mid]! < end) lo = mid + 1;
      else hi = mid;
    }
    return [end, lo - 0.5, n];
  }

  private tableRows(name: string): Row[] {
    const rel = this.program.catalog.relation(name)!;
    return (this.input.tables?.[name] ?? []).map((r) => {
      const row: Row = {};
      for (const c of rel.columns) row[c.name] = normalize(r[c.name] ?? null, c.type);
      return row;
    });
  }

  // ---- pumps ------------------------------------------------------------------------------------------------------
  private runPump(p: BoundPump): { row: Row; key: OrderKey }[] {
    this.pump = p.name;
    const out = this.evalQuery(p.query.ast);
    const target = this.program.catalog.relation(p.target)!;
    const rows: { row: Row; key: OrderKey }[] = [];
    let last = -Infinity;
    for (const r of out.rows) {
      if (r.rowtime < last) {
        this.error('ROWTIME_OUT_OF_ORDER', `ROWTIME ${r.rowtime} is before ${last}`, r.rowtime, r.values);
        continue;
      }
      try {
        const row: Row = { ROWTIME: r.rowtime };
        for (const c of target.columns) {
          const j = p.columns.indexOf(c.name);
          row[c.name] = j < 0 ? null : storeAssign(r.values[j] ?? null, out.columns[j]?.type ?? ANY_T, c.type);
        }
        rows.push({ row, key: r.key });
        last = r.rowtime;
      } catch (e) {
        if (!(e instanceof SqlRuntimeError)) throw e;
        this.error(e.errorName, e.message, r.rowtime, r.values);
      }
    }
    return rows;
  }

  private error(name: string, message: string, rowtime: number, data: unknown): void {
    this.errors.push({
      ERROR_TIME: rowtime,
      ERROR_LEVEL: 'ERROR',
      ERROR_NAME: name,
      MESSAGE: message,
      DATA_ROWTIME: rowtime,
      DATA_ROW: Buffer.from(JSON.stringify(data, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v))).toString('hex'),
      PUMP_NAME: this.pump,
    });
  }

  /** Run `f`; a row-level failure goes to error_stream and gives undefined. */
  private guard<T>(rowtime: number, data: unknown, f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof SqlRuntimeError)) throw e;
      this.error(e.errorName, e.message, rowtime, data);
      return undefined;
    }
  }

  // ---- queries ----------------------------------------------------------------------------------------------------
  private evalQuery(q: A.Query): Out {
    if (q.orderBy.length > 0) throw new ReferenceUnsupported('reference: ORDER BY is not supported');
    return this.evalBody(q.body);
  }

  private evalBody(b: A.QueryBody): Out {
    if (b.kind === 'query') return this.evalQuery(b);
    if (b.kind === 'select') return this.evalSelect(b);
    if (b.op !== 'UNION' || !b.all) throw new ReferenceUnsupported(`reference: ${b.op} is not supported`);
    const l = this.evalBody(b.left);
    const r = this.evalBody(b.right);
    return { columns: l.columns, stream: l.stream || r.stream, rows: mergeByKey([l.rows, r.rows]) };
  }

  // ---- FROM -------------------------------------------------------------------------------------------------------
  private evalFrom(f: A.FromItem): Rel {
    if (f.kind === 'join') return this.evalJoin(f);
    return this.evalFromItem(f);
  }

  private evalFromItem(f: A.TableRef | A.DerivedTable | A.TableFunction): Rel {
    if (f.kind === 'tableFunction') throw new ReferenceUnsupported('reference: table functions are not supported');
    let item: Item;
    let tuples: Tuple[];
    if (f.kind === 'tableRef') {
      if (f.name.length !== 1) throw new ReferenceUnsupported('reference: qualified names');
      const name = canonical(f.name[0]!);
      const rel = this.program.catalog.relation(name)!;
      const alias = f.alias ? canonical(f.alias) : name;
      if (rel.kind === 'table') {
        item = { alias, columns: rel.columns.map((c) => ({ ...c })), stream: false };
        tuples = this.tableRows(name).map((row) => ({ rowtime: 0, key: [0], rows: [row] }));
      } else {
        const columns: ColumnInfo[] = [...rel.columns.map((c) => ({ ...c })), { name: 'ROWTIME', type: mkType('TIMESTAMP'), hidden: true }];
        item = { alias, columns, stream: true };
        if (rel.kind === 'source') {
          const src = this.sources.get(name)!;
          tuples = src.rows.map((row, i) => ({ rowtime: row.ROWTIME as number, key: src.keys[i]!, rows: [row] }));
        } else {
          const s = this.streams.get(name);
          if (!s) throw new Error(`reference: stream ${name} read before it was computed`);
          tuples = s.map(({ row, key }) => ({ rowtime: row.ROWTIME as number, key, rows: [row] }));
        }
      }
    } else {
      const out = this.evalQuery(f.query);
      const cols = out.columns.map((c, i) => ({ ...c, name: f.columnAliases?.[i] ? canonical(f.columnAliases[i]!) : c.name }));
      const columns = out.stream ? [...cols, { name: 'ROWTIME', type: mkType('TIMESTAMP'), hidden: true }] : cols;
      item = { ...(f.alias ? { alias: canonical(f.alias) } : {}), columns, stream: out.stream };
      tuples = out.rows.map((r) => {
        const row: Row = {};
        cols.forEach((c, i) => (row[c.name] = r.values[i] ?? null));
        if (out.stream) row.ROWTIME = r.rowtime;
        return { rowtime: r.rowtime, key: r.key, rows: [row] };
      });
    }
    if (f.columnAliases && f.kind === 'tableRef') {
      const visible = item.columns.filter((c) => !c.hidden);
      const renamed = visible.map((c, i) => ({ ...c, name: canonical(f.columnAliases![i]!) }));
      tuples = tuples.map((t) => {
        const row: Row = { ...t.rows[0]! };
        visible.forEach((c, i) => (row[renamed[i]!.name] = t.rows[0]![c.name] ?? null));
        return { ...t, rows: [row] };
      });
      item = { ...item, columns: [...renamed, ...item.columns.filter((c) => c.hidden)] };
    }
    return { layout: [item], stream: item.stream, tuples };
  }

  private evalJoin(j: A.Join): Rel {
    const left = this.evalFrom(j.left);
    const right = this.evalFromItem(j.right);
    const layout = [...left.layout, ...right.layout];
    const type = j.type === 'COMMA' ? 'CROSS' : j.type;
    const matches = (l: Tuple, r: Tuple, at: Tuple): boolean => {
      if (!j.on) return true;
      const joined: Tuple = { rowtime: at.rowtime, key: at.key, rows: [...l.rows, ...r.rows] };
      return this.evalExpr(j.on, { layout, tuple: joined }) === true;
    };
    const padL: (Row | null)[] = left.layout.map(() => null);
    const padR: (Row | null)[] = right.layout.map(() => null);
    const out: Tuple[] = [];
    const tryMatch = (l: Tuple, r: Tuple, at: Tuple): boolean =>
      this.guard(at.rowtime, [...l.rows, ...r.rows], () => matches(l, r, at)) === true;

    if (!left.stream || !right.stream) {
      // A stream joined to a table (or two tables): each row of the stream side looks the table up.
      const streamLeft = left.stream || !right.stream;
      const driver = streamLeft ? left : right;
      const other = streamLeft ? right : left;
      const keep = streamLeft ? type === 'LEFT' || type === 'FULL' : type === 'RIGHT' || type === 'FULL';
      for (const d of driver.tuples) {
        let found = false;
        for (const o of other.tuples) {
          const [l, r] = streamLeft ? [d, o] : [o, d];
          if (tryMatch(l, r, d)) {
            found = true;
            out.push({ rowtime: d.rowtime, key: d.key, rows: [...l.rows, ...r.rows] });
          }
        }
        if (!found && keep) out.push({ rowtime: d.rowtime, key: d.key, rows: streamLeft ? [...d.rows, ...padR] : [...padL, ...d.rows] });
      }
      return { layout, stream: left.stream || right.stream, tuples: out };
    }

    // Stream to stream, by instants (all rows of one ROWTIME, on both sides, arrive together). What a row arriving on
    // one side at instant t sees of the OTHER side is that side's window at t: RANGE ms → its rows with ROWTIME in
    // [t - ms, t]; ROWS n → its latest n + 1 rows with ROWTIME <= t; no window → its rows at t only. A left arrival pairs
    // with the right window; a right arrival with the left window, except pairs the left arrivals already made. An
    // outer join pads a preserved row that made no pair at its own instant. Output of an instant: the left arrivals'
    // matches, the right arrivals' matches, padded left rows, padded right rows.
    const leftOver = j.left.kind !== 'join' ? j.left.over : undefined;
    const lw = leftOver ? this.windowOf(leftOver, undefined) : undefined;
    const rw = j.right.over ? this.windowOf(j.right.over, undefined) : undefined;
    const times = [...new Set([...left.tuples, ...right.tuples].map((t) => t.rowtime))].sort((a, b) => a - b);
    const keepLeft = type === 'LEFT' || type === 'FULL';
    const keepRight = type === 'RIGHT' || type === 'FULL';
    for (const time of times) {
      const lNow = left.tuples.filter((t) => t.rowtime === time);
      const rNow = right.tuples.filter((t) => t.rowtime === time);
      const lWin = this.joinWindow(lw, left.tuples, left.layout, time);
      const rWin = this.joinWindow(rw, right.tuples, right.layout, time);
      const instantKey = [...lNow, ...rNow].map((t) => t.key).sort(cmpKey).at(-1)!;
      let n = 0;
      const emit = (rows: (Row | null)[]) => out.push({ rowtime: time, key: [...instantKey, n++], rows });
      const paired = new Set<string>();
      const used = new Set<Tuple>();
      const at: Tuple = { rowtime: time, key: instantKey, rows: [] };
      lNow.forEach((l, li) => {
        for (const r of rWin) {
          if (!tryMatch(l, r, at)) continue;
          paired.add(`${li}|${right.tuples.indexOf(r)}`);
          used.add(l).add(r);
          emit([...l.rows, ...r.rows]);
        }
      });
      for (const r of rNow) {
        for (const l of lWin) {
          const li = lNow.indexOf(l);
          if (li >= 0 && paired.has(`${li}|${right.tuples.indexOf(r)}`)) continue;
          if (!tryMatch(l, r, at)) continue;
          used.add(l).add(r);
          emit([...l.rows, ...r.rows]);
        }
      }
      if (keepLeft) for (const l of lNow) if (!used.has(l)) emit([...l.rows, ...padR]);
      if (keepRight) for (const r of rNow) if (!used.has(r)) emit([...padL, ...r.rows]);
    }
    return { layout, stream: true, tuples: out };
  }

  /** A join side's window at instant `time` (rows in arrival order), as seen by a row arriving on the other side. */
  private joinWindow(w: WindowShape | undefined, all: Tuple[], layout: Item[], time: number): Tuple[] {
    const upTo = all.filter((t) => t.rowtime <= time);
    if (!w) return upTo.filter((t) => t.rowtime === time);
    if (w.unit === 'RANGE') return upTo.filter((t) => w.size === Infinity || t.rowtime >= time - w.size);
    // ROWS n PRECEDING: the latest n + 1 rows (per partition when partitioned).
    if (w.partitionBy.length === 0) return upTo.slice(Math.max(0, upTo.length - (w.size + 1)));
    const byPart = new Map<string, Tuple[]>();
    for (const t of upTo) {
      const k = valuesKey(w.partitionBy.map((p) => this.evalExpr(p, { layout, tuple: t })));
      if (!byPart.has(k)) byPart.set(k, []);
      byPart.get(k)!.push(t);
    }
    const keep = new Set<Tuple>();
    for (const list of byPart.values()) for (const t of list.slice(Math.max(0, list.length - (w.size + 1)))) keep.add(t);
    return upTo.filter((t) => keep.has(t));
  }

  // ---- windows ----------------------------------------------------------------------------------------------------
  private windowOf(over: A.Over, named: A.WindowDefinition[] | undefined): WindowShape {
    const lookup = (id: A.Identifier): A.WindowSpec => {
      const d = (named ?? this.currentWindows).find((w) => canonical(w.name) === canonical(id));
      if (!d) throw new Error(`reference: no window ${canonical(id)}`);
      return d.spec;
    };
    let spec: A.WindowSpec = over.kind === 'identifier' ? lookup(over) : over;
    if (spec.base) {
      const base = lookup(spec.base);
      spec = { ...spec, partitionBy: spec.partitionBy.length ? spec.partitionBy : base.partitionBy, ...(spec.frame ?? base.frame ? { frame: (spec.frame ?? base.frame)! } : {}) };
    }
    const f = spec.frame;
    if (!f) throw new ReferenceUnsupported('reference: a window without a frame');
    const start = f.start;
    let size: number;
    if (start.type === 'UNBOUNDED PRECEDING') size = Infinity;
    else if (start.type === 'CURRENT ROW') size = 0;
    else if (start.type === 'PRECEDING' && start.offset) {
      const o = start.offset;
      if (f.unit === 'ROWS') size = Number((o as A.NumberLiteral).text);
      else if (o.kind === 'interval') size = intervalMs(o.text, o.unit, o.toUnit, o.negative);
      else throw new ReferenceUnsupported('reference: RANGE offset that is not an interval literal');
    } else throw new ReferenceUnsupported(`reference: frame start ${start.type}`);
    return { unit: f.unit, size, partitionBy: spec.partitionBy };
  }

  private currentWindows: A.WindowDefinition[] = [];

  // ---- SELECT -----------------------------------------------------------------------------------------------------
  private evalSelect(s: A.Select): Out {
    if (!s.from) throw new ReferenceUnsupported('reference: SELECT without FROM');
    if (s.quantifier === 'DISTINCT') throw new ReferenceUnsupported('reference: SELECT DISTINCT');
    const saved = this.currentWindows;
    this.currentWindows = s.windows;
    try {
      const rel = this.evalFrom(s.from);
      const columns = this.outputColumns(s, rel.layout);
      // WHERE
      const kept: Tuple[] = [];
      for (const t of rel.tuples) {
        const ok = this.guard(t.rowtime, t.rows, () => !s.where || this.evalExpr(s.where, { layout: rel.layout, tuple: t }) === true);
        if (ok) kept.push(t);
      }
      const aggs = [...s.items.flatMap((i) => (i.kind === 'exprItem' ? aggregatesIn(i.expr) : [])), ...(s.having ? aggregatesIn(s.having) : [])];
      if (s.groupBy || s.stagger || aggs.length > 0) return { columns, stream: rel.stream, rows: this.grouped(s, rel, kept, aggs) };
      return { columns, stream: rel.stream, rows: this.perRow(s, rel, kept) };
    } finally {
      this.currentWindows = saved;
    }
  }

  private outputColumns(s: A.Select, layout: Item[]): ColumnInfo[] {
    const cols: ColumnInfo[] = [];
    s.items.forEach((item, i) => {
      if (item.kind === 'star') {
        const q = item.qualifier ? canonical(item.qualifier) : undefined;
        for (const it of layout) if (!q || it.alias === q) cols.push(...it.columns.filter((c) => !c.hidden));
        return;
      }
      const name = item.alias ? canonical(item.alias) : item.expr.kind === 'column' ? canonical(item.expr.parts.at(-1)!) : `EXPR$${i}`;
      // `x AS ROWTIME` (and a bare `s.ROWTIME`, as the binder reads it) sets the output row's time: not a column
      if (name === 'ROWTIME') return;
      cols.push({ name, type: this.type(item.expr) });
    });
    return cols;
  }

  /** The select list of one output row: its values and the ROWTIME it sets (if any). */
  private project(s: A.Select, ctx: Ctx): { values: Value[]; rowtime?: number } {
    const values: Value[] = [];
    let rowtime: number | undefined;
    for (const item of s.items) {
      if (item.kind === 'star') {
        const q = item.qualifier ? canonical(item.qualifier) : undefined;
        ctx.layout.forEach((it, i) => {
          if (q && it.alias !== q) return;
          for (const c of it.columns) if (!c.hidden) values.push(ctx.tuple.rows[i]?.[c.name] ?? null);
        });
        continue;
      }
      const v = this.evalExpr(item.expr, ctx);
      const name = item.alias ? canonical(item.alias) : item.expr.kind === 'column' ? canonical(item.expr.parts.at(-1)!) : '';
      if (name === 'ROWTIME') {
        if (v === null) throw new SqlRuntimeError('INVALID_ARGUMENT', 'ROWTIME cannot be NULL');
        rowtime = v as number;
      } else values.push(v);
    }
    return { values, ...(rowtime !== undefined ? { rowtime } : {}) };
  }

  /** No grouping: one output row per input row; aggregates OVER a window recomputed from each frame. */
  private perRow(s: A.Select, rel: Rel, kept: Tuple[]): OutRow[] {
    const overCalls = s.items.flatMap((i) => (i.kind === 'exprItem' ? overCallsIn(i.expr) : []));
    let tuples = kept;
    // Per row: partition key and the argument values of every windowed call; a failure drops the row.
    const pre = new Map<Tuple, { parts: string[]; args: Value[][] }>();
    if (overCalls.length > 0) {
      const shapes = overCalls.map((c) => this.windowOf(c.over!, s.windows));
      tuples = [];
      for (const t of kept) {
        const ctx = { layout: rel.layout, tuple: t };
        const r = this.guard(t.rowtime, t.rows, () => ({
          parts: shapes.map((w) => valuesKey(w.partitionBy.map((p) => this.evalExpr(p, ctx)))),
          args: overCalls.map((c) => c.args.map((a) => this.evalExpr(a, ctx))),
        }));
        if (r) {
          pre.set(t, r);
          tuples.push(t);
        }
      }
      const values = new Map<Tuple, Map<A.FunctionCall, Value>>();
      tuples.forEach((t, i) => {
        const m = new Map<A.FunctionCall, Value>();
        overCalls.forEach((c, k) => {
          const w = shapes[k]!;
          const part = pre.get(t)!.parts[k]!;
          const partition = tuples.slice(0, i + 1).filter((u) => pre.get(u)!.parts[k] === part);
          const v = this.guard(t.rowtime, t.rows, () => this.windowValue(c, k, w, partition, pre));
          m.set(c, v === undefined ? null : v);
        });
        values.set(t, m);
      });
      const out: OutRow[] = [];
      for (const t of tuples) {
        const m = values.get(t)!;
        const ctx: Ctx = { layout: rel.layout, tuple: t, intercept: (e) => (e.kind === 'call' && m.has(e) ? { v: m.get(e)! } : undefined) };
        const r = this.guard(t.rowtime, t.rows, () => this.project(s, ctx));
        if (r) out.push({ rowtime: r.rowtime ?? t.rowtime, key: t.key, values: r.values });
      }
      return out;
    }
    const out: OutRow[] = [];
    for (const t of tuples) {
      const r = this.guard(t.rowtime, t.rows, () => this.project(s, { layout: rel.layout, tuple: t }));
      if (r) out.push({ rowtime: r.rowtime ?? t.rowtime, key: t.key, values: r.values });
    }
    return out;
  }

  /** A windowed call's value for the last row of `partition` (the rows of its partition so far, in arrival order). */
  private windowValue(c: A.FunctionCall, k: number, w: WindowShape, partition: Tuple[], pre: Map<Tuple, { args: Value[][] }>): Value {
    const cur = partition.at(-1)!;
    const name = fnName(c);
    const arg = (t: Tuple, n: number) => pre.get(t)!.args[k]![n] ?? null;
    if (name === 'LAG') {
      const n = c.args.length > 1 ? (arg(cur, 1) as number) : 1;
      const back = partition[partition.length - 1 - n];
      return back ? arg(back, 0) : c.args.length > 2 ? arg(cur, 2) : null;
    }
    let frame: Tuple[];
    if (w.unit === 'ROWS') frame = partition.slice(Math.max(0, partition.length - (w.size + 1)));
    else frame = partition.filter((t) => w.size === Infinity || t.rowtime >= cur.rowtime - w.size);
    if (name === 'NTH_VALUE') {
      const n = arg(cur, 1) as number;
      const x = frame[n - 1];
      return x ? arg(x, 0) : null;
    }
    return computeAggregate(name, c.star, c.quantifier === 'DISTINCT', c.star ? null : frame.map((t) => arg(t, 0)), frame.length, this.type(c), c.args[0] ? this.type(c.args[0]) : ANY_T);
  }

  // ---- GROUP BY (tumbling, TUMBLE/HOP/SESSION), WINDOWED BY STAGGER, aggregates over a table -----------------------
  private grouped(s: A.Select, rel: Rel, kept: Tuple[], aggs: A.FunctionCall[]): OutRow[] {
    const layout = rel.layout;
    const groupExprs = s.groupBy ?? s.stagger?.partitionBy ?? [];
    const windowCalls = (s.groupBy ?? []).filter((g): g is A.FunctionCall => g.kind === 'call' && ['TUMBLE', 'HOP', 'SESSION'].includes(fnName(g)));
    if (windowCalls.length > 1) throw new ReferenceUnsupported('reference: more than one group window');
    const buckets = windowCalls.length === 0 && s.groupBy ? s.groupBy.filter((g) => isMonotoneTime(g)) : [];
    const plain = groupExprs.filter((g) => !windowCalls.includes(g as A.FunctionCall) && !buckets.includes(g));

    // Per row: the group key values and the aggregate arguments; a failure drops the row.
    interface Pre {
      t: Tuple;
      idx: number;
      keys: Value[];
      bucket: Value[];
      args: Value[];
    }
    const pres: Pre[] = [];
    kept.forEach((t, idx) => {
      const ctx = { layout, tuple: t };
      const p = this.guard(t.rowtime, t.rows, () => ({
        t,
        idx,
        keys: groupExprs.map((g) => (windowCalls.includes(g as A.FunctionCall) ? null : this.evalExpr(g, ctx))),
        bucket: buckets.map((b) => this.evalExpr(b, ctx)),
        args: aggs.map((a) => (a.star || !a.args[0] ? null : this.evalExpr(a.args[0], ctx))),
      }));
      if (p) pres.push(p);
    });

    interface Group {
      start: number;
      end: number;
      first: number;
      members: Pre[];
    }
    const groups: Group[] = [];
    const byKey = new Map<string, Group>();
    const plainKey = (p: Pre) => valuesKey(groupExprs.map((g, i) => (plain.includes(g) ? p.keys[i]! : null)));
    const add = (k: string, p: Pre, start: number, end: number) => {
      let g = byKey.get(k);
      if (!g) {
        g = { start, end, first: p.idx, members: [] };
        byKey.set(k, g);
        groups.push(g);
      }
      g.members.push(p);
    };

    if (s.stagger) {
      // A window per partition key opens at its first row's ROWTIME and closes one RANGE later; a row at or after
      // the close opens the next window of that key.
      const range = this.constInterval(s.stagger.range);
      const open = new Map<string, Group>();
      let n = 0;
      for (const p of pres) {
        const k = plainKey(p);
        const g = open.get(k);
        if (g && p.t.rowtime < g.end) g.members.push(p);
        else {
          const ng: Group = { start: p.t.rowtime, end: p.t.rowtime + range, first: p.idx, members: [p] };
          open.set(k, ng);
          groups.push(ng);
          byKey.set(`${k}#${n++}`, ng);
        }
      }
    } else if (windowCalls.length === 1) {
      const wc = windowCalls[0]!;
      const name = fnName(wc);
      const size = (i: number) => this.constInterval(wc.args[i]!);
      if (name === 'TUMBLE') {
        const w = size(1);
        for (const p of pres) {
          const time = this.evalExpr(wc.args[0]!, { layout, tuple: p.t }) as number;
          const start = Math.floor(time / w) * w;
          add(`${start}|${plainKey(p)}`, p, start, start + w);
        }
      } else if (name === 'HOP') {
        const slide = size(1);
        const w = size(2);
        for (const p of pres) {
          const time = this.evalExpr(wc.args[0]!, { layout, tuple: p.t }) as number;
          const last = Math.floor(time / slide) * slide;
          const starts: number[] = [];
          for (let st = last; st > time - w; st -= slide) starts.unshift(st);
          for (const st of starts) add(`${st}|${plainKey(p)}`, p, st, st + w);
        }
      } else {
        // SESSION: rows of one key closer than `gap` to the previous one share a session, which ends `gap` after its last row.
        const gap = size(1);
        const current = new Map<string, Group>();
        for (const p of pres) {
          const k = plainKey(p);
          const time = this.evalExpr(wc.args[0]!, { layout, tuple: p.t }) as number;
          const g = current.get(k);
          if (g && time < g.end) {
            g.members.push(p);
            g.end = time + gap;
          } else {
            const ng: Group = { start: time, end: time + gap, first: p.idx, members: [p] };
            current.set(k, ng);
            groups.push(ng);
          }
        }
      }
    } else if (buckets.length > 0) {
      for (const p of pres) {
        const end = this.bucketEnd(buckets, layout, p.t, p.bucket);
        add(`${valuesKey(p.bucket)}|${plainKey(p)}`, p, NaN, end);
      }
    } else {
      if (rel.stream) throw new ReferenceUnsupported('reference: a streaming GROUP BY with no time bucket');
      if (!s.groupBy && pres.length === 0) groups.push({ start: 0, end: 0, first: 0, members: [] });
      for (const p of pres) add(plainKey(p), p, 0, 0);
    }

    // Emit groups in order of closing time, then of first appearance.
    const order = groups.map((g, i) => ({ g, i })).sort((a, b) => a.g.end - b.g.end || a.g.first - b.g.first || a.i - b.i);
    const exprKeys = groupExprs.map((g) => this.exprKey(g, layout));
    const out: OutRow[] = [];
    order.forEach(({ g }, n) => {
      const rep = g.members[0];
      const repTuple: Tuple = rep ? rep.t : { rowtime: g.end, key: [g.end], rows: layout.map(() => null) };
      const aggValues = new Map<A.FunctionCall, () => Value>();
      aggs.forEach((a, k) => {
        aggValues.set(a, () =>
          computeAggregate(fnName(a), a.star, a.quantifier === 'DISTINCT', a.star ? null : g.members.map((m) => m.args[k]!), g.members.length, this.type(a), a.args[0] ? this.type(a.args[0]) : ANY_T),
        );
      });
      const intercept = (e: A.Expr): { v: Value } | undefined => {
        if (e.kind === 'call' && aggValues.has(e)) return { v: aggValues.get(e)!() };
        const key = this.exprKey(e, layout);
        const gi = exprKeys.indexOf(key);
        if (gi >= 0 && rep) {
          if (windowCalls.includes(groupExprs[gi] as A.FunctionCall)) return { v: g.start };
          return { v: rep.keys[gi]! };
        }
        if (e.kind === 'column' && canonical(e.parts.at(-1)!) === 'ROWTIME') return { v: g.end };
        if (e.kind === 'call') {
          const m = /^(TUMBLE|HOP|SESSION)_(START|END|ROWTIME)$/.exec(fnName(e));
          if (m) return { v: m[2] === 'START' ? g.start : m[2] === 'END' ? g.end : g.end - 1 };
        }
        return undefined;
      };
      const ctx: Ctx = { layout, tuple: repTuple, intercept };
      const data = rep ? rep.t.rows : [];
      const r = this.guard(g.end, data, () => {
        if (s.having && this.evalExpr(s.having, ctx) !== true) return undefined;
        return this.project(s, ctx);
      });
      if (r) out.push({ rowtime: r.rowtime ?? g.end, key: rel.stream ? this.closeKey(g.end, n) : [0, n], values: r.values });
    });
    return out;
  }

  /** The end of the time bucket holding `t`: the first millisecond after t.rowtime where a bucket expression changes. */
  private bucketEnd(buckets: A.Expr[], layout: Item[], t: Tuple, values: Value[]): number {
    const same = (time: number): boolean => {
      const ctx: Ctx = { layout, tuple: t, rowtimeOverride: time };
      return buckets.every((b, i) => valuesEqual(this.evalExpr(b, ctx), values[i]!));
    };
    const t0 = t.rowtime;
    let step = 1;
    while (same(t0 + step)) {
      step *= 2;
      if (step > 2 ** 50) throw new ReferenceUnsupported('reference: a time bucket that never ends');
    }
    let lo = t0 + step / 2; // same (or t0 itself when step = 1)
    if (step === 1) lo = t0;
    let hi = t0 + step; // differs
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (same(mid)) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  private constInterval(e: A.Expr): number {
    const v = this.evalExpr(e, { layout: [], tuple: { rowtime: 0, key: [], rows: [] } });
    if (typeof v !== 'number' || v <= 0) throw new ReferenceUnsupported('reference: a window size must be a positive interval');
    return v;
  }

  /** A structural key for an expression, column references replaced by what they resolve to. */
  private exprKey(e: A.Expr, layout: Item[]): string {
    return JSON.stringify(e, (k, v) => {
      if (k === 'span') return undefined;
      if (v && typeof v === 'object' && (v as A.Expr).kind === 'column') {
        try {
          const r = this.resolve(v as A.ColumnRef, layout);
          return 'niladic' in r ? `niladic#${r.niladic}` : `${r.i}#${r.name}`;
        } catch {
          return v;
        }
      }
      if (v && typeof v === 'object' && (v as A.Identifier).kind === 'identifier') return canonical(v as A.Identifier);
      return v;
    });
  }

  // ---- expressions ------------------------------------------------------------------------------------------------
  private resolve(e: A.ColumnRef, layout: Item[]): { i: number; name: string } | { niladic: string } {
    const cached = this.resolved.get(e);
    if (cached) return cached;
    const names = e.parts.map(canonical);
    let r: { i: number; name: string } | { niladic: string } | undefined;
    if (names.length > 2) throw new ReferenceUnsupported('reference: row fields');
    if (names.length === 2) {
      const i = layout.findIndex((it) => it.alias === names[0]);
      if (i >= 0) r = { i, name: names[1]! };
    } else {
      const i = layout.findIndex((it) => it.columns.some((c) => c.name === names[0]));
      if (i >= 0) r = { i, name: names[0]! };
      else if (!e.parts[0]!.quoted && NILADIC[names[0]!]) r = { niladic: names[0]! };
    }
    if (!r) throw new Error(`reference: cannot resolve ${names.join('.')}`);
    this.resolved.set(e, r);
    return r;
  }

  private evalBool(e: A.Expr, ctx: Ctx): boolean | null {
    const v = this.evalExpr(e, ctx);
    return v as boolean | null;
  }

  evalExpr(e: A.Expr, ctx: Ctx): Value {
    if (ctx.intercept) {
      const hit = ctx.intercept(e);
      if (hit) return hit.v;
    }
    const ev = (x: A.Expr) => this.evalExpr(x, ctx);
    switch (e.kind) {
      case 'number':
        return Number(e.text);
      case 'string':
        return e.value;
      case 'binaryString':
        return Uint8Array.from(Buffer.from(e.hex, 'hex'));
      case 'boolean':
        return e.value;
      case 'null':
        return null;
      case 'interval':
        return intervalMs(e.text, e.unit, e.toUnit, e.negative);
      case 'datetime':
        return e.type === 'TIMESTAMP' ? parseTimestamp(e.text) : e.type === 'DATE' ? parseDate(e.text) : parseTime(e.text);
      case 'column': {
        const r = this.resolve(e, ctx.layout);
        if ('niladic' in r) return this.niladic(r.niladic, ctx);
        if (r.name === 'ROWTIME' && ctx.rowtimeOverride !== undefined) return ctx.rowtimeOverride;
        const row = ctx.tuple.rows[r.i];
        return row ? (row[r.name] ?? null) : null;
      }
      case 'binary':
        return this.evalBinary(e, ctx);
      case 'unary': {
        const v = ev(e.operand);
        if (v === null || e.op === '+') return v;
        return this.lib(e, 'NEG', [this.type(e.operand)], this.type(e))(v);
      }
      case 'not': {
        const v = this.evalBool(e.operand, ctx);
        return v === null ? null : !v;
      }
      case 'is': {
        const v = ev(e.operand);
        const r = e.what === 'NULL' || e.what === 'UNKNOWN' ? v === null : e.what === 'TRUE' ? v === true : v === false;
        return e.not ? !r : r;
      }
      case 'between': {
        const v = ev(e.operand);
        let lo = ev(e.low);
        let hi = ev(e.high);
        if (e.symmetric === 'SYMMETRIC' && lo !== null && hi !== null && compare(lo, hi) > 0) [lo, hi] = [hi, lo];
        const a = v === null || lo === null ? null : compare(v, lo) >= 0;
        const b = v === null || hi === null ? null : compare(v, hi) <= 0;
        const r = and(a, b);
        return e.not ? not(r) : r;
      }
      case 'in': {
        if (e.query) throw new ReferenceUnsupported('reference: IN (SELECT ...)');
        const v = ev(e.operand);
        let r: boolean | null = false;
        if (v === null) r = null;
        else {
          for (const x of e.list ?? []) {
            const y = ev(x);
            if (y === null) r = null;
            else if (compare(v, y) === 0) {
              r = true;
              break;
            }
          }
        }
        return e.not ? not(r) : r;
      }
      case 'like': {
        const v = ev(e.operand);
        const p = ev(e.pattern);
        const esc = e.escape ? ev(e.escape) : null;
        if (v === null || p === null || (e.escape && esc === null)) return null;
        const types = [e.operand, e.pattern, ...(e.escape ? [e.escape] : [])].map((x) => this.type(x));
        const r = this.lib(e, e.op, types, BOOL_T)(v, p, ...(e.escape ? [esc] : []));
        return e.not ? not(r as boolean | null) : r;
      }
      case 'case': {
        if (e.operand) {
          const v = ev(e.operand);
          for (const w of e.whens) {
            const c = ev(w.when);
            if (v !== null && c !== null && compare(v, c) === 0) return ev(w.then);
          }
        } else {
          for (const w of e.whens) if (ev(w.when) === true) return ev(w.then);
        }
        return e.else ? ev(e.else) : null;
      }
      case 'cast':
        return castValue(ev(e.operand), this.type(e.operand), this.type(e));
      case 'call':
        return this.evalCall(e, ctx);
      case 'floor': {
        const ty = this.type(e.operand);
        return this.lib(e, e.fn === 'CEIL' ? 'CEIL_TO' : 'FLOOR_TO', [ty.kind === 'ANY' ? mkType('TIMESTAMP') : ty, VARCHAR_T], this.type(e))(ev(e.operand), e.unit);
      }
      case 'step': {
        return this.lib(e, 'STEP', [this.type(e.operand), this.type(e.width)], this.type(e))(ev(e.operand), ev(e.width));
      }
      case 'extract': {
        return this.lib(e, 'EXTRACT', [VARCHAR_T, this.type(e.operand)], this.type(e))(e.unit, ev(e.operand));
      }
      case 'position': {
        return this.lib(e, 'POSITION', [this.type(e.needle), this.type(e.haystack)], this.type(e))(ev(e.needle), ev(e.haystack));
      }
      case 'substring': {
        const args = [e.operand, e.from, ...(e.for ? [e.for] : [])];
        return this.lib(e, 'SUBSTRING', args.map((x) => this.type(x)), this.type(e))(...args.map(ev));
      }
      case 'trim': {
        const chars = e.characters ? ev(e.characters) : ' ';
        return this.lib(e, 'TRIM', [VARCHAR_T, e.characters ? this.type(e.characters) : VARCHAR_T, this.type(e.operand)], this.type(e))(e.side ?? 'BOTH', chars, ev(e.operand));
      }
      case 'overlay': {
        const args = [e.operand, e.placing, e.from, ...(e.for ? [e.for] : [])];
        return this.lib(e, 'OVERLAY', args.map((x) => this.type(x)), this.type(e))(...args.map(ev));
      }
      case 'intervalQualified': {
        return this.lib(e, 'INTERVAL_QUALIFIED', [this.type(e.operand), VARCHAR_T], this.type(e))(ev(e.operand), e.toUnit ?? e.unit);
      }
      default:
        throw new ReferenceUnsupported(`reference: expression ${e.kind} is not supported`);
    }
  }

  private niladic(name: string, ctx: Ctx): Value {
    switch (name) {
      case 'CURRENT_TIMESTAMP':
      case 'LOCALTIMESTAMP':
        return this.startTime;
      case 'CURRENT_DATE':
        return Math.floor(this.startTime / MS_PER_DAY) * MS_PER_DAY;
      case 'CURRENT_TIME':
      case 'LOCALTIME':
        return ((this.startTime % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
      case 'CURRENT_ROW_TIMESTAMP':
        return ctx.tuple.rowtime;
      default:
        throw new ReferenceUnsupported(`reference: ${name}`);
    }
  }

  private evalBinary(e: A.BinaryExpr, ctx: Ctx): Value {
    const ev = (x: A.Expr) => this.evalExpr(x, ctx);
    switch (e.op) {
      case 'AND': {
        const l = ev(e.left) as boolean | null;
        if (l === false) return false;
        return and(l, ev(e.right) as boolean | null);
      }
      case 'OR': {
        const l = ev(e.left) as boolean | null;
        if (l === true) return true;
        const r = ev(e.right) as boolean | null;
        if (r === true) return true;
        return l === null || r === null ? null : false;
      }
      case '=':
      case '<>':
      case '<':
      case '<=':
      case '>':
      case '>=': {
        return this.lib(e, e.op, [this.type(e.left), this.type(e.right)], BOOL_T)(ev(e.left), ev(e.right));
      }
      default:
        // || and arithmetic
        return this.lib(e, e.op, [this.type(e.left), this.type(e.right)], this.type(e))(ev(e.left), ev(e.right));
    }
  }

  private evalCall(e: A.FunctionCall, ctx: Ctx): Value {
    const name = fnName(e);
    const kind = builtin(name)?.kind;
    if (kind === 'aggregate' || e.over) throw new Error(`reference: ${name} evaluated outside its group or window`);
    if (name === 'CURRENT_ROW_TIMESTAMP') return ctx.tuple.rowtime;
    if (name === 'COALESCE') {
      // lazily, left to right
      for (const a of e.args) {
        const v = this.evalExpr(a, ctx);
        if (v !== null) return v;
      }
      return null;
    }
    if (kind !== 'scalar') throw new ReferenceUnsupported(`reference: ${name} is not supported here`);
    const args = e.args.map((a) => this.evalExpr(a, ctx));
    return this.lib(e, name, e.args.map((a) => this.type(a)), this.type(e))(...args);
  }
}

interface WindowShape {
  unit: 'RANGE' | 'ROWS';
  /** ms for RANGE, rows for ROWS; Infinity for UNBOUNDED PRECEDING. */
  size: number;
  partitionBy: A.Expr[];
}

function and(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  if (a === null || b === null) return null;
  return true;
}
function not(a: boolean | null): boolean | null {
  return a === null ? null : !a;
}

/** Input values as the engine would hold them: REAL rounded to 32 bits. */
function normalize(v: Value, type: SqlType): Value {
  if (v === null || v === undefined) return null;
  if (type.kind === 'REAL' && typeof v === 'number') return Math.fround(v);
  return v;
}

export function valuesKey(vs: Value[]): string {
  return JSON.stringify(vs.map((v) => (v instanceof Uint8Array ? { bin: Buffer.from(v).toString('hex') } : typeof v === 'number' && Object.is(v, -0) ? 0 : v)));
}

/** Aggregate calls of an expression (not those with OVER). */
function aggregatesIn(e: A.Expr): A.FunctionCall[] {
  if (e.kind === 'call' && !e.over && builtin(fnName(e))?.kind === 'aggregate') return [e];
  if (e.kind === 'call' && e.over) return [];
  return children(e).flatMap(aggregatesIn);
}

function overCallsIn(e: A.Expr): A.FunctionCall[] {
  if (e.kind === 'call' && e.over) return [e];
  return children(e).flatMap(overCallsIn);
}

/** A non-decreasing expression of ROWTIME (the binder's rule, restated): ROWTIME, FLOOR/STEP/CAST of one, ± constants. */
function isMonotoneTime(e: A.Expr): boolean {
  switch (e.kind) {
    case 'column':
      return canonical(e.parts.at(-1)!) === 'ROWTIME' && e.parts.length <= 2;
    case 'floor':
    case 'step':
    case 'cast':
    case 'intervalQualified':
      return isMonotoneTime(e.operand);
    case 'unary':
      return e.op === '+' && isMonotoneTime(e.operand);
    case 'binary':
      if (e.op === '+') return (isMonotoneTime(e.left) && isConstant(e.right)) || (isConstant(e.left) && isMonotoneTime(e.right));
      if (e.op === '-') return isMonotoneTime(e.left) && isConstant(e.right);
      if (e.op === '/' || e.op === '*') return isMonotoneTime(e.left) && isConstant(e.right);
      return false;
    case 'call': {
      const n = fnName(e);
      if (n === 'MONOTONIC') throw new ReferenceUnsupported('reference: MONOTONIC');
      if (['FLOOR', 'CEIL', 'CEILING'].includes(n)) return e.args[0] !== undefined && isMonotoneTime(e.args[0]);
      return false;
    }
    default:
      return false;
  }
}

function isConstant(e: A.Expr): boolean {
  if (['number', 'string', 'boolean', 'null', 'interval', 'datetime', 'binaryString'].includes(e.kind)) return true;
  if (e.kind === 'unary') return isConstant(e.operand);
  if (e.kind === 'binary') return isConstant(e.left) && isConstant(e.right);
  if (e.kind === 'cast') return isConstant(e.operand);
  return false;
}

/** Names of the relations a query reads (FROM items at any depth), canonical. */
function readsOf(node: unknown): string[] {
  const out: string[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) return n.forEach(walk);
    if (!n || typeof n !== 'object') return;
    const o = n as Record<string, unknown>;
    if (o.kind === 'tableRef') out.push(canonical((o as unknown as A.TableRef).name.at(-1)!));
    for (const [k, v] of Object.entries(o)) if (k !== 'span') walk(v);
  };
  walk(node);
  return out;
}
