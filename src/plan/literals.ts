/**
 * Literal values of the AST in run-time form (values.ts): numbers, interval literals in milliseconds, datetime
 * literals in epoch milliseconds. Year–month intervals have no fixed length in milliseconds and are refused.
 */
import type * as A from '../sql/ast.js';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND } from '../exec/values.js';
import { PlanError } from './errors.js';

export const UNIT_MS: Record<A.TimeUnit, number> = {
  YEAR: NaN,
  MONTH: NaN,
  DAY: MS_PER_DAY,
  HOUR: MS_PER_HOUR,
  MINUTE: MS_PER_MINUTE,
  SECOND: MS_PER_SECOND,
};

const ORDER: A.TimeUnit[] = ['DAY', 'HOUR', 'MINUTE', 'SECOND'];

/** `INTERVAL '1:30' HOUR TO MINUTE` → 5,400,000. */
export function intervalMs(e: A.IntervalLiteral): number {
  if (e.unit === 'YEAR' || e.unit === 'MONTH') throw new PlanError(`${e.unit} intervals are not supported: only day-time intervals have a fixed length`, e.span);
  const units = ORDER.slice(ORDER.indexOf(e.unit), e.toUnit ? ORDER.indexOf(e.toUnit) + 1 : ORDER.indexOf(e.unit) + 1);
  const text = e.text.trim();
  const sign = text.startsWith('-') !== e.negative ? -1 : 1;
  const fields = text.replace(/^[-+]/, '').split(/[\s:]+/);
  if (fields.length !== units.length || fields.some((f) => !/^\d+(\.\d+)?$/.test(f))) {
    throw new PlanError(`interval '${e.text}' does not match ${e.unit}${e.toUnit ? ` TO ${e.toUnit}` : ''}`, e.span);
  }
  return sign * fields.reduce((ms, f, i) => ms + Number(f) * UNIT_MS[units[i]!], 0);
}

/** TIMESTAMP 'YYYY-MM-DD HH:MM:SS[.fff]', DATE 'YYYY-MM-DD', TIME 'HH:MM:SS[.fff]' → ms (UTC). */
export function datetimeMs(e: A.DatetimeLiteral): number {
  const m =
    e.type === 'TIME'
      ? /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?$/.exec(e.text.trim())
      : /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?$/.exec(e.text.trim());
  if (!m) throw new PlanError(`'${e.text}' is not a valid ${e.type} literal`, e.span);
  const n = (s: string | undefined) => (s === undefined ? 0 : Number(s));
  if (e.type === 'TIME') return ((n(m[1]) * 60 + n(m[2])) * 60 + n(m[3])) * 1000 + n(m[4]?.padEnd(3, '0'));
  const ms = Date.UTC(n(m[1]), n(m[2]) - 1, n(m[3]), n(m[4]), n(m[5]), n(m[6]), n(m[7]?.padEnd(3, '0')));
  return e.type === 'DATE' ? Math.floor(ms / MS_PER_DAY) * MS_PER_DAY : ms;
}

export function hexBytes(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}
