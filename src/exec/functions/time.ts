/**
 * Calendar arithmetic on epoch milliseconds (proleptic Gregorian, UTC, no leap seconds) without Date objects, and the
 * canonical SQL text of datetime values: TIMESTAMP 'YYYY-MM-DD HH:MM:SS.fff', DATE 'YYYY-MM-DD', TIME 'HH:MM:SS'
 * (with '.fff' only when the milliseconds are not zero).
 */
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SqlRuntimeError } from '../values.js';

/** Days since 1970-01-01 of a civil date; month 1..12 (out-of-range months and days roll over, as Java's lenient calendar). */
export function daysFromCivil(y: number, m: number, d: number): number {
  // normalise the month first
  const m0 = m - 1;
  y += Math.floor(m0 / 12);
  m = m0 - Math.floor(m0 / 12) * 12 + 1;
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Scratch result of toCivil (no allocation per call). */
export const civil = { year: 0, month: 0, day: 0 };

/** Fill `civil` with the date of day number `z` (days since the epoch). */
export function toCivil(z: number): void {
  z += 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  civil.year = yoe + era * 400 + (m <= 2 ? 1 : 0);
  civil.month = m;
  civil.day = d;
}

export const dayNumber = (ms: number): number => Math.floor(ms / MS_PER_DAY);
/** Milliseconds since midnight, always in [0, 86 400 000). */
export const msOfDay = (ms: number): number => ms - Math.floor(ms / MS_PER_DAY) * MS_PER_DAY;

export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** 0 = Sunday ... 6 = Saturday. */
export function dayOfWeek(ms: number): number {
  const d = (dayNumber(ms) + 4) % 7; // 1970-01-01 was a Thursday
  return d < 0 ? d + 7 : d;
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : '' + n);
const pad3 = (n: number): string => (n < 10 ? '00' + n : n < 100 ? '0' + n : '' + n);
function pad4(n: number): string {
  if (n < 0) return '-' + pad4(-n);
  return n < 10 ? '000' + n : n < 100 ? '00' + n : n < 1000 ? '0' + n : '' + n;
}

export function formatDate(ms: number): string {
  toCivil(dayNumber(ms));
  return pad4(civil.year) + '-' + pad2(civil.month) + '-' + pad2(civil.day);
}

export function formatTime(ms: number): string {
  const t = msOfDay(ms);
  const h = Math.floor(t / MS_PER_HOUR);
  const mi = Math.floor((t % MS_PER_HOUR) / MS_PER_MINUTE);
  const s = Math.floor((t % MS_PER_MINUTE) / MS_PER_SECOND);
  const f = t % MS_PER_SECOND;
  return pad2(h) + ':' + pad2(mi) + ':' + pad2(s) + (f === 0 ? '' : '.' + pad3(f));
}

export function formatTimestamp(ms: number): string {
  const t = msOfDay(ms);
  const h = Math.floor(t / MS_PER_HOUR);
  const mi = Math.floor((t % MS_PER_HOUR) / MS_PER_MINUTE);
  const s = Math.floor((t % MS_PER_MINUTE) / MS_PER_SECOND);
  return formatDate(ms) + ' ' + pad2(h) + ':' + pad2(mi) + ':' + pad2(s) + '.' + pad3(t % MS_PER_SECOND);
}

/** Day-time interval text: `[-]D HH:MM:SS.fff`. */
export function formatInterval(ms: number): string {
  const neg = ms < 0;
  const a = Math.abs(ms);
  const d = Math.floor(a / MS_PER_DAY);
  const rest = a - d * MS_PER_DAY;
  const h = Math.floor(rest / MS_PER_HOUR);
  const mi = Math.floor((rest % MS_PER_HOUR) / MS_PER_MINUTE);
  const s = Math.floor((rest % MS_PER_MINUTE) / MS_PER_SECOND);
  return (neg ? '-' : '') + d + ' ' + pad2(h) + ':' + pad2(mi) + ':' + pad2(s) + '.' + pad3(rest % MS_PER_SECOND);
}

const DATE_RE = /^([+-]?\d{1,6})-(\d{1,2})-(\d{1,2})$/;
const TIME_RE = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?$/;
const TIMESTAMP_RE =
  /^([+-]?\d{1,6})-(\d{1,2})-(\d{1,2})(?:(?:[ T]+)(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function fail(text: string, type: string): never {
  const shown = text.length > 200 ? text.slice(0, 200) + '...' : text;
  throw new SqlRuntimeError('CONVERSION_FAILED', `cannot convert '${shown}' to ${type}`);
}

function checkedDate(text: string, type: string, y: number, m: number, d: number): number {
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) fail(text, type);
  return daysFromCivil(y, m, d) * MS_PER_DAY;
}

function checkedTime(text: string, type: string, h: number, mi: number, s: number, frac: string | undefined): number {
  if (h > 23 || mi > 59 || s > 59) fail(text, type);
  const ms = frac ? Math.floor(Number((frac + '00').slice(0, 3))) : 0;
  return h * MS_PER_HOUR + mi * MS_PER_MINUTE + s * MS_PER_SECOND + ms;
}

/** 'YYYY-MM-DD' → epoch ms at midnight UTC. */
export function parseDate(text: string): number {
  const m = DATE_RE.exec(text.trim());
  if (!m) fail(text, 'DATE');
  return checkedDate(text, 'DATE', +m[1]!, +m[2]!, +m[3]!);
}

/** 'HH:MM[:SS[.fff]]' → ms since midnight (digits after the milliseconds are dropped). */
export function parseTime(text: string): number {
  const m = TIME_RE.exec(text.trim());
  if (!m) fail(text, 'TIME');
  return checkedTime(text, 'TIME', +m[1]!, +m[2]!, m[3] ? +m[3] : 0, m[4]);
}

/**
 * 'YYYY-MM-DD[ HH:MM[:SS[.fff]]]', also ISO 8601 with 'T' and a zone suffix ('Z', '+hh:mm', '+hhmm', '+hh'): epoch ms.
 */
export function parseTimestamp(text: string): number {
  const fast = parseCanonicalTimestamp(text);
  if (fast === fast) return fast; // not NaN
  const m = TIMESTAMP_RE.exec(text.trim());
  if (!m) fail(text, 'TIMESTAMP');
  let ms = checkedDate(text, 'TIMESTAMP', +m[1]!, +m[2]!, +m[3]!);
  if (m[4] !== undefined) ms += checkedTime(text, 'TIMESTAMP', +m[4], +m[5]!, m[6] ? +m[6] : 0, m[7]);
  const z = m[8];
  if (z && z.toUpperCase() !== 'Z') {
    const sign = z[0] === '-' ? -1 : 1;
    const digits = z.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2);
    const om = digits.length > 2 ? +digits.slice(2) : 0;
    if (oh > 23 || om > 59) fail(text, 'TIMESTAMP');
    ms -= sign * (oh * MS_PER_HOUR + om * MS_PER_MINUTE);
  }
  return ms;
}

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : NaN;
};
const num2 = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);

/** 'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD HH:MM:SS.fff' by fixed positions, else NaN (then the general parser runs). */
function parseCanonicalTimestamp(s: string): number {
  const n = s.length;
  if (n !== 19 && n !== 23) return NaN;
  if (s[4] !== '-' || s[7] !== '-' || (s[10] !== ' ' && s[10] !== 'T') || s[13] !== ':' || s[16] !== ':') return NaN;
  const y = num2(s, 0) * 100 + num2(s, 2);
  const mo = num2(s, 5);
  const d = num2(s, 8);
  const h = num2(s, 11);
  const mi = num2(s, 14);
  const sec = num2(s, 17);
  let ms = 0;
  if (n === 23) {
    if (s[19] !== '.') return NaN;
    ms = digit(s, 20) * 100 + num2(s, 21);
  }
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && h <= 23 && mi <= 59 && sec <= 59 && ms >= 0)) return NaN;
  return daysFromCivil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR + mi * MS_PER_MINUTE + sec * MS_PER_SECOND + ms;
}

const INTERVAL_RE = /^([+-])?\s*(?:(\d+)\s+)?(\d+):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?$/;
/** `[-]D HH:MM:SS[.fff]` or `[-]HH:MM:SS[.fff]` → ms. */
export function parseInterval(text: string): number {
  const m = INTERVAL_RE.exec(text.trim());
  if (!m) fail(text, 'INTERVAL');
  const mi = +m[4]!;
  const s = +m[5]!;
  if (mi > 59 || s > 59) fail(text, 'INTERVAL');
  const frac = m[6] ? Number((m[6] + '00').slice(0, 3)) : 0;
  const v = (m[2] ? +m[2] : 0) * MS_PER_DAY + +m[3]! * MS_PER_HOUR + mi * MS_PER_MINUTE + s * MS_PER_SECOND + frac;
  return m[1] === '-' ? -v : v;
}
