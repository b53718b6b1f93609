/**
 * encodeRows: rows of an output stream → destination records, one record per row, as KDA writes them.
 *
 * - Only the listed columns are written, in the order given. KDA writes the columns of the in-application stream the
 *   output names; ROWTIME is a system column and is not written unless the application selected it into a column of
 *   the stream (KDA SQL reference, "ROWTIME": it "is not returned ... unless you explicitly include it"). Callers pass
 *   the stream's declared columns; listing 'ROWTIME' writes it like a TIMESTAMP column.
 * - JSON: `{"COL":value,...}` (compact, keys in column order). Numbers are JSON numbers in Java's text
 *   (REAL 84.51, DOUBLE 1.0E10, DECIMAL with its scale), BOOLEAN true/false, CHAR/VARCHAR strings, TIMESTAMP
 *   'YYYY-MM-DD HH:MM:SS.fff', DATE 'YYYY-MM-DD', TIME 'HH:MM:SS[.fff]', BINARY base64, NULL null. NaN and
 *   ±Infinity (not JSON) are written as null.
 * - CSV: cells joined by ',' and ended by '\n'; the same texts as JSON without quotes (BOOLEAN 'true'/'false'); a cell
 *   with ',', '"', CR or LF is quoted with '"' doubled; NULL is an empty cell.
 */
import type { RecordBatch } from 'apache-arrow';
import { columnDefs, type ColumnDef } from '../../exec/arrow.js';
import { readValue, viewOf, type ColumnView } from '../../exec/columns.js';
import type { Value } from '../../exec/values.js';
import type { SqlType } from '../../sql/bind/types.js';
import { valueText } from './convert.js';

const encoder = new TextEncoder();

type Cell = (v: Value) => string;

function jsonCell(type: SqlType): Cell {
  switch (type.kind) {
    case 'BOOLEAN':
      return (v) => (v ? 'true' : 'false');
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
      return (v) => String(v);
    case 'REAL':
    case 'DOUBLE':
    case 'DECIMAL':
      return (v) => (Number.isFinite(v as number) ? valueText(v, type) : 'null');
    case 'CHAR':
    case 'VARCHAR':
      return (v) => JSON.stringify(v);
    case 'BINARY':
    case 'VARBINARY':
      return (v) => JSON.stringify(Buffer.from(v as Uint8Array).toString('base64'));
    default:
      return (v) => JSON.stringify(valueText(v, type));
  }
}

function csvCell(type: SqlType): Cell {
  const quote = (s: string) => (s === '' || /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s);
  switch (type.kind) {
    case 'BOOLEAN':
      return (v) => (v ? 'true' : 'false');
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
      return (v) => String(v);
    case 'CHAR':
    case 'VARCHAR':
      return (v) => quote(v as string);
    case 'BINARY':
    case 'VARBINARY':
      return (v) => Buffer.from(v as Uint8Array).toString('base64');
    default:
      return (v) => quote(valueText(v, type));
  }
}

/** `columns`: the output stream's columns (names, or ColumnDefs whose names are used), ROWTIME excluded unless listed. */
export function encodeRows(batch: RecordBatch, columns: readonly (string | ColumnDef)[], format: 'JSON' | 'CSV'): Uint8Array[] {
  const defs = columnDefs(batch.schema);
  const picked: { view: ColumnView; cell: Cell; key: string }[] = columns.map((col) => {
    const name = typeof col === 'string' ? col : col.name;
    const k = defs.findIndex((d) => d.name === name);
    if (k < 0) throw new Error(`encodeRows: the batch has no column ${JSON.stringify(name)} (it has ${defs.map((d) => d.name).join(', ')})`);
    const type = defs[k]!.type;
    return {
      view: viewOf(batch.getChildAt(k)!.data[0]!),
      cell: format === 'JSON' ? jsonCell(type) : csvCell(type),
      key: JSON.stringify(name) + ':',
    };
  });
  const out: Uint8Array[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    let s = '';
    if (format === 'JSON') {
      s = '{';
      for (let c = 0; c < picked.length; c++) {
        const p = picked[c]!;
        const v = readValue(p.view, i);
        s += (c > 0 ? ',' : '') + p.key + (v === null ? 'null' : p.cell(v));
      }
      s += '}';
    } else {
      for (let c = 0; c < picked.length; c++) {
        const p = picked[c]!;
        const v = readValue(p.view, i);
        s += (c > 0 ? ',' : '') + (v === null ? '' : p.cell(v));
      }
      s += '\n';
    }
    out.push(encoder.encode(s));
  }
  return out;
}
