/**
 * A deliberately naive decoder from a golden case's input records to source rows, written for the tests only and
 * independently of src/analytics/records: JSONPath mapping (`$.a.b`, `$.arr[0:].x` flattening, `$.arr[0:]` as text),
 * CSV by position, the JSON→SQL conversions of kda-sql.md, ROWTIME = max(previous, arrival). With the reference
 * evaluator (test/exec/reference) it derives expected outputs without the engine.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ApplicationShape, SourceSchemaShape } from '../../src/analytics/config.js';
import type { ReplayRecord } from '../../src/analytics/replay.js';
import type { Row } from '../../src/exec/arrow.js';
import type { RunInput } from '../../src/exec/program.js';
import type { Value } from '../../src/exec/values.js';
import { parseSqlType, sourceStreamNames } from '../../src/sql/catalog.js';
import type { SqlType } from '../../src/sql/bind/types.js';
import { parseInstant } from '../../src/cli/apptest/values.js';

export class MappingError extends Error {}

const INT_KINDS = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT'];
const NUM_KINDS = [...INT_KINDS, 'REAL', 'DOUBLE', 'DECIMAL'];

/** A JSON (or CSV text) value converted into a column of `type`. */
export function convert(v: unknown, type: SqlType, fromText: boolean): Value {
  if (v === null || v === undefined) return null;
  if (fromText && v === '' && type.kind !== 'VARCHAR' && type.kind !== 'CHAR') return null;
  const k = type.kind;
  if (NUM_KINDS.includes(k)) {
    let n: number;
    if (typeof v === 'number') n = v;
    else if (typeof v === 'boolean') n = v ? 1 : 0;
    else if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) n = Number(v);
    else throw new MappingError(`${JSON.stringify(v)} is not a number`);
    if (INT_KINDS.includes(k)) {
      if (!Number.isInteger(n)) n = Math.trunc(n);
    }
    return k === 'REAL' ? Math.fround(n) : n;
  }
  if (k === 'BOOLEAN') {
    if (typeof v === 'boolean') return v;
    return typeof v === 'string' && v.toLowerCase() === 'true';
  }
  if (k === 'VARCHAR' || k === 'CHAR') {
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    return type.precision !== undefined ? s.slice(0, type.precision) : s;
  }
  if (k === 'TIMESTAMP' || k === 'DATE') {
    const t = parseInstant(v);
    if (t === undefined) throw new MappingError(`${JSON.stringify(v)} is not a ${k}`);
    return k === 'DATE' ? Math.floor(t / 86_400_000) * 86_400_000 : t;
  }
  throw new Error(`naive decoder: no conversion to ${k}`);
}

type Step = { field: string } | { index: number } | { all: true };

function parsePath(p: string): Step[] {
  if (!p.startsWith('$')) throw new Error(`naive decoder: path ${p}`);
  const steps: Step[] = [];
  const re = /\.([A-Za-z_][\w-]*)|\[(\d+)\]|\[0:\]|\['([^']*)'\]/g;
  let m: RegExpExecArray | null;
  let at = 1;
  while ((m = re.exec(p))) {
    if (m.index !== at) throw new Error(`naive decoder: path ${p}`);
    at = re.lastIndex;
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined) steps.push({ field: m[3] });
    else steps.push({ all: true });
  }
  if (at !== p.length) throw new Error(`naive decoder: path ${p}`);
  return steps;
}

function walk(v: unknown, steps: Step[]): unknown {
  for (const s of steps) {
    if (v === null || v === undefined) return undefined;
    if ('field' in s) v = typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[s.field] : undefined;
    else if ('index' in s) v = Array.isArray(v) ? v[s.index] : undefined;
  }
  return v;
}

/** Rows of one JSON record under a schema (several when a mapping flattens an array). */
function jsonRows(text: string, schema: SourceSchemaShape): Record<string, Value>[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new MappingError('not JSON');
  }
  const rowPath = schema.RecordFormat.MappingParameters?.JSONMappingParameters?.RecordRowPath ?? '$';
  const rowSteps = parsePath(rowPath);
  const docs = rowSteps.some((s) => 'all' in s) ? ((walk(doc, rowSteps.filter((s) => !('all' in s))) as unknown[]) ?? []) : [walk(doc, rowSteps)];
  const out: Record<string, Value>[] = [];
  for (const d of docs) {
    const cols = schema.RecordColumns.map((c) => ({ c, type: parseSqlType(c.SqlType), steps: parsePath(c.Mapping ?? `$.${c.Name}`) }));
    const flat = cols.find((x) => x.steps.some((s, i) => 'all' in s && i < x.steps.length - 1));
    const prefixLen = flat ? flat.steps.findIndex((s) => 'all' in s) : -1;
    const arr = flat ? walk(d, flat.steps.slice(0, prefixLen)) : undefined;
    const elements: unknown[] = flat ? (Array.isArray(arr) && arr.length > 0 ? arr : [undefined]) : [undefined];
    for (const el of elements) {
      const row: Record<string, Value> = {};
      for (const x of cols) {
        const i = x.steps.findIndex((s) => 'all' in s);
        let v: unknown;
        if (i >= 0 && i < x.steps.length - 1) v = walk(el, x.steps.slice(i + 1));
        else if (i === x.steps.length - 1) {
          const a = walk(d, x.steps.slice(0, i));
          v = a === undefined ? undefined : JSON.stringify(a);
        } else v = walk(d, x.steps);
        row[x.c.Name] = convert(v, x.type, false);
      }
      out.push(row);
    }
  }
  return out;
}

function csvRows(text: string, schema: SourceSchemaShape): Record<string, Value>[] {
  const p = schema.RecordFormat.MappingParameters?.CSVMappingParameters;
  const rowDelim = p?.RecordRowDelimiter ?? '\n';
  const colDelim = p?.RecordColumnDelimiter ?? ',';
  return text
    .split(rowDelim)
    .filter((line) => line !== '')
    .map((line) => {
      const fields = line.split(colDelim);
      const row: Record<string, Value> = {};
      schema.RecordColumns.forEach((c, i) => (row[c.Name] = convert(fields[i], parseSqlType(c.SqlType), true)));
      return row;
    });
}

export function decodeText(text: string, schema: SourceSchemaShape): Record<string, Value>[] {
  return schema.RecordFormat.RecordFormatType === 'CSV' ? csvRows(text, schema) : jsonRows(text, schema);
}

export interface NaiveSources {
  input: RunInput;
  /** Records that failed mapping: their arrival and the reason. */
  mappingErrors: { arrival: number; message: string }[];
}

/** Source rows (everything into `_001` of each input) and reference tables for the reference evaluator. */
export function naiveSources(config: ApplicationShape, records: ReplayRecord[], referenceRoot: string): NaiveSources {
  const streams: Record<string, Row[]> = {};
  const mappingErrors: NaiveSources['mappingErrors'] = [];
  const decoder = new TextDecoder();
  // Records enter the stream in arrival order (stable), as replay puts them.
  records = records.map((r, i) => ({ r, i })).sort((a, b) => a.r.arrival - b.r.arrival || a.i - b.i).map((x) => x.r);
  for (const input of config.Inputs ?? []) {
    const name = sourceStreamNames(input.NamePrefix, 1)[0]!;
    const rows: Row[] = (streams[name] = []);
    let last = -Infinity;
    for (const r of records) {
      let decoded;
      try {
        decoded = decodeText(decoder.decode(r.data), input.InputSchema);
      } catch (e) {
        if (!(e instanceof MappingError)) throw e;
        mappingErrors.push({ arrival: r.arrival, message: e.message });
        continue;
      }
      last = Math.max(last, r.arrival);
      for (const d of decoded) rows.push({ ROWTIME: last, ...d, APPROXIMATE_ARRIVAL_TIME: r.arrival });
    }
  }
  const tables: Record<string, Row[]> = {};
  for (const ref of config.ReferenceDataSources ?? []) {
    const file = path.join(referenceRoot, ref.S3ReferenceDataSource!.FileKey);
    const text = fs.readFileSync(file, 'utf8');
    const schema = ref.ReferenceSchema;
    if (schema.RecordFormat.RecordFormatType === 'CSV') tables[ref.TableName] = csvRows(text, schema);
    else {
      const trimmed = text.trim();
      const docs = trimmed.startsWith('[') ? (JSON.parse(trimmed) as unknown[]).map((d) => JSON.stringify(d)) : trimmed.split('\n').filter((l) => l.trim() !== '');
      tables[ref.TableName] = docs.flatMap((d) => jsonRows(d, schema));
    }
  }
  return { input: { streams, tables }, mappingErrors };
}
