/**
 * WINDOWED BY STAGGER (PARTITION BY keys RANGE interval): one window per partition key, opened by the key's first row
 * and closed `rangeMs` after that row's ROWTIME. A row at or after the close time opens the key's next window. A
 * window is emitted when the rowtime bound reaches its close time (no row that could belong to it can still come):
 * ROWTIME = the close time, then the partition keys, then the aggregates.
 *
 * Rows arrive in ROWTIME order, so windows open in order of their close times: the open windows form a FIFO queue
 * and closing is a pop from its front, which also gives "windows closing at the same time in order of opening".
 *
 * State: one GroupTable (key tuple → group id) with, per group, the accumulator slot of its open window (or none).
 * Closed windows free their slot at once; the key table, which cannot delete, is rebuilt with only the keys that
 * have an open window when dead keys outnumber live ones (amortised O(1) per window), so state stays proportional
 * to the open windows even when keys never repeat (FLOOR(EVENT_TIME TO MINUTE) as a key).
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

// ---- the operator ------------------------------------------------------------------------------------------------

interface Open {
  group: number;
  start: number;
  close: number;
}

interface SavedWindow {
  start: number;
  keys: unknown[];
  state: unknown[];
}

export class StaggerOperator implements Operator {
  private readonly projector: Projector;
  private readonly keyTypes: SqlType[];
  private readonly keyKinds: ColumnView['kind'][];
  private readonly aggs: AggregateSlots;
  private readonly collected: BatchCollector;
  private readonly range: number;
  private table: GroupTable;
  /** Per group: accumulator slot of its open window, or -1. */
  private slotOf: number[] = [];
  /** Open windows in order of opening (= order of close time). */
  private queue: Open[] = [];
  private head = 0;
  private live = 0;

  constructor(
    input: readonly ColumnDef[],
    private readonly plan: Aggregate,
    private readonly ctx: ExecContext,
    private readonly out: Output,
  ) {
    const w = plan.window;
    if (!w || w.kind !== 'stagger') throw new Error('StaggerOperator runs WINDOWED BY STAGGER only');
    if (!(w.rangeMs > 0)) throw new Error('STAGGER needs a positive RANGE');
    this.range = w.rangeMs;
    this.keyTypes = plan.keys.map((k) => k.type);
    this.keyKinds = this.keyTypes.map(storageOf);
    const argExprs = argumentExprs(plan.aggregates, input);
    this.projector = compileProjection([...plan.keys, ...argExprs], input.map((c) => c.type), ctx);
    this.aggs = new AggregateSlots(plan);
    this.table = new GroupTable(plan.keys.length);
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
    const keys = views.slice(0, this.plan.keys.length);
    const args = views.slice(this.plan.keys.length);
    for (let i = 0; i < n; i++) {
      if (failed?.has(i)) continue;
      const t = times[i]!;
      if (this.head < this.queue.length && this.queue[this.head]!.close <= t) this.close(t);
      const g = this.table.groupOf(keys, i);
      while (this.slotOf.length <= g) this.slotOf.push(-1);
      let slot = this.slotOf[g]!;
      if (slot < 0) {
        slot = this.slotOf[g] = this.aggs.allocate();
        this.queue.push({ group: g, start: t, close: t + this.range });
        this.live++;
      }
      this.aggs.add(slot, args, i, t);
    }
    this.collected.flush();
  }

  advance(bound: number): void {
    this.close(bound);
    this.collected.flush();
    this.out.advance(bound);
  }

  /** Emit and drop every window whose close time is at or before `bound`. */
  private close(bound: number): void {
    if (this.head === this.queue.length || this.queue[this.head]!.close > bound) return;
    const builders = this.collected.output();
    const nk = this.plan.keys.length;
    while (this.head < this.queue.length && this.queue[this.head]!.close <= bound) {
      const w = this.queue[this.head++]!;
      builders[0]!.append(w.close);
      for (let k = 0; k < nk; k++) builders[1 + k]!.append(this.table.keyValue(w.group, k, this.keyKinds[k]!));
      this.aggs.finish(this.slotOf[w.group]!, builders, 1 + nk);
      this.slotOf[w.group] = -1;
      this.live--;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (this.table.size > 1024 && this.table.size > 2 * this.live) this.compact();
  }

  /** Rebuild the key table with only the keys of open windows. */
  private compact(): void {
    const open = this.queue.slice(this.head);
    const table = compactTable(this.table, this.keyTypes, open.map((w) => w.group));
    const slotOf: number[] = [];
    open.forEach((w, i) => {
      slotOf.push(this.slotOf[w.group]!);
      w.group = i;
    });
    this.table = table;
    this.slotOf = slotOf;
    this.queue = open;
    this.head = 0;
  }

  save(): unknown {
    const windows: SavedWindow[] = this.queue.slice(this.head).map((w) => ({
      start: w.start,
      keys: this.keyKinds.map((kind, k) => encodeJsonValue(this.table.keyValue(w.group, k, kind))),
      state: this.aggs.save(this.slotOf[w.group]!),
    }));
    return { windows };
  }

  load(state: unknown): void {
    const { windows } = state as { windows: SavedWindow[] };
    for (const w of windows) {
      const g = this.table.loadKeys(this.keyTypes, [w.keys.map(decodeJsonValue)])[0]!;
      while (this.slotOf.length <= g) this.slotOf.push(-1);
      const slot = (this.slotOf[g] = this.aggs.allocate());
      this.aggs.load(slot, w.state);
      this.queue.push({ group: g, start: w.start, close: w.start + this.range });
      this.live++;
    }
  }
}
