/**
 * State the windowed operators share (group-window, stagger, session, stream-join): aggregate slots fed row by row,
 * key tables compacted to their live groups, JSON-safe values for checkpoints, and output rows collected into one
 * batch per call.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import type { Aggregate, Expr } from '../../plan/logical.js';
import type { SqlType } from '../../sql/bind/types.js';
import { batchOf, type ColumnDef } from '../arrow.js';
import { groupAccumulator, type GroupAccumulator } from '../aggregates/index.js';
import { ColumnBuilder, isNull, readNumber, readValue, storageOf, validFromRow0, type ColumnView } from '../columns.js';
import { GroupTable } from '../group-table.js';
import type { Value } from '../values.js';

/**
 * A new GroupTable holding only the keys of groups `live` (in that order: live[i] becomes group i). Key values are
 * read back from the old table and re-hashed, so strings of dropped keys leave the dictionary with the old table.
 */
export function compactTable(old: GroupTable, types: readonly SqlType[], live: readonly number[]): GroupTable {
  const table = new GroupTable(types.length, Math.max(16, live.length * 2));
  const kinds = types.map(storageOf);
  table.loadKeys(types, live.map((g) => kinds.map((kind, k) => old.keyValue(g, k, kind))));
  return table;
}

/**
 * The expression each aggregate reads per row: its argument. COUNT(*) reads none, so column 0 stands in: a bare column
 * is passed through by the projection, at no cost per row.
 */
export function argumentExprs(aggregates: readonly { args: readonly Expr[] }[], input: readonly ColumnDef[]): Expr[] {
  return aggregates.map((a) => a.args[0] ?? { kind: 'column', index: 0, type: input[0]!.type });
}

/** Values as JSON-serialisable data: binary values become {hex}. */
export function encodeJsonValue(v: Value): unknown {
  return v instanceof Uint8Array ? { hex: Buffer.from(v).toString('hex') } : v;
}

export function decodeJsonValue(v: unknown): Value {
  if (v !== null && typeof v === 'object' && 'hex' in (v as object)) return Uint8Array.from(Buffer.from((v as { hex: string }).hex, 'hex'));
  return v as Value;
}

/** Accumulators of an Aggregate's calls, and how to feed one row into a slot. */
export class AggregateSlots {
  readonly accumulators: GroupAccumulator[];
  private readonly numeric: boolean[];
  private readonly free: number[] = [];
  private next = 0;

  constructor(private readonly plan: Aggregate) {
    this.accumulators = plan.aggregates.map((a) =>
      groupAccumulator({ name: a.fn, argTypes: a.args.map((x) => x.type), resultType: a.type, star: a.star, distinct: a.distinct, params: a.params }),
    );
    this.numeric = plan.aggregates.map((a) => a.args[0] !== undefined && ['num', 'i64', 'day'].includes(storageOf(a.args[0].type)));
  }

  allocate(): number {
    const slot = this.free.pop() ?? this.next++;
    for (const acc of this.accumulators) acc.ensureCapacity(this.next);
    return slot;
  }

  add(slot: number, args: readonly ColumnView[], i: number, t: number): void {
    for (let a = 0; a < this.accumulators.length; a++) {
      const acc = this.accumulators[a]!;
      const c = args[a]!;
      if (this.plan.aggregates[a]!.star) acc.add(slot, undefined, t);
      else if (this.numeric[a] && !isNull(c, i)) acc.addF64(slot, readNumber(c, i), t);
      else acc.add(slot, readValue(c, i), t);
    }
  }

  /**
   * add() for rows from ≤ i < to, row i into slot slots[i]: each accumulator takes the run in one call (numeric
   * arguments straight from the column's typed array), which is what makes a batch cheap.
   */
  addBatch(slots: Int32Array, args: readonly ColumnView[], times: Float64Array, from: number, to: number): void {
    for (let a = 0; a < this.accumulators.length; a++) {
      const acc = this.accumulators[a]!;
      const c = args[a]!;
      // COUNT(*) counts every row and reads no value: the rowtimes stand in.
      if (this.plan.aggregates[a]!.star) acc.addF64Batch(slots, times, null, times, from, to);
      else if (this.numeric[a]) acc.addF64Batch(slots, c.kind === 'num' ? c.values : numbers(c, from, to), validFromRow0(c), times, from, to);
      else for (let i = from; i < to; i++) acc.add(slots[i]!, readValue(c, i), times[i]!);
    }
  }

  /** Append the slot's results to builders[from..] and free the slot. */
  finish(slot: number, builders: ColumnBuilder[], from: number): void {
    this.accumulators.forEach((acc, a) => builders[from + a]!.append(acc.result(slot)));
    this.release(slot);
  }

  /** Free a slot without reading it. */
  release(slot: number): void {
    for (const acc of this.accumulators) acc.clear(slot);
    this.free.push(slot);
  }

  /** dst := the aggregate of dst's rows followed by src's (hop panes). */
  merge(dst: number, src: number): void {
    for (const acc of this.accumulators) acc.merge(dst, src);
  }

  save(slot: number): unknown[] {
    return this.accumulators.map((acc) => acc.save(slot));
  }

  load(slot: number, state: readonly unknown[]): void {
    this.accumulators.forEach((acc, a) => acc.load(slot, state[a]));
  }
}

/** Rows from ≤ i < to of an i64 or day column as numbers (index i holds row i). */
function numbers(c: ColumnView, from: number, to: number): Float64Array {
  const out = new Float64Array(to);
  for (let i = from; i < to; i++) out[i] = readNumber(c, i);
  return out;
}

/** Output rows collected over a whole call and emitted as one batch. */
export class BatchCollector {
  private builders: ColumnBuilder[] | null = null;

  constructor(
    private readonly columns: readonly ColumnDef[],
    private readonly schema: Schema,
    private readonly emit: (batch: RecordBatch) => void,
  ) {}

  /** The builders of the batch being collected, one per column. */
  output(): ColumnBuilder[] {
    return (this.builders ??= this.columns.map((c) => new ColumnBuilder(c.type, 64)));
  }

  flush(): void {
    const builders = this.builders;
    if (!builders || builders[0]!.length === 0) return;
    this.builders = null;
    this.emit(batchOf(this.schema, builders.map((b) => b.finish()), builders[0]!.length));
  }
}
