/**
 * Comparing the rows an application emitted with the rows a golden case expects (`sluice test`):
 * - timestamps are compared as instants (ISO-8601, `YYYY-MM-DD HH:MM:SS.fff`, or epoch ms in the file);
 * - numbers with a relative tolerance of 1e-6 (NaN equals "NaN", infinities their strings);
 * - rows are grouped by their key (ROWTIME for streams, DATA_ROWTIME for error_stream): the groups must come in the
 *   same order, and rows within a group are compared as a multiset (their order among equal ROWTIMEs is free).
 * The result is a list of differences ready to print, expected rows with `-`, actual rows with `+`.
 */
import type { ColumnDef, Row } from '../../exec/arrow.js';
import type { Value } from '../../exec/values.js';
import type { SqlType } from '../../sql/bind/types.js';
import { formatRow, formatValue, parseInstant, parseTimeOfDay } from './values.js';

export const RELATIVE_TOLERANCE = 1e-6;

export interface CompareOptions {
  /** The column rows are grouped by: ROWTIME (default) or DATA_ROWTIME for error_stream. */
  key?: string;
  /** Compare only these columns (error_stream: ERROR_NAME and DATA_ROWTIME); default every column of both rows. */
  only?: string[];
  /** Whether groups must appear in non-decreasing key order in both lists (default true). */
  ordered?: boolean;
}

export interface Comparison {
  ok: boolean;
  expectedCount: number;
  actualCount: number;
  /** Human-readable lines: `- {expected row}` / `+ {actual row}` and notes. */
  diff: string[];
}

const TIMESTAMP_T = { kind: 'TIMESTAMP' } as SqlType;

/** Whether an expected value from a file matches an actual value of a column of type `type`. */
export function valueMatches(expected: unknown, actual: Value | undefined, type: SqlType | undefined): boolean {
  if (actual === null || actual === undefined) return expected === null;
  if (expected === null || expected === undefined) return false;
  if (actual instanceof Uint8Array) return typeof expected === 'string' && expected.toLowerCase() === String(formatValue(actual, type));
  if (typeof actual === 'number') {
    if (type?.kind === 'TIMESTAMP' || type?.kind === 'DATE') return parseInstant(expected) === actual;
    if (type?.kind === 'TIME') return parseTimeOfDay(expected) === actual;
    let e: number;
    if (typeof expected === 'number') e = expected;
    else if (typeof expected === 'string') {
      e = /^\s*[-+]?(\d|\.\d|NaN|Infinity)/.test(expected) && !/^\d{4}-\d{2}-\d{2}/.test(expected.trim()) ? Number(expected) : (parseInstant(expected) ?? NaN);
      if (Number.isNaN(e)) return Number.isNaN(actual) && expected.trim() === 'NaN';
    } else return false;
    if (Number.isNaN(actual)) return Number.isNaN(e);
    if (e === actual) return true;
    return Number.isFinite(e) && Number.isFinite(actual) && Math.abs(e - actual) <= RELATIVE_TOLERANCE * Math.max(Math.abs(e), Math.abs(actual));
  }
  return expected === actual;
}

function rowMatches(expected: Record<string, unknown>, actual: Row, types: Map<string, SqlType>, only: string[] | undefined): boolean {
  const names = only ?? [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
  for (const name of names) {
    if (!(name in expected) || !(name in actual)) {
      if (only && !(name in expected) && !(name in actual)) continue;
      return false;
    }
    if (!valueMatches(expected[name], actual[name], types.get(name))) return false;
  }
  return true;
}

interface Keyed<T> {
  key: number | null;
  row: T;
}

function keyOfExpected(row: Record<string, unknown>, key: string): number | null | undefined {
  const v = row[key];
  return v === null || v === undefined ? null : parseInstant(v);
}

/** Compare `actual` rows (from the engine) with `expected` rows (parsed from a file). */
export function compareRows(expected: Record<string, unknown>[], actual: Row[], columns: readonly ColumnDef[] | undefined, options: CompareOptions = {}): Comparison {
  const key = options.key ?? 'ROWTIME';
  const ordered = options.ordered ?? true;
  const types = new Map((columns ?? []).map((c) => [c.name, c.type] as const));
  const shown: ColumnDef[] = [...(columns ?? [])];
  if (!types.has(key)) {
    types.set(key, TIMESTAMP_T);
    shown.push({ name: key, type: TIMESTAMP_T });
  }
  const diff: string[] = [];
  // With `only`, rows are shown by the compared columns alone.
  const pick = (r: Record<string, unknown>) => (options.only ? Object.fromEntries(options.only.filter((k) => k in r).map((k) => [k, r[k]])) : r);
  const show = (r: Record<string, unknown>) => JSON.stringify(pick(r));
  const exp: Keyed<Record<string, unknown>>[] = [];
  expected.forEach((row, i) => {
    const k = keyOfExpected(row, key);
    if (k === undefined) diff.push(`! expected row ${i + 1}: ${key} ${JSON.stringify(row[key])} is not a time`);
    else exp.push({ key: k, row });
  });
  const act: Keyed<Row>[] = actual.map((row) => ({ key: row[key] === null || row[key] === undefined ? null : Number(row[key]), row }));
  if (ordered) {
    const firstDrop = <T,>(list: Keyed<T>[]) => list.findIndex((x, i) => i > 0 && x.key !== null && list[i - 1]!.key !== null && x.key < list[i - 1]!.key!);
    const e = firstDrop(exp);
    if (e >= 0) diff.push(`! expected rows are not in ${key} order (row ${e + 1} goes back in time)`);
    const a = firstDrop(act);
    if (a >= 0) diff.push(`! actual rows are not in ${key} order (row ${a + 1} goes back in time)`);
  }
  const groups = new Map<number | null, { exp: Record<string, unknown>[]; act: Row[] }>();
  const group = (k: number | null) => {
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { exp: [], act: [] }));
    return g;
  };
  for (const x of exp) group(x.key).exp.push(x.row);
  for (const x of act) group(x.key).act.push(x.row);
  const keys = [...groups.keys()].sort((a, b) => (a === null ? -1 : b === null ? 1 : a - b));
  for (const k of keys) {
    const g = groups.get(k)!;
    const used = new Array<boolean>(g.act.length).fill(false);
    const missing: Record<string, unknown>[] = [];
    for (const e of g.exp) {
      const j = g.act.findIndex((a, i) => !used[i] && rowMatches(e, a, types, options.only));
      if (j >= 0) used[j] = true;
      else missing.push(e);
    }
    const extra = g.act.filter((_, i) => !used[i]);
    for (const e of missing) diff.push(`- ${show(e)}`);
    for (const a of extra) diff.push(`+ ${show(formatRow(a, shown))}`);
  }
  return { ok: diff.length === 0, expectedCount: expected.length, actualCount: actual.length, diff };
}
