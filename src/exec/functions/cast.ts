/**
 * CAST between SQL types on the JS value conventions of values.ts. Choices (KDA is Java-based; the SQL standard leaves
 * these to the implementation):
 * - An approximate or decimal number to an integer type rounds half away from zero (CAST(2.5 AS INTEGER) = 3,
 *   CAST(-2.7 AS INTEGER) = -3), then must fit the type's range (NUMERIC_OUT_OF_RANGE). To DECIMAL(p,s): rounded half
 *   away from zero to s places, and fewer than p-s integer digits must remain. To REAL: Math.fround (overflow is an error).
 * - Text to a number: surrounding whitespace is trimmed; the rest must be a decimal literal (`12`, `-1.5`, `.5`, `1e3`),
 *   or for REAL/DOUBLE also NaN / Infinity / -Infinity (as Java's Double.parseDouble). Anything else: CONVERSION_FAILED.
 * - Text to BOOLEAN: 'true' / 'false' in any case (trimmed); else CONVERSION_FAILED.
 * - Text to TIMESTAMP: 'YYYY-MM-DD HH:MM:SS[.fff]', also a bare date, ISO 'T' and a 'Z' / '+hh:mm' zone. DATE:
 *   'YYYY-MM-DD'. TIME: 'HH:MM[:SS[.fff]]'. INTERVAL: '[-]D HH:MM:SS[.fff]'.
 * - To text: integers as digits; DECIMAL with exactly its scale of digits; DOUBLE as Java's Double.toString ('1.0',
 *   '1.0E10', '1.234E-5'; JS's shortest round-trip digits), REAL as Float.toString; BOOLEAN 'TRUE'/'FALSE'; TIMESTAMP
 *   'YYYY-MM-DD HH:MM:SS.fff'; DATE 'YYYY-MM-DD'; TIME 'HH:MM:SS' (+'.fff' when not zero); INTERVAL '[-]D HH:MM:SS.fff';
 *   binary as upper-case hex. CHAR(n) pads with spaces. Text longer than the target length: a string source is cut; any
 *   other source fails (CONVERSION_FAILED, as KDA's CAST(DATE '2008-08-23' AS VARCHAR(9)) does).
 * - Text to binary: hex digits (an even number); BINARY(n) pads with zero bytes, both cut to n.
 * - TIMESTAMP to DATE floors to midnight, to TIME keeps the time of day; DATE/TIME to TIMESTAMP keep the value (a TIME
 *   lands on 1970-01-01).
 * - INTERVAL to an exact number: its milliseconds (the type carries no unit), then the numeric rules above.
 */
import type { SqlType } from '../../sql/bind/types.js';
import { show } from '../../sql/bind/types.js';
import { SqlRuntimeError, type Value } from '../values.js';
import { decimalCheck, integerCheck, isIntegerKind, outOfRange, roundHalfAway } from './numeric.js';
import { formatDate, formatInterval, formatTime, formatTimestamp, msOfDay, parseDate, parseInterval, parseTime, parseTimestamp } from './time.js';

type Cast = (v: Value) => Value;

const NUMERIC_KINDS = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'REAL', 'DOUBLE', 'DECIMAL']);
const isNum = (t: SqlType) => NUMERIC_KINDS.has(t.kind);
const isText = (t: SqlType) => t.kind === 'CHAR' || t.kind === 'VARCHAR';
const isBin = (t: SqlType) => t.kind === 'BINARY' || t.kind === 'VARBINARY';

function failed(v: Value, from: SqlType, to: SqlType): never {
  const raw = typeof v === 'string' ? `'${v}'` : v instanceof Uint8Array ? `X'${hex(v)}'` : String(v);
  const text = raw.length > 200 ? raw.slice(0, 200) + '...' : raw;
  throw new SqlRuntimeError('CONVERSION_FAILED', `cannot convert ${text} (${show(from)}) to ${show(to)}`);
}

// ---- number text -------------------------------------------------------------------------------------------------------

/** Java's Double.toString for a double whose shortest digits are `digits` with decimal exponent `exp` (d.ddd × 10^exp). */
function javaNumberText(x: number, shortest: string): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const neg = shortest[0] === '-';
  const body = neg ? shortest.slice(1) : shortest;
  const e = body.indexOf('e');
  const mant = body.slice(0, e).replace('.', '').replace(/(?<=.)0+$/, '');
  const exp = Number(body.slice(e + 1));
  let out: string;
  if (exp >= -3 && exp < 7) {
    if (exp >= 0) {
      const intPart = mant.slice(0, exp + 1).padEnd(exp + 1, '0');
      const frac = mant.slice(exp + 1);
      out = intPart + '.' + (frac || '0');
    } else {
      out = '0.' + '0'.repeat(-exp - 1) + mant;
    }
  } else {
    out = mant[0] + '.' + (mant.slice(1) || '0') + 'E' + exp;
  }
  return neg ? '-' + out : out;
}

/** Double.toString. */
export function doubleToString(x: number): string {
  const s = x.toExponential();
  // Java prints at least two significant digits, choosing the two closest to the exact value (4.9E-324, not 5.0E-324)
  return javaNumberText(x, s.indexOf('.') < 0 ? x.toExponential(1) : s);
}

/** Float.toString of a REAL value: the shortest digits that read back to the same float32. */
export function realToString(x: number): string {
  if (!Number.isFinite(x) || x === 0) return javaNumberText(x, '');
  for (let p = 2; p <= 9; p++) {
    const s = x.toExponential(p - 1);
    if (Math.fround(Number(s)) === x) return javaNumberText(x, s);
  }
  return doubleToString(x);
}

function decimalToString(x: number, scale: number): string {
  if (scale <= 0) return roundHalfAway(x).toFixed(0);
  const s = x.toFixed(scale);
  return s.startsWith('-') && Number(s) === 0 ? s.slice(1) : s;
}

const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumber(s: string, approx: boolean): number | undefined {
  const t = s.trim();
  if (NUMBER_RE.test(t)) return Number(t);
  if (approx) {
    if (t === 'NaN') return NaN;
    if (t === 'Infinity' || t === '+Infinity') return Infinity;
    if (t === '-Infinity') return -Infinity;
  }
  return undefined;
}

// ---- binary --------------------------------------------------------------------------------------------------------------

export function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16).toUpperCase();
  return s;
}

function unhex(s: string): Uint8Array | undefined {
  const t = s.trim();
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) return undefined;
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function fitBinary(b: Uint8Array, to: SqlType): Uint8Array {
  const n = to.precision;
  if (n === undefined) return b;
  if (b.length > n) return b.subarray(0, n);
  if (to.kind === 'BINARY' && b.length < n) {
    const out = new Uint8Array(n);
    out.set(b);
    return out;
  }
  return b;
}

// ---- building casts --------------------------------------------------------------------------------------------------------

/** Number → number of type `to`. */
function toNumber(to: SqlType): (x: number) => number {
  if (isIntegerKind(to.kind)) {
    const check = integerCheck(to);
    return (x) => {
      if (!Number.isFinite(x)) outOfRange(x, to);
      return check(roundHalfAway(x) + 0);
    };
  }
  if (to.kind === 'DECIMAL') {
    const check = decimalCheck(to);
    return (x) => (Number.isFinite(x) ? check(x) : outOfRange(x, to));
  }
  if (to.kind === 'REAL') {
    return (x) => {
      const r = Math.fround(x);
      if (!Number.isFinite(r) && Number.isFinite(x)) outOfRange(x, to);
      return r;
    };
  }
  return (x) => x;
}

/** Value of type `from` → its text (unbounded). */
function toText(from: SqlType): (v: Value) => string {
  switch (from.kind) {
    case 'DOUBLE':
      return (v) => doubleToString(v as number);
    case 'REAL':
      return (v) => realToString(v as number);
    case 'DECIMAL': {
      const scale = from.scale ?? 0;
      return (v) => decimalToString(v as number, scale);
    }
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
      return (v) => String(v);
    case 'BOOLEAN':
      return (v) => (v ? 'TRUE' : 'FALSE');
    case 'TIMESTAMP':
      return (v) => formatTimestamp(v as number);
    case 'DATE':
      return (v) => formatDate(v as number);
    case 'TIME':
      return (v) => formatTime(v as number);
    case 'INTERVAL':
      return (v) => formatInterval(v as number);
    case 'BINARY':
    case 'VARBINARY':
      return (v) => hex(v as Uint8Array);
    default:
      return (v) => (typeof v === 'number' ? doubleToString(v) : v instanceof Uint8Array ? hex(v) : String(v));
  }
}

/** The cast from `from` to `to` as a function of non-null values. */
export function makeCast(from: SqlType, to: SqlType): Cast {
  // Unknown source types: decide on the value.
  if (from.kind === 'ANY' || from.kind === 'NULL') {
    return (v) => makeCast(typeOfValue(v, to), to)(v);
  }
  if (isText(to)) {
    const n = to.precision;
    if (isText(from)) {
      if (to.kind === 'CHAR' && n !== undefined) return (v) => padOrCut(v as string, n);
      if (n === undefined) return (v) => v;
      return (v) => ((v as string).length > n ? (v as string).slice(0, n) : v);
    }
    const text = toText(from);
    if (n === undefined) return text;
    const pad = to.kind === 'CHAR';
    return (v) => {
      const s = text(v);
      if (s.length > n) failed(v, from, to);
      return pad ? s.padEnd(n, ' ') : s;
    };
  }
  if (isText(from)) {
    if (isNum(to)) {
      const approx = to.kind === 'REAL' || to.kind === 'DOUBLE';
      const num = toNumber(to);
      return (v) => {
        const x = parseNumber(v as string, approx);
        if (x === undefined) failed(v, from, to);
        return num(x);
      };
    }
    switch (to.kind) {
      case 'BOOLEAN':
        return (v) => {
          const t = (v as string).trim().toLowerCase();
          return t === 'true' ? true : t === 'false' ? false : failed(v, from, to);
        };
      case 'TIMESTAMP':
        return (v) => parseTimestamp(v as string);
      case 'DATE':
        return (v) => parseDate(v as string);
      case 'TIME':
        return (v) => parseTime(v as string);
      case 'INTERVAL':
        return (v) => parseInterval(v as string);
      case 'BINARY':
      case 'VARBINARY':
        return (v) => {
          const b = unhex(v as string);
          return b ? fitBinary(b, to) : failed(v, from, to);
        };
      default:
        return (v) => failed(v, from, to);
    }
  }
  if (isNum(from) && isNum(to)) return toNumber(to) as Cast;
  if (from.kind === 'INTERVAL' && isNum(to)) return toNumber(to) as Cast;
  if (from.kind === 'INTERVAL' && to.kind === 'INTERVAL') return (v) => v;
  if (isBin(from) && isBin(to)) return (v) => fitBinary(v as Uint8Array, to);
  if (to.kind === 'DATE' && (from.kind === 'TIMESTAMP' || from.kind === 'DATE')) {
    return (v) => (v as number) - msOfDay(v as number);
  }
  if (to.kind === 'TIME' && (from.kind === 'TIMESTAMP' || from.kind === 'TIME')) return (v) => msOfDay(v as number);
  if (to.kind === 'TIMESTAMP' && (from.kind === 'DATE' || from.kind === 'TIME' || from.kind === 'TIMESTAMP')) return (v) => v;
  if (from.kind === to.kind) return (v) => v;
  return (v) => failed(v, from, to);
}

function padOrCut(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s.length < n ? s.padEnd(n, ' ') : s;
}

function typeOfValue(v: Value, to: SqlType): SqlType {
  if (typeof v === 'string') return { kind: 'VARCHAR' };
  if (typeof v === 'boolean') return { kind: 'BOOLEAN' };
  if (v instanceof Uint8Array) return { kind: 'VARBINARY' };
  // a number of unknown type: read it as what the target expects
  if (to.kind === 'TIMESTAMP' || to.kind === 'DATE' || to.kind === 'TIME' || to.kind === 'INTERVAL') return { kind: to.kind };
  return { kind: 'DOUBLE' };
}

// A small cache of built casts keyed by the type objects (plans reuse the same SqlType objects).
const castCache = new WeakMap<SqlType, WeakMap<SqlType, Cast>>();

/** CAST(value AS to) from a value of type `from`. null → null. */
export function castValue(value: Value, from: SqlType, to: SqlType): Value {
  if (value === null) return null;
  let inner = castCache.get(from);
  if (!inner) castCache.set(from, (inner = new WeakMap()));
  let c = inner.get(to);
  if (!c) {
    // fresh type objects (a caller that builds types per call): share casts by the types' text
    const key = typeKey(from) + '>' + typeKey(to);
    c = castsByKey.get(key);
    if (!c) {
      c = makeCast(from, to);
      if (castsByKey.size >= 1024) castsByKey.clear();
      castsByKey.set(key, c);
    }
    inner.set(to, c);
  }
  return c(value);
}

const castsByKey = new Map<string, Cast>();
const typeKey = (t: SqlType): string => t.kind + (t.precision ?? '') + ',' + (t.scale ?? '');

