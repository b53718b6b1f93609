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
 *   a group holding each side's retained rows, in arrival order (or compared directly, see Scanning below). A NULL key never matches. Key pairs whose storage
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
 *
 * Layout (no allocation per row): each side numbers its rows in arrival order (sequence numbers) and keeps the
 * retained ones in a growable ring of typed arrays indexed by `seq & mask` (batch, row in it, ROWTIME, key group,
 * the previous row with the same key, a "matched" flag). Per key group, `newest[group]` is the side's latest row
 * with that key; following `older` links from it visits the group's rows newest first until a row below the side's
 * low-water mark `low` (evicted). Eviction only advances `low`. Rows from `pin` (the low-water mark when the current
 * release started) on are never overwritten, so candidates of earlier instants of a release stay readable. Candidate
 * pairs and instants of a release are kept in reused scratch arrays.
 *
 * Scanning: when every key is integer-valued (integers, dates, timestamps: `===` on their numbers is exactly the key
 * table's equality), a side starts out not hashing its rows: it keeps their key numbers in the ring and a probe
 * compares its window's rows one by one, in arrival order. That is far cheaper than hashing every row when probes
 * are rare (Nexmark q7: one window maximum looked up among ~90 k bids every 10 s) or the window is an instant wide
 * (a side without a window). Once a side's scans have compared more than SCAN_RATIO rows per row it added (plus
 * SCAN_MIN), it hashes its retained rows and stays hashed: scanning costs O(1) per row in all cases. A row of a
 * scanning side probing a hashed side looks its key up without adding it (GroupTable.find). Which way a side is
 * searched changes no result.
 */
import { DataType, type RecordBatch } from 'apache-arrow';
import type { Expr, StreamJoin } from '../../plan/logical.js';
import { BOOLEAN, type SqlType } from '../../sql/bind/types.js';
import { arrowSchema, arrowType, batchOf, columnFromValues, type ColumnDef } from '../arrow.js';
import { ColumnBuilder, isNull, readNumber, readValue, rowtimes, storageOf, viewOf, viewsOf, type ColumnView, type StorageKind } from '../columns.js';
import { compilePredicate, compileProjection, type Predicate, type Projector } from '../expr/compile.js';
import { GroupTable } from '../group-table.js';
import type { ExecContext, Operator, Output } from '../operator.js';
import type { Value } from '../values.js';
import { reportFailures } from './failures.js';
import { compactTable, decodeJsonValue, encodeJsonValue } from './window-state.js';

type Frame = { unit: 'RANGE'; ms: number } | { unit: 'ROWS'; rows: number } | undefined;

/** A batch as it is kept: its columns and its key columns. */
interface Chunk {
  views: ColumnView[];
  keys: ColumnView[];
}

interface Pending {
  chunk: Chunk;
  times: Float64Array;
  failed: Set<number> | null;
  at: number;
}

/** groupAt of a row not (yet) hashed: its key codes are in keyAt. */
const UNHASHED = -2;
/** A scanning side gets hashed once its scans have compared more than SCAN_RATIO rows per row appended (+ SCAN_MIN). */
const SCAN_RATIO = 8;
const SCAN_MIN = 4096;

const NO_FRAME = 0;
const RANGE = 1;
const ROWS = 2;

function grownF64(a: Float64Array<ArrayBuffer>, need: number, fill?: number): Float64Array<ArrayBuffer> {
  if (need <= a.length) return a;
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new Float64Array(n);
  b.set(a);
  if (fill !== undefined) b.fill(fill, a.length);
  return b;
}

function grownI32(a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  let n = a.length * 2;
  while (n < need) n *= 2;
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/** One input: its pending batches and its retained rows (a ring indexed by sequence number, see the header). */
class Side {
  readonly pending: Pending[] = [];
  bound = -Infinity;
  last = -Infinity;
  readonly projector: Projector;
  readonly types: SqlType[];
  /** NO_FRAME, RANGE or ROWS, with `frameSize` its milliseconds or rows. */
  readonly frameKind: number;
  readonly frameSize: number;

  /** Sequence number of the next row; rows [low, head) are retained; rows [pin, head) must stay readable. */
  head = 0;
  low = 0;
  pin = 0;
  mask = 255;
  chunkAt: (Chunk | undefined)[] = new Array<Chunk | undefined>(256).fill(undefined);
  rowAt = new Int32Array(256);
  timeAt = new Float64Array(256);
  /** Key group, -1 when a key is NULL (never matches), or UNHASHED (a row added while scanning). */
  groupAt = new Int32Array(256);
  /** Sequence number of the previous row with the same key (below `low` when there is none left). */
  olderAt = new Float64Array(256);
  /** Matched something at its own instant (outer joins). */
  foundAt = new Uint8Array(256);
  /** Per key group: sequence number of the side's newest row with that key (-1: none yet). */
  newest = new Float64Array(256).fill(-1);
  /**
   * While true, rows are not hashed: their key codes (width per row; NaN for NULL) go to keyAt, and a probe compares
   * them one by one, which costs far less than hashing when probes are rare (a window maximum looked up among the
   * window's rows). `appended` and `scanned` count the rows added and compared meanwhile.
   */
  scanning: boolean;
  keyAt: Float64Array<ArrayBuffer>;
  appended = 0;
  scanned = 0;

  constructor(
    readonly columns: readonly ColumnDef[],
    frame: Frame,
    keys: readonly Expr[],
    ctx: ExecContext,
    readonly width: number,
    scan: boolean,
  ) {
    this.scanning = scan;
    this.keyAt = new Float64Array(scan ? 256 * width : 0);
    this.types = columns.map((c) => c.type);
    this.projector = compileProjection(keys, this.types, ctx);
    this.frameKind = !frame ? NO_FRAME : frame.unit === 'RANGE' ? RANGE : ROWS;
    this.frameSize = !frame ? 0 : frame.unit === 'RANGE' ? frame.ms : frame.rows;
  }

  get effectiveBound(): number {
    return Math.max(this.bound, this.last);
  }

  /** Append a row (its group already known); returns its sequence number. */
  append(chunk: Chunk, row: number, t: number, group: number): number {
    if (this.head - this.pin > this.mask) this.grow();
    const seq = this.head++;
    const slot = seq & this.mask;
    this.chunkAt[slot] = chunk;
    this.rowAt[slot] = row;
    this.timeAt[slot] = t;
    this.groupAt[slot] = group;
    this.foundAt[slot] = 0;
    if (group >= 0) {
      this.olderAt[slot] = this.newest[group]!;
      this.newest[group] = seq;
    } else this.olderAt[slot] = -1;
    return seq;
  }

  /** Double the ring, moving rows [pin, head) to their new slots. */
  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const mask = cap - 1;
    const chunkAt = new Array<Chunk | undefined>(cap).fill(undefined);
    const rowAt = new Int32Array(cap);
    const timeAt = new Float64Array(cap);
    const groupAt = new Int32Array(cap);
    const olderAt = new Float64Array(cap);
    const foundAt = new Uint8Array(cap);
    const w = this.width;
    const keyAt = this.keyAt.length > 0 ? new Float64Array(cap * w) : this.keyAt;
    for (let seq = this.pin; seq < this.head; seq++) {
      const a = seq & this.mask;
      const b = seq & mask;
      if (keyAt.length > 0) for (let k = 0; k < w; k++) keyAt[b * w + k] = this.keyAt[a * w + k]!;
      chunkAt[b] = this.chunkAt[a];
      rowAt[b] = this.rowAt[a]!;
      timeAt[b] = this.timeAt[a]!;
      groupAt[b] = this.groupAt[a]!;
      olderAt[b] = this.olderAt[a]!;
      foundAt[b] = this.foundAt[a]!;
    }
    this.mask = mask;
    this.chunkAt = chunkAt;
    this.rowAt = rowAt;
    this.timeAt = timeAt;
    this.groupAt = groupAt;
    this.olderAt = olderAt;
    this.foundAt = foundAt;
    this.keyAt = keyAt;
  }

  /** End of a release: forget the batches of evicted rows; only retained rows need to stay readable. */
  settle(): void {
    for (let seq = this.pin; seq < this.low; seq++) this.chunkAt[seq & this.mask] = undefined;
    this.pin = this.low;
    if (!this.scanning && this.keyAt.length > 0) this.keyAt = new Float64Array(0);
  }
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
    case 'subquery':
      return e.operand ? { ...e, operand: shiftExpr(e.operand, by) } : e;
  }
}

/** The output columns an expression reads. */
function columnsOf(e: Expr, into: Set<number>): Set<number> {
  switch (e.kind) {
    case 'column':
      into.add(e.index);
      break;
    case 'literal':
      break;
    case 'call':
      for (const a of e.args) columnsOf(a, into);
      break;
    case 'case':
      for (const w of e.whens) {
        columnsOf(w.when, into);
        columnsOf(w.then, into);
      }
      if (e.else) columnsOf(e.else, into);
      break;
    case 'cast':
      columnsOf(e.operand, into);
      break;
    case 'subquery':
      if (e.operand) columnsOf(e.operand, into);
      break;
  }
  return into;
}

export class StreamJoinOperator implements Operator {
  private readonly sides: [Side, Side];
  private readonly residual: Predicate | null;
  /** Per output column: read by the residual (only those are built to evaluate it). */
  private readonly residualReads: boolean[];
  private readonly keyTypes: SqlType[];
  private readonly schema;
  private readonly outTypes: SqlType[];
  private table: GroupTable;
  /** Groups with retained rows on either side. */
  private liveGroups = 0;
  private released = -Infinity;
  private readonly keepLeft: boolean;
  private readonly keepRight: boolean;

  // Scratch of one release, reused: its instants (ROWTIME, each side's arrivals as a sequence range, the end of its
  // candidates) and its candidate pairs (sequence numbers, before the residual).
  private instants = 0;
  private instantT = new Float64Array(64);
  private instantRows = new Float64Array(256);
  private instantTo = new Int32Array(64);
  private candidates = 0;
  private candLeft = new Float64Array(1024);
  private candRight = new Float64Array(1024);
  private chain = new Float64Array(64);
  private probeKey: Float64Array;
  private pass = new Uint8Array(1024);

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
    // Scanning compares key codes with ===, which agrees with the key table for integer-valued keys (no -0, no NaN).
    const exact = (e: Expr): boolean => {
      const ty = arrowType(e.type);
      return DataType.isInt(ty) || DataType.isDate(ty) || DataType.isTimestamp(ty);
    };
    const width = leftKeys.length;
    const scan = width > 0 && leftKeys.every(exact) && rightKeys.every(exact);
    this.sides = [
      new Side(plan.left.schema, plan.leftWindow, leftKeys, ctx, width, scan),
      new Side(plan.right.schema, plan.rightWindow, rightKeys, ctx, width, scan),
    ];
    this.outTypes = plan.schema.map((c) => c.type);
    const residual = checks.length === 0 ? undefined : checks.reduce((a, b): Expr => ({ kind: 'call', fn: 'AND', args: [a, b], type: BOOLEAN }));
    this.residual = residual ? compilePredicate(residual, this.outTypes, ctx) : null;
    const reads = residual ? columnsOf(residual, new Set()) : new Set<number>();
    this.residualReads = plan.schema.map((_, c) => reads.has(c));
    this.table = new GroupTable(leftKeys.length);
    this.probeKey = new Float64Array(Math.max(width, 1));
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
    const [left, right] = this.sides;
    const limit = Math.min(left.effectiveBound, right.effectiveBound);
    this.instants = 0;
    this.candidates = 0;
    for (;;) {
      const t = Math.min(this.nextTime(left), this.nextTime(right));
      if (!(t < limit)) break;
      const i = this.instants++;
      if (i >= this.instantT.length) {
        this.instantT = grownF64(this.instantT, i + 1);
        this.instantTo = grownI32(this.instantTo, i + 1);
        this.instantRows = grownF64(this.instantRows, 4 * (i + 1));
      }
      const from0 = left.head;
      this.take(0, t);
      const from1 = right.head;
      this.take(1, t);
      this.instantT[i] = t;
      this.instantRows[4 * i] = from0;
      this.instantRows[4 * i + 1] = left.head;
      this.instantRows[4 * i + 2] = from1;
      this.instantRows[4 * i + 3] = right.head;
      this.join(t, from0, left.head, from1, right.head);
      this.instantTo[i] = this.candidates;
    }
    if (this.instants === 0) return;
    this.emit();
    left.settle();
    right.settle();
    this.maybeCompact();
  }

  private nextTime(side: Side): number {
    const p = side.pending[0];
    return p ? p.times[p.at]! : Infinity;
  }

  /** Take the side's pending rows at `t` into its window (and key groups). */
  private take(s: 0 | 1, t: number): void {
    const side = this.sides[s];
    while (side.pending.length > 0) {
      const p = side.pending[0]!;
      const times = p.times;
      const failed = p.failed;
      let i = p.at;
      for (; i < times.length && times[i] === t; i++) {
        if (failed !== null && failed.has(i)) continue;
        this.insert(side, p.chunk, i, t);
      }
      p.at = i;
      if (i < times.length) break;
      side.pending.shift();
    }
  }

  private groupOf(keys: ColumnView[], i: number): number {
    for (let k = 0; k < keys.length; k++) if (isNull(keys[k]!, i)) return -1;
    const g = this.table.groupOf(keys, i);
    const [left, right] = this.sides;
    if (g >= left.newest.length) {
      left.newest = grownF64(left.newest, g + 1, -1);
      right.newest = grownF64(right.newest, g + 1, -1);
    }
    if (left.newest[g]! < left.low && right.newest[g]! < right.low) this.liveGroups++;
    return g;
  }

  /** Add a row to a side: hashed into its key group, or, while the side is scanning, with its key codes. */
  private insert(side: Side, chunk: Chunk, i: number, t: number): void {
    if (!side.scanning) {
      side.append(chunk, i, t, this.groupOf(chunk.keys, i));
      return;
    }
    const slot = side.append(chunk, i, t, UNHASHED) & side.mask;
    const w = side.width;
    const keys = chunk.keys;
    for (let k = 0; k < w; k++) {
      const c = keys[k]!;
      side.keyAt[slot * w + k] = isNull(c, i) ? NaN : readNumber(c, i);
    }
    side.appended++;
  }

  /** Stop scanning a side: hash its retained rows, oldest first. */
  private hashSide(side: Side): void {
    side.scanning = false;
    for (let seq = side.low; seq < side.head; seq++) {
      const slot = seq & side.mask;
      const g = this.groupOf(side.chunkAt[slot]!.keys, side.rowAt[slot]!);
      side.groupAt[slot] = g;
      if (g >= 0) {
        side.olderAt[slot] = side.newest[g]!;
        side.newest[g] = seq;
      }
    }
  }

  /**
   * The rows of `side` in its window matching the key of row `seq` of `from` (the other side), in arrival order, into
   * `this.chain`; returns their number.
   */
  private probe(from: Side, seq: number, side: Side): number {
    const aslot = seq & from.mask;
    const ag = from.groupAt[aslot]!;
    if (ag === -1) return 0;
    const low = side.low;
    const head = side.head;
    if (side.scanning && side.scanned + (head - low) > SCAN_RATIO * side.appended + SCAN_MIN) this.hashSide(side);
    let n = 0;
    if (side.scanning) {
      side.scanned += head - low;
      const w = side.width;
      const key = this.probeKey;
      if (ag === UNHASHED) {
        for (let k = 0; k < w; k++) key[k] = from.keyAt[aslot * w + k]!;
      } else {
        const keys = from.chunkAt[aslot]!.keys;
        const row = from.rowAt[aslot]!;
        for (let k = 0; k < w; k++) key[k] = readNumber(keys[k]!, row);
      }
      const codes = side.keyAt;
      const mask = side.mask;
      if (w === 1) {
        const k0 = key[0]!;
        for (let q = low; q < head; q++) {
          if (codes[q & mask] !== k0) continue;
          if (n === this.chain.length) this.chain = grownF64(this.chain, n + 1);
          this.chain[n++] = q;
        }
        return n;
      }
      for (let q = low; q < head; q++) {
        const base = (q & mask) * w;
        let k = 0;
        while (k < w && codes[base + k] === key[k]) k++;
        if (k < w) continue;
        if (n === this.chain.length) this.chain = grownF64(this.chain, n + 1);
        this.chain[n++] = q;
      }
      return n;
    }
    const g = ag === UNHASHED ? this.findGroup(from.chunkAt[aslot]!.keys, from.rowAt[aslot]!) : ag;
    if (g < 0) return 0;
    for (let q = side.newest[g]!; q >= low; q = side.olderAt[q & side.mask]!) {
      if (n === this.chain.length) this.chain = grownF64(this.chain, n + 1);
      this.chain[n++] = q;
    }
    const chain = this.chain;
    for (let a = 0, b = n - 1; a < b; a++, b--) {
      const x = chain[a]!;
      chain[a] = chain[b]!;
      chain[b] = x;
    }
    return n;
  }

  /** The key group of a row that was not hashed (-1: a NULL key, or a key no hashed row has). */
  private findGroup(keys: ColumnView[], i: number): number {
    for (let k = 0; k < keys.length; k++) if (isNull(keys[k]!, i)) return -1;
    return this.table.find(keys, i);
  }

  private candidate(l: number, r: number): void {
    const k = this.candidates++;
    if (k === this.candLeft.length) {
      this.candLeft = grownF64(this.candLeft, k + 1);
      this.candRight = grownF64(this.candRight, k + 1);
    }
    this.candLeft[k] = l;
    this.candRight[k] = r;
  }

  /** One instant: evict what fell out of the windows, then pair the arrivals (candidates before the residual). */
  private join(t: number, from0: number, to0: number, from1: number, to1: number): void {
    const [left, right] = this.sides;
    this.evict(0, t);
    this.evict(1, t);
    for (let l = from0; l < to0; l++) {
      const n = this.probe(left, l, right);
      for (let k = 0; k < n; k++) this.candidate(l, this.chain[k]!);
    }
    for (let r = from1; r < to1; r++) {
      const n = this.probe(right, r, left);
      const retained = r >= right.low;
      for (let k = 0; k < n; k++) {
        const l = this.chain[k]!;
        if (retained && left.timeAt[l & left.mask] === t) continue;
        this.candidate(l, r);
      }
    }
  }

  private evict(s: 0 | 1, now: number): void {
    const side = this.sides[s];
    const other = this.sides[1 - s]!;
    const kind = side.frameKind;
    const cut = kind === RANGE ? now - side.frameSize : now;
    const keep = side.frameSize + 1;
    while (side.low < side.head) {
      const slot = side.low & side.mask;
      if (kind === ROWS ? side.head - side.low <= keep : !(side.timeAt[slot]! < cut)) break;
      const seq = side.low++;
      const g = side.groupAt[slot]!;
      if (g >= 0 && side.newest[g] === seq && other.newest[g]! < other.low) this.liveGroups--;
    }
  }

  /** Check the residual, decide the padded rows, and emit the instants' rows in order. */
  private emit(): void {
    const [left, right] = this.sides;
    const n = this.candidates;
    let pass: Uint8Array | null = null;
    if (this.residual && n > 0) {
      // The compiled residual reads only its own columns: the others are left out (an unread placeholder).
      const builders = this.builders(this.residualReads);
      this.fill(builders, null, false);
      const views: ColumnView[] = [];
      let placeholder: ColumnView | undefined;
      for (const b of builders) {
        const v = b ? viewOf(b.finish()) : undefined;
        if (v && !placeholder) placeholder = v;
        views.push(v!);
      }
      for (let c = 0; c < views.length; c++) if (!views[c]) views[c] = placeholder ?? viewOf(columnFromValues(BOOLEAN, [null]));
      const { selection, count, errors } = this.residual(views, n);
      if (errors.length > 0) reportFailures(this.build(null, false), errors, this.ctx, true);
      if (this.pass.length < n) this.pass = new Uint8Array(Math.max(n, this.pass.length * 2));
      pass = this.pass;
      pass.fill(0, 0, n);
      for (let k = 0; k < count; k++) pass[selection[k]!] = 1;
    }
    if (this.keepLeft || this.keepRight) {
      // A row is padded when it matched nothing at its own instant: only pairs of that instant count.
      let k = 0;
      for (let i = 0; i < this.instants; i++) {
        const from0 = this.instantRows[4 * i]!;
        const to0 = this.instantRows[4 * i + 1]!;
        const from1 = this.instantRows[4 * i + 2]!;
        const to1 = this.instantRows[4 * i + 3]!;
        for (const to = this.instantTo[i]!; k < to; k++) {
          if (pass && pass[k] === 0) continue;
          const l = this.candLeft[k]!;
          const r = this.candRight[k]!;
          if (l >= from0 && l < to0) left.foundAt[l & left.mask] = 1;
          if (r >= from1 && r < to1) right.foundAt[r & right.mask] = 1;
        }
      }
    }
    const batch = this.build(pass, true);
    if (batch.numRows > 0) this.out.emit(batch);
  }

  /** The output rows: per instant, the (passing) candidates, then, when `pads`, the unmatched preserved rows. */
  private build(pass: Uint8Array | null, pads: boolean): RecordBatch {
    const builders = this.builders(null) as ColumnBuilder[];
    this.fill(builders, pass, pads);
    return batchOf(this.schema, builders.map((b) => b.finish()), builders[0]!.length);
  }

  /** A builder per output column (`only`: just for those columns, null for the others). */
  private builders(only: boolean[] | null): (ColumnBuilder | null)[] {
    return this.plan.schema.map((c, k) => (only && !only[k] ? null : new ColumnBuilder(c.type, Math.max(16, this.candidates))));
  }

  private fill(builders: (ColumnBuilder | null)[], pass: Uint8Array | null, pads: boolean): void {
    const [left, right] = this.sides;
    let k = 0;
    for (let i = 0; i < this.instants; i++) {
      const t = this.instantT[i]!;
      for (const to = this.instantTo[i]!; k < to; k++) {
        if (pass && pass[k] === 0) continue;
        this.put(builders, t, this.candLeft[k]!, this.candRight[k]!);
      }
      if (!pads) continue;
      if (this.keepLeft) {
        for (let l = this.instantRows[4 * i]!, to = this.instantRows[4 * i + 1]!; l < to; l++) {
          if (left.foundAt[l & left.mask] === 0) this.put(builders, t, l, -1);
        }
      }
      if (this.keepRight) {
        for (let r = this.instantRows[4 * i + 2]!, to = this.instantRows[4 * i + 3]!; r < to; r++) {
          if (right.foundAt[r & right.mask] === 0) this.put(builders, t, -1, r);
        }
      }
    }
  }

  /** One output row: `t`, then the left row's columns and the right row's (sequence numbers; -1: NULLs). */
  private put(builders: (ColumnBuilder | null)[], t: number, l: number, r: number): void {
    builders[0]?.append(t);
    const nl = this.putSide(builders, 1, this.sides[0], l);
    this.putSide(builders, 1 + nl, this.sides[1], r);
  }

  /** A side's columns of row `seq` (-1: NULLs) into builders[from ...]; returns their number. */
  private putSide(builders: (ColumnBuilder | null)[], from: number, side: Side, seq: number): number {
    const n = side.columns.length;
    if (seq < 0) {
      for (let j = 0; j < n; j++) builders[from + j]?.appendNull();
      return n;
    }
    const slot = seq & side.mask;
    const views = side.chunkAt[slot]!.views;
    const row = side.rowAt[slot]!;
    for (let j = 0; j < n; j++) builders[from + j]?.appendFrom(views[j]!, row);
    return n;
  }

  /** Rebuild the key table with only the keys that still have retained rows. */
  private maybeCompact(): void {
    if (this.table.size <= 1024 || this.table.size <= 2 * this.liveGroups) return;
    const [left, right] = this.sides;
    const live: number[] = [];
    for (let g = 0; g < this.table.size; g++) if (left.newest[g]! >= left.low || right.newest[g]! >= right.low) live.push(g);
    const remap = new Int32Array(this.table.size).fill(-1);
    live.forEach((g, i) => (remap[g] = i));
    this.table = compactTable(this.table, this.keyTypes, live);
    this.liveGroups = live.length;
    for (const side of this.sides) {
      const newest = new Float64Array(Math.max(256, side.newest.length)).fill(-1);
      live.forEach((g, i) => (newest[i] = side.newest[g]!));
      side.newest = newest;
      for (let seq = side.low; seq < side.head; seq++) {
        const slot = seq & side.mask;
        const g = side.groupAt[slot]!;
        if (g >= 0) side.groupAt[slot] = remap[g]!;
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
      const retained: SavedRow[] = [];
      for (let seq = side.low; seq < side.head; seq++) {
        const slot = seq & side.mask;
        retained.push(rowOf(side, side.chunkAt[slot]!, side.rowAt[slot]!, side.timeAt[slot]!));
      }
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
        s.retained.forEach((r, i) => this.insert(side, chunk, i, r.t));
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
