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
import { isNull, readValue, viewOf, type ColumnView } from '../../exec/columns.js';
import type { Value } from '../../exec/values.js';
import type { SqlType } from '../../sql/bind/types.js';
import { doubleToString, realToString } from '../../exec/functions/cast.js';
import { valueText } from './convert.js';

const encoder = new TextEncoder();

/**
 * Double.toString, fast for the common magnitudes: in [1e-3, 1e7) Java prints plain digits, which are JS's shortest
 * round-trip digits with '.0' added to an integer. Anything else goes the general way.
 */
function doubleText(x: number): string {
  const a = x < 0 ? -x : x;
  if (a >= 1e-3 && a < 1e7) {
    const s = String(x);
    return s.indexOf('.') < 0 ? s + '.0' : s;
  }
  return doubleToString(x);
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * Float.toString (the shortest digits that read back to the same float32), fast for [1e-3, 1e7): the fewest decimal
 * places k that round-trip are found by arithmetic, then `toFixed(k)` (correctly rounded, as the general path's
 * `toExponential` is) gives the digits. Near a rounding tie, or when the check fails, the general path decides.
 */
function realText(x: number): string {
  const a = x < 0 ? -x : x;
  if (a >= 1e-3 && a < 1e7) {
    for (let k = 0; k < POW10.length; k++) {
      const t = a * POW10[k]!;
      const f = t - Math.floor(t);
      if (f > 0.4999999 && f < 0.5000001) {
        // A tie by arithmetic may not be one exactly. It matters only where a candidate this far (half a unit of the
        // k-th place) from the value could still read back to it: within half a float32 ulp (at most a * 2^-24).
        if (0.5 / POW10[k]! > a * 1.2e-7) continue;
        break;
      }
      if (Math.fround(Math.round(t) / POW10[k]!) !== a) continue;
      const s = x.toFixed(k);
      if (Math.fround(Number(s)) !== a && Math.fround(-Number(s)) !== a) break;
      return k === 0 ? s + '.0' : s;
    }
  }
  return realToString(x);
}

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
      return (v) => ((v as number) - (v as number) === 0 ? realText(v as number) : 'null');
    case 'DOUBLE':
      return (v) => ((v as number) - (v as number) === 0 ? doubleText(v as number) : 'null');
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
    case 'REAL':
      return (v) => ((v as number) - (v as number) === 0 ? realText(v as number) : quote(valueText(v, type)));
    case 'DOUBLE':
      return (v) => ((v as number) - (v as number) === 0 ? doubleText(v as number) : quote(valueText(v, type)));
    default:
      return (v) => quote(valueText(v, type));
  }
}

interface Picked {
  view: ColumnView;
  cell: Cell;
  key: string;
  /** CHAR/VARCHAR: JSON copies the bytes when they need no escaping. */
  text: boolean;
  /** REAL/DOUBLE: 1 / 2, read from the typed array without boxing (JSON); 0 otherwise. */
  num: number;
}

/** `columns`: the output stream's columns (names, or ColumnDefs whose names are used), ROWTIME excluded unless listed. */
export function encodeRows(batch: RecordBatch, columns: readonly (string | ColumnDef)[], format: 'JSON' | 'CSV'): Uint8Array[] {
  const defs = columnDefs(batch.schema);
  const picked: Picked[] = columns.map((col) => {
    const name = typeof col === 'string' ? col : col.name;
    const k = defs.findIndex((d) => d.name === name);
    if (k < 0) throw new Error(`encodeRows: the batch has no column ${JSON.stringify(name)} (it has ${defs.map((d) => d.name).join(', ')})`);
    const type = defs[k]!.type;
    return {
      view: viewOf(batch.getChildAt(k)!.data[0]!),
      cell: format === 'JSON' ? jsonCell(type) : csvCell(type),
      key: JSON.stringify(name) + ':',
      text: type.kind === 'CHAR' || type.kind === 'VARCHAR',
      num: type.kind === 'REAL' ? 1 : type.kind === 'DOUBLE' ? 2 : 0,
    };
  });
  if (format === 'JSON') return encodeJson(batch.numRows, picked);
  // One string and one buffer per batch; the records are views of it (one allocation, not one per row).
  const n = batch.numRows;
  const ends = new Uint32Array(n);
  let all = '';
  for (let i = 0; i < n; i++) {
    let s = '';
    for (let c = 0; c < picked.length; c++) {
      const p = picked[c]!;
      const v = readValue(p.view, i);
      s += (c > 0 ? ',' : '') + (v === null ? '' : p.cell(v));
    }
    all += s + '\n';
    ends[i] = all.length;
  }
  const out: Uint8Array[] = new Array(n);
  const bytes = Buffer.from(all, 'utf8');
  if (bytes.length === all.length) {
    // ASCII: character offsets are byte offsets.
    for (let i = 0, at = 0; i < n; i++) {
      out[i] = bytes.subarray(at, ends[i]!);
      at = ends[i]!;
    }
  } else {
    for (let i = 0, at = 0; i < n; i++) {
      out[i] = encoder.encode(all.slice(at, ends[i]!));
      at = ends[i]!;
    }
  }
  return out;
}

/**
 * JSON records written straight into one byte buffer per batch (the records are views of it): keys pre-encoded,
 * strings copied from the column's UTF-8 bytes when they need no escaping, other values as their text.
 */
function encodeJson(n: number, picked: Picked[]): Uint8Array[] {
  const keys = picked.map((p, c) => Buffer.from((c > 0 ? ',' : '{') + p.key, 'utf8'));
  let buf = Buffer.allocUnsafe(Math.max(256, n * (keys.reduce((a, k) => a + k.length, 0) + 12 * picked.length + 2)));
  let at = 0;
  // Every reservation also makes room for all of a row's keys and its '}', so keys are written without a check.
  const keyBytes = keys.reduce((a, k) => a + k.length, 0) + 1;
  const ensure = (more: number): void => {
    more += keyBytes;
    if (at + more <= buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + more));
    buf.copy(bigger, 0, 0, at);
    buf = bigger;
  };
  const writeText = (s: string): void => {
    const len = s.length;
    ensure(len);
    for (let k = 0; k < len; k++) {
      const ch = s.charCodeAt(k);
      if (ch >= 0x80) {
        // not ASCII: the rest through the UTF-8 encoder
        const rest = s.slice(k);
        ensure(Buffer.byteLength(rest, 'utf8'));
        at += buf.write(rest, at, 'utf8');
        return;
      }
      buf[at++] = ch;
    }
  };
  const ends = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    ensure(0);
    for (let c = 0; c < picked.length; c++) {
      const p = picked[c]!;
      const key = keys[c]!;
      // (room made by the last reservation; keys are short, so a loop beats a native copy)
      for (let k = 0; k < key.length; k++) buf[at++] = key[k]!;
      const view = p.view;
      if (isNull(view, i)) {
        writeText('null');
        continue;
      }
      if (p.num !== 0 && view.kind === 'num') {
        const x = view.values[i]!;
        writeText(x - x !== 0 ? 'null' : p.num === 1 ? realText(x) : doubleText(x));
        continue;
      }
      if (p.text && view.kind === 'utf8') {
        const bytes = view.values as Uint8Array;
        const s = view.offsets![i]!;
        const e = view.offsets![i + 1]!;
        let plain = true;
        for (let k = s; k < e; k++) {
          const b = bytes[k]!;
          if (b < 0x20 || b === 0x22 || b === 0x5c) {
            plain = false;
            break;
          }
        }
        if (plain) {
          ensure(e - s + 2);
          buf[at++] = 0x22;
          for (let k = s; k < e; k++) buf[at++] = bytes[k]!;
          buf[at++] = 0x22;
          continue;
        }
      }
      writeText(p.cell(readValue(view, i)!));
    }
    buf[at++] = 0x7d;
    ends[i] = at;
  }
  const out: Uint8Array[] = new Array(n);
  for (let i = 0, from = 0; i < n; i++) {
    out[i] = buf.subarray(from, ends[i]!);
    from = ends[i]!;
  }
  return out;
}
