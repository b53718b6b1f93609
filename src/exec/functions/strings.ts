/**
 * String built-ins and operators. Lengths and positions count UTF-16 code units (as Java's String does).
 * - SUBSTRING(s, start[, length]): SQL semantics: the characters at positions start .. start+length-1 that exist
 *   (SUBSTRING('abc', 0, 2) = 'a', SUBSTRING('abc', -1) = 'abc', past the end ''); a negative length is
 *   INVALID_ARGUMENT. Non-integral numbers are rounded. With a string second argument (KDA's SUBSTRING(s FROM regex)):
 *   the first match of that Java regex, NULL when there is none, cut to `length` when given.
 * - INITCAP: the first character of every space-delimited word upper case, the rest lower case (as the reference says:
 *   INITCAP('Each FIRST lEtTeR is cAPITALIZED') = 'Each First Letter Is Capitalized'; 'wORLD-fOO' gives 'World-foo').
 * - TRIM(side, characters, s): removes any of `characters` (usually one; each character of a longer string counts).
 * - REGEX_REPLACE(s, regex, replacement[, position[, occurrence]]): Java regex and replacement syntax ($1, ${name},
 *   \$); the search starts at 1-based `position` (default 1); `occurrence` 0 (default) replaces every match, n only the
 *   nth. position < 1 or occurrence < 0: INVALID_ARGUMENT.
 * - POSITION(needle, haystack): 1-based index of the first occurrence, 0 when absent, 1 for an empty needle.
 * - OVERLAY(s, placing, from[, for]) = SUBSTRING(s, 1, from-1) || placing || SUBSTRING(s, from + for), `for`
 *   defaulting to the length of `placing`.
 */
import { SqlRuntimeError, type Value } from '../values.js';
import type { ScalarFunction } from './index.js';
import { expandReplacement, javaRegExp, javaReplacement, likeRegExp, similarRegExp, substringSimilarRegExp } from './patterns.js';

function invalid(msg: string): never {
  throw new SqlRuntimeError('INVALID_ARGUMENT', msg);
}

const str = (v: Value) => v as string;
const num = (v: Value) => v as number;
const strict = (make: ScalarFunction['make']): ScalarFunction => ({ nulls: 'strict', make });

/** SQL SUBSTRING(s FROM start FOR length); `length` undefined means to the end. */
export function substring(s: string, start: number, length?: number): string {
  const st = Math.round(start);
  if (length === undefined) return st <= 1 ? s : s.slice(st - 1);
  const len = Math.round(length);
  if (len < 0) invalid(`SUBSTRING length must not be negative, not ${length}`);
  const end = st + len; // exclusive, 1-based
  const from = Math.max(st, 1);
  if (end <= from) return '';
  return s.slice(from - 1, end - 1);
}

export function initcap(s: string): string {
  let out = '';
  let start = true;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const space = c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
    out += space ? c : start ? c.toUpperCase() : c.toLowerCase();
    start = space;
  }
  return out;
}

export function trim(side: string, chars: string, s: string): string {
  if (chars.length === 0) return s;
  let a = 0;
  let b = s.length;
  const one = chars.length === 1 ? chars : undefined;
  const hit = (c: string) => (one !== undefined ? c === one : chars.includes(c));
  if (side !== 'TRAILING') while (a < b && hit(s[a]!)) a++;
  if (side !== 'LEADING') while (b > a && hit(s[b - 1]!)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

export function regexReplace(s: string, regex: string, repl: string, position = 1, occurrence = 0): string {
  const pos = Math.round(position);
  const occ = Math.round(occurrence);
  if (pos < 1) invalid(`REGEX_REPLACE position must be at least 1, not ${position}`);
  if (occ < 0) invalid(`REGEX_REPLACE occurrence must not be negative, not ${occurrence}`);
  if (pos > s.length + 1) return s;
  const re = javaRegExp(regex, 'global');
  const r = javaReplacement(repl);
  const head = pos === 1 ? '' : s.slice(0, pos - 1);
  const tail = pos === 1 ? s : s.slice(pos - 1);
  if (occ === 0) {
    if (r.parts.some((p) => typeof p === 'number' && p > 0)) checkGroups(re, r.parts);
    return head + tail.replace(re, r.js);
  }
  re.lastIndex = 0;
  let k = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(tail)) !== null) {
    if (++k === occ) {
      re.lastIndex = 0;
      return head + tail.slice(0, m.index) + expandReplacement(r.parts, m) + tail.slice(m.index + m[0].length);
    }
    if (m[0].length === 0) re.lastIndex++;
  }
  re.lastIndex = 0;
  return s;
}

const groupCounts = new WeakMap<RegExp, number>();
function checkGroups(re: RegExp, parts: (string | number)[]): void {
  let n = groupCounts.get(re);
  if (n === undefined) {
    n = new RegExp(re.source + '|').exec('')!.length - 1;
    groupCounts.set(re, n);
  }
  for (const p of parts) {
    if (typeof p !== 'number') continue;
    let g = p;
    while (g > n && g >= 10) g = Math.floor(g / 10); // $12 with one group is $1 then '2', as in Java and JS
    if (g > n) invalid(`no group ${p} in regex /${re.source}/`);
  }
}

export function overlay(s: string, placing: string, from: number, length?: number): string {
  const f = Math.round(from);
  const len = length === undefined ? placing.length : Math.round(length);
  return substring(s, 1, Math.max(0, f - 1)) + placing + substring(s, f + len);
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export const STRING_FUNCTIONS: Record<string, ScalarFunction> = {
  CHAR_LENGTH: strict(() => (s) => str(s).length),
  CHARACTER_LENGTH: strict(() => (s) => str(s).length),
  INITCAP: strict(() => (s) => initcap(str(s))),
  LOWER: strict(() => (s) => str(s).toLowerCase()),
  UPPER: strict(() => (s) => str(s).toUpperCase()),
  SUBSTRING: strict((args) => {
    if (args[1]?.kind === 'CHAR' || args[1]?.kind === 'VARCHAR') {
      // SUBSTRING(s FROM regex [FOR n]): the first match of the Java regex (NULL when none), cut to n characters
      return (s, re, len) => {
        const m = javaRegExp(str(re), 'first').exec(str(s));
        if (!m) return null;
        return len === undefined ? m[0] : substring(m[0], 1, num(len));
      };
    }
    return args.length === 2 ? (s, st) => substring(str(s), num(st)) : (s, st, len) => substring(str(s), num(st), num(len));
  }),
  REGEX_REPLACE: strict(() => (s, re, repl, pos, occ) => regexReplace(str(s), str(re), str(repl), pos === undefined ? 1 : num(pos), occ === undefined ? 0 : num(occ))),
  POSITION: strict(() => (needle, hay) => str(hay).indexOf(str(needle)) + 1),
  TRIM: strict(() => (side, chars, s) => trim(str(side), str(chars), str(s))),
  OVERLAY: strict((args) =>
    args.length === 3
      ? (s, p, f) => overlay(str(s), str(p), num(f))
      : (s, p, f, l) => overlay(str(s), str(p), num(f), num(l)),
  ),
  '||': strict((args) => {
    const bin = args[0]?.kind === 'BINARY' || args[0]?.kind === 'VARBINARY' || args[1]?.kind === 'BINARY' || args[1]?.kind === 'VARBINARY';
    if (bin) return (a, b) => concatBytes(a as Uint8Array, b as Uint8Array);
    return (a, b) => (a instanceof Uint8Array ? concatBytes(a, b as Uint8Array) : str(a) + str(b));
  }),
  LIKE: strict((args) =>
    args.length === 2
      ? (s, p) => likeRegExp(str(p)).test(str(s))
      : (s, p, e) => likeRegExp(str(p), str(e)).test(str(s)),
  ),
  'SIMILAR TO': strict((args) =>
    args.length === 2
      ? (s, p) => similarRegExp(str(p)).test(str(s))
      : (s, p, e) => similarRegExp(str(p), str(e)).test(str(s)),
  ),
  SUBSTRING_SIMILAR: strict(() => (s, p, e) => {
    const m = substringSimilarRegExp(str(p), str(e)).exec(str(s));
    return m ? (m[1] ?? null) : null;
  }),
};
