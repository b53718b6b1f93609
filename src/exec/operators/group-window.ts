/**
 * GROUP BY over a stream with a time key: tumbling buckets (STEP, FLOOR, TUMBLE) and hopping windows (HOP). Each
 * open window has its own group table, so when the rowtime bound passes a window's end its groups are emitted
 * (ROWTIME = the window's end, groups in order of first appearance) and all of its state is dropped at once.
 * Accumulator state lives in typed arrays indexed by slot; slots of closed windows are reused.
 *
 * Hopping windows whose size is a multiple of their slide are kept as panes of one slide each: a row is added to one
 * pane instead of size/slide windows, and a window is the merge of its panes (accumulators merge in pane order, so
 * FIRST_VALUE and the order of groups are as if the window had been built row by row). A pane is dropped once the
 * last window that holds it has been emitted.
 */
import type { RecordBatch } from 'apache-arrow';
import type { Aggregate, Expr } from '../../plan/logical.js';
import { TIMESTAMP } from '../../sql/bind/types.js';
import { arrowSchema, batchOf, type ColumnDef } from '../arrow.js';
import { ColumnBuilder, readValue, rowtimes, storageOf, viewOf, viewsOf, type ColumnView } from '../columns.js';
import { compileProjection, type Projector } from '../expr/compile.js';
import { GroupTable } from '../group-table.js';
import type { ExecContext, Operator, Output } from '../operator.js';
import type { Value } from '../values.js';
import { reportFailures } from './failures.js';
import { AggregateSlots, argumentExprs, decodeJsonValue, encodeJsonValue } from './window-state.js';

/** One batch's projected columns, and its rows' accumulator slots (filled run by run). */
interface Run {
  keys: ColumnView[];
  timeKey: ColumnView;
  args: ColumnView[];
  times: Float64Array;
  slots: Int32Array;
}

interface Window {
  start: number;
  end: number;
  table: GroupTable;
  /** Accumulator slot of each group. */
  slots: number[];
  /** The time key's value (the first row's), for tumbling windows. */
  timeKey: Value;
}

export class GroupWindowOperator implements Operator {
  private readonly projector: Projector;
  /** Which projected columns are hashed keys, and which output key each is. */
  private readonly hashed: number[];
  private readonly aggs: AggregateSlots;
  private readonly schema;
  private readonly keyKinds: ColumnView['kind'][];
  /** Open windows by start, and their ends in ascending order. */
  private readonly windows = new Map<number, Window>();
  private ends: number[] = [];
  private readonly width: number;
  private readonly slide: number;
  private readonly offset: number;
  private readonly timeKeyIndex: number;
  /** Hop windows built from panes of one slide (see the header); the start of the last window emitted. */
  private readonly panes: boolean;
  private lastEmitted = -Infinity;
  /** The time key's value is the window's start (TUMBLE, HOP), not an expression evaluated per row (STEP, FLOOR). */
  private readonly startIsKey: boolean;

  constructor(
    input: readonly ColumnDef[],
    private readonly plan: Aggregate,
    private readonly ctx: ExecContext,
    private readonly out: Output,
  ) {
    const w = plan.window!;
    if (w.kind === 'tumbling') [this.width, this.slide, this.offset] = [w.widthMs, w.widthMs, w.offsetMs];
    else if (w.kind === 'hop') [this.width, this.slide, this.offset] = [w.sizeMs, w.slideMs, 0];
    else throw new Error(`GroupWindowOperator does not run ${w.kind} windows`);
    this.timeKeyIndex = w.keyIndex;
    this.panes = w.kind === 'hop' && this.width % this.slide === 0 && this.width > this.slide;
    // TUMBLE(...)/HOP(...) are not scalar functions: their value is the window's start, which the operator knows.
    const timeKey = plan.keys[w.keyIndex]!;
    this.startIsKey = w.kind === 'hop' || (timeKey.kind === 'call' && (timeKey.fn === 'TUMBLE' || timeKey.fn === 'HOP'));
    const keyExprs = plan.keys.map((k, i): Expr => (i === w.keyIndex && this.startIsKey ? { kind: 'literal', value: null, type: TIMESTAMP } : k));
    this.hashed = plan.keys.map((_, i) => i).filter((i) => i !== w.keyIndex);
    const argExprs = argumentExprs(plan.aggregates, input);
    this.projector = compileProjection([...keyExprs, ...argExprs], input.map((c) => c.type), ctx);
    this.aggs = new AggregateSlots(plan);
    this.keyKinds = plan.keys.map((k) => storageOf(k.type));
    this.schema = arrowSchema(plan.schema);
  }

  process(batch: RecordBatch): void {
    const n = batch.numRows;
    if (n === 0) return;
    const times = rowtimes(batch);
    const { columns, errors } = this.projector(viewsOf(batch), n);
    reportFailures(batch, errors, this.ctx, true);
    const views = columns.map(viewOf);
    const run: Run = { keys: this.hashed.map((k) => views[k]!), timeKey: views[this.timeKeyIndex]!, args: views.slice(this.plan.keys.length), times, slots: new Int32Array(n) };
    // Runs of rows in one slide (so in the same windows), split where a window closes and at failed rows (skipped).
    let e = 0;
    for (let from = 0; from < n; ) {
      if (e < errors.length && errors[e]!.row === from) {
        from++;
        e++;
        continue;
      }
      const t = times[from]!;
      if (this.ends.length > 0 && this.ends[0]! <= t) this.close(t);
      const last = this.slideStart(t);
      const stop = e < errors.length ? errors[e]!.row : n;
      const closing = this.ends.length > 0 ? this.ends[0]! : Infinity;
      let to = from + 1;
      while (to < stop && times[to]! < closing && this.slideStart(times[to]!) === last) to++;
      this.addRun(run, last, from, to);
      from = to;
    }
  }

  /** The start of the slide holding time t: the newest window (or pane) a row at t belongs to. */
  private slideStart(t: number): number {
    return Math.floor((t - this.offset) / this.slide) * this.slide + this.offset;
  }

  /** Rows [from, to), all in the slide starting at `last`, into each window that holds them. */
  private addRun(run: Run, last: number, from: number, to: number): void {
    const t = run.times[from]!;
    const first = this.panes ? last : last - this.width + this.slide;
    const slots = run.slots;
    for (let s = last; s >= first && s + this.width > t; s -= this.slide) {
      const w = this.window(s, run.timeKey, from);
      w.table.groupsOf(run.keys, from, to, slots);
      for (let i = from; i < to; i++) {
        const g = slots[i]!;
        if (g === w.slots.length) w.slots.push(this.aggs.allocate());
        slots[i] = w.slots[g]!;
      }
      this.aggs.addBatch(slots, run.args, run.times, from, to);
    }
  }

  private window(start: number, timeKey: ColumnView, i: number): Window {
    let w = this.windows.get(start);
    if (!w) {
      w = { start, end: start + this.width, table: new GroupTable(this.hashed.length), slots: [], timeKey: this.startIsKey ? start : readValue(timeKey, i) };
      this.windows.set(start, w);
      this.scheduleClose(w);
    }
    return w;
  }

  /** When `close` must next run for this window (or pane): the end of the first window it is part of. */
  private scheduleClose(w: Window): void {
    const firstEnd = this.panes ? Math.max(this.lastEmitted + this.slide, w.start - this.width + this.slide) + this.width : w.end;
    this.ends.push(firstEnd);
    this.ends.sort((a, b) => a - b);
  }

  advance(bound: number): void {
    this.close(bound);
    this.out.advance(bound);
  }

  /** Emit and drop every window whose end is at or before `bound`, in order of end. */
  private close(bound: number): void {
    const closing = this.panes ? this.mergePanes(bound) : [...this.windows.values()].filter((w) => w.end <= bound).sort((a, b) => a.end - b.end || a.start - b.start);
    this.ends = this.ends.filter((e) => e > bound);
    if (closing.length === 0) return;
    const builders = this.plan.schema.map((c) => new ColumnBuilder(c.type, 64));
    for (const w of closing) {
      for (let g = 0; g < w.slots.length; g++) {
        builders[0]!.append(w.end);
        for (let k = 0; k < this.plan.keys.length; k++) {
          const h = this.hashed.indexOf(k);
          builders[1 + k]!.append(h < 0 ? w.timeKey : w.table.keyValue(g, h, this.keyKinds[k]!));
        }
        this.aggs.finish(w.slots[g]!, builders, 1 + this.plan.keys.length);
      }
      if (!this.panes) this.windows.delete(w.start);
    }
    const n = builders[0]!.length;
    if (n > 0) this.out.emit(batchOf(this.schema, builders.map((b) => b.finish()), n));
  }

  /**
   * The hop windows ending at or before `bound` that hold a row, each merged from its panes into fresh slots, in
   * order; then the panes no later window needs are dropped.
   */
  private mergePanes(bound: number): Window[] {
    const starts = new Set<number>();
    for (const p of this.windows.keys()) {
      for (let s = p - this.width + this.slide; s <= p; s += this.slide) if (s > this.lastEmitted && s + this.width <= bound) starts.add(s);
    }
    const merged: Window[] = [];
    for (const start of [...starts].sort((a, b) => a - b)) {
      const w: Window = { start, end: start + this.width, table: new GroupTable(this.hashed.length), slots: [], timeKey: start };
      for (let p = start; p < w.end; p += this.slide) {
        const pane = this.windows.get(p);
        if (!pane) continue;
        for (let g = 0; g < pane.slots.length; g++) {
          const m = w.table.groupLike(pane.table, g);
          if (m === w.slots.length) w.slots.push(this.aggs.allocate());
          this.aggs.merge(w.slots[m]!, pane.slots[g]!);
        }
      }
      merged.push(w);
      this.lastEmitted = start;
    }
    if (merged.length > 0 || bound === Infinity) this.dropPanes(bound);
    for (const p of this.windows.values()) this.scheduleClose(p);
    return merged;
  }

  /** Panes whose last window (the one starting at the pane) has ended are no longer needed. */
  private dropPanes(bound: number): void {
    for (const [p, pane] of this.windows) {
      if (p + this.width > bound) continue;
      for (const slot of pane.slots) this.aggs.release(slot);
      this.windows.delete(p);
    }
  }

  save(): unknown {
    return { lastEmitted: this.lastEmitted === -Infinity ? null : this.lastEmitted, windows: this.saveWindows() };
  }

  private saveWindows(): unknown[] {
    return [...this.windows.values()].map((w) => ({
      start: w.start,
      timeKey: w.timeKey,
      groups: w.slots.map((slot, g) => ({
        keys: this.hashed.map((k, h) => encodeJsonValue(w.table.keyValue(g, h, this.keyKinds[k]!))),
        state: this.aggs.save(slot),
      })),
    }));
  }

  load(state: unknown): void {
    const { lastEmitted, windows } = state as { lastEmitted: number | null; windows: { start: number; timeKey: Value; groups: { keys: unknown[]; state: unknown[] }[] }[] };
    this.lastEmitted = lastEmitted ?? -Infinity;
    for (const saved of windows) {
      const w: Window = { start: saved.start, end: saved.start + this.width, table: new GroupTable(this.hashed.length), slots: [], timeKey: saved.timeKey };
      w.table.loadKeys(this.hashed.map((k) => this.plan.keys[k]!.type), saved.groups.map((g) => g.keys.map(decodeJsonValue)));
      for (const group of saved.groups) {
        const slot = this.aggs.allocate();
        w.slots.push(slot);
        this.aggs.load(slot, group.state);
      }
      this.windows.set(w.start, w);
      this.scheduleClose(w);
    }
  }
}
