/**
 * The log-parsing built-ins. Each returns a ROW, represented as a JS array of its column values in column order
 * (COLUMN1 is index 0), or null when the line does not match the pattern (the whole row is NULL).
 * - REGEX_LOG_PARSE(line, regex[, columns]): the Java regex must match the whole line (Matcher.matches()); one column
 *   per capturing group, VARCHAR(1024) text (cut to 1024), NULL for a group that did not take part. With a column list
 *   ('NAME TYPE VARCHAR(10), N TYPE INTEGER'), groups are converted to those types, named as listed.
 * - FAST_REGEX_LOG_PARSER: the same with reluctant ("lazy") quantifiers, an approximation of KDA's no-backtracking
 *   scanner that gives the same groups on the documented examples.
 * - W3C_LOG_PARSE(line, format): 'COMMON' (7 columns: host, ident, user, [time] with its brackets, request without its
 *   quotes, status, bytes), 'COMMON WITH VHOST' (8), 'NCSA EXTENDED' / 'COMBINED' (9: + referer, user agent),
 *   'REFERER' (2), 'AGENT' (1), or a custom Apache format string of % specifiers; every column is VARCHAR(1024) text
 *   as it appears in the line ('-' stays '-'). Specifiers whose values have no spaces (%h %l %u %>s %b ...) match
 *   non-blank text, a specifier inside double quotes matches up to the closing quote (\" escapes one), %t a [...]
 *   bracketed time (brackets kept).
 * - SYS_LOG_PARSE(line): 'Mon DD HH:MM:SS rest' → [TIMESTAMP (the year is 1970: syslog lines carry none), rest].
 * - FIXED_COLUMN_LOG_PARSE(line, 'NAME TYPE type [NOT NULL] ['format'] START n [FOR m], ...'): 0-based start, m
 *   characters (to the end without FOR); values converted to the types (numbers trimmed; DATE/TIME/TIMESTAMP with the
 *   Java format when given, else the SQL literal form); a field outside the line or empty (for a non-string type) is
 *   NULL; NOT NULL columns that would be NULL fail with CONVERSION_FAILED.
 * - VARIABLE_COLUMN_LOG_PARSE(line, columns, delimiter[, escape[, quote]]): `columns` is a count (COLUMN1..n, VARCHAR)
 *   or a column list as above without START/FOR. The delimiter (default ',') may be several characters; the escape
 *   string makes the next character literal; quote is one character (begin and end) or two (begin, end), and quotes
 *   are removed. Missing fields are NULL; extra fields are dropped.
 * `parseColumnList` gives the names and types of a column list for consumers that resolve fields by name.
 */
import { t, VARCHAR, type SqlType } from '../../sql/bind/types.js';
import type { TypeKeyword } from '../../sql/ast.js';
import { SqlRuntimeError, type Value } from '../values.js';
import { castValue } from './cast.js';
import type { ScalarFunction } from './index.js';
import { javaDateFormat } from './java-date-format.js';
import { javaRegExp } from './patterns.js';
import { daysFromCivil, msOfDay } from './time.js';

function invalid(msg: string): never {
  throw new SqlRuntimeError('INVALID_ARGUMENT', msg);
}

const str = (v: Value) => v as string;
const MAX_TEXT = 1024;
const cut = (s: string | undefined): string | null => (s === undefined ? null : s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) : s);

// ---- column lists ------------------------------------------------------------------------------------------------------------
export interface LogColumn {
  name: string;
  type: SqlType;
  notNull: boolean;
  format?: string;
  start?: number;
  length?: number;
}

const TYPE_ALIASES: Record<string, TypeKeyword> = {
  BOOLEAN: 'BOOLEAN', TINYINT: 'TINYINT', SMALLINT: 'SMALLINT', INTEGER: 'INTEGER', INT: 'INTEGER', BIGINT: 'BIGINT',
  REAL: 'REAL', DOUBLE: 'DOUBLE', 'DOUBLE PRECISION': 'DOUBLE', FLOAT: 'DOUBLE', DECIMAL: 'DECIMAL', DEC: 'DECIMAL',
  NUMERIC: 'DECIMAL', CHAR: 'CHAR', CHARACTER: 'CHAR', VARCHAR: 'VARCHAR', 'CHARACTER VARYING': 'VARCHAR',
  BINARY: 'BINARY', VARBINARY: 'VARBINARY', DATE: 'DATE', TIME: 'TIME', TIMESTAMP: 'TIMESTAMP',
};

const COLUMN_RE =
  /^\s*("(?:[^"]|"")*"|[A-Za-z_][\w$]*)\s+(?:TYPE\s+)?([A-Za-z]+(?:\s+(?:PRECISION|VARYING))?)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*(NOT\s+NULL\s*)?('(?:[^']|'')*')?\s*(NOT\s+NULL\s*)?(?:START\s+(\d+)\s*(?:FOR\s+(\d+))?)?\s*$/i;

function splitTopLevel(spec: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (const c of spec) {
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur.trim()) out.push(cur);
  return out;
}

const columnListCache = new Map<string, LogColumn[]>();

/** Parse a column list ('NAME TYPE VARCHAR(10) [NOT NULL] ['format'] [START n [FOR m]], ...'), cached. */
export function parseColumnList(spec: string): LogColumn[] {
  let cols = columnListCache.get(spec);
  if (cols) return cols;
  cols = splitTopLevel(spec).map((part) => {
    const m = COLUMN_RE.exec(part);
    if (!m) invalid(`cannot read column description '${part.trim()}'`);
    const rawName = m[1]!;
    const name = rawName.startsWith('"') ? rawName.slice(1, -1).replace(/""/g, '"') : rawName.toUpperCase();
    const kw = TYPE_ALIASES[m[2]!.toUpperCase().replace(/\s+/g, ' ')];
    if (!kw) invalid(`unknown type '${m[2]}' in column description '${part.trim()}'`);
    const p = m[3] ? +m[3] : undefined;
    const type = kw === 'DECIMAL' ? t('DECIMAL', p ?? 19, m[4] ? +m[4] : 0) : t(kw, p);
    const col: LogColumn = { name, type, notNull: !!(m[5] || m[7]) };
    if (m[6]) col.format = m[6].slice(1, -1).replace(/''/g, "'");
    if (m[8]) col.start = +m[8];
    if (m[9]) col.length = +m[9];
    return col;
  });
  if (columnListCache.size >= 256) columnListCache.clear();
  columnListCache.set(spec, cols);
  return cols;
}

const TEXT = VARCHAR();

/** A field's text converted to a column's type. */
function convert(text: string | undefined, col: LogColumn): Value {
  const k = col.type.kind;
  const isText = k === 'CHAR' || k === 'VARCHAR';
  let v: Value = null;
  if (text !== undefined && (isText || text.trim() !== '')) {
    if (col.format && (k === 'TIMESTAMP' || k === 'DATE' || k === 'TIME')) {
      const ms = javaDateFormat(col.format).parse(text.trim());
      v = k === 'DATE' ? ms - msOfDay(ms) : k === 'TIME' ? msOfDay(ms) : ms;
    } else v = castValue(text, TEXT, col.type);
  }
  if (v === null && col.notNull) throw new SqlRuntimeError('CONVERSION_FAILED', `column ${col.name} is NOT NULL but has no value`);
  return v;
}

// ---- REGEX_LOG_PARSE / FAST_REGEX_LOG_PARSER -----------------------------------------------------------------------------------
function regexParse(lazy: boolean): ScalarFunction {
  return {
    nulls: 'strict',
    make: () => (line, regex, columns) => {
      const m = javaRegExp(str(regex), lazy ? 'lazy-full' : 'full').exec(str(line));
      if (!m) return null;
      const out: Value[] = [];
      if (columns !== undefined) {
        const cols = parseColumnList(str(columns));
        for (let i = 0; i < cols.length; i++) out.push(convert(m[i + 1], cols[i]!));
      } else for (let i = 1; i < m.length; i++) out.push(cut(m[i]));
      return out as unknown as Value;
    },
  };
}

// ---- W3C_LOG_PARSE ---------------------------------------------------------------------------------------------------------
const W3C_FORMATS: Record<string, string> = {
  COMMON: '%h %l %u %t "%r" %>s %b',
  'COMMON WITH VHOST': '%v %h %l %u %t "%r" %>s %b',
  'NCSA EXTENDED': '%h %l %u %t "%r" %>s %b "%[Referer]i" "%[User-agent]i"',
  COMBINED: '%h %l %u %t "%r" %>s %b "%[Referer]i" "%[User-agent]i"',
  REFERER: '%[Referer]i ---> %U',
  AGENT: '%[User-agent]i',
};

/** Apache specifiers whose values never contain spaces (host, ident, user, status, sizes, ports, times, ...). */
const SPACE_FREE = 'aABbDfhHklLmnpPqsTuUvVXIOS';
const SPECIFIER = /%([<>]?[!\d,]*(?:\{[^}]*\}|\[[^\]]*\])?)([a-zA-Z%])/g;
const w3cCache = new Map<string, RegExp>();

function w3cRegExp(format: string): RegExp {
  let re = w3cCache.get(format);
  if (re) return re;
  const spec = W3C_FORMATS[format.trim().toUpperCase().replace(/\s+/g, ' ')] ?? format;
  if (format.trim().toUpperCase() === 'IIS') invalid("W3C_LOG_PARSE format 'IIS' is not supported");
  if (!spec.includes('%')) invalid(`unknown W3C_LOG_PARSE format '${format}'`);
  let src = '^';
  let last = 0;
  for (const m of spec.matchAll(SPECIFIER)) {
    src += escapeRegex(spec.slice(last, m.index));
    last = m.index + m[0].length;
    const before = spec[m.index - 1];
    const atEnd = last === spec.length;
    // Field patterns that cannot overlap their separators, so a line that does not match fails fast.
    if (m[2] === '%') src += '%';
    else if (m[2] === 't' && !m[1]) src += '(\\[[^\\]]*\\])';
    else if (before === '"') src += '((?:[^"\\\\]|\\\\.)*)';
    else if (SPACE_FREE.includes(m[2]!)) src += '(\\S*)';
    else if (atEnd) src += '(.*)';
    else src += '(.*?)';
  }
  src += escapeRegex(spec.slice(last)) + '$';
  re = new RegExp(src);
  if (w3cCache.size >= 64) w3cCache.clear();
  w3cCache.set(format, re);
  return re;
}

const escapeRegex = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

// ---- SYS_LOG_PARSE ---------------------------------------------------------------------------------------------------------
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const SYSLOG_RE = /^([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s?([\s\S]*)$/;

function sysLogParse(line: string): Value[] | null {
  const m = SYSLOG_RE.exec(line);
  if (!m) return null;
  const month = MONTHS.indexOf(m[1]!.toLowerCase());
  if (month < 0) return null;
  const ms = daysFromCivil(1970, month + 1, +m[2]!) * 86_400_000 + +m[3]! * 3_600_000 + +m[4]! * 60_000 + +m[5]! * 1000;
  return [ms, m[6]!];
}

// ---- VARIABLE_COLUMN_LOG_PARSE ------------------------------------------------------------------------------------------------
export function splitFields(line: string, delimiter: string, escape: string, quote: string): string[] {
  if (delimiter === '') invalid('VARIABLE_COLUMN_LOG_PARSE needs a non-empty delimiter');
  const fields: string[] = [];
  const qBegin = quote ? quote[0]! : '';
  const qEnd = quote ? (quote[1] ?? quote[0]!) : '';
  let cur = '';
  let inQuote = false;
  let i = 0;
  while (i < line.length) {
    if (escape && line.startsWith(escape, i) && i + escape.length < line.length) {
      cur += line[i + escape.length];
      i += escape.length + 1;
      continue;
    }
    const c = line[i]!;
    if (qBegin) {
      if (!inQuote && c === qBegin) {
        inQuote = true;
        i++;
        continue;
      }
      if (inQuote && c === qEnd) {
        inQuote = false;
        i++;
        continue;
      }
    }
    if (!inQuote && line.startsWith(delimiter, i)) {
      fields.push(cur);
      cur = '';
      i += delimiter.length;
      continue;
    }
    cur += c;
    i++;
  }
  fields.push(cur);
  return fields;
}

function variableColumns(line: string, columns: Value, delimiter: string, escape: string, quote: string): Value[] {
  const fields = splitFields(line, delimiter, escape, quote);
  if (typeof columns === 'number') {
    const n = Math.round(columns);
    if (n < 0) invalid(`VARIABLE_COLUMN_LOG_PARSE column count must not be negative, not ${columns}`);
    const out: Value[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = cut(fields[i]);
    return out;
  }
  const cols = parseColumnList(str(columns));
  return cols.map((c, i) => convert(fields[i], c));
}

// ---- FIXED_COLUMN_LOG_PARSE -------------------------------------------------------------------------------------------------
function fixedColumns(line: string, spec: string): Value[] {
  const cols = parseColumnList(spec);
  return cols.map((c) => {
    if (c.start === undefined) invalid(`FIXED_COLUMN_LOG_PARSE column ${c.name} needs START`);
    const text = c.start >= line.length ? undefined : c.length === undefined ? line.slice(c.start) : line.slice(c.start, c.start + c.length);
    return convert(text, c);
  });
}

export const LOG_FUNCTIONS: Record<string, ScalarFunction> = {
  REGEX_LOG_PARSE: regexParse(false),
  FAST_REGEX_LOG_PARSER: regexParse(true),
  W3C_LOG_PARSE: {
    nulls: 'strict',
    make: () => (line, format) => {
      const m = w3cRegExp(str(format)).exec(str(line));
      if (!m) return null;
      const out: Value[] = [];
      for (let i = 1; i < m.length; i++) out.push(cut(m[i]));
      return out as unknown as Value;
    },
  },
  SYS_LOG_PARSE: { nulls: 'strict', make: () => (line) => sysLogParse(str(line)) as unknown as Value },
  FIXED_COLUMN_LOG_PARSE: { nulls: 'strict', make: () => (line, spec) => fixedColumns(str(line), str(spec)) as unknown as Value },
  VARIABLE_COLUMN_LOG_PARSE: {
    nulls: 'strict',
    make: () => (line, columns, delimiter, escape, quote) =>
      variableColumns(str(line), columns, delimiter === undefined ? ',' : str(delimiter), escape === undefined ? '' : str(escape), quote === undefined ? '' : str(quote)) as unknown as Value,
  },
};

