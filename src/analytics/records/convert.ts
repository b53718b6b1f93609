/**
 * JSON and CSV values → SQL values of a column's type, by the rules of docs/kda-sql.md ("JSON to SQL"), which follow
 * KDA's "Mapping JSON Data Types to SQL Data Types" (itself SQLstream's ingestion rules):
 *
 * | JSON value \ column | numeric                          | BOOLEAN               | CHAR/VARCHAR(n)          | DATE/TIME/TIMESTAMP        | BINARY/VARBINARY |
 * |---------------------|----------------------------------|-----------------------|--------------------------|----------------------------|------------------|
 * | null / missing      | NULL                             | NULL                  | NULL                     | NULL                       | NULL             |
 * | true / false        | 1 / 0                            | TRUE / FALSE          | 'TRUE' / 'FALSE'         | error                      | error            |
 * | number              | must fit (below)                 | 0 → FALSE, else TRUE  | its text (JS shortest)   | epoch ms (TIMESTAMP/DATE), ms of day (TIME) | error |
 * | string              | a JSON number text, then as number; else error | 'true' any case → TRUE, else FALSE | the string | ISO-8601 / 'YYYY-MM-DD HH:MM:SS.fff' | base64 |
 * | object / array      | error                            | error                 | its JSON text (compact)  | error                      | error            |
 *
 * - "Fits": integer types need an integral value in range (1.5 into INTEGER is an error; 1.0 is 1, the value decides,
 *   not the text); REAL must not overflow float32 (rounded with Math.fround); DECIMAL(p,s) rounds half away from zero
 *   to s places and needs fewer than p-s integer digits.
 * - Strings longer than n are cut silently; CHAR(n) is space-padded to n (as CAST does).
 * - A failure is a MappingError naming the column, the value and the type; the whole record goes to error_stream.
 * - CSV cells: an empty unquoted cell is NULL; otherwise the cell is a string by the rules above, except that numeric,
 *   BOOLEAN and datetime cells are trimmed of surrounding spaces first, and a TIMESTAMP cell of digits is epoch ms.
 */
import { castValue } from '../../exec/functions/index.js';
import { msOfDay, parseDate, parseTime, parseTimestamp } from '../../exec/functions/time.js';
import { decimalCheck, integerCheck } from '../../exec/functions/numeric.js';
import { MS_PER_DAY, type Value } from '../../exec/values.js';
import { show, type SqlType } from '../../sql/bind/types.js';

export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

/** A JSON value (as JSON.parse gives it; undefined = missing) → a SQL value. Throws MappingError. */
export type JsonConverter = (v: unknown) => Value;

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function shownValue(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (v === undefined) s = 'missing';
  else s = JSON.stringify(v) ?? String(v);
  return s.length > 200 ? s.slice(0, 200) + '...' : s;
}

function fail(column: string, v: unknown, type: SqlType, why?: string): never {
  throw new MappingError(`column "${column}": cannot convert ${shownValue(v)} to ${show(type)}${why ? ` (${why})` : ''}`);
}

const INT_KINDS = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT']);

/** number → column value for a numeric type, or undefined when it does not fit. */
export function numberFitter(type: SqlType): (x: number) => number | undefined {
  if (INT_KINDS.has(type.kind)) {
    const check = integerCheck(type);
    return (x) => {
      if (!Number.isInteger(x)) return undefined;
      try {
        return check(x) + 0;
      } catch {
        return undefined;
      }
    };
  }
  if (type.kind === 'DECIMAL') {
    const check = decimalCheck(type);
    return (x) => {
      if (!Number.isFinite(x)) return undefined;
      try {
        return check(x);
      } catch {
        return undefined;
      }
    };
  }
  if (type.kind === 'REAL') {
    return (x) => {
      const r = Math.fround(x);
      return Number.isFinite(r) ? r : undefined;
    };
  }
  return (x) => (Number.isFinite(x) ? x : undefined);
}

/** The first n UTF-16 units of s (as Java's substring), but never half of a surrogate pair. */
function cut(s: string, n: number): string {
  const c = s.charCodeAt(n - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? n - 1 : n);
}

function fitText(type: SqlType): (s: string) => string {
  const n = type.precision;
  if (n === undefined) return (s) => s;
  if (type.kind === 'CHAR') return (s) => (s.length > n ? cut(s, n) : s.length < n ? s.padEnd(n, ' ') : s);
  return (s) => (s.length > n ? cut(s, n) : s);
}

function fitBinary(type: SqlType, b: Uint8Array): Uint8Array {
  const n = type.precision;
  if (n === undefined) return b;
  if (b.length > n) return b.slice(0, n);
  if (type.kind === 'BINARY' && b.length < n) {
    const out = new Uint8Array(n);
    out.set(b);
    return out;
  }
  return b;
}

/** The converter of JSON values for a column. */
export function jsonConverter(column: string, type: SqlType): JsonConverter {
  const k = type.kind;
  if (k === 'TINYINT' || k === 'SMALLINT' || k === 'INTEGER' || k === 'BIGINT' || k === 'REAL' || k === 'DOUBLE' || k === 'DECIMAL') {
    const fit = numberFitter(type);
    return (v) => {
      if (v === null || v === undefined) return null;
      let x: number;
      if (typeof v === 'number') x = v;
      else if (typeof v === 'boolean') x = v ? 1 : 0;
      else if (typeof v === 'string' && JSON_NUMBER.test(v)) x = Number(v);
      else return fail(column, v, type);
      const r = fit(x);
      return r === undefined ? fail(column, v, type, 'out of range') : r;
    };
  }
  if (k === 'BOOLEAN') {
    return (v) => {
      if (v === null || v === undefined) return null;
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number') return v !== 0;
      if (typeof v === 'string') return v.length === 4 && v.toLowerCase() === 'true';
      return fail(column, v, type);
    };
  }
  if (k === 'CHAR' || k === 'VARCHAR') {
    const fit = fitText(type);
    return (v) => {
      if (v === null || v === undefined) return null;
      if (typeof v === 'string') return fit(v);
      if (typeof v === 'boolean') return fit(v ? 'TRUE' : 'FALSE');
      if (typeof v === 'number') return fit(String(v));
      return fit(JSON.stringify(v));
    };
  }
  if (k === 'TIMESTAMP' || k === 'DATE' || k === 'TIME') {
    const parse = k === 'TIMESTAMP' ? parseTimestamp : k === 'DATE' ? parseDate : parseTime;
    return (v) => {
      if (v === null || v === undefined) return null;
      if (typeof v === 'string') {
        try {
          return parse(v);
        } catch {
          return fail(column, v, type);
        }
      }
      if (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 8.64e15) {
        const ms = Math.floor(v);
        if (k === 'TIMESTAMP') return ms;
        if (k === 'DATE') return ms - msOfDay(ms);
        if (ms >= 0 && ms < MS_PER_DAY) return ms;
      }
      return fail(column, v, type);
    };
  }
  if (k === 'BINARY' || k === 'VARBINARY') {
    return (v) => {
      if (v === null || v === undefined) return null;
      if (typeof v === 'string' && BASE64.test(v)) return fitBinary(type, new Uint8Array(Buffer.from(v, 'base64')));
      return fail(column, v, type);
    };
  }
  throw new MappingError(`column "${column}": type ${show(type)} cannot be a column of a source`);
}

/** The converter of CSV cells (text; `quoted` says the cell was in quotes, so '' is an empty string, not NULL). */
export type CsvConverter = (cell: string, quoted: boolean) => Value;

export function csvConverter(column: string, type: SqlType): CsvConverter {
  const json = jsonConverter(column, type);
  const k = type.kind;
  const text = k === 'CHAR' || k === 'VARCHAR' || k === 'BINARY' || k === 'VARBINARY';
  const epoch = k === 'TIMESTAMP';
  return (cell, quoted) => {
    if (cell === '' && !quoted) return null;
    if (text) return json(cell);
    const t = cell.trim();
    // a TIMESTAMP cell of digits is epoch milliseconds (a JSON number would be)
    return json(epoch && /^-?\d{1,16}$/.test(t) ? Number(t) : t);
  };
}

/** Value of a column → text, as CAST(... AS VARCHAR) writes it (used by the CSV and JSON encoders). */
export function valueText(v: Value, type: SqlType): string {
  return castValue(v, type, { kind: 'VARCHAR' }) as string;
}
