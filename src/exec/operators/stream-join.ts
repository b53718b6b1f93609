/**
 * Stream-to-stream JOIN (INNER, LEFT, RIGHT, FULL, CROSS) within windows. Port 0 takes the left stream, port 1 the
 * right; each port's batches have that side's columns, its own ROWTIME first. Output: ROWTIME, the left's columns,
 * then the right's (NULLs for the missing side of a padded outer row).
 *
 * Semantics (decisions; see docs/kda-sql.md "Joins", the KDA JOIN clause reference and SQLstream's streaming joins):
 * - Time advances in instants: all rows with the same ROWTIME, on both sides, arrive together. An instant is
 *   processed once both inputs have passed it (rowtime bounds, or a later row on the port), so the result does not
 *   depend on batch sizes, on which port is delivered first, or on a self-join delivering one batch to both ports.
 * - The window of a side is what a row arriving on the OTHER side sees of it, at instant t:
 *   `RANGE ms` → that side's rows with ROWTIME in [t − ms, t]; `ROWS n` → its latest n + 1 rows (arrival order) with
 *   ROWTIME ≤ t; no window → its rows at t only. The KDA reference says a side without a window "contributes its
 *   current row only"; SQLstream (KDA's engine) documents the default join window as RANGE CURRENT ROW ("rows from
 *   each stream whose ROWTIME values match are joined"), which is what is done here. So with a RANGE window on the
 *   right only, a pair (l, r) joins iff r.ROWTIME ∈ [l.ROWTIME − ms, l.ROWTIME], and a self-join
 *   `s AS a JOIN s OVER (RANGE ...) AS b` pairs each row with itself too.
 * - Each pair is produced once, by the later of its two rows (both at the same instant: once): a left row arriving at
 *   t pairs with the right rows in the right window; a right row arriving at t pairs with the left rows in the left
 *   window, except left rows of the same instant that the first rule already paired it with.
 * - Equality conjuncts of ON (leftKeys = rightKeys) are hashed: one GroupTable shared by both sides maps a key tuple to
 *   a group holding each side's retained rows, in arrival order. A NULL key never matches. Key pairs whose storage
 *   differs (text against a number) are checked by the residual instead. The residual (the rest of ON) is evaluated
 *   over the output columns of each candidate pair; a row failing it goes to error_stream and does not match.
 * - Outer joins pad immediately: a row of the preserved side(s) that, at its own instant, matches nothing in the other
 *   side's window is emitted padded with NULLs at its ROWTIME. A row that later finds a match (a row of the other side
 *   arriving later whose window holds it) is emitted again, joined: the common streaming choice, with every output row
 *   at the ROWTIME of the arriving row that produced it (docs/kda-sql.md), never later.
 * - Output rows of one instant: the left arrivals' matches (arrival order), the right arrivals' matches, then the
 *   padded left rows, then the padded right rows.
 *
 * State is bounded by the windows: after each instant, a side keeps only the rows still inside its window (RANGE:
 * ROWTIME ≥ t − ms; ROWS n: the latest n + 1; none: none once its instant is over). The key table is rebuilt with
 * the live keys when dead keys outnumber them. Rows waiting for the other input's bound are held too.
 */
import type { RecordBatch } from 'apache-arrow';
import type { Expr, StreamJoin } from '../../plan/logical.js';
import { BOOLEAN, type SqlType } from '../../sql/bind/types.js';
import { arrowSchema, batchOf, columnFromValues, type ColumnDef } from '../arrow.js';
import { ColumnBuilder, isNull, readValue, rowtimes, storageOf, viewOf, viewsOf, type ColumnView, type StorageKind } from '../columns.js';
import { compilePredicate, compileProjection, type Predicate, type Projector } from '../expr/compile.js';
import { GroupTable } from '../group-table.js';
import type { ExecContext, Operator, Output } from '../operator.js';
import type { Value } from '../values.js';
import { reportFailures } from './failures.js';
import { compactTable, decodeJsonValue, encodeJsonValue } from './stagger.js';

type Frame = { unit: 'RANGE'; ms: number } | { unit: 'ROWS'; rows: number } | undefined;

/** A batch as it is kept: its columns and its key columns. */
interface Chunk {
  views: ColumnView[];
  keys: ColumnView[];
}

interface RowRef {
  chunk: Chunk;
  row: number;
  t: number;
  /** Key group, or -1 when a key is NULL (never matches). */
  group: number;
  /** Still inside its side's window. */
  retained: boolean;
  /** Matched something at its own instant (outer joins). */
  found: boolean;
}

interface Pending {
  chunk: Chunk;
  times: Float64Array;
  failed: Set<number> | null;
  at: number;
}

/** A group's retained rows of one side, oldest first from `head`. */
interface RowList {
  rows: RowRef[];
  head: number;
}

class Side {
  readonly retained: RowList = { rows: [], head: 0 };
  readonly pending: Pending[] = [];
  bound = -Infinity;
  last = -Infinity;
  readonly projector: Projector;
  readonly types: SqlType[];

  constructor(
    readonly columns: readonly ColumnDef[],
    readonly frame: Frame,
    keys: readonly Expr[],
    ctx: ExecContext,
  ) {
    this.types = columns.map((c) => c.type);
    this.projector = compileProjection(keys, this.types, ctx);
  }

  get effectiveBound(): number {
    return Math.max(this.bound, this.last);
  }

  /** Is a row at `t` outside the window as seen from instant `now`? */
  expired(row: RowRef, now: number, count: number): boolean {
    const f = this.frame;
    if (!f) return row.t < now;
    if (f.unit === 'RANGE') return row.t < now - f.ms;
    return count > f.rows + 1;
  }
}

interface Instant {
  t: number;
  arrivals: [RowRef[], RowRef[]];
  from: number;
  to: number;
}

interface SavedRow {
  t: number;
  values: unknown[];
}

interface SavedSide {
  bound: number | string;
  last: number | string;
  retained: SavedRow[];
  pending: SavedRow[];
}

/** Bounds may be ±Infinity, which JSON cannot hold. */
const saveBound = (x: number): number | string => (Number.isFinite(x) ? x : String(x));
const loadBound = (x: unknown): number => (typeof x === 'number' ? x : typeof x === 'string' ? Number(x) : -Infinity);

const keyClass = (k: StorageKind): string => (k === 'num' || k === 'i64' || k === 'day' ? 'number' : k);

function shiftExpr(e: Expr, by: number): Expr {
  switch (e.kind) {
    case 'column':
      return { ...e, index: e.index + by };
    case 'literal':
      return e;
    case 'call':
      return { ...e, args: e.args.map((a) => shiftExpr(a, by)) };
    case 'case':
      return { ...e, whens: e.whens.map((w) => ({ when: shiftExpr(w.when, by), then: shiftExpr(w.then, by) })), ...(e.else ? { else: shiftExpr(e.else, by) } : {}) };
    case 'cast':
      return { ...e, operand: shiftExpr(e.operand, by) };
  }
}

export class StreamJoinOperator implements Operator {
  private readonly sides: [Side, Side];
  private readonly residual: Predicate | null;
  private readonly keyTypes: SqlType[];
  private readonly schema;
  private readonly outTypes: SqlType[];
  private table: GroupTable;
  /** Per group: its retained rows on each side. */
  private lists: [RowList, RowList][] = [];
  private liveGroups = 0;
  private released = -Infinity;
  private readonly keepLeft: boolean;
  private readonly keepRight: boolean;

  constructor(
    private readonly plan: StreamJoin,
    private readonly ctx: ExecContext,
    private readonly out: Output,
  ) {
    const nl = plan.left.schema.length;
    const leftKeys: Expr[] = [];
    const rightKeys: Expr[] = [];
    const checks: Expr[] = plan.residual ? [plan.residual] : [];
    plan.leftKeys.forEach((lk, k) => {
      const rk = plan.rightKeys[k]!;
      if (keyClass(storageOf(lk.type)) === keyClass(storageOf(rk.type))) {
        leftKeys.push(lk);
        rightKeys.push(rk);
      } else {
        checks.push({ kind: 'call', fn: '=', args: [shiftExpr(lk, 1), shiftExpr(rk, 1 + nl)], type: BOOLEAN });
      }
    });
    this.keyTypes = leftKeys.map((k) => k.type);
    this.sides = [new Side(plan.left.schema, plan.leftWindow, leftKeys, ctx), new Side(plan.right.schema, plan.rightWindow, rightKeys, ctx)];
    this.outTypes = plan.schema.map((c) => c.type);
    const residual = checks.length === 0 ? undefined : checks.reduce((a, b): Expr => ({ kind: 'call', fn: 'AND', args: [a, b], type: BOOLEAN }));
    this.residual = residual ? compilePredicate(residual, this.outTypes, ctx) : null;
    this.table = new GroupTable(leftKeys.length);
    this.schema = arrowSchema(plan.schema);
    this.keepLeft = plan.type === 'LEFT' || plan.type === 'FULL';
    this.keepRight = plan.type === 'RIGHT' || plan.type === 'FULL';
  }

  process(batch: RecordBatch, port: number): void {
    const n = batch.numRows;
    if (n === 0) return;
    const side = this.sides[port]!;
    const views = viewsOf(batch);
    const { columns, errors } = side.projector(views, n);
    reportFailures(batch, errors, this.ctx, true);
    const times = rowtimes(batch);
    side.pending.push({ chunk: { views, keys: columns.map(viewOf) }, times, failed: errors.length > 0 ? new Set(errors.map((e) => e.row)) : null, at: 0 });
    side.last = Math.max(side.last, times[n - 1]!);
    this.release();
  }

  advance(bound: number, port: number): void {
    const side = this.sides[port]!;
    side.bound = Math.max(side.bound, bound);
    this.release();
    const low = Math.min(this.sides[0].effectiveBound, this.sides[1].effectiveBound);
    if (low > this.released) {
      this.released = low;
      this.out.advance(low);
    }
  }

  /** Process every instant both inputs have passed. */
  private release(): void {
    const limit = Math.min(this.sides[0].effectiveBound, this.sides[1].effectiveBound);
    const instants: Instant[] = [];
    const candidates: [RowRef, RowRef][] = [];
    for (;;) {
      const t = Math.min(this.nextTime(this.sides[0]), this.nextTime(this.sides[1]));
      if (!(t < limit)) break;
      const instant: Instant = { t, arrivals: [this.take(0, t), this.take(1, t)], from: candidates.length, to: 0 };
      this.join(instant, candidates);
      instant.to = candidates.length;
      instants.push(instant);
    }
    if (instants.length === 0) return;
    this.emit(instants, candidates);
    this.maybeCompact();
  }

  private nextTime(side: Side): number {
    const p = side.pending[0];
    return p ? p.times[p.at]! : Infinity;
  }

  /** Take the side's pending rows at `t` into its window (and key groups). */
  private take(s: 0 | 1, t: number): RowRef[] {
    const side = this.sides[s];
    const rows: RowRef[] = [];
    while (side.pending.length > 0) {
      const p = side.pending[0]!;
      if (p.times[p.at] !== t) break;
      const i = p.at;
      if (++p.at === p.times.length) side.pending.shift();
      if (p.failed?.has(i)) continue;
      const row: RowRef = { chunk: p.chunk, row: i, t, group: this.groupOf(p.chunk.keys, i), retained: true, found: false };
      rows.push(row);
      side.retained.rows.push(row);
      if (row.group >= 0) this.lists[row.group]![s].rows.push(row);
    }
    return rows;
  }

  private groupOf(keys: ColumnView[], i: number): number {
    for (const k of keys) if (isNull(k, i)) return -1;
    const g = this.table.groupOf(keys, i);
    if (g === this.lists.length) this.lists.push([{ rows: [], head: 0 }, { rows: [], head: 0 }]);
    const [l, r] = this.lists[g]!;
    if (l.rows.length === l.head && r.rows.length === r.head) this.liveGroups++;
    return g;
  }

  /** One instant: evict what fell out of the windows, then pair the arrivals (candidates before the residual). */
  private join(instant: Instant, candidates: [RowRef, RowRef][]): void {
    const { t, arrivals } = instant;
    this.evict(0, t);
    this.evict(1, t);
    for (const l of arrivals[0]) {
      if (l.group < 0) continue;
      const list = this.lists[l.group]![1];
      for (let k = list.head; k < list.rows.length; k++) candidates.push([l, list.rows[k]!]);
    }
    for (const r of arrivals[1]) {
      if (r.group < 0) continue;
      const list = this.lists[r.group]![0];
      for (let k = list.head; k < list.rows.length; k++) {
        const l = list.rows[k]!;
        if (l.t === t && r.retained) continue;
        candidates.push([l, r]);
      }
    }
  }

  private evict(s: 0 | 1, now: number): void {
    const side = this.sides[s];
    const fifo = side.retained;
    while (fifo.head < fifo.rows.length) {
      const row = fifo.rows[fifo.head]!;
      if (!side.expired(row, now, fifo.rows.length - fifo.head)) break;
      fifo.head++;
      row.retained = false;
      if (row.group >= 0) {
        const lists = this.lists[row.group]!;
        const list = lists[s];
        list.head++;
        if (list.head === list.rows.length) {
          list.rows = [];
          list.head = 0;
          const other = lists[1 - s]!;
          if (other.head === other.rows.length) this.liveGroups--;
        } else if (list.head > 64 && list.head * 2 > list.rows.length) {
          list.rows = list.rows.slice(list.head);
          list.head = 0;
        }
      }
    }
    if (fifo.head > 1024 && fifo.head * 2 > fifo.rows.length) {
      fifo.rows = fifo.rows.slice(fifo.head);
      fifo.head = 0;
    }
  }

  /** Check the residual, decide the padded rows, and emit the instants' rows in order. */
  private emit(instants: Instant[], candidates: [RowRef, RowRef][]): void {
    let pass: Uint8Array | null = null;
    if (this.residual && candidates.length > 0) {
      const batch = this.build(instants, candidates, null, false);
      const { selection, count, errors } = this.residual(viewsOf(batch), candidates.length);
      reportFailures(batch, errors, this.ctx, true);
      pass = new Uint8Array(candidates.length);
      for (let k = 0; k < count; k++) pass[selection[k]!] = 1;
    }
    for (let k = 0; k < candidates.length; k++) {
      if (pass && pass[k] === 0) continue;
      candidates[k]![0].found = true;
      candidates[k]![1].found = true;
    }
    const batch = this.build(instants, candidates, pass, true);
    if (batch.numRows > 0) this.out.emit(batch);
  }

  /** The output rows: per instant, the (passing) candidates, then, when `pads`, the unmatched preserved rows. */
  private build(instants: Instant[], candidates: [RowRef, RowRef][], pass: Uint8Array | null, pads: boolean): RecordBatch {
    const builders = this.plan.schema.map((c) => new ColumnBuilder(c.type, Math.max(16, candidates.length)));
    const nl = this.sides[0].columns.length;
    const nr = this.sides[1].columns.length;
    const put = (t: number, l: RowRef | null, r: RowRef | null): void => {
      builders[0]!.append(t);
      for (let c = 0; c < nl; c++) {
        if (l) builders[1 + c]!.appendFrom(l.chunk.views[c]!, l.row);
        else builders[1 + c]!.appendNull();
      }
      for (let c = 0; c < nr; c++) {
        if (r) builders[1 + nl + c]!.appendFrom(r.chunk.views[c]!, r.row);
        else builders[1 + nl + c]!.appendNull();
      }
    };
    for (const instant of instants) {
      for (let k = instant.from; k < instant.to; k++) {
        if (pass && pass[k] === 0) continue;
        put(instant.t, candidates[k]![0], candidates[k]![1]);
      }
      if (!pads) continue;
      if (this.keepLeft) for (const l of instant.arrivals[0]) if (!l.found) put(instant.t, l, null);
      if (this.keepRight) for (const r of instant.arrivals[1]) if (!r.found) put(instant.t, null, r);
    }
    return batchOf(this.schema, builders.map((b) => b.finish()), builders[0]!.length);
  }

  /** Rebuild the key table with only the keys that still have retained rows. */
  private maybeCompact(): void {
    if (this.table.size <= 1024 || this.table.size <= 2 * this.liveGroups) return;
    const live: number[] = [];
    for (let g = 0; g < this.lists.length; g++) {
      const [l, r] = this.lists[g]!;
      if (l.head < l.rows.length || r.head < r.rows.length) live.push(g);
    }
    const remap = new Int32Array(this.lists.length).fill(-1);
    live.forEach((g, i) => (remap[g] = i));
    this.table = compactTable(this.table, this.keyTypes, live);
    this.lists = live.map((g) => this.lists[g]!);
    this.liveGroups = live.length;
    for (const side of this.sides) {
      const fifo = side.retained;
      for (let k = fifo.head; k < fifo.rows.length; k++) {
        const row = fifo.rows[k]!;
        if (row.group >= 0) row.group = remap[row.group]!;
      }
    }
  }

  // ---- checkpoints -------------------------------------------------------------------------------------------------
  save(): unknown {
    const rowOf = (side: Side, chunk: Chunk, i: number, t: number): SavedRow => ({
      t,
      values: side.columns.map((_, c) => encodeJsonValue(readValue(chunk.views[c]!, i))),
    });
    const sides: SavedSide[] = this.sides.map((side) => {
      const retained = side.retained.rows.slice(side.retained.head).map((r) => rowOf(side, r.chunk, r.row, r.t));
      const pending: SavedRow[] = [];
      for (const p of side.pending) for (let i = p.at; i < p.times.length; i++) if (!p.failed?.has(i)) pending.push(rowOf(side, p.chunk, i, p.times[i]!));
      return { bound: saveBound(side.bound), last: saveBound(side.last), retained, pending };
    });
    return { sides, released: saveBound(this.released) };
  }

  load(state: unknown): void {
    const saved = state as { sides: SavedSide[]; released: number | string };
    saved.sides.forEach((s, port) => {
      const side = this.sides[port as 0 | 1];
      side.bound = loadBound(s.bound);
      side.last = loadBound(s.last);
      if (s.retained.length > 0) {
        const chunk = this.chunkOf(side, s.retained);
        s.retained.forEach((r, i) => {
          const row: RowRef = { chunk, row: i, t: r.t, group: this.groupOf(chunk.keys, i), retained: true, found: false };
          side.retained.rows.push(row);
          if (row.group >= 0) this.lists[row.group]![port].rows.push(row);
        });
      }
      if (s.pending.length > 0) {
        const chunk = this.chunkOf(side, s.pending);
        side.pending.push({ chunk, times: Float64Array.from(s.pending.map((r) => r.t)), failed: null, at: 0 });
      }
    });
    this.released = loadBound(saved.released);
  }

  private chunkOf(side: Side, rows: SavedRow[]): Chunk {
    const data = side.columns.map((c, k) => columnFromValues(c.type, rows.map((r) => decodeJsonValue(r.values[k]) as Value)));
    const views = data.map(viewOf);
    const { columns } = side.projector(views, rows.length);
    return { views, keys: columns.map(viewOf) };
  }
}
