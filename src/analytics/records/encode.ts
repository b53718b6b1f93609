/**
 * encodeBatch / encodeRows: rows of an output stream → destination records, one record per row, as KDA writes them.
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
 *
 * A batch's records go into one byte buffer (EncodedRecords: the bytes, and where each record ends). REAL, DOUBLE,
 * integer, BOOLEAN and CHAR/VARCHAR cells are written from the column buffers without a string per value (REAL and
 * DOUBLE digits by the arithmetic below, exactly the text of Float.toString / Double.toString in cast.ts); the other
 * types go through their text. Writes go through a DataView: its 4-byte stores copy keys several times faster than a
 * loop of byte stores.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import { columnDefs, type ColumnDef } from '../../exec/arrow.js';
import { readValue, viewOf, type ColumnView } from '../../exec/columns.js';
import type { Value } from '../../exec/values.js';
import type { SqlType } from '../../sql/bind/types.js';
import { doubleToString, realToString } from '../../exec/functions/cast.js';
import { valueText } from './convert.js';

/** A batch's records in one buffer: record i is `bytes.subarray(i === 0 ? 0 : ends[i - 1], ends[i])`. */
export interface EncodedRecords {
  bytes: Uint8Array;
  ends: Uint32Array;
  count: number;
}

// ---- REAL and DOUBLE digits ------------------------------------------------------------------------------------------

/** 10^k, k ≤ 22 (exact doubles), and their Veltkamp halves for exact products. */
const TEN = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));
const TEN_HI = TEN.map((t) => {
  const c = 134217729 * t;
  return c - (c - t);
});
const TEN_LO = TEN.map((t, k) => t - TEN_HI[k]!);
/** 10^k, k ≤ 9, as int32: divisions and remainders by them stay integer operations (on doubles, % calls fmod). */
const TEN_I32 = new Int32Array(10).map((_, k) => 10 ** k);
/** The decimal exponent bounds 1e-3 .. 1e6 (index e + 3); fl(10^e) > 10^e for e < 0, so `a >= bound` is exact. */
const DECADE = [1e-3, 1e-2, 1e-1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6];

const F64 = new Float64Array(1);
const W32 = new Uint32Array(F64.buffer);
/** The host's byte order: typed arrays use it, and DataView stores of their words must too. */
const LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index in W32 of a double's sign/exponent word. */
const HIGH = LE ? 1 : 0;

/** 2^(i - 1076), from 2^-1074 up by doubling (exact); a table, as bits stored in halves and read whole are slow. */
const POW2 = new Float64Array(2048);
POW2[2] = Number.MIN_VALUE;
for (let i = 3; i < POW2.length; i++) POW2[i] = 2 * POW2[i - 1]!;

/** floor(log10(a)) for a ∈ [1e-3, 1e7). */
function decade(a: number): number {
  let e = a < 1e3 ? 2 : 6;
  while (a < DECADE[e + 3]!) e--;
  return e;
}

/**
 * A distance this close to half an ulp (in units of the last of 17 digits for DOUBLE, of 9 for REAL) is left to the
 * general path: the arithmetic here is off by far less (≤ 1e-13), and reading a decimal back (decimal → double →
 * float32 for REAL, rounded twice) by at most 1e9 × 2^-53 ≈ 1.1e-7.
 */
const CLOSE = 1e-6;
const DOWN = 1;
const UP = 2;
const TIE = 3;

/**
 * The shortest digits that read back: P = N + f (N an int32, 0 ≤ f < 1) is a value scaled so that its integer part
 * holds every digit that can be needed, and a decimal reads back to it when less than hDown below or hUp above it (half
 * the gaps to its neighbours, in P's units: equal but at a power of two, whose lower gap is half). How many trailing
 * digits s ≤ maxS can go, rounding P to one of the multiples of 10^s either side, the nearer when both read back? Any
 * shorter decimal is also a longer one, so the first s where neither does ends the search. Returns s × 4 + DOWN, UP or
 * TIE (equally near; at a smaller s that does not matter, those digits go anyway), or -1 when it cannot tell (a
 * distance within CLOSE of a bound).
 */
function trailing(N: number, f: number, hDown: number, hUp: number, maxS: number): number {
  let found = -1;
  for (let s = 0; s <= maxS; s++) {
    const m = TEN_I32[s]!;
    const r = N % m;
    const down = r + f;
    const up = m - r - f;
    if (Math.abs(down - hDown) < CLOSE || Math.abs(up - hUp) < CLOSE) return -1;
    const below = down < hDown;
    const above = up < hUp;
    if (!below && !above) break;
    const tie = below && above && Math.abs(down - up) < CLOSE;
    found = s * 4 + (tie ? TIE : below && (!above || down < up) ? DOWN : UP);
  }
  return found;
}

/**
 * Double.toString of a ∈ [1e-3, 1e7) (the shortest digits that read back, the nearest of them, in Java's plain form)
 * written at `at`. Returns the end, or -1 when the general path must decide (a distance too near half an ulp to tell).
 *
 * P = a × 10^k ∈ [1e16, 1e17) is formed exactly (Dekker's product: hi + lo) and split as A × 1e9 + B + f, A and B
 * int32 (so % and / stay integer operations). Seventeen digits read back (but perhaps at a power of two); fewer are
 * looked for in B, and when all of B goes, A's trailing zeros go too.
 */
function writeDoubleDigits(dv: DataView, at: number, a: number): number {
  const e = decade(a);
  const k = 16 - e;
  const hi = a * TEN[k]!;
  if (hi >= 1e17) return -1;
  const lo = productError(a, k, hi);
  let A = Math.floor(hi / 1e9);
  let B = hi - A * 1e9; // exact: A × 1e9 = (A × 5^9) × 2^9 with A × 5^9 < 2^53
  // hi / 1e9 may round across an integer, and lo (|lo| ≤ 8) may carry or borrow: one step back into range each
  const carry1 = B < 0 ? -1 : B >= 1e9 ? 1 : 0;
  A += carry1;
  B -= carry1 * 1e9;
  const lf = Math.floor(lo);
  const f = lo - lf;
  B += lf;
  const carry2 = B < 0 ? -1 : B >= 1e9 ? 1 : 0;
  A = (A + carry2) | 0;
  B = (B - carry2 * 1e9) | 0;

  F64[0] = a;
  const word = W32[HIGH]!;
  // ulp(a) = 2^(exponent - 1075); half of it times 10^k is exact
  const h = POW2[(word >>> 20) & 0x7ff]! * TEN[k]!;
  const t = trailing(B, f, (word & 0xfffff) === 0 && W32[1 - HIGH] === 0 ? h / 2 : h, h, 9);
  if (t < 0) return -1;
  const s = t >> 2;
  let q = s === 9 ? A : (B / TEN_I32[s]!) | 0;
  // of two equally near decimals JS's shortest digits take the even one (V8's bignum-dtoa rounds half to even)
  const up = (t & 3) === UP || ((t & 3) === TIE && (q & 1) === 1);
  if (s === 9) return up && A === 1e8 - 1 ? writeOne(dv, at, e + 1) : writeWhole(dv, at, up ? A + 1 : A, e);
  // (a carry would leave trailing zeros, and the search would have gone on past them)
  if (up && ++q === TEN_I32[9 - s]!) return -1;
  return writePlain(dv, at, A, 8, q, 9 - s, e);
}

/** The error of the double product a × 10^k = hi (Dekker: hi + error is exact). */
function productError(a: number, k: number, hi: number): number {
  const c = 134217729 * a;
  const ah = c - (c - a);
  const al = a - ah;
  const bh = TEN_HI[k]!;
  const bl = TEN_LO[k]!;
  return ah * bh - hi + ah * bl + al * bh + al * bl;
}

/** The 8 digits of A (< 1e8) without their trailing zeros, as d.ddd × 10^e. */
function writeWhole(dv: DataView, at: number, A: number, e: number): number {
  let len = 8;
  while (A % 10 === 0) {
    A = (A / 10) | 0;
    len--;
  }
  return writePlain(dv, at, A, len, 0, 0, e);
}

/** 10^e, which a value just below it rounded up to: one digit (from 1e7 on, Java's E form: the general path's). */
function writeOne(dv: DataView, at: number, e: number): number {
  return e < 7 ? writePlain(dv, at, 1, 1, 0, 0, e) : -1;
}

/**
 * Float.toString of a float32 a ∈ [1e-3, 1e7) (bits: its float32 bits) written at `at`, as writeDoubleDigits does it:
 * here P = a × 10^k ∈ [1e8, 1e9) is exact as a double (24 bits times 5^k ≤ 5^11, 26 bits), and 9 digits always read
 * back. Returns the end, or -1 when the general path must decide.
 */
function writeRealDigits(dv: DataView, at: number, a: number, bits: number): number {
  const e = decade(a);
  const k = 8 - e;
  const P = a * TEN[k]!;
  const N = Math.floor(P) | 0;
  // ulp(a) = 2^(exponent - 150)
  const h = POW2[((bits >>> 23) & 0xff) + 925]! * TEN[k]!;
  const t = trailing(N, P - N, (bits & 0x7fffff) === 0 ? h / 2 : h, h, 8);
  if (t < 0) return -1;
  const s = t >> 2;
  let D = (N / TEN_I32[s]!) | 0;
  // of two equally near decimals toExponential(digits), and so Float.toString here, takes the larger
  if ((t & 3) !== DOWN && ++D === TEN_I32[9 - s]!) return writeOne(dv, at, e + 1);
  return writePlain(dv, at, D, 9 - s, 0, 0, e);
}

/**
 * The digits of hi (hiLen of them) then lo (loLen; only after all 8 of a DOUBLE's A) as d.ddd × 10^e in Java's plain
 * form: the point after digit e + 1 (zeros added before '.0' when the digits end sooner), or '0.', -e - 1 zeros and
 * the digits for e < 0. hi and lo are int32.
 */
function writePlain(dv: DataView, at: number, hi: number, hiLen: number, lo: number, loLen: number, e: number): number {
  if (e < 0) {
    dv.setUint8(at++, 0x30);
    dv.setUint8(at++, 0x2e);
    for (let z = -1; z > e; z--) dv.setUint8(at++, 0x30);
    return writeFixed(dv, writeFixed(dv, at, hi, hiLen), lo, loLen);
  }
  if (hiLen + loLen > e + 1) {
    const scale = TEN_I32[hiLen - e - 1]!;
    const whole = (hi / scale) | 0;
    at = writeFixed(dv, at, whole, e + 1);
    dv.setUint8(at++, 0x2e);
    return writeFixed(dv, writeFixed(dv, at, hi - whole * scale, hiLen - e - 1), lo, loLen);
  }
  at = writeFixed(dv, at, hi, hiLen);
  for (let z = hiLen; z <= e; z++) dv.setUint8(at++, 0x30);
  dv.setUint8(at++, 0x2e);
  dv.setUint8(at++, 0x30);
  return at;
}

/** '00' .. '99', each as one 2-byte word. */
const PAIRS = new Uint16Array(100);
const pairBytes = new Uint8Array(PAIRS.buffer);
for (let i = 0; i < 100; i++) {
  pairBytes[2 * i] = 0x30 + ((i / 10) | 0);
  pairBytes[2 * i + 1] = 0x30 + (i % 10);
}

/** The int32 v ≥ 0 as exactly len digits (zeros in front), two at a time. Returns the end. */
function writeFixed(dv: DataView, at: number, v: number, len: number): number {
  const end = at + len;
  let p = end;
  while (p - at >= 2) {
    const q = (v / 100) | 0;
    p -= 2;
    dv.setUint16(p, PAIRS[v - q * 100]!, LE);
    v = q;
  }
  if (p > at) dv.setUint8(at, 0x30 + v);
  return end;
}

/** A finite DOUBLE as Double.toString (room for 24 bytes made by the caller). */
function writeDouble(dv: DataView, at: number, x: number): number {
  const end = doubleDigits(dv, at, x);
  return end >= 0 ? end : writeAscii(dv, at, doubleToString(x));
}

/** A finite REAL (bits: its float32 bits) as Float.toString (room for 16 bytes made by the caller). */
function writeRealText(dv: DataView, at: number, bits: number, x: number): number {
  const end = realDigits(dv, at, x, bits);
  return end >= 0 ? end : writeAscii(dv, at, realToString(x));
}

/** writeDoubleDigits with the sign, for any finite x: -1 when x is outside [1e-3, 1e7) or the digits decline it. */
function doubleDigits(dv: DataView, at: number, x: number): number {
  const a = x < 0 ? -x : x;
  if (!(a >= 1e-3 && a < 1e7)) return -1;
  if (x < 0) dv.setUint8(at++, 0x2d);
  return writeDoubleDigits(dv, at, a);
}

/** writeRealDigits with the sign, as doubleDigits. */
function realDigits(dv: DataView, at: number, x: number, bits: number): number {
  const a = x < 0 ? -x : x;
  if (!(a >= 1e-3 && a < 1e7)) return -1;
  if (x < 0) dv.setUint8(at++, 0x2d);
  return writeRealDigits(dv, at, a, bits);
}

const scratch = new DataView(new ArrayBuffer(32));
const scratchF32 = new Float32Array(1);
const scratchBits = new Int32Array(scratchF32.buffer);

/**
 * The text the digit arithmetic gives a finite x (a float32 when `real`), or null where it leaves x to cast.ts's
 * general functions (whose text it must equal): for tests.
 */
export function digitsText(x: number, real: boolean): string | null {
  scratchF32[0] = x;
  const end = real ? realDigits(scratch, 0, x, scratchBits[0]!) : doubleDigits(scratch, 0, x);
  return end < 0 ? null : String.fromCharCode(...new Uint8Array(scratch.buffer, 0, end));
}

// ---- REAL: a cache of texts by float32 bits -----------------------------------------------------------------------

/**
 * REAL values repeat (prices in cents): texts are kept in a direct-mapped cache keyed by the float32 bits, 4096 slots
 * of 16 bytes (the longest text, '-1.17549435E-38', has 15), copied out as four words. Empty slots hold a NaN's bits,
 * which are never looked up (NaN is written as null or by its cell).
 */
const SLOTS = 4096;
const realBits = new Int32Array(SLOTS).fill(-1);
const realLength = new Uint8Array(SLOTS);
const realWords = new Uint32Array(SLOTS * 4);
const realView = new DataView(realWords.buffer);

/** A finite REAL (bits: its float32 bits) as Float.toString (room for 16 bytes made by the caller). */
function writeReal(dv: DataView, at: number, bits: number, x: number): number {
  const slot = Math.imul(bits, 0x9e3779b1) >>> 20;
  const w = slot << 2;
  if (realBits[slot] !== bits) {
    realLength[slot] = writeRealText(realView, w << 2, bits, x) - (w << 2);
    realBits[slot] = bits;
  }
  dv.setUint32(at, realWords[w]!, LE);
  dv.setUint32(at + 4, realWords[w + 1]!, LE);
  dv.setUint32(at + 8, realWords[w + 2]!, LE);
  dv.setUint32(at + 12, realWords[w + 3]!, LE);
  return at + realLength[slot]!;
}

// ---- other cells -----------------------------------------------------------------------------------------------------

/** An integer's digits (String(v) beyond 2^53, where digits by arithmetic would not be exact). Returns the end. */
export function writeInteger(dv: DataView, at: number, v: number): number {
  if (v < 0) {
    if (v < -9007199254740992) return writeAscii(dv, at, String(v));
    dv.setUint8(at++, 0x2d);
    v = -v;
  } else if (v > 9007199254740992) return writeAscii(dv, at, String(v));
  let len = 1;
  while (len < 16 && v >= TEN[len]!) len++;
  if (len < 10) return writeFixed(dv, at, v | 0, len);
  // as two int32s: v = hi × 1e9 + lo (hi × 1e9 exact, hi × 5^9 being < 2^53)
  const hi = Math.floor(v / 1e9);
  return writeFixed(dv, writeFixed(dv, at, hi | 0, len - 9), (v - hi * 1e9) | 0, 9);
}

/** An ASCII string (room made by the caller). */
function writeAscii(dv: DataView, at: number, s: string): number {
  for (let k = 0; k < s.length; k++) dv.setUint8(at++, s.charCodeAt(k));
  return at;
}

/** `length` bytes held as words (the last one padded): writes up to 3 bytes past the end, which later writes cover. */
function writeWords(dv: DataView, at: number, words: Uint32Array, length: number): number {
  for (let k = 0; k < words.length; k++) dv.setUint32(at + 4 * k, words[k]!, LE);
  return at + length;
}

function wordsOf(bytes: Uint8Array): Uint32Array {
  const words = new Uint32Array(Math.ceil(bytes.length / 4));
  new Uint8Array(words.buffer).set(bytes);
  return words;
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
      return (v) => ((v as number) - (v as number) === 0 ? realToString(v as number) : 'null');
    case 'DOUBLE':
      return (v) => ((v as number) - (v as number) === 0 ? doubleToString(v as number) : 'null');
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
      return (v) => ((v as number) - (v as number) === 0 ? realToString(v as number) : quote(valueText(v, type)));
    case 'DOUBLE':
      return (v) => ((v as number) - (v as number) === 0 ? doubleToString(v as number) : quote(valueText(v, type)));
    default:
      return (v) => quote(valueText(v, type));
  }
}

// ---- the batch ---------------------------------------------------------------------------------------------------------

/** How a column's cells are written: from its buffers (REAL … BOOL) or through its text (TEXT_CELL). */
const REAL = 1;
const DOUBLE = 2;
const STRING = 3;
const INT = 4;
const BIGINT = 5;
const BOOL = 6;
const TEXT_CELL = 7;

interface Column {
  code: number;
  /** What comes before the cell, as words: JSON `{"KEY":` or `,"KEY":`, CSV nothing or ','. */
  prefix: Uint32Array;
  prefixLength: number;
  view: ColumnView;
  /** REAL: the float32 bits and values; DOUBLE: the values; STRING: the UTF-8 bytes (the view's typed arrays). */
  bits: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
  utf8: Uint8Array;
  cell: Cell;
}

const NONE_I32 = new Int32Array(0);
const NONE_F32 = new Float32Array(0);
const NONE_F64 = new Float64Array(0);
const NONE_U8 = new Uint8Array(0);

function codeOf(type: SqlType, view: ColumnView): number {
  switch (type.kind) {
    case 'REAL':
      return view.values instanceof Float32Array ? REAL : TEXT_CELL;
    case 'DOUBLE':
      return view.values instanceof Float64Array ? DOUBLE : TEXT_CELL;
    case 'CHAR':
    case 'VARCHAR':
      return view.kind === 'utf8' ? STRING : TEXT_CELL;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
      return view.kind === 'num' ? INT : view.kind === 'i64' ? BIGINT : TEXT_CELL;
    case 'BOOLEAN':
      return view.kind === 'bool' ? BOOL : TEXT_CELL;
    default:
      return TEXT_CELL;
  }
}

/** What a column's cells need that depends only on the schema, the columns listed and the format. */
interface Layout {
  k: number;
  type: SqlType;
  prefix: Uint32Array;
  prefixLength: number;
  cell: Cell;
}

/** The last layout made for each schema: an output's batches share one, and making it costs more than a small batch. */
const layouts = new WeakMap<Schema, { names: string[]; json: boolean; layout: Layout[] }>();

function layoutOf(schema: Schema, columns: readonly (string | ColumnDef)[], json: boolean): Layout[] {
  const names = columns.map((col) => (typeof col === 'string' ? col : col.name));
  const last = layouts.get(schema);
  if (last && last.json === json && last.names.length === names.length && last.names.every((n, c) => n === names[c])) return last.layout;
  const defs = columnDefs(schema);
  const layout = names.map((name, c) => {
    const k = defs.findIndex((d) => d.name === name);
    if (k < 0) throw new Error(`encodeRows: the batch has no column ${JSON.stringify(name)} (it has ${defs.map((d) => d.name).join(', ')})`);
    const type = defs[k]!.type;
    const prefix = Buffer.from(json ? (c > 0 ? ',' : '{') + JSON.stringify(name) + ':' : c > 0 ? ',' : '', 'utf8');
    return { k, type, prefix: wordsOf(prefix), prefixLength: prefix.length, cell: json ? jsonCell(type) : csvCell(type) };
  });
  layouts.set(schema, { names, json, layout });
  return layout;
}

function planColumns(batch: RecordBatch, columns: readonly (string | ColumnDef)[], json: boolean): Column[] {
  return layoutOf(batch.schema, columns, json).map(({ k, type, prefix, prefixLength, cell }) => {
    const view = viewOf(batch.getChildAt(k)!.data[0]!);
    const code = codeOf(type, view);
    const v = view.values;
    return {
      code,
      prefix,
      prefixLength,
      view,
      bits: code === REAL ? new Int32Array((v as Float32Array).buffer, (v as Float32Array).byteOffset, (v as Float32Array).length) : NONE_I32,
      f32: code === REAL ? (v as Float32Array) : NONE_F32,
      f64: code === DOUBLE ? (v as Float64Array) : NONE_F64,
      utf8: code === STRING ? (v as Uint8Array) : NONE_U8,
      cell,
    };
  });
}

/** Room for a cell written from the column buffers: a DOUBLE's text is at most 24 bytes ('-2.2250738585072014E-308'). */
const NUMBER_ROOM = 24;

/**
 * The batch's rows as records in one buffer. `columns`: the output stream's columns (names, or ColumnDefs whose names
 * are used), ROWTIME excluded unless listed.
 */
export function encodeBatch(batch: RecordBatch, columns: readonly (string | ColumnDef)[], format: 'JSON' | 'CSV'): EncodedRecords {
  const json = format === 'JSON';
  const cols = planColumns(batch, columns, json);
  const n = batch.numRows;
  const prefixes = cols.reduce((sum, c) => sum + 4 * c.prefix.length, 0);
  // Room for a row but for its strings and texts, which make their own room (and this much more, for the rest)
  const out = new Writer(Math.max(256, n * (prefixes + 12 * cols.length + 1)), prefixes + NUMBER_ROOM * cols.length + 1);
  const ends = new Uint32Array(n);
  writeRecords(out, cols, n, json, ends);
  return { bytes: out.buf.subarray(0, out.at), ends, count: n };
}

/** The loop on its own, so V8 optimizes it as a function rather than by on-stack replacement on every batch. */
function writeRecords(out: Writer, cols: Column[], n: number, json: boolean, ends: Uint32Array): void {
  const end = json ? 0x7d : 0x0a;
  // The first column's prefix opens a JSON object: with no column, '{' is written on its own.
  const open = json && cols.length === 0;
  for (let i = 0; i < n; i++) {
    out.room(0);
    if (open) out.dv.setUint8(out.at++, 0x7b);
    for (let c = 0; c < cols.length; c++) writeCell(out, cols[c]!, i, json);
    out.dv.setUint8(out.at++, end);
    ends[i] = out.at;
  }
}

/** The batch's rows as records (views of one buffer); see encodeBatch. */
export function encodeRows(batch: RecordBatch, columns: readonly (string | ColumnDef)[], format: 'JSON' | 'CSV'): Uint8Array[] {
  const { bytes, ends, count } = encodeBatch(batch, columns, format);
  const out: Uint8Array[] = new Array(count);
  for (let i = 0, from = 0; i < count; i++) {
    out[i] = bytes.subarray(from, ends[i]!);
    from = ends[i]!;
  }
  return out;
}

/** One byte buffer per batch, doubled when it fills. */
class Writer {
  buf: Buffer;
  dv: DataView;
  at = 0;
  /** Every reservation also makes room for this much more (the rest of the row's fixed-size writes). */
  private readonly slack: number;
  constructor(size: number, slack: number) {
    this.buf = Buffer.allocUnsafe(size);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
    this.slack = slack;
  }
  room(more: number): void {
    more += this.slack;
    if (this.at + more > this.buf.length) this.grow(more);
  }
  private grow(more: number): void {
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + more));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
    this.dv = new DataView(bigger.buffer, bigger.byteOffset, bigger.length);
  }
}

function writeCell(out: Writer, col: Column, i: number, json: boolean): void {
  const dv = out.dv;
  const at = writeWords(dv, out.at, col.prefix, col.prefixLength);
  const view = col.view;
  const valid = view.valid;
  if (valid !== null && ((valid[(view.bitOffset + i) >> 3]! >> ((view.bitOffset + i) & 7)) & 1) === 0) {
    out.at = json ? writeAscii(dv, at, 'null') : at;
    return;
  }
  let end = -1;
  switch (col.code) {
    case REAL: {
      const x = col.f32[i]!;
      if (x - x === 0) end = writeReal(dv, at, col.bits[i]!, x);
      break;
    }
    case DOUBLE: {
      const x = col.f64[i]!;
      if (x - x === 0) end = writeDouble(dv, at, x);
      break;
    }
    case INT:
      end = writeInteger(dv, at, view.values[i]!);
      break;
    case BIGINT:
      end = writeInteger(dv, at, view.values[2 * i + 1]! * 4294967296 + (view.values[2 * i]! >>> 0));
      break;
    case BOOL: {
      const j = view.bitOffset + i;
      end = writeAscii(dv, at, ((view.values[j >> 3]! >> (j & 7)) & 1) === 1 ? 'true' : 'false');
      break;
    }
    case STRING:
      out.at = at;
      if (writeString(out, col.utf8, view.offsets![i]!, view.offsets![i + 1]!, json)) return;
      break;
  }
  if (end >= 0) {
    out.at = end;
    return;
  }
  out.at = at;
  writeText(out, col.cell(readValue(view, i)!));
}

/**
 * A CHAR/VARCHAR cell copied from the column's UTF-8 bytes: JSON when no byte needs escaping, CSV always (quoted, '"'
 * doubled, when it has ',', '"', CR or LF, or is empty). False when the cell must go through its text instead.
 */
function writeString(out: Writer, bytes: Uint8Array, s: number, e: number, json: boolean): boolean {
  out.room(2 * (e - s) + 2);
  const dv = out.dv;
  let at = out.at;
  if (json) {
    dv.setUint8(at++, 0x22);
    for (let k = s; k < e; k++) {
      const b = bytes[k]!;
      if (b < 0x20 || b === 0x22 || b === 0x5c) return false;
      dv.setUint8(at++, b);
    }
    dv.setUint8(at++, 0x22);
  } else {
    let quote = s === e;
    for (let k = s; k < e && !quote; k++) {
      const b = bytes[k]!;
      quote = b === 0x2c || b === 0x22 || b === 0x0d || b === 0x0a;
    }
    if (quote) dv.setUint8(at++, 0x22);
    for (let k = s; k < e; k++) {
      const b = bytes[k]!;
      dv.setUint8(at++, b);
      if (b === 0x22) dv.setUint8(at++, 0x22);
    }
    if (quote) dv.setUint8(at++, 0x22);
  }
  out.at = at;
  return true;
}

/** A cell's text, UTF-8. */
function writeText(out: Writer, s: string): void {
  out.room(3 * s.length);
  const buf = out.buf;
  let at = out.at;
  for (let k = 0; k < s.length; k++) {
    const ch = s.charCodeAt(k);
    if (ch >= 0x80) {
      at += buf.write(s.slice(k), at, 'utf8');
      break;
    }
    buf[at++] = ch;
  }
  out.at = at;
}
