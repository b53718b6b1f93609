/**
 * Date/time built-ins and operators. TIMESTAMP and DATE are epoch ms UTC, TIME ms since midnight, INTERVAL ms.
 * - TSDIFF(a, b) = a - b in ms (TIMESTAMPs or epoch-ms BIGINTs). UNIX_TIMESTAMP(t) = t in ms. TO_TIMESTAMP(ms) = ms.
 * - CHAR_TO_TIMESTAMP/DATE/TIME(format, s) parse with a Java SimpleDateFormat pattern (java-date-format.ts); DATE keeps
 *   the day (time of day dropped), TIME the time of day. DATE_TO_CHAR / TIME_TO_CHAR / TIMESTAMP_TO_CHAR(format, t).
 * - FLOOR_TO / CEIL_TO(value, unit): TIMESTAMP/DATE to YEAR, MONTH, DAY, HOUR, MINUTE, SECOND boundaries; TIME to
 *   DAY (0), HOUR, MINUTE, SECOND; INTERVAL to a multiple of DAY, HOUR, MINUTE, SECOND (floor towards -infinity).
 * - STEP(value, width): floor(value / width) * width (from the epoch for datetimes); width must be positive.
 * - EXTRACT(unit, value): YEAR, MONTH, DAY, HOUR, MINUTE, SECOND (whole seconds) of a TIMESTAMP/DATE/TIME (units a TIME
 *   or DATE lacks give 0 for a DATE's time fields and INVALID_ARGUMENT for a TIME's date fields); of an INTERVAL: DAY is
 *   the whole days, HOUR 0-23, MINUTE and SECOND 0-59, each with the interval's sign; YEAR and MONTH are 0.
 * - INTERVAL_QUALIFIED(ms, unit): truncated towards zero to whole DAYs, HOURs, MINUTEs; SECOND keeps the ms. YEAR/MONTH
 *   (not day-time units) give INVALID_ARGUMENT.
 * - Temporal predicates (s1, e1, s2, e2) on periods [s, e] (a period given end-first is swapped, as SQL's OVERLAPS
 *   does). The seven standard ones follow SQL:2011 (and Calcite): CONTAINS s1<=s2 & e2<=e1; OVERLAPS s1<=e2 & s2<=e1;
 *   EQUALS; PRECEDES e1<=s2; SUCCEEDS s1>=e2; IMMEDIATELY PRECEDES e1=s2; IMMEDIATELY SUCCEEDS s1=e2. The KDA
 *   extensions, from the reference's pictures: LEADS s1<=s2 & s2<=e1 & e1<=e2 (starts no later, ends no later, and
 *   they meet); LAGS the mirror (s2<=s1 & s1<=e2 & e2<=e1); IMMEDIATELY LEADS s1<s2 & e1=e2; IMMEDIATELY LAGS
 *   s1=s2 & e1>e2; the STRICTLY forms use strict comparisons: STRICTLY CONTAINS s1<s2 & e2<e1; STRICTLY OVERLAPS
 *   s1<e2 & s2<e1; STRICTLY PRECEDES e1<s2; STRICTLY SUCCEEDS s1>e2; STRICTLY LEADS s1<s2 & s2<e1 & e1<e2;
 *   STRICTLY LAGS s2<s1 & s1<e2 & e2<e1.
 */
import type { SqlType } from '../../sql/bind/types.js';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SqlRuntimeError, type Value } from '../values.js';
import type { ScalarFunction } from './index.js';
import { javaDateFormat } from './java-date-format.js';
import { civil, dayNumber, daysFromCivil, msOfDay, toCivil } from './time.js';

function invalid(msg: string): never {
  throw new SqlRuntimeError('INVALID_ARGUMENT', msg);
}

const num = (v: Value) => v as number;
const str = (v: Value) => v as string;
const strict = (make: ScalarFunction['make']): ScalarFunction => ({ nulls: 'strict', make });

const UNIT_MS: Record<string, number> = { DAY: MS_PER_DAY, HOUR: MS_PER_HOUR, MINUTE: MS_PER_MINUTE, SECOND: MS_PER_SECOND };

function unitMs(unit: string, what: string): number {
  const u = UNIT_MS[unit];
  if (u === undefined) invalid(`${what} does not work with unit ${unit} here`);
  return u;
}

/** Floor a timestamp (epoch ms) to the start of its unit. */
export function floorTimestamp(ms: number, unit: string): number {
  if (unit === 'YEAR' || unit === 'MONTH') {
    toCivil(dayNumber(ms));
    return daysFromCivil(civil.year, unit === 'YEAR' ? 1 : civil.month, 1) * MS_PER_DAY;
  }
  const u = unitMs(unit, 'FLOOR');
  return Math.floor(ms / u) * u;
}

export function ceilTimestamp(ms: number, unit: string): number {
  const f = floorTimestamp(ms, unit);
  if (f === ms) return ms;
  if (unit === 'YEAR' || unit === 'MONTH') {
    toCivil(dayNumber(f));
    return daysFromCivil(civil.year + (unit === 'YEAR' ? 1 : 0), civil.month + (unit === 'MONTH' ? 1 : 0), 1) * MS_PER_DAY;
  }
  return f + UNIT_MS[unit]!;
}

function floorTo(kind: string, ceil: boolean): (v: Value, unit: Value) => Value {
  if (kind === 'INTERVAL') {
    return (v, unit) => {
      const u = unitMs(str(unit), ceil ? 'CEIL on an interval' : 'FLOOR on an interval');
      return (ceil ? Math.ceil(num(v) / u) : Math.floor(num(v) / u)) * u + 0;
    };
  }
  if (kind === 'TIME') {
    return (v, unit) => {
      const u = str(unit);
      if (u === 'YEAR' || u === 'MONTH') invalid(`${ceil ? 'CEIL' : 'FLOOR'} of a TIME to ${u}`);
      const r = ceil ? ceilTimestamp(num(v), u) : floorTimestamp(num(v), u);
      return r >= MS_PER_DAY ? r - MS_PER_DAY : r;
    };
  }
  return ceil ? (v, unit) => ceilTimestamp(num(v), str(unit)) : (v, unit) => floorTimestamp(num(v), str(unit));
}

function extract(kind: string): (unit: Value, v: Value) => Value {
  if (kind === 'INTERVAL') {
    return (unit, v) => {
      const ms = num(v);
      const a = Math.abs(ms);
      const sign = ms < 0 ? -1 : 1;
      let r: number;
      switch (str(unit)) {
        case 'DAY':
          r = Math.floor(a / MS_PER_DAY);
          break;
        case 'HOUR':
          r = Math.floor(a / MS_PER_HOUR) % 24;
          break;
        case 'MINUTE':
          r = Math.floor(a / MS_PER_MINUTE) % 60;
          break;
        case 'SECOND':
          r = Math.floor(a / MS_PER_SECOND) % 60;
          break;
        case 'YEAR':
        case 'MONTH':
          r = 0;
          break;
        default:
          return invalid(`EXTRACT(${unit} FROM interval) is not supported`);
      }
      return r === 0 ? 0 : sign * r;
    };
  }
  const time = kind === 'TIME';
  return (unit, v) => {
    const ms = num(v);
    const u = str(unit);
    switch (u) {
      case 'YEAR':
      case 'MONTH':
      case 'DAY':
        if (time) invalid(`EXTRACT(${u} FROM a TIME)`);
        toCivil(dayNumber(ms));
        return u === 'YEAR' ? civil.year : u === 'MONTH' ? civil.month : civil.day;
      case 'HOUR':
        return Math.floor(msOfDay(ms) / MS_PER_HOUR);
      case 'MINUTE':
        return Math.floor((msOfDay(ms) % MS_PER_HOUR) / MS_PER_MINUTE);
      case 'SECOND':
        return Math.floor((msOfDay(ms) % MS_PER_MINUTE) / MS_PER_SECOND);
      default:
        return invalid(`EXTRACT(${u} FROM ...) is not supported`);
    }
  };
}

const kindOf = (t: SqlType | undefined) => t?.kind ?? 'TIMESTAMP';

type Pred = (s1: number, e1: number, s2: number, e2: number) => boolean;
const PREDICATES: Record<string, Pred> = {
  CONTAINS: (s1, e1, s2, e2) => s1 <= s2 && e2 <= e1,
  OVERLAPS: (s1, e1, s2, e2) => s1 <= e2 && s2 <= e1,
  EQUALS: (s1, e1, s2, e2) => s1 === s2 && e1 === e2,
  PRECEDES: (_s1, e1, s2) => e1 <= s2,
  SUCCEEDS: (s1, _e1, _s2, e2) => s1 >= e2,
  'IMMEDIATELY PRECEDES': (_s1, e1, s2) => e1 === s2,
  'IMMEDIATELY SUCCEEDS': (s1, _e1, _s2, e2) => s1 === e2,
  LEADS: (s1, e1, s2, e2) => s1 <= s2 && s2 <= e1 && e1 <= e2,
  LAGS: (s1, e1, s2, e2) => s2 <= s1 && s1 <= e2 && e2 <= e1,
  'STRICTLY CONTAINS': (s1, e1, s2, e2) => s1 < s2 && e2 < e1,
  'STRICTLY OVERLAPS': (s1, e1, s2, e2) => s1 < e2 && s2 < e1,
  'STRICTLY PRECEDES': (_s1, e1, s2) => e1 < s2,
  'STRICTLY SUCCEEDS': (s1, _e1, _s2, e2) => s1 > e2,
  'STRICTLY LEADS': (s1, e1, s2, e2) => s1 < s2 && s2 < e1 && e1 < e2,
  'STRICTLY LAGS': (s1, e1, s2, e2) => s2 < s1 && s1 < e2 && e2 < e1,
  'IMMEDIATELY LEADS': (s1, e1, s2, e2) => s1 < s2 && e1 === e2,
  'IMMEDIATELY LAGS': (s1, e1, s2, e2) => s1 === s2 && e1 > e2,
};

function temporal(p: Pred): ScalarFunction {
  return strict(() => (a, b, c, d) => {
    const x1 = num(a);
    const y1 = num(b);
    const x2 = num(c);
    const y2 = num(d);
    return p(x1 <= y1 ? x1 : y1, x1 <= y1 ? y1 : x1, x2 <= y2 ? x2 : y2, x2 <= y2 ? y2 : x2);
  });
}

export const DATETIME_FUNCTIONS: Record<string, ScalarFunction> = {
  TSDIFF: strict(() => (a, b) => num(a) - num(b)),
  UNIX_TIMESTAMP: strict(() => (t) => t),
  TO_TIMESTAMP: strict(() => (ms) => ms),
  CHAR_TO_TIMESTAMP: strict(() => (f, s) => javaDateFormat(str(f)).parse(str(s))),
  CHAR_TO_DATE: strict(() => (f, s) => {
    const ms = javaDateFormat(str(f)).parse(str(s));
    return ms - msOfDay(ms);
  }),
  CHAR_TO_TIME: strict(() => (f, s) => msOfDay(javaDateFormat(str(f)).parse(str(s)))),
  TIMESTAMP_TO_CHAR: strict(() => (f, t) => javaDateFormat(str(f)).format(num(t))),
  DATE_TO_CHAR: strict(() => (f, t) => javaDateFormat(str(f)).format(num(t))),
  TIME_TO_CHAR: strict(() => (f, t) => javaDateFormat(str(f)).format(num(t))),
  FLOOR_TO: strict((args) => floorTo(kindOf(args[0]), false)),
  CEIL_TO: strict((args) => floorTo(kindOf(args[0]), true)),
  STEP: strict(() => (v, w) => {
    const width = num(w);
    if (!(width > 0)) invalid(`STEP width must be positive, not ${w}`);
    return Math.floor(num(v) / width) * width + 0;
  }),
  EXTRACT: strict((args) => extract(kindOf(args[1]))),
  INTERVAL_QUALIFIED: strict(() => (v, unit) => {
    const u = str(unit);
    if (u === 'SECOND') return v;
    const ms = unitMs(u, 'an interval qualifier');
    return Math.trunc(num(v) / ms) * ms + 0;
  }),
};
for (const [name, p] of Object.entries(PREDICATES)) DATETIME_FUNCTIONS[name] = temporal(p);
