/**
 * The specialised JSON path: for a schema whose mappings are all flat (`$.NAME`) with row path `$`, a scanner over the
 * record's UTF-8 bytes that validates the JSON as it goes, finds the mapped keys with a matcher generated for the
 * schema (`new Function`: a switch on the first byte, then byte compares), and reads numbers and plain strings without
 * making objects (an ASCII string without escapes is copied byte for byte into the VARCHAR column). Anything it is not
 * sure of makes it answer false with nothing appended, and the record goes to the generic JSON.parse path: escaped
 * keys, objects or arrays under mapped keys, values that fail conversion, malformed or deeply nested JSON, a BOM.
 * Duplicate keys: the last wins, as with JSON.parse.
 *
 * In front of the scanner, a shape guess: the records of a stream mostly share one layout (the same keys in the same
 * order, no whitespace), so a parser generated for the layout of a record the scanner accepted checks the bytes between
 * the values as literals and reads the values with the scanner's helpers; any other record goes to the scanner.
 */
import type { Value } from '../../exec/values.js';
import type { JsonConverter } from './convert.js';
import type { JsonPlan } from './decode.js';
import type { ColumnWriter } from './writer.js';

export interface FastJson {
  /** Append the record's one row to `cols` and answer true, or answer false having appended nothing. */
  row(data: Uint8Array, cols: ColumnWriter[]): boolean;
  /** The same for the record in `bytes[start..end)` (one buffer holding many records). */
  rowAt(bytes: Uint8Array, start: number, end: number, cols: ColumnWriter[]): boolean;
  /** Diagnostics: records read by the learnt shape's parser (the others by the general scanner). */
  shapeRecords: number;
}

/** Records in a row that the learnt shape misses before it is learnt again. */
const RELEARN = 256;

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const textDecoder = new TextDecoder();

const K_NONE = 0;
const K_STR = 1;
const K_NUM = 2;
const K_TRUE = 3;
const K_FALSE = 4;
const K_NULL = 5;

const F_VARCHAR = 1;
const F_REAL = 2;
const F_DOUBLE = 3;
const F_OTHER = 0;

// results of the scanning helpers (module-level to avoid allocating; typed arrays so that generated code, which sees
// no module bindings, can be handed them, and so that a double is not boxed)
/** strFlags[0]: of the last string scanned, 1: escapes, 2: bytes >= 0x80. */
const strFlags = new Uint8Array(1);
/** numVal[0]: the last number scanned. */
const numVal = new Float64Array(1);

const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

function latin1(b: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let k = s; k < e; k++) out += String.fromCharCode(b[k]!);
  return out;
}

/** b[p] is '"': the index of the closing quote, or -1. Sets strFlags. */
function scanString(b: Uint8Array, p: number, end: number): number {
  let flags = 0;
  let i = p + 1;
  while (i < end) {
    const c = b[i]!;
    if (c === 0x22) {
      strFlags[0] = flags;
      return i;
    }
    if (c === 0x5c) {
      flags |= 1;
      const d = b[i + 1];
      if (d === 0x75) {
        for (let k = 2; k < 6; k++) {
          const h = b[i + k];
          if (h === undefined || !((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))) return -1;
        }
        i += 6;
        continue;
      }
      if (d === 0x22 || d === 0x5c || d === 0x2f || d === 0x62 || d === 0x66 || d === 0x6e || d === 0x72 || d === 0x74) {
        i += 2;
        continue;
      }
      return -1;
    }
    if (c < 0x20) return -1;
    if (c >= 0x80) flags |= 2;
    i++;
  }
  return -1;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

/** The exponent of the last number scanned (scanExponent's result). */
let expVal = 0;

/**
 * The digits (with a sign) after a number's 'e' at p: the index after them, or -1. Sets expVal, which stops growing
 * past 1000 (Number()'s case anyway). Not part of scanNumber: with it, scanNumber grew too big for V8 to inline.
 */
function scanExponent(b: Uint8Array, p: number, end: number): number {
  let i = p;
  const sign = b[i] === 0x2d ? -1 : 1;
  if (b[i] === 0x2b || b[i] === 0x2d) i++;
  if (!isDigit(b[i])) return -1;
  let x = 0;
  for (; i < end && isDigit(b[i]); i++) if (x < 1000) x = x * 10 + (b[i]! - 0x30);
  expVal = sign * x;
  return i;
}

/** A JSON number at p: the index after it, or -1. Sets numVal[0]. */
function scanNumber(b: Uint8Array, p: number, end: number): number {
  let i = p;
  let neg = false;
  if (b[i] === 0x2d) {
    neg = true;
    i++;
  }
  if (i >= end) return -1;
  let m = 0;
  let digits = 0;
  const d0 = b[i]!;
  if (d0 === 0x30) {
    i++;
    digits = 1;
  } else if (d0 >= 0x31 && d0 <= 0x39) {
    while (i < end && isDigit(b[i])) {
      m = m * 10 + (b[i]! - 0x30);
      digits++;
      i++;
    }
  } else return -1;
  let frac = 0;
  if (b[i] === 0x2e) {
    i++;
    if (!isDigit(b[i])) return -1;
    while (i < end && isDigit(b[i])) {
      m = m * 10 + (b[i]! - 0x30);
      frac++;
      i++;
    }
  }
  let scale = -frac; // the value is m × 10^scale
  const e = b[i];
  if (e === 0x65 || e === 0x45) {
    i = scanExponent(b, i + 1, end);
    if (i < 0) return -1;
    scale += expVal;
  }
  if (digits + frac <= 15 && scale >= -22 && scale <= 22) {
    // m (< 10^15) and 10^|scale| are exact doubles, so one multiplication or division gives the correctly rounded
    // value, as Number() does
    const x = scale >= 0 ? m * POW10[scale]! : m / POW10[-scale]!;
    numVal[0] = neg ? -x : x;
  } else numVal[0] = Number(latin1(b, p, i));
  return i;
}

function skipWs(b: Uint8Array, p: number, end: number): number {
  while (p < end && isWs(b[p]!)) p++;
  return p;
}

function literal(b: Uint8Array, p: number, word: readonly number[]): number {
  for (let k = 0; k < word.length; k++) if (b[p + k] !== word[k]) return -1;
  return p + word.length;
}
const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** The literal at p (ending by `end`): K_TRUE, K_FALSE or K_NULL, or K_NONE when there is none. */
function literalKind(b: Uint8Array, p: number, end: number): number {
  const c = b[p];
  const word = c === 0x74 ? TRUE : c === 0x66 ? FALSE : c === 0x6e ? NULL : null;
  if (word === null || p + word.length > end || literal(b, p, word) < 0) return K_NONE;
  return c === 0x74 ? K_TRUE : c === 0x66 ? K_FALSE : K_NULL;
}

/** Skip (and validate) any JSON value at p: the index after it, or -1. */
function skipValue(b: Uint8Array, p: number, end: number, depth: number): number {
  const c = b[p];
  if (c === 0x22) {
    const q = scanString(b, p, end);
    return q < 0 ? -1 : q + 1;
  }
  if (c === 0x2d || isDigit(c)) return scanNumber(b, p, end);
  if (c === 0x74) return literal(b, p, TRUE);
  if (c === 0x66) return literal(b, p, FALSE);
  if (c === 0x6e) return literal(b, p, NULL);
  if (depth > 64) return -1;
  if (c === 0x7b) {
    p = skipWs(b, p + 1, end);
    if (b[p] === 0x7d) return p + 1;
    for (;;) {
      if (b[p] !== 0x22) return -1;
      const q = scanString(b, p, end);
      if (q < 0) return -1;
      p = skipWs(b, q + 1, end);
      if (b[p] !== 0x3a) return -1;
      p = skipValue(b, skipWs(b, p + 1, end), end, depth + 1);
      if (p < 0) return -1;
      p = skipWs(b, p, end);
      if (b[p] === 0x2c) p = skipWs(b, p + 1, end);
      else if (b[p] === 0x7d) return p + 1;
      else return -1;
    }
  }
  if (c === 0x5b) {
    p = skipWs(b, p + 1, end);
    if (b[p] === 0x5d) return p + 1;
    for (;;) {
      p = skipValue(b, p, end, depth + 1);
      if (p < 0) return -1;
      p = skipWs(b, p, end);
      if (b[p] === 0x2c) p = skipWs(b, p + 1, end);
      else if (b[p] === 0x5d) return p + 1;
      else return -1;
    }
  }
  return -1;
}

/** The index of the mapped key whose bytes and closing quote are at `b[s..]` (before `end`), or -1. */
type KeyMatcher = (b: Uint8Array, s: number, end: number) => number;

/**
 * A matcher of the keys' UTF-8 bytes, generated for the schema: a switch on the first byte, then byte compares up to
 * the closing quote, so a mapped key is read once (no scan for its end first). A key holding '"', '\\' or a control
 * character is left out: its raw bytes are never a JSON key, and an escaped key is the generic path's anyway.
 */
function makeKeyMatcher(keys: string[]): KeyMatcher {
  const byFirst = new Map<number, string[]>();
  keys.forEach((k, index) => {
    const bytes = [...Buffer.from(k, 'utf8'), 0x22];
    if (bytes.slice(0, -1).some((x) => x === 0x22 || x === 0x5c || x < 0x20)) return;
    const tests = bytes.slice(1).map((x, i) => ` && b[s + ${i + 1}] === ${x}`).join('');
    const list = byFirst.get(bytes[0]!) ?? [];
    list.push(`  if (s + ${bytes.length - 1} < end${tests}) return ${index};`);
    byFirst.set(bytes[0]!, list);
  });
  let code = 'switch (b[s]) {\n';
  for (const [first, list] of byFirst) code += `case ${first}:\n${list.join('\n')}\n  return -1;\n`;
  code += 'default: return -1;\n}';
  return new Function('b', 's', 'end', code) as KeyMatcher;
}

/** b[s - 1] is the '"' opening a key: the index of its closing quote, or -1 (escaped or unterminated keys too). */
function keyEnd(b: Uint8Array, s: number, end: number): number {
  for (let q = s; q < end; q++) {
    const c = b[q]!;
    if (c === 0x22) return q;
    if (c === 0x5c || c < 0x20) return -1;
  }
  return -1;
}

/** The value of each mapped key, as `scan` leaves it for `rowAt` (typed arrays: filled without allocating). */
interface Slots {
  vkind: Uint8Array;
  vs: Int32Array;
  ve: Int32Array;
  vflags: Uint8Array;
  vnum: Float64Array;
}

/** Fills the slots from the record `b[start..end)` as `scan` would and answers true, or answers false. */
type ShapeParser = (b: Uint8Array, start: number, end: number) => boolean;

/**
 * The body of a ShapeParser for records laid out as `b[start..end)` (a record `scan` accepted): the same keys in the
 * same order with the same bytes around the values, none of them escaped, no whitespace but at the end, each value
 * of the same sort (string, number, literal, or anything under an unmapped key). The bytes between values
 * are compared as literals and the values read with scan's own helpers, so a record it accepts is one scan accepts,
 * with the same slots. Null when the record has whitespace between tokens (a layout not worth learning). Only numbers
 * (bytes, indices, kinds) go into the code.
 */
function shapeCode(b: Uint8Array, start: number, end: number, match: KeyMatcher, nk: number): string | null {
  const present = new Set<number>();
  const steps: string[] = [];
  let lit: number[] = [];
  const flush = () => {
    if (lit.length === 0) return;
    steps.push(`if (p + ${lit.length} > end${lit.map((x, i) => ` || b[p + ${i}] !== ${x}`).join('')}) return false;\np += ${lit.length};`);
    lit = [];
  };
  const take = (s: number, e: number) => {
    for (let i = s; i < e; i++) lit.push(b[i]!);
  };
  let p = start;
  if (b[p] !== 0x7b) return null;
  take(p, ++p);
  if (b[p] === 0x7d) take(p, ++p);
  else
    for (;;) {
      const q = keyEnd(b, p + 1, end);
      if (b[p] !== 0x22 || q < 0 || b[q + 1] !== 0x3a) return null;
      const k = match(b, p + 1, end);
      take(p, q + 2);
      p = q + 2;
      const c = b[p]!;
      const v = skipValue(b, p, end, 0);
      if (k < 0) {
        flush();
        steps.push('p = skipValue(b, p, end, 0);\nif (p < 0) return false;');
      } else if (c === 0x22) {
        take(p, p + 1);
        flush();
        steps.push(`e = scanString(b, p - 1, end);\nif (e < 0) return false;\nvkind[${k}] = ${K_STR}; vs[${k}] = p; ve[${k}] = e; vflags[${k}] = strFlags[0];\np = e + 1;`);
      } else if (c === 0x2d || isDigit(c)) {
        flush();
        steps.push(`p = scanNumber(b, p, end);\nif (p < 0) return false;\nvkind[${k}] = ${K_NUM}; vnum[${k}] = numVal[0];`);
      } else {
        flush(); // true, false or null: any of them (a boolean column flips between them)
        steps.push(`e = literalKind(b, p, end);\nif (e === ${K_NONE}) return false;\nvkind[${k}] = e;\np += e === ${K_FALSE} ? 5 : 4;`);
      }
      if (k >= 0) present.add(k);
      p = v;
      const d = b[p];
      if (d !== 0x2c && d !== 0x7d) return null;
      take(p, ++p);
      if (d === 0x7d) break;
    }
  flush();
  const absent = Array.from({ length: nk }, (_, k) => k).filter((k) => !present.has(k));
  return [
    'let p = start;',
    'let e = 0;',
    ...absent.map((k) => `vkind[${k}] = ${K_NONE};`),
    ...steps,
    'if (p < end) p = skipWs(b, p, end);',
    'return p === end;',
  ].join('\n');
}

function compileShape(code: string, slots: Slots): ShapeParser {
  const make = new Function('scanString', 'scanNumber', 'literalKind', 'skipValue', 'skipWs', 'strFlags', 'numVal', 'vkind', 'vs', 've', 'vflags', 'vnum', `return (b, start, end) => {\n${code}\n};`);
  return make(scanString, scanNumber, literalKind, skipValue, skipWs, strFlags, numVal, slots.vkind, slots.vs, slots.ve, slots.vflags, slots.vnum) as ShapeParser;
}

export function makeFastJson(plan: JsonPlan): FastJson | null {
  if (plan.rowSteps.length > 0 || plan.rowAll || plan.flat) return null;
  const keys: string[] = [];
  const colKey: number[] = [];
  for (const p of plan.paths) {
    if (p.inner || p.steps.length !== 1 || typeof p.steps[0] !== 'string') return null;
    const name = p.steps[0];
    let k = keys.indexOf(name);
    if (k < 0) k = keys.push(name) - 1;
    colKey.push(k);
  }
  const match = makeKeyMatcher(keys);
  const keyLength = keys.map((k) => Buffer.byteLength(k, 'utf8'));
  const nk = keys.length;
  const nc = colKey.length;
  const fastKind = plan.columns.map((c) =>
    c.type.kind === 'VARCHAR' ? F_VARCHAR : c.type.kind === 'REAL' ? F_REAL : c.type.kind === 'DOUBLE' ? F_DOUBLE : F_OTHER,
  );
  const limit = plan.columns.map((c) => (c.type.kind === 'VARCHAR' && c.type.precision !== undefined ? c.type.precision : 0x7fffffff));
  const convert: JsonConverter[] = plan.convert;
  const vkind = new Uint8Array(nk);
  const vs = new Int32Array(nk);
  const ve = new Int32Array(nk);
  const vflags = new Uint8Array(nk);
  const vnum = new Float64Array(nk);
  const slots: Slots = { vkind, vs, ve, vflags, vnum };

  /** The JS value of key k (as JSON.parse would give it). */
  const jsValue = (b: Uint8Array, k: number): unknown => {
    switch (vkind[k]) {
      case K_STR: {
        const s = vs[k]!;
        const e = ve[k]!;
        const f = vflags[k]!;
        if (f === 0) return latin1(b, s, e);
        if ((f & 1) === 0) return textDecoder.decode(b.subarray(s, e));
        return JSON.parse(textDecoder.decode(b.subarray(s - 1, e + 1))) as string;
      }
      case K_NUM:
        return vnum[k];
      case K_TRUE:
        return true;
      case K_FALSE:
        return false;
      case K_NULL:
        return null;
      default:
        return undefined;
    }
  };

  const scan = (b: Uint8Array, start: number, end: number): boolean => {
    for (let k = 0; k < nk; k++) vkind[k] = K_NONE; // for a few keys a loop beats fill(), a builtin call
    // whitespace is rare: skipWs is called only when there is some (a call per token was a tenth of the time)
    let p = start;
    if (b[p]! <= 0x20) p = skipWs(b, p, end);
    if (b[p] !== 0x7b) return false;
    if (b[++p]! <= 0x20) p = skipWs(b, p, end);
    if (b[p] === 0x7d) p++;
    else
      for (;;) {
        if (b[p] !== 0x22) return false;
        const k = match(b, p + 1, end);
        const q = k >= 0 ? p + 1 + keyLength[k]! : keyEnd(b, p + 1, end);
        if (q < 0) return false;
        p = q + 1;
        if (b[p]! <= 0x20) p = skipWs(b, p, end);
        if (b[p] !== 0x3a) return false;
        if (b[++p]! <= 0x20) p = skipWs(b, p, end);
        if (k < 0) {
          p = skipValue(b, p, end, 0);
          if (p < 0) return false;
        } else {
          const c = b[p];
          if (c === 0x22) {
            const e = scanString(b, p, end);
            if (e < 0) return false;
            vkind[k] = K_STR;
            vs[k] = p + 1;
            ve[k] = e;
            vflags[k] = strFlags[0]!;
            p = e + 1;
          } else if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) {
            p = scanNumber(b, p, end);
            if (p < 0) return false;
            vkind[k] = K_NUM;
            vnum[k] = numVal[0]!;
          } else {
            const kind = literalKind(b, p, end);
            if (kind === K_NONE) return false; // objects and arrays: the generic path
            vkind[k] = kind;
            p += kind === K_FALSE ? 5 : 4;
          }
        }
        if (b[p]! <= 0x20) p = skipWs(b, p, end);
        const d = b[p];
        if (d === 0x2c) {
          if (b[++p]! <= 0x20) p = skipWs(b, p, end);
        } else if (d === 0x7d) {
          p++;
          break;
        } else return false;
      }
    if (b[p]! <= 0x20) p = skipWs(b, p, end);
    return p === end;
  };

  // The shape guess: a parser generated for the layout of the first record scan accepts tries each record first; scan
  // decides the rest. After RELEARN records that scan accepts but the shape does not, with none the shape takes in
  // between, it is learnt again from the last of them (a producer changed its layout). Not sooner: a stream with no
  // dominant layout would compile a parser every few records.
  let shape: ShapeParser | null = null;
  let misses = RELEARN;
  const read = (b: Uint8Array, start: number, end: number): boolean => {
    if (shape !== null && shape(b, start, end)) {
      misses = 0;
      fast.shapeRecords++;
      return true;
    }
    if (!scan(b, start, end)) return false;
    if (++misses >= RELEARN) {
      misses = 0;
      const code = shapeCode(b, start, end, match, nk);
      if (code !== null) shape = compileShape(code, slots);
    }
    return true;
  };

  const fast: FastJson = {
    shapeRecords: 0,
    row(b: Uint8Array, cols: ColumnWriter[]): boolean {
      return this.rowAt(b, 0, b.length, cols);
    },
    rowAt(b: Uint8Array, start: number, end: number, cols: ColumnWriter[]): boolean {
      if (!read(b, start, end)) return false;
      for (let c = 0; c < nc; c++) {
        const w = cols[c]!;
        const k = colKey[c]!;
        const kind = vkind[k]!;
        if (kind === K_NONE || kind === K_NULL) {
          w.appendNull();
          continue;
        }
        const fk = fastKind[c]!;
        if (fk === F_VARCHAR && kind === K_STR && vflags[k] === 0) {
          const s = vs[k]!;
          let e = ve[k]!;
          if (e - s > limit[c]!) e = s + limit[c]!;
          w.appendRaw(b, s, e);
          continue;
        }
        if (kind === K_NUM && fk === F_REAL) {
          const r = Math.fround(vnum[k]!);
          if (r - r === 0) {
            w.appendNumber(r);
            continue;
          }
        } else if (kind === K_NUM && fk === F_DOUBLE) {
          const r = vnum[k]!;
          if (r - r === 0) {
            w.appendNumber(r);
            continue;
          }
        }
        let v: Value;
        try {
          v = convert[c]!(jsValue(b, k));
        } catch {
          for (let j = 0; j < c; j++) cols[j]!.truncate(cols[j]!.n - 1); // the value appended for this record
          return false;
        }
        w.append(v);
      }
      return true;
    },
  };
  return fast;
}
