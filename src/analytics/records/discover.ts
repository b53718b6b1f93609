/**
 * discoverSchema: what DiscoverInputSchema does with sample records.
 *
 * - Format: JSON when every non-blank sample parses as a JSON object (or an array of objects, which become rows with
 *   RecordRowPath `$`); otherwise CSV, with the column delimiter (',', '|', '\t' or ';') that splits the samples most
 *   consistently into more than one column, and '\n' between rows. CSV columns are COL1..COLn.
 * - JSON columns: every leaf in first-seen order; nested objects give `$.a.b` (named after the leaf, `b`; when two
 *   leaves share a name, the later ones take the path joined with '_', `a_b`); arrays give `$.arr[0:]` as VARCHAR
 *   (their JSON text). Names follow the console's rules ("Column Naming During Schema Discovery"): a name that is a
 *   reserved word, has characters other than letters, digits and '_', starts with a digit or is longer than 100
 *   characters becomes `COL_` + the name with other characters replaced by '_'.
 * - Types, merged over the samples: booleans BOOLEAN; integers INTEGER (BIGINT beyond 32 bits); other numbers REAL when
 *   they have at most 7 significant digits (the demo's 84.51 is REAL, as in the KDA console), else DOUBLE; strings that
 *   are ISO-8601 / 'YYYY-MM-DD HH:MM:SS[.fff]' timestamps TIMESTAMP; other strings VARCHAR(n) with n the longest
 *   sample rounded up to a power of two ('AMZN' → VARCHAR(4), 'TECHNOLOGY' → VARCHAR(16), as the demo schema); mixed
 *   kinds VARCHAR; a column only ever null VARCHAR(1).
 */
import type { RecordColumnShape, SourceSchemaShape } from '../config.js';
import { splitCsv } from './decode.js';

type Kind = 'BOOLEAN' | 'INTEGER' | 'BIGINT' | 'REAL' | 'DOUBLE' | 'TIMESTAMP' | 'VARCHAR' | 'NONE';

interface Col {
  path: string;
  steps: string[];
  kind: Kind;
  maxLen: number;
}

const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const NUMBER_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const RESERVED = new Set(
  (
    'ALL AND ANY ARRAY AS ASC AT AVG BETWEEN BIGINT BINARY BOOLEAN BOTH BY CASE CAST CHAR CHARACTER CHECK COLUMN COUNT CREATE ' +
    'CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURSOR DATE DAY DECIMAL DEFAULT DELETE DESC DISTINCT DOUBLE ELSE END ' +
    'ESCAPE EXISTS EXTRACT FALSE FIRST FLOAT FLOOR FOR FROM FULL FUNCTION GROUP HAVING HOUR IN INNER INSERT INT INTEGER INTERVAL INTO ' +
    'IS JOIN LAST LEADING LEFT LIKE LOCALTIME LOCALTIMESTAMP MAX MIN MINUTE MONTH NATURAL NOT NULL NUMERIC OF ON OR ORDER OUTER OVER ' +
    'PARTITION POSITION RANGE REAL RIGHT ROW ROWS ROWTIME SECOND SELECT SET SMALLINT SOME STREAM SUM TABLE THEN TIME TIMESTAMP TINYINT ' +
    'TO TRAILING TRUE UNION UNKNOWN UPDATE UPPER USER USING VALUE VALUES VARCHAR WHEN WHERE WINDOW WITH YEAR'
  ).split(' '),
);

export function columnName(raw: string): string {
  const ok = /^[A-Za-z_][A-Za-z0-9_]*$/.test(raw) && raw.length <= 100 && !RESERVED.has(raw.toUpperCase());
  if (ok) return raw;
  return ('COL_' + raw.replace(/[^A-Za-z0-9_]/g, '_')).slice(0, 100);
}

function kindOf(v: unknown): { kind: Kind; len: number } {
  if (v === null || v === undefined) return { kind: 'NONE', len: 0 };
  if (typeof v === 'boolean') return { kind: 'BOOLEAN', len: v ? 4 : 5 };
  if (typeof v === 'number') {
    const len = String(v).length;
    if (Number.isInteger(v)) return { kind: v >= -2147483648 && v <= 2147483647 ? 'INTEGER' : Number.isSafeInteger(v) ? 'BIGINT' : 'DOUBLE', len };
    const digits = String(Math.abs(v)).replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').length;
    return { kind: digits <= 7 && Math.abs(v) < 3.4e38 ? 'REAL' : 'DOUBLE', len };
  }
  if (typeof v === 'string') return { kind: TIMESTAMP_TEXT.test(v) ? 'TIMESTAMP' : 'VARCHAR', len: v.length };
  return { kind: 'VARCHAR', len: JSON.stringify(v).length };
}

const NUMERIC_RANK: Partial<Record<Kind, number>> = { INTEGER: 1, BIGINT: 2, REAL: 3, DOUBLE: 4 };

function merge(a: Kind, b: Kind): Kind {
  if (a === 'NONE') return b;
  if (b === 'NONE' || a === b) return a;
  const ra = NUMERIC_RANK[a];
  const rb = NUMERIC_RANK[b];
  if (ra !== undefined && rb !== undefined) {
    if ((a === 'BIGINT' && b === 'REAL') || (a === 'REAL' && b === 'BIGINT')) return 'DOUBLE';
    return ra > rb ? a : b;
  }
  return 'VARCHAR';
}

function sqlType(c: Col): string {
  if (c.kind === 'VARCHAR' || c.kind === 'NONE') {
    let n = 1;
    while (n < c.maxLen) n *= 2;
    return `VARCHAR(${n})`;
  }
  return c.kind;
}

const pathText = (steps: string[]) => '$' + steps.map((s) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? '.' + s : `['${s}']`)).join('');

function observe(cols: Map<string, Col>, steps: string[], v: unknown): void {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v)) observe(cols, [...steps, k], x);
    return;
  }
  const path = pathText(steps) + (Array.isArray(v) ? '[0:]' : '');
  let c = cols.get(path);
  if (!c) cols.set(path, (c = { path, steps, kind: 'NONE', maxLen: 0 }));
  const { kind, len } = kindOf(v);
  c.kind = merge(c.kind, kind);
  if (len > c.maxLen) c.maxLen = len;
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function at(v: unknown, steps: string[], array: boolean): unknown {
  for (const s of steps) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return array && !Array.isArray(v) ? undefined : v;
}

export interface DiscoveredSchema {
  InputSchema: SourceSchemaShape;
  ParsedInputRecords: string[][];
  RawInputRecords: string[];
}

export function discoverSchema(records: Uint8Array[]): DiscoveredSchema {
  const raw = records.map((r) => Buffer.from(r.buffer, r.byteOffset, r.byteLength).toString('utf8'));
  const samples = raw.filter((s) => s.trim() !== '');
  const docs: unknown[] = [];
  let json = samples.length > 0;
  for (const s of samples) {
    try {
      const d: unknown = JSON.parse(s);
      const rows = Array.isArray(d) ? d : [d];
      if (rows.length === 0 || !rows.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) json = false;
      docs.push(...rows);
    } catch {
      json = false;
    }
    if (!json) break;
  }
  if (json) {
    const cols = new Map<string, Col>();
    for (const d of docs) observe(cols, [], d);
    const list = [...cols.values()];
    const used = new Set<string>();
    const RecordColumns: RecordColumnShape[] = list.map((c) => {
      const leaf = c.steps[c.steps.length - 1] ?? 'COL';
      let name = columnName(leaf);
      if (used.has(name)) name = columnName(c.steps.join('_'));
      for (let k = 2; used.has(name); k++) name = `${columnName(c.steps.join('_'))}_${k}`;
      used.add(name);
      return { Name: name, SqlType: sqlType(c), Mapping: c.path };
    });
    return {
      InputSchema: {
        RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
        RecordEncoding: 'UTF-8',
        RecordColumns,
      },
      ParsedInputRecords: docs.map((d) => list.map((c) => cellText(at(d, c.steps, c.path.endsWith('[0:]'))))),
      RawInputRecords: raw,
    };
  }
  // CSV
  const text = samples.join('\n');
  let best = ',';
  let bestScore = -1;
  for (const d of [',', '|', '\t', ';']) {
    const counts = splitCsv(text, d, '\n').map((r) => r.cells.length);
    if (counts.length === 0 || counts[0]! < 2) continue;
    const same = counts.filter((n) => n === counts[0]).length / counts.length;
    const score = same * 1000 + counts[0]!;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  const rows = splitCsv(text, best, '\n');
  const width = rows.reduce((m, r) => Math.max(m, r.cells.length), 0);
  const cols: Col[] = Array.from({ length: width }, (_, i) => ({ path: '', steps: [`COL${i + 1}`], kind: 'NONE' as Kind, maxLen: 0 }));
  for (const r of rows) {
    r.cells.forEach((cell, i) => {
      const c = cols[i]!;
      let v: unknown = cell;
      if (cell === '' && !r.quoted[i]) v = null;
      else if (NUMBER_TEXT.test(cell.trim())) v = Number(cell.trim());
      else if (/^(true|false)$/i.test(cell.trim())) v = cell.trim().toLowerCase() === 'true';
      const { kind, len } = kindOf(v);
      c.kind = merge(c.kind, kind);
      if (len > c.maxLen) c.maxLen = len;
    });
  }
  return {
    InputSchema: {
      RecordFormat: { RecordFormatType: 'CSV', MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: '\n', RecordColumnDelimiter: best } } },
      RecordEncoding: 'UTF-8',
      RecordColumns: cols.map((c) => ({ Name: c.steps[0]!, SqlType: sqlType(c) })),
    },
    ParsedInputRecords: rows.map((r) => Array.from({ length: width }, (_, i) => r.cells[i] ?? '')),
    RawInputRecords: raw,
  };
}
