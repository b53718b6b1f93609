/**
 * Java SimpleDateFormat patterns, as KDA's CHAR_TO_TIMESTAMP / TIMESTAMP_TO_CHAR and the log parsers use them, always
 * in UTC. Supported letters: G y Y M L d D E u a H k K h m s S z Z X; quoted text ('T', and '' for a quote); any other
 * non-letter is literal. Formatting follows Java: a count of letters is the minimum number of digits (`yy` is the last two
 * digits of the year; `S` is milliseconds as a number, so `SSS` is three digits); `MMM` and `EEE` are short English
 * names and four or more letters the full names; z gives 'UTC', Z '+0000', X 'Z'.
 * Parsing is lenient as Java's default: fields roll over (month 13 is January of the next year), text after the pattern
 * is ignored, names match case-insensitively in short or full form, a numeric field next to another numeric field takes
 * exactly its count of digits, and a two-digit `yy` year falls within 80 years before and 20 after the current year.
 * Unset fields default to 1970-01-01 00:00:00.000.
 */
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SqlRuntimeError } from '../values.js';
import { civil, dayNumber, dayOfWeek, daysFromCivil, msOfDay, toCivil } from './time.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));
const SHORT_DAYS = DAYS.map((d) => d.slice(0, 3));

type Token = { lit: string } | { letter: string; count: number };

export interface JavaDateFormat {
  pattern: string;
  format(ms: number): string;
  /** Epoch ms; throws SqlRuntimeError('CONVERSION_FAILED') when the text does not match. */
  parse(text: string): number;
}

const SUPPORTED = 'GyYMLdDEuaHkKhmsSzZX';

function tokenize(pattern: string): Token[] {
  const out: Token[] = [];
  let lit = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        lit += "'";
        i += 2;
        continue;
      }
      // A quoted run may contain '' for a quote.
      let j = i + 1;
      let text = '';
      for (;;) {
        const k = pattern.indexOf("'", j);
        if (k < 0) throw new SqlRuntimeError('INVALID_ARGUMENT', `unterminated quote in date format '${pattern}'`);
        text += pattern.slice(j, k);
        if (pattern[k + 1] === "'") {
          text += "'";
          j = k + 2;
          continue;
        }
        i = k + 1;
        break;
      }
      lit += text;
      continue;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      if (!SUPPORTED.includes(c)) throw new SqlRuntimeError('INVALID_ARGUMENT', `illegal pattern character '${c}' in date format '${pattern}'`);
      let n = 1;
      while (pattern[i + n] === c) n++;
      if (lit) out.push({ lit });
      lit = '';
      out.push({ letter: c, count: n });
      i += n;
      continue;
    }
    lit += c;
    i++;
  }
  if (lit) out.push({ lit });
  return out;
}

const ZEROS = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000'];

function padNum(n: number, width: number): string {
  if (n < 0) return '-' + padNum(-n, width);
  const s = '' + n;
  const missing = width - s.length;
  if (missing <= 0) return s;
  return (missing < ZEROS.length ? ZEROS[missing]! : '0'.repeat(missing)) + s;
}

const NUMERIC = 'yYMLdDuHkKhmsS';
const isNumericToken = (t: Token | undefined): boolean =>
  t !== undefined && 'letter' in t && NUMERIC.includes(t.letter) && !((t.letter === 'M' || t.letter === 'L') && t.count >= 3);

// Two-digit years: Java puts them in the century starting 80 years before now.
const PIVOT_START = new Date().getUTCFullYear() - 80;

/** Fields of the instant being formatted, computed once per call. */
const cur = { ms: 0, days: 0, tod: 0, year: 0, month: 0, day: 0 };

function formatToken(t: Token): string {
  if ('lit' in t) return t.lit;
  const n = t.count;
  const tod = cur.tod;
  switch (t.letter) {
    case 'G':
      return cur.year > 0 ? 'AD' : 'BC';
    case 'y':
    case 'Y': {
      const y = cur.year > 0 ? cur.year : 1 - cur.year;
      return n === 2 ? padNum(y % 100, 2) : padNum(y, n);
    }
    case 'M':
    case 'L':
      return n >= 4 ? MONTHS[cur.month - 1]! : n === 3 ? SHORT_MONTHS[cur.month - 1]! : padNum(cur.month, n);
    case 'd':
      return padNum(cur.day, n);
    case 'D':
      return padNum(cur.days - daysFromCivil(cur.year, 1, 1) + 1, n);
    case 'E':
      return n >= 4 ? DAYS[dayOfWeek(cur.ms)]! : SHORT_DAYS[dayOfWeek(cur.ms)]!;
    case 'u': {
      const d = dayOfWeek(cur.ms);
      return padNum(d === 0 ? 7 : d, n);
    }
    case 'a':
      return tod < 12 * MS_PER_HOUR ? 'AM' : 'PM';
    case 'H':
      return padNum(Math.floor(tod / MS_PER_HOUR), n);
    case 'k': {
      const h = Math.floor(tod / MS_PER_HOUR);
      return padNum(h === 0 ? 24 : h, n);
    }
    case 'K':
      return padNum(Math.floor(tod / MS_PER_HOUR) % 12, n);
    case 'h': {
      const h = Math.floor(tod / MS_PER_HOUR) % 12;
      return padNum(h === 0 ? 12 : h, n);
    }
    case 'm':
      return padNum(Math.floor((tod % MS_PER_HOUR) / MS_PER_MINUTE), n);
    case 's':
      return padNum(Math.floor((tod % MS_PER_MINUTE) / MS_PER_SECOND), n);
    case 'S':
      return padNum(tod % MS_PER_SECOND, n);
    case 'z':
      return n >= 4 ? 'Coordinated Universal Time' : 'UTC';
    case 'Z':
      return '+0000';
    default: // X
      return 'Z';
  }
}

/** Parse state, reused. */
interface Fields {
  year: number;
  month: number;
  day: number;
  dayOfYear: number;
  hour: number;
  hour12: number;
  pm: number; // -1 unset, 0 AM, 1 PM
  minute: number;
  second: number;
  milli: number;
  offset: number; // ms east of UTC
  bc: boolean;
}

function compile(pattern: string): JavaDateFormat {
  const tokens = tokenize(pattern);
  const format = (ms: number): string => {
    cur.ms = ms;
    cur.days = dayNumber(ms);
    cur.tod = msOfDay(ms);
    toCivil(cur.days);
    cur.year = civil.year;
    cur.month = civil.month;
    cur.day = civil.day;
    let s = '';
    for (let i = 0; i < tokens.length; i++) s += formatToken(tokens[i]!);
    return s;
  };
  const parse = (text: string): number => {
    const f: Fields = { year: 1970, month: 1, day: 1, dayOfYear: -1, hour: 0, hour12: -1, pm: -1, minute: 0, second: 0, milli: 0, offset: 0, bc: false };
    let pos = 0;
    const bad = (): never => {
      throw new SqlRuntimeError('CONVERSION_FAILED', `cannot parse '${text}' with date format '${pattern}'`);
    };
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if ('lit' in t) {
        // Java lets a run of spaces in the pattern match any run of whitespace
        for (const c of t.lit) {
          if (text[pos] === c) pos++;
          else if (c === ' ' && /\s/.test(text[pos] ?? '')) pos++;
          else bad();
        }
        continue;
      }
      const { letter, count } = t;
      // Java skips spaces and tabs before a field
      while (text[pos] === ' ' || text[pos] === '\t') pos++;
      if (isNumericToken(t)) {
        const abut = isNumericToken(tokens[i + 1]);
        let start = pos;
        let neg = false;
        if ((text[pos] === '-' || text[pos] === '+') && (letter === 'y' || letter === 'Y')) {
          neg = text[pos] === '-';
          pos++;
          start = pos;
        }
        const limit = abut ? Math.min(text.length, start + count) : text.length;
        let v = 0;
        for (let c = text.charCodeAt(pos); pos < limit && c >= 48 && c <= 57; c = text.charCodeAt(++pos)) v = v * 10 + (c - 48);
        if (pos === start) bad();
        if (neg) v = -v;
        switch (letter) {
          case 'y':
          case 'Y':
            if (count <= 2 && pos - start === 2 && !neg) {
              v += Math.floor(PIVOT_START / 100) * 100;
              if (v < PIVOT_START) v += 100;
            }
            f.year = v;
            break;
          case 'M':
          case 'L':
            f.month = v;
            break;
          case 'd':
            f.day = v;
            break;
          case 'D':
            f.dayOfYear = v;
            break;
          case 'u':
            break;
          case 'H':
            f.hour = v;
            break;
          case 'k':
            f.hour = v === 24 ? 0 : v;
            break;
          case 'K':
            f.hour12 = v;
            break;
          case 'h':
            f.hour12 = v === 12 ? 0 : v;
            break;
          case 'm':
            f.minute = v;
            break;
          case 's':
            f.second = v;
            break;
          case 'S':
            f.milli = v;
            break;
        }
        continue;
      }
      switch (letter) {
        case 'M':
        case 'L': {
          const k = matchName(text, pos, MONTHS);
          if (k < 0) bad();
          f.month = (k >> 8) + 1;
          pos += k & 0xff;
          break;
        }
        case 'E': {
          const k = matchName(text, pos, DAYS);
          if (k < 0) bad();
          pos += k & 0xff;
          break;
        }
        case 'a': {
          const s = text.slice(pos, pos + 2).toUpperCase();
          if (s === 'AM') f.pm = 0;
          else if (s === 'PM') f.pm = 1;
          else bad();
          pos += 2;
          break;
        }
        case 'G': {
          const s = text.slice(pos, pos + 2).toUpperCase();
          if (s === 'AD') f.bc = false;
          else if (s === 'BC') f.bc = true;
          else bad();
          pos += 2;
          break;
        }
        default: {
          // z Z X: a zone
          const r = parseZone(text, pos);
          if (r === undefined) bad();
          f.offset = r!.offset;
          pos = r!.end;
        }
      }
    }
    let hour = f.hour;
    if (f.hour12 >= 0) hour = f.hour12 + (f.pm === 1 ? 12 : 0);
    else if (f.pm === 1 && hour < 12) hour += 12;
    const year = f.bc ? 1 - f.year : f.year;
    const days = f.dayOfYear >= 0 ? daysFromCivil(year, 1, 1) + f.dayOfYear - 1 : daysFromCivil(year, f.month, f.day);
    const ms = days * MS_PER_DAY + hour * MS_PER_HOUR + f.minute * MS_PER_MINUTE + f.second * MS_PER_SECOND + f.milli - f.offset;
    if (!Number.isFinite(ms)) bad();
    return ms;
  };
  return { pattern, format, parse };
}

/** Index (<<8) and length of the longest full or 3-letter name at `pos`, or -1. */
function matchName(text: string, pos: number, names: string[]): number {
  const rest = text.slice(pos, pos + 12).toLowerCase();
  for (let i = 0; i < names.length; i++) {
    const full = names[i]!.toLowerCase();
    if (rest.startsWith(full)) return (i << 8) | full.length;
  }
  for (let i = 0; i < names.length; i++) {
    if (rest.startsWith(names[i]!.slice(0, 3).toLowerCase())) return (i << 8) | 3;
  }
  return -1;
}

const ZONE_RE = /^(?:(Z)|(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?|(UTC|GMT|UT|Coordinated Universal Time))/i;

function parseZone(text: string, pos: number): { offset: number; end: number } | undefined {
  const m = ZONE_RE.exec(text.slice(pos));
  if (!m) return undefined;
  let offset = 0;
  if (m[2]) {
    const h = +m[3]!;
    const mi = m[4] ? +m[4] : 0;
    if (h > 23 || mi > 59) return undefined;
    offset = (m[2] === '-' ? -1 : 1) * (h * MS_PER_HOUR + mi * MS_PER_MINUTE);
  }
  return { offset, end: pos + m[0].length };
}

const cache = new Map<string, JavaDateFormat>();

/** The compiled pattern, from a small cache (patterns are nearly always constants). */
export function javaDateFormat(pattern: string): JavaDateFormat {
  let f = cache.get(pattern);
  if (!f) {
    f = compile(pattern);
    if (cache.size >= 256) cache.clear();
    cache.set(pattern, f);
  }
  return f;
}
