/**
 * An application's pumps wired into one dataflow: source streams in, in-application streams between pumps, every
 * stream observable. A stream with several writers merges them in ROWTIME order (UnionOperator); a pump's rows are
 * fitted to its target's columns on the way in (the rest NULL, values cast to the column types).
 */
import type { RecordBatch } from 'apache-arrow';
import type { PlannedProgram } from '../plan/build.js';
import type { Expr, PumpPlan } from '../plan/logical.js';
import { assignable, TIMESTAMP, VARCHAR } from '../sql/bind/types.js';
import { arrowSchema, batchOf, type ColumnDef, type Row } from './arrow.js';

const ARRIVAL = 'APPROXIMATE_ARRIVAL_TIME';
import type { EvalContext } from './expr/compile.js';
import type { ExecContext, FailedRow, Operator, Output } from './operator.js';
import { ProjectOperator } from './operators/project.js';
import { UnionOperator } from './operators/union.js';
import { instantiate, type Wiring } from './physical.js';

export const ERROR_STREAM_SCHEMA: ColumnDef[] = [
  { name: 'ERROR_TIME', type: TIMESTAMP },
  { name: 'ERROR_LEVEL', type: VARCHAR(10) },
  { name: 'ERROR_NAME', type: VARCHAR(32) },
  { name: 'MESSAGE', type: VARCHAR(4096) },
  { name: 'DATA_ROWTIME', type: TIMESTAMP },
  { name: 'DATA_ROW', type: VARCHAR(49152) },
  { name: 'PUMP_NAME', type: VARCHAR(128) },
];

type Listener = (batch: RecordBatch) => void;

/** One stream: what reads it, and (when several pumps write it) the merge in front of it. */
class StreamNode implements Output {
  readonly readers: Output[] = [];
  readonly listeners: Listener[] = [];
  writers = 0;
  merge?: UnionOperator;

  emit(batch: RecordBatch): void {
    for (const l of this.listeners) l(batch);
    for (const r of this.readers) r.emit(batch);
  }

  advance(bound: number): void {
    for (const r of this.readers) r.advance(bound);
  }
}

export interface DataflowOptions extends EvalContext {
  /** Reference tables by name. */
  tables: Map<string, RecordBatch>;
}

export class Dataflow {
  private readonly streams = new Map<string, StreamNode>();
  readonly operators: Operator[] = [];
  private readonly errorListeners: ((row: Row) => void)[] = [];

  constructor(
    readonly program: PlannedProgram,
    private readonly options: DataflowOptions,
  ) {
    for (const [name, r] of program.relations) if (r.kind !== 'table') this.streams.set(name, new StreamNode());
    const running = program.pumps.filter((p) => !p.stopped);
    for (const p of running) this.node(p.target).writers++;
    for (const [name, node] of this.streams) {
      if (node.writers > 1) node.merge = new UnionOperator(arrowSchema(program.relations.get(name)!.schema), node.writers, node);
    }
    const ports = new Map<string, number>();
    for (const p of running) {
      const port = ports.get(p.target) ?? 0;
      ports.set(p.target, port + 1);
      this.wirePump(p, port);
    }
  }

  private node(name: string): StreamNode {
    const n = this.streams.get(name);
    if (!n) throw new Error(`no stream named ${name}`);
    return n;
  }

  private wirePump(p: PumpPlan, port: number): void {
    const target = this.node(p.target);
    const into: Output = target.merge ? { emit: (b) => target.merge!.process(b, port), advance: (t) => target.merge!.advance(t, port) } : target;
    const ctx: ExecContext = { startTime: this.options.startTime, now: this.options.now, pump: p.name, fail: (row) => this.fail(p.name, row) };
    const targetSchema = this.program.relations.get(p.target)!.schema;
    const insert = new ProjectOperator(p.plan.schema, fitToTarget(p, targetSchema), targetSchema, false, ctx, into);
    const wiring: Wiring = {
      subscribe: (stream, out) => this.node(stream).readers.push(out),
      table: (name) => {
        const t = this.options.tables.get(name);
        if (!t) throw new Error(`reference table ${name} has no data`);
        return t;
      },
      operators: this.operators,
    };
    this.operators.push(insert);
    instantiate(p.plan, { emit: (b) => insert.process(b), advance: (t) => insert.advance(t) }, ctx, wiring);
  }

  /**
   * Rows for a source stream, ROWTIME non-decreasing: its columns in order, ROWTIME first. APPROXIMATE_ARRIVAL_TIME,
   * the last column, may be left out: it is then the ROWTIME (the same buffer, not a copy).
   */
  push(source: string, batch: RecordBatch): void {
    const schema = this.program.relations.get(source)?.schema;
    if (!schema || this.program.relations.get(source)!.kind !== 'source') throw new Error(`${source} is not a source stream of this application`);
    const names = batch.schema.fields.map((f) => f.name);
    const expected = schema.map((c) => c.name);
    if (names.length === expected.length - 1 && expected.at(-1) === ARRIVAL && names.every((n, i) => n === expected[i])) {
      const data = [...batch.schema.fields.map((_, c) => batch.getChildAt(c)!.data[0]!), batch.getChildAt(0)!.data[0]!];
      batch = batchOf(arrowSchema(schema), data, batch.numRows);
    } else if (names.length !== expected.length || names.some((n, i) => n !== expected[i])) {
      throw new Error(`a batch for ${source} must have the columns ${expected.join(', ')} (the last may be left out), not ${names.join(', ')}`);
    }
    this.node(source).emit(batch);
  }

  /** No source row with ROWTIME below `bound` will come any more. */
  advance(bound: number): void {
    for (const [name, node] of this.streams) {
      if (this.program.relations.get(name)!.kind === 'source' || node.writers === 0) node.advance(bound);
    }
  }

  /** Every batch written to a stream (source or in-application). */
  listen(stream: string, listener: Listener): void {
    this.node(stream).listeners.push(listener);
  }

  listenErrors(listener: (row: Row) => void): void {
    this.errorListeners.push(listener);
  }

  private fail(pump: string, row: FailedRow): void {
    const error: Row = {
      ERROR_TIME: this.options.now(),
      ERROR_LEVEL: 'ERROR',
      ERROR_NAME: row.name,
      MESSAGE: row.message,
      DATA_ROWTIME: row.rowtime,
      DATA_ROW: Buffer.from(row.data, 'utf8').toString('hex'),
      PUMP_NAME: pump,
    };
    for (const l of this.errorListeners) l(error);
  }
}

/** The pump's columns placed at the target's positions: the rest NULL, each cast when its type differs. */
function fitToTarget(p: PumpPlan, target: readonly ColumnDef[]): Expr[] {
  return target.map((col, i): Expr => {
    const k = p.targetColumns.indexOf(i);
    if (k < 0) return { kind: 'literal', value: null, type: col.type };
    const from = p.plan.schema[k]!.type;
    const column: Expr = { kind: 'column', index: k, type: from };
    const same = from.kind === col.type.kind && from.precision === col.type.precision && from.scale === col.type.scale;
    return same || !assignable(from, col.type) ? column : { kind: 'cast', operand: column, type: col.type };
  });
}
