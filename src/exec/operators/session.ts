/**
 * GROUP BY ..., SESSION(ROWTIME, gap) (the Flink-style extension): per value of the other GROUP BY keys, rows closer
 * than `gapMs` to the previous row of the same key share a session. A row at or after `last + gap` starts the key's
 * next session (the gap is half-open, like the end of a tumbling bucket). A session is emitted when the rowtime
 * bound reaches `last + gap`, its end: ROWTIME = the end; the key at `keyIndex` (the SESSION(...) key) = the session's
 * start (the first row's ROWTIME), so SESSION_START reads that key and SESSION_END / SESSION_ROWTIME read ROWTIME.
 * Sessions ending at the same time are emitted in order of opening.
 *
 * Ordering without a heap: rows arrive in ROWTIME order, so the session that just received a row has the latest end
 * of all; moving it to the tail of a doubly linked list (over group ids) keeps the list sorted by end, and closing
 * pops from its head. State is one GroupTable for the other keys plus per-group session fields; groups whose session
 * closed are dropped by rebuilding the table when they outnumber the open ones (see compactTable in window-state.ts).
 */
import type { RecordBatch } from 'apache-arrow';
import type { Aggregate } from '../../plan/logical.js';
import type { SqlType } from '../../sql/bind/types.js';
import { arrowSchema, type ColumnDef } from '../arrow.js';
import { rowtimes, storageOf, viewOf, viewsOf, type ColumnView } from '../columns.js';
import { compileProjection, type Projector } from '../expr/compile.js';
import { GroupTable } from '../group-table.js';
import type { ExecContext, Operator, Output } from '../operator.js';
import { reportFailures } from './failures.js';
import { AggregateSlots, argumentExprs, BatchCollector, compactTable, decodeJsonValue, encodeJsonValue } from './window-state.js';

const NONE = -1;

interface SavedSession {
  start: number;
  last: number;
  opened: number;
  keys: unknown[];
  state: unknown[];
}

export class SessionOperator implements Operator {
  private readonly projector: Projector;
  /** Plan key positions that are hashed (all but the session key), their types and storage kinds. */
  private readonly hashed: number[];
  private readonly hashedTypes: SqlType[];
  private readonly hashedKinds: ColumnView['kind'][];
  private readonly aggs: AggregateSlots;
  private readonly collected: BatchCollector;
  private readonly gap: number;
  private table: GroupTable;
  // Per group (open session or NONE slot):
  private slot: number[] = [];
  private start: number[] = [];
  private last: number[] = [];
  private opened: number[] = [];
  private prev: number[] = [];
  private next: number[] = [];
  private first = NONE;
  private tail = NONE;
  private live = 0;
  private openings = 0;

  constructor(
    input: readonly ColumnDef[],
    private readonly plan: Aggregate,
    private readonly ctx: ExecContext,
    private readonly out: Output,
  ) {
    const w = plan.window;
    if (!w || w.kind !== 'session') throw new Error('SessionOperator runs SESSION windows only');
    if (!(w.gapMs > 0)) throw new Error('SESSION needs a positive gap');
    this.gap = w.gapMs;
    this.hashed = plan.keys.map((_, i) => i).filter((i) => i !== w.keyIndex);
    this.hashedTypes = this.hashed.map((k) => plan.keys[k]!.type);
    this.hashedKinds = this.hashedTypes.map(storageOf);
    const keyExprs = this.hashed.map((k) => plan.keys[k]!);
    const argExprs = argumentExprs(plan.aggregates, input);
    this.projector = compileProjection([...keyExprs, ...argExprs], input.map((c) => c.type), ctx);
    this.aggs = new AggregateSlots(plan);
    this.table = new GroupTable(this.hashed.length);
    this.collected = new BatchCollector(plan.schema, arrowSchema(plan.schema), (b) => out.emit(b));
  }

  process(batch: RecordBatch): void {
    const n = batch.numRows;
    if (n === 0) return;
    const times = rowtimes(batch);
    const { columns, errors } = this.projector(viewsOf(batch), n);
    reportFailures(batch, errors, this.ctx, true);
    const failed = errors.length > 0 ? new Set(errors.map((e) => e.row)) : null;
    const views = columns.map(viewOf);
    const keys = views.slice(0, this.hashed.length);
    const args = views.slice(this.hashed.length);
    for (let i = 0; i < n; i++) {
      if (failed?.has(i)) continue;
      const t = times[i]!;
      if (this.first !== NONE && this.last[this.first]! + this.gap <= t) this.close(t);
      const g = this.table.groupOf(keys, i);
      if (g === this.slot.length) this.grow();
      if (this.slot[g] === NONE) this.open(g, t);
      else this.touch(g, t);
      this.aggs.add(this.slot[g]!, args, i, t);
    }
    this.collected.flush();
  }

  private grow(): void {
    this.slot.push(NONE);
    this.start.push(0);
    this.last.push(0);
    this.opened.push(0);
    this.prev.push(NONE);
    this.next.push(NONE);
  }

  private open(g: number, t: number): void {
    this.slot[g] = this.aggs.allocate();
    this.start[g] = t;
    this.last[g] = t;
    this.opened[g] = this.openings++;
    this.live++;
    this.append(g);
  }

  /** A new row at `t` for the open session of g: it now ends last of all, so it goes to the tail. */
  private touch(g: number, t: number): void {
    this.last[g] = t;
    if (this.tail === g) return;
    this.unlink(g);
    this.append(g);
  }

  private append(g: number): void {
    this.prev[g] = this.tail;
    this.next[g] = NONE;
    if (this.tail !== NONE) this.next[this.tail] = g;
    else this.first = g;
    this.tail = g;
  }

  private unlink(g: number): void {
    const p = this.prev[g]!;
    const q = this.next[g]!;
    if (p !== NONE) this.next[p] = q;
    else this.first = q;
    if (q !== NONE) this.prev[q] = p;
    else this.tail = p;
    this.prev[g] = this.next[g] = NONE;
  }

  advance(bound: number): void {
    this.close(bound);
    this.collected.flush();
    this.out.advance(bound);
  }

  /** Emit and drop every session whose end (last row + gap) is at or before `bound`: by end, then order of opening. */
  private close(bound: number): void {
    const closing: number[] = [];
    while (this.first !== NONE && this.last[this.first]! + this.gap <= bound) {
      const g = this.first;
      closing.push(g);
      this.unlink(g);
    }
    if (closing.length === 0) return;
    closing.sort((a, b) => this.last[a]! - this.last[b]! || this.opened[a]! - this.opened[b]!);
    const builders = this.collected.output();
    const nk = this.plan.keys.length;
    for (const g of closing) {
      builders[0]!.append(this.last[g]! + this.gap);
      for (let k = 0; k < nk; k++) {
        const h = this.hashed.indexOf(k);
        builders[1 + k]!.append(h < 0 ? this.start[g]! : this.table.keyValue(g, h, this.hashedKinds[h]!));
      }
      this.aggs.finish(this.slot[g]!, builders, 1 + nk);
      this.slot[g] = NONE;
      this.live--;
    }
    if (this.table.size > 1024 && this.table.size > 2 * this.live) this.compact();
  }

  /** Open sessions in list order (by end). */
  private openGroups(): number[] {
    const out: number[] = [];
    for (let g = this.first; g !== NONE; g = this.next[g]!) out.push(g);
    return out;
  }

  /** Rebuild the key table with only the groups that have an open session, keeping list order. */
  private compact(): void {
    const open = this.openGroups();
    const table = compactTable(this.table, this.hashedTypes, open);
    const pick = (a: number[]) => open.map((g) => a[g]!);
    this.slot = pick(this.slot);
    this.start = pick(this.start);
    this.last = pick(this.last);
    this.opened = pick(this.opened);
    this.prev = open.map((_, i) => (i === 0 ? NONE : i - 1));
    this.next = open.map((_, i) => (i === open.length - 1 ? NONE : i + 1));
    this.first = open.length > 0 ? 0 : NONE;
    this.tail = open.length - 1;
    this.table = table;
  }

  save(): unknown {
    const sessions: SavedSession[] = this.openGroups().map((g) => ({
      start: this.start[g]!,
      last: this.last[g]!,
      opened: this.opened[g]!,
      keys: this.hashedKinds.map((kind, h) => encodeJsonValue(this.table.keyValue(g, h, kind))),
      state: this.aggs.save(this.slot[g]!),
    }));
    return { sessions, openings: this.openings };
  }

  load(state: unknown): void {
    const saved = state as { sessions: SavedSession[]; openings: number };
    for (const s of saved.sessions) {
      const g = this.table.loadKeys(this.hashedTypes, [s.keys.map(decodeJsonValue)])[0]!;
      if (g === this.slot.length) this.grow();
      this.slot[g] = this.aggs.allocate();
      this.aggs.load(this.slot[g]!, s.state);
      this.start[g] = s.start;
      this.last[g] = s.last;
      this.opened[g] = s.opened;
      this.live++;
      this.append(g);
    }
    this.openings = Math.max(this.openings, saved.openings);
  }
}
