/**
 * Small helpers of the reference evaluator that the scalar library (src/exec/functions) does not cover: integer range
 * checks for aggregates, and reading interval and datetime literals. Every operator and function on values comes from
 * the library itself.
 */
import type { SqlType } from '../../../src/sql/bind/types.js';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, SqlRuntimeError } from '../../../src/exec/values.js';

export const INT_RANGE: Record<string, [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INTEGER: [-2147483648, 2147483647],
  BIGINT: [-9223372036854775808, 9223372036854775807],
};

export const isIntegerKind = (k: string): boolean => k in INT_RANGE;

/** Integer results must fit their type; otherwise the row goes to error_stream. */
export function checkRange(v: number, type: SqlType): number {
  const r = INT_RANGE[type.kind];
  if (r && (v < r[0] || v > r[1] || !Number.isFinite(v))) throw new SqlRuntimeError('NUMERIC_OUT_OF_RANGE', `${v} does not fit ${type.kind}`);
  return v;
}

export const UNIT_MS: Record<string, number> = { DAY: MS_PER_DAY, HOUR: MS_PER_HOUR, MINUTE: MS_PER_MINUTE, SECOND: MS_PER_SECOND };

/** `INTERVAL '1:30' MINUTE TO SECOND` → milliseconds. */
export function intervalMs(text: string, unit: string, toUnit: string | undefined, negative: boolean): number {
  let s = text.trim();
  let sign = negative ? -1 : 1;
  if (s.startsWith('-')) {
    sign = -sign;
    s = s.slice(1);
  } else if (s.startsWith('+')) s = s.slice(1);
  const order = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];
  if (unit === 'YEAR' || unit === 'MONTH') throw new Error('reference: year-month intervals are not supported');
  const from = order.indexOf(unit);
  const to = toUnit ? order.indexOf(toUnit) : from;
  const parts = s.split(/[ :]/);
  if (parts.length !== to - from + 1) throw new Error(`reference: bad interval '${text}' ${unit}${toUnit ? ' TO ' + toUnit : ''}`);
  let ms = 0;
  parts.forEach((p, i) => {
    ms += Number(p) * UNIT_MS[order[from + i]!]!;
  });
  return sign * Math.round(ms);
}

export function parseTimestamp(text: string): number {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*$/.exec(text);
  if (!m) throw new SqlRuntimeError('CONVERSION_FAILED', `'${text}' is not a TIMESTAMP`);
  const frac = m[7] ? Math.floor(Number(('0.' + m[7])) * 1000 + 1e-9) : 0;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), frac);
}

export function parseDate(text: string): number {
  const m = /^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$/.exec(text);
  if (!m) throw new SqlRuntimeError('CONVERSION_FAILED', `'${text}' is not a DATE`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

export function parseTime(text: string): number {
  const m = /^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?\s*$/.exec(text);
  if (!m) throw new SqlRuntimeError('CONVERSION_FAILED', `'${text}' is not a TIME`);
  const frac = m[4] ? Math.floor(Number('0.' + m[4]) * 1000 + 1e-9) : 0;
  return Number(m[1]) * MS_PER_HOUR + Number(m[2]) * MS_PER_MINUTE + Number(m[3] ?? 0) * MS_PER_SECOND + frac;
}

