/** Turning rows that failed evaluation into error_stream rows, and dropping them from the batch. */
import type { RecordBatch } from 'apache-arrow';
import { batchOf, columnDefs, rowsFromBatch } from '../arrow.js';
import { gather, readNumber, viewOf } from '../columns.js';
import type { RowError } from '../expr/compile.js';
import type { ExecContext } from '../operator.js';

export function reportFailures(batch: RecordBatch, errors: readonly RowError[], ctx: ExecContext, stream: boolean): void {
  if (errors.length === 0) return;
  const rt = stream ? viewOf(batch.getChildAt(0)!.data[0]!) : undefined;
  for (const e of errors) {
    const row = rowsFromBatch(batch.slice(e.row, e.row + 1))[0]!;
    ctx.fail({ ...e, rowtime: rt ? readNumber(rt, e.row) : null, data: JSON.stringify(row, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)) });
  }
}

/** The batch without the failed rows (errors are in row order). */
export function withoutFailures(batch: RecordBatch, errors: readonly RowError[]): RecordBatch {
  if (errors.length === 0) return batch;
  const keep = new Int32Array(batch.numRows - errors.length);
  let k = 0;
  let e = 0;
  for (let i = 0; i < batch.numRows; i++) {
    if (e < errors.length && errors[e]!.row === i) e++;
    else keep[k++] = i;
  }
  return selectRows(batch, keep, k);
}

export function selectRows(batch: RecordBatch, sel: Int32Array, count: number): RecordBatch {
  if (count === batch.numRows) return batch;
  const defs = columnDefs(batch.schema);
  const data = defs.map((d, c) => gather(batch.getChildAt(c)!.data[0]!, d.type, sel, count));
  return batchOf(batch.schema, data, count);
}

