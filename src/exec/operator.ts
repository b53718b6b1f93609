/**
 * The one small interface every physical operator implements (after Arroyo's operator trait): batches in, batches
 * out, rowtime bounds in, bounds out, and state that can be saved and loaded for checkpoints. Operators never read a
 * clock: windows close because a bound passed, and the runtime turns clock ticks into bounds.
 */
import type { RecordBatch } from 'apache-arrow';
import type { EvalContext, RowError } from './expr/compile.js';

/** Where an operator sends what it produces. */
export interface Output {
  emit(batch: RecordBatch): void;
  /** No row with ROWTIME below `bound` will be emitted any more. */
  advance(bound: number): void;
}

export interface Operator {
  /** Rows arriving on input `port` (0 for single-input operators), ROWTIME non-decreasing per port. */
  process(batch: RecordBatch, port: number): void;
  /** No row with ROWTIME below `bound` will arrive on `port` any more. */
  advance(bound: number, port: number): void;
  /** The operator's state as JSON-serialisable data, and the reverse. */
  save(): unknown;
  load(state: unknown): void;
}

/** A row that failed, on its way to error_stream. */
export interface FailedRow extends RowError {
  /** The failing row's ROWTIME, when it has one. */
  rowtime: number | null;
  /** The row's values as JSON text (error_stream shows it hex-encoded in DATA_ROW). */
  data: string;
}

export interface ExecContext extends EvalContext {
  /** The pump whose operators are running (PUMP_NAME in error_stream). */
  pump: string;
  fail(row: FailedRow): void;
}
