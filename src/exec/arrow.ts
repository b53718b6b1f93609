/**
 * How SQL types are stored in Arrow, and the slow-but-simple conversions between Arrow batches and plain rows used at
 * the edges (tests, JSON output, reference tables). Operators never use the row conversions on a hot path: they read
 * the typed arrays directly (see columns.ts).
 *
 * | SQL type          | Arrow type               | notes                                                    |
 * |-------------------|--------------------------|----------------------------------------------------------|
 * | BOOLEAN           | Bool                     |                                                          |
 * | TINYINT/SMALLINT/INTEGER | Int8/Int16/Int32  |                                                          |
 * | BIGINT            | Int64                    | read as two Int32 halves into a JS number (exact to 2^53) |
 * | REAL / DOUBLE     | Float32 / Float64        |                                                          |
 * | DECIMAL(p,s)      | Float64                  | the declared type is kept in the field's metadata        |
 * | CHAR/VARCHAR      | Utf8                     |                                                          |
 * | BINARY/VARBINARY  | Binary                   |                                                          |
 * | DATE              | DateDay (Int32 days)     |                                                          |
 * | TIME              | TimeMillisecond (Int32)  |                                                          |
 * | TIMESTAMP         | TimestampMillisecond (Int64) | ROWTIME is column 0 of every stream batch, never null |
 * | ROW (log parsers) | Utf8                     | the row's values as a JSON array; in expressions a JS array |
 *
 * Every field carries `sluice.type` metadata with the SQL type as written by `show()` (e.g. `VARCHAR(4)`,
 * `DECIMAL(10,2)`), so the exact SQL type survives a trip through Arrow.
 */
import {
  Binary, Bool, DataType, DateDay, Field, Float32, Float64, Int16, Int32, Int64, Int8, makeData, RecordBatch, Schema, Struct,
  TimeMillisecond, TimestampMillisecond, Utf8, type Data,
} from 'apache-arrow';
import { show, t, type SqlType } from '../sql/bind/types.js';
import { MS_PER_DAY, type Value } from './values.js';

/** A column of a plan or batch: its name and SQL type. Column 0 of a stream is always ROWTIME. */
export interface ColumnDef {
  name: string;
  type: SqlType;
}

export const ROWTIME = 'ROWTIME';
const TYPE_KEY = 'sluice.type';

export function arrowType(type: SqlType): DataType {
  switch (type.kind) {
    case 'BOOLEAN':
      return new Bool();
    case 'TINYINT':
      return new Int8();
    case 'SMALLINT':
      return new Int16();
    case 'INTEGER':
      return new Int32();
    case 'BIGINT':
      return new Int64();
    case 'REAL':
      return new Float32();
    case 'DOUBLE':
    case 'DECIMAL':
    case 'INTERVAL':
    case 'NULL':
    case 'ANY':
      return new Float64();
    case 'CHAR':
    case 'VARCHAR':
    case 'ROW':
      return new Utf8();
    case 'BINARY':
    case 'VARBINARY':
      return new Binary();
    case 'DATE':
      return new DateDay();
    case 'TIME':
      return new TimeMillisecond();
    case 'TIMESTAMP':
      return new TimestampMillisecond();
    default:
      throw new Error(`no Arrow storage for SQL type ${show(type)}`);
  }
}

export function arrowSchema(columns: readonly ColumnDef[]): Schema {
  return new Schema(columns.map((c) => new Field(c.name, arrowType(c.type), c.name !== ROWTIME, new Map([[TYPE_KEY, show(c.type)]]))));
}

/** The SQL columns of an Arrow schema (from `sluice.type` metadata when present, else from the Arrow type). */
export function columnDefs(schema: Schema): ColumnDef[] {
  return schema.fields.map((f) => ({ name: f.name, type: sqlTypeOf(f) }));
}

function sqlTypeOf(f: Field): SqlType {
  const declared = f.metadata.get(TYPE_KEY);
  if (declared) return parseShownType(declared);
  const ty = f.type;
  if (DataType.isBool(ty)) return t('BOOLEAN');
  if (DataType.isInt(ty)) return t(({ 8: 'TINYINT', 16: 'SMALLINT', 32: 'INTEGER', 64: 'BIGINT' } as const)[ty.bitWidth]);
  if (DataType.isFloat(ty)) return t(ty.precision === 1 ? 'REAL' : 'DOUBLE');
  if (DataType.isUtf8(ty)) return t('VARCHAR');
  if (DataType.isBinary(ty)) return t('VARBINARY');
  if (DataType.isDate(ty)) return t('DATE');
  if (DataType.isTime(ty)) return t('TIME');
  if (DataType.isTimestamp(ty)) return t('TIMESTAMP');
  throw new Error(`column ${f.name}: Arrow type ${String(ty)} has no SQL equivalent here`);
}

function parseShownType(s: string): SqlType {
  if (s.startsWith('ROW')) return t('ROW');
  const m = /^([A-Z]+)(?:\((\d+)(?:,(\d+))?\))?$/.exec(s);
  if (!m) throw new Error(`bad ${TYPE_KEY} metadata: ${s}`);
  return t(m[1] as SqlType['kind'], m[2] === undefined ? undefined : Number(m[2]), m[3] === undefined ? undefined : Number(m[3]));
}

// ---- rows ⇄ batches (edges only) ----------------------------------------------------------------------------------
export type Row = Record<string, Value>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Build one column from JS values (conventions of values.ts). */
export function columnFromValues(type: SqlType, values: readonly Value[]): Data {
  const ty = arrowType(type);
  const n = values.length;
  const validity = new Uint8Array((n + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    if (values[i] === null || values[i] === undefined) nullCount++;
    else validity[i >> 3]! |= 1 << (i & 7);
  }
  const nullBitmap = nullCount > 0 ? validity : undefined;
  if (DataType.isUtf8(ty) || DataType.isBinary(ty)) {
    const parts = values.map((v) => (v === null || v === undefined ? new Uint8Array(0) : typeof v === 'string' ? encoder.encode(v) : (v as Uint8Array)));
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
    const data = new Uint8Array(offsets[n]!);
    parts.forEach((p, i) => data.set(p, offsets[i]!));
    return makeData({ type: ty as Utf8, length: n, nullCount, nullBitmap, valueOffsets: offsets, data });
  }
  if (DataType.isBool(ty)) {
    const bits = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) if (values[i] === true) bits[i >> 3]! |= 1 << (i & 7);
    return makeData({ type: ty as Bool, length: n, nullCount, nullBitmap, data: bits });
  }
  const num = (v: Value) => (v === null || v === undefined ? 0 : Number(v));
  if (DataType.isInt(ty) && ty.bitWidth === 64 || DataType.isTimestamp(ty)) {
    const data = new BigInt64Array(n);
    for (let i = 0; i < n; i++) data[i] = BigInt(Math.trunc(num(values[i]!)));
    return makeData({ type: ty as Int64, length: n, nullCount, nullBitmap, data });
  }
  if (DataType.isDate(ty)) {
    const data = new Int32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.floor(num(values[i]!) / MS_PER_DAY);
    return makeData({ type: ty as DateDay, length: n, nullCount, nullBitmap, data });
  }
  const Ctor = (ty as Int32 | Float64 | TimeMillisecond).ArrayType as unknown as { new (n: number): Int32Array | Float64Array };
  const data = new Ctor(n);
  for (let i = 0; i < n; i++) data[i] = num(values[i]!);
  return makeData({ type: ty as Float64, length: n, nullCount, nullBitmap, data: data as Float64Array });
}

export function batchOf(schema: Schema, data: readonly Data[], length: number): RecordBatch {
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length, nullCount: 0, children: data as Data[] }));
}

/** A batch from rows (keyed by column name; a missing key is NULL). */
export function batchFromRows(columns: readonly ColumnDef[], rows: readonly Row[]): RecordBatch {
  const data = columns.map((c) => columnFromValues(c.type, rows.map((r) => r[c.name] ?? null)));
  return batchOf(arrowSchema(columns), data, rows.length);
}

/** One value of a column, by the conventions of values.ts. Slow path: for edges and state, not inner loops. */
export function valueAt(data: Data, i: number): Value {
  const j = data.offset + i;
  if (data.nullCount > 0 && data.nullBitmap && data.nullBitmap.length > 0 && ((data.nullBitmap[j >> 3]! >> (j & 7)) & 1) === 0) return null;
  const ty = data.type;
  if (DataType.isUtf8(ty)) return decoder.decode(data.values.subarray(data.valueOffsets[i]!, data.valueOffsets[i + 1]!));
  if (DataType.isBinary(ty)) return (data.values as Uint8Array).slice(data.valueOffsets[i]!, data.valueOffsets[i + 1]!);
  if (DataType.isBool(ty)) return ((data.values[j >> 3]! >> (j & 7)) & 1) === 1;
  if (DataType.isDate(ty)) return (data.values[i] as number) * MS_PER_DAY;
  const v = data.values[i];
  return typeof v === 'bigint' ? Number(v) : (v as number);
}

export function rowsFromBatch(batch: RecordBatch): Row[] {
  const cols = batch.schema.fields.map((f, k) => ({ name: f.name, data: batch.getChildAt(k)!.data[0]! }));
  const rows: Row[] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const row: Row = {};
    for (const c of cols) row[c.name] = valueAt(c.data, i);
    rows.push(row);
  }
  return rows;
}
