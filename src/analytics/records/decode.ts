/**
 * makeDecoder: an input schema (AWS SourceSchema shape) → a RecordDecoder that turns records into a batch of the source
 * stream (ROWTIME, the RecordColumns as named, APPROXIMATE_ARRIVAL_TIME).
 *
 * JSON: the generic path parses each record with JSON.parse and walks the mappings (paths.ts). When every mapping is a
 * flat `$.name` and the row path is `$`, a scanner specialised for the schema (fast-json.ts) reads the UTF-8 bytes
 * directly and falls back to the generic path for any record it is not sure of (escaped keys, nested values of mapped
 * keys, values that fail conversion, malformed JSON), so both paths give the same rows and the same errors.
 *
 * CSV: rows split on RecordRowDelimiter (a record may hold several rows; empty rows are skipped), cells on
 * RecordColumnDelimiter, with standard double-quote quoting ("a,b", "say ""hi"""); with a '\n' row delimiter a '\r'
 * before it is dropped. Columns map by position; a row with fewer cells gives NULLs, extra cells are ignored.
 *
 * ROWTIME = max(rowtimeFloor, previous ROWTIME, arrival); a record that fails mapping gives no rows and does not move
 * ROWTIME. All rows of one record share its ROWTIME and arrival.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { arrowSchema, batchOf, ROWTIME, type ColumnDef } from '../../exec/arrow.js';
import type { Value } from '../../exec/values.js';
import { parseSqlType } from '../../sql/catalog.js';
import { TIMESTAMP } from '../../sql/bind/types.js';
import type { SourceSchemaShape } from '../config.js';
import { csvConverter, jsonConverter, MappingError, type CsvConverter, type JsonConverter } from './convert.js';
import { makeFastJson, type FastJson } from './fast-json.js';
import type { ByteRun, Decoded, InputRecord, RecordDecoder, RecordError } from './index.js';
import { parsePath, samePath, walk, type Step } from './paths.js';
import { ColumnWriter } from './writer.js';

export const APPROXIMATE_ARRIVAL_TIME = 'APPROXIMATE_ARRIVAL_TIME';

/** The RecordColumns as ColumnDefs (names exactly as written). */
export function recordColumnDefs(schema: SourceSchemaShape): ColumnDef[] {
  if (!schema || !Array.isArray(schema.RecordColumns)) throw new MappingError('the schema needs RecordColumns');
  return schema.RecordColumns.map((c, i) => {
    if (typeof c?.Name !== 'string' || typeof c.SqlType !== 'string') throw new MappingError(`RecordColumns[${i}] needs Name and SqlType`);
    try {
      return { name: c.Name, type: parseSqlType(c.SqlType) };
    } catch (e) {
      throw new MappingError(`RecordColumns[${i}] (${c.Name}): ${(e as Error).message}`);
    }
  });
}

/** The source stream's columns for a schema: ROWTIME, the RecordColumns, APPROXIMATE_ARRIVAL_TIME. */
export function sourceColumnsOf(schema: SourceSchemaShape): ColumnDef[] {
  return [{ name: ROWTIME, type: TIMESTAMP }, ...recordColumnDefs(schema), { name: APPROXIMATE_ARRIVAL_TIME, type: TIMESTAMP }];
}

/** Rows of one record, values already converted to the column types. Throws MappingError. */
export type RowReader = (data: Uint8Array) => Value[][];

export interface JsonPlan {
  columns: ColumnDef[];
  convert: JsonConverter[];
  rowSteps: Step[];
  rowInner: Step[] | null;
  rowAll: boolean;
  paths: { steps: Step[]; inner: Step[] | null }[];
  /** Steps to the flattened array, or null. */
  flat: Step[] | null;
}

export function jsonPlan(schema: SourceSchemaShape): JsonPlan {
  const columns = recordColumnDefs(schema);
  const rowPath = parsePath(schema.RecordFormat.MappingParameters?.JSONMappingParameters?.RecordRowPath ?? '$');
  let flat: Step[] | null = null;
  const paths = schema.RecordColumns.map((c, i) => {
    const p = parsePath(c.Mapping ?? `$.${c.Name}`);
    if (p.inner) {
      if (flat && !samePath(flat, p.steps)) {
        throw new MappingError(`RecordColumns[${i}] (${c.Name}): only one array can be flattened (${c.Mapping})`);
      }
      flat = p.steps;
    }
    return { steps: p.steps, inner: p.inner };
  });
  return {
    columns,
    convert: columns.map((c) => jsonConverter(c.name, c.type)),
    rowSteps: rowPath.steps,
    rowInner: rowPath.inner,
    rowAll: rowPath.wholeArray || rowPath.inner !== null,
    paths,
    flat,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The generic JSON path: JSON.parse, then the mappings. */
export function jsonRowReader(plan: JsonPlan): (text: string) => Value[][] {
  const rows = jsonDocRows(plan);
  return (text) => {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw new MappingError(`record is not valid JSON (${(e as Error).message})`);
    }
    return rows(doc);
  };
}

/** The rows of a parsed JSON record. */
export function jsonDocRows(plan: JsonPlan): (doc: unknown) => Value[][] {
  const { convert, paths, flat, rowSteps, rowInner } = plan;
  const n = convert.length;
  const rowsOf = (root: unknown, out: Value[][]) => {
    if (!isObject(root)) throw new MappingError(`a row must be a JSON object, not ${JSON.stringify(root)?.slice(0, 50)}`);
    const base: Value[] = new Array(n);
    for (let c = 0; c < n; c++) if (!paths[c]!.inner) base[c] = convert[c]!(walk(root, paths[c]!.steps));
    if (!flat) {
      out.push(base);
      return;
    }
    const arr = walk(root, flat);
    if (!Array.isArray(arr) || arr.length === 0) {
      for (let c = 0; c < n; c++) if (paths[c]!.inner) base[c] = convert[c]!(undefined);
      out.push(base);
      return;
    }
    for (const el of arr) {
      const row = base.slice();
      for (let c = 0; c < n; c++) if (paths[c]!.inner) row[c] = convert[c]!(walk(el, paths[c]!.inner!));
      out.push(row);
    }
  };
  return (doc) => {
    const out: Value[][] = [];
    let at = walk(doc, rowSteps);
    if (at === undefined) throw new MappingError(`RecordRowPath matches nothing in the record`);
    if (Array.isArray(at)) {
      for (let el of at) {
        if (rowInner) el = walk(el, rowInner);
        rowsOf(el, out);
      }
    } else rowsOf(at, out);
    return out;
  };
}

// ---- CSV ------------------------------------------------------------------------------------------------------------

export interface CsvRow {
  cells: string[];
  quoted: boolean[];
  /** Offset of the row's first character in the text. */
  start: number;
}

/** Split CSV text into rows and cells (standard double-quote quoting; delimiters may be several characters). */
export function splitCsv(text: string, colDelim: string, rowDelim: string): CsvRow[] {
  const rows: CsvRow[] = [];
  const n = text.length;
  let i = 0;
  let cells: string[] = [];
  let quoted: boolean[] = [];
  let start = 0;
  const endRow = () => {
    if (!(cells.length === 1 && cells[0] === '' && !quoted[0])) rows.push({ cells, quoted, start });
    cells = [];
    quoted = [];
  };
  const crlf = rowDelim === '\n';
  for (;;) {
    // one cell
    let cell = '';
    let q = false;
    if (text[i] === '"') {
      q = true;
      i++;
      for (;;) {
        const close = text.indexOf('"', i);
        if (close < 0) {
          cell += text.slice(i);
          i = n;
          break;
        }
        cell += text.slice(i, close);
        if (text[close + 1] === '"') {
          cell += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
    }
    // the rest of the cell up to a delimiter (after a closing quote: kept as is)
    let j = i;
    while (j < n && !text.startsWith(colDelim, j) && !text.startsWith(rowDelim, j)) j++;
    let tail = text.slice(i, j);
    if (crlf && tail.endsWith('\r') && (j === n || text.startsWith(rowDelim, j))) tail = tail.slice(0, -1);
    cell += tail;
    cells.push(cell);
    quoted.push(q);
    if (j >= n) {
      endRow();
      return rows;
    }
    if (text.startsWith(colDelim, j)) i = j + colDelim.length;
    else {
      i = j + rowDelim.length;
      endRow();
      start = i;
      if (i >= n) return rows;
    }
  }
}

function unescapeDelimiter(d: string | undefined, dflt: string): string {
  if (d === undefined || d === '') return dflt;
  return d.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\t/g, '\t');
}

export function csvDelimiters(schema: SourceSchemaShape): { colDelim: string; rowDelim: string } {
  const p = schema.RecordFormat.MappingParameters?.CSVMappingParameters;
  return { colDelim: unescapeDelimiter(p?.RecordColumnDelimiter, ','), rowDelim: unescapeDelimiter(p?.RecordRowDelimiter, '\n') };
}

/** One CSV row → converted values. Throws MappingError. */
export function csvRowConverter(schema: SourceSchemaShape): (r: CsvRow) => Value[] {
  const conv: CsvConverter[] = recordColumnDefs(schema).map((c) => csvConverter(c.name, c.type));
  return (r) => conv.map((f, c) => (c < r.cells.length ? f(r.cells[c]!, r.quoted[c]!) : null));
}

export function csvRowReader(schema: SourceSchemaShape): (text: string) => Value[][] {
  const { colDelim, rowDelim } = csvDelimiters(schema);
  const row = csvRowConverter(schema);
  return (text) => splitCsv(text, colDelim, rowDelim).map(row);
}

// ---- the decoder ----------------------------------------------------------------------------------------------------

const utf8 = (b: Uint8Array, s: number, e: number): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8', s, e);

class Decoder implements RecordDecoder {
  private readonly schema: Schema;
  private readonly types: ColumnDef[];
  private readonly fast: FastJson | null;
  /** Diagnostics: records the specialised path decoded, and all records decoded. */
  fastRecords = 0;
  allRecords = 0;
  /** Diagnostics: of fastRecords, those the learnt record shape read. */
  get shapeRecords(): number {
    return this.fast?.shapeRecords ?? 0;
  }

  constructor(
    columns: ColumnDef[],
    private readonly reader: (text: string) => Value[][],
    fast: FastJson | null,
  ) {
    this.types = columns;
    this.schema = arrowSchema(columns);
    this.fast = fast;
  }

  decode(records: readonly InputRecord[], rowtimeFloor: number): Decoded {
    const cap = Math.max(8, records.length);
    const writers = this.types.map((c) => new ColumnWriter(c.type, cap));
    const cols = writers.slice(1, -1);
    const errors: RecordError[] = [];
    this.allRecords += records.length;
    let rowtime = rowtimeFloor;
    for (let r = 0; r < records.length; r++) {
      const rec = records[r]!;
      const d = rec.data;
      rowtime = this.one(d, 0, d.byteLength, rec.arrival, rowtime, writers, cols, errors, r);
    }
    const batch: RecordBatch = batchOf(this.schema, writers.map((w) => w.finish()), writers[0]!.n);
    return { batch, errors, lastRowtime: rowtime };
  }

  decodeRuns(runs: readonly ByteRun[], rowtimeFloor: number): Decoded {
    let total = 0;
    for (const run of runs) total += run.to - run.from;
    const writers = this.types.map((c) => new ColumnWriter(c.type, Math.max(8, total)));
    const cols = writers.slice(1, -1);
    const errors: RecordError[] = [];
    this.allRecords += total;
    let rowtime = rowtimeFloor;
    let index = 0;
    for (const run of runs) {
      const { bytes, start, length, arrival } = run;
      for (let i = run.from; i < run.to; i++, index++) {
        const s = start[i]!;
        rowtime = this.one(bytes, s, s + length[i]!, arrival[i]!, rowtime, writers, cols, errors, index);
      }
    }
    const batch: RecordBatch = batchOf(this.schema, writers.map((w) => w.finish()), writers[0]!.n);
    return { batch, errors, lastRowtime: rowtime };
  }

  /** One record `b[s..e)` into the writers (ROWTIME first, APPROXIMATE_ARRIVAL_TIME last); returns the new ROWTIME. */
  private one(b: Uint8Array, s: number, e: number, arrival: number, rowtime: number, writers: ColumnWriter[], cols: ColumnWriter[], errors: RecordError[], index: number): number {
    const rt = writers[0]!;
    const aat = writers[writers.length - 1]!;
    const fast = this.fast;
    let added: number;
    if (fast !== null && fast.rowAt(b, s, e, cols)) {
      added = 1;
      this.fastRecords++;
    } else {
      let rows: Value[][];
      try {
        rows = this.reader(utf8(b, s, e));
      } catch (err) {
        if (!(err instanceof MappingError)) throw err;
        errors.push({ index, message: err.message });
        return rowtime;
      }
      for (const row of rows) for (let c = 0; c < cols.length; c++) cols[c]!.append(row[c]!);
      added = rows.length;
      if (added === 0) return rowtime;
    }
    if (arrival > rowtime) rowtime = arrival;
    for (let k = 0; k < added; k++) {
      rt.appendNumber(rowtime);
      aat.appendNumber(arrival);
    }
    return rowtime;
  }
}

export function makeDecoder(schema: SourceSchemaShape): RecordDecoder {
  const columns = sourceColumnsOf(schema);
  const format = schema.RecordFormat?.RecordFormatType;
  if (format === 'CSV') return new Decoder(columns, csvRowReader(schema), null);
  if (format !== 'JSON') throw new MappingError(`RecordFormatType must be JSON or CSV, not ${String(format)}`);
  const plan = jsonPlan(schema);
  return new Decoder(columns, jsonRowReader(plan), makeFastJson(plan));
}

/** The generic decoder only (tests compare it with the specialised one). */
export function makeGenericDecoder(schema: SourceSchemaShape): RecordDecoder {
  const columns = sourceColumnsOf(schema);
  if (schema.RecordFormat?.RecordFormatType === 'CSV') return new Decoder(columns, csvRowReader(schema), null);
  return new Decoder(columns, jsonRowReader(jsonPlan(schema)), null);
}
