/**
 * Comparing query outputs: as multisets of rows, numbers equal within a relative tolerance; and as streams, where
 * the sequence of ROWTIMEs must agree and rows with equal ROWTIME form a multiset.
 */
import type { Row } from '../../../src/exec/arrow.js';
import type { Value } from '../../../src/exec/values.js';

export const REL_TOL = 1e-9;

export function valueClose(a: Value | undefined, b: Value | undefined, tol = REL_TOL): boolean {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (a === null || b === null) return a === b;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (a === b) return true;
    return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
  }
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

export function rowClose(a: Row, b: Row, tol = REL_TOL): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!valueClose(a[k], b[k], tol)) return false;
  return true;
}

const show = (r: Row) => JSON.stringify(r, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));

/** Undefined when `actual` and `expected` hold the same rows (any order); else a description of the difference. */
export function multisetDiff(actual: readonly Row[], expected: readonly Row[], tol = REL_TOL): string | undefined {
  const unmatched = [...actual];
  const missing: Row[] = [];
  for (const e of expected) {
    const i = unmatched.findIndex((a) => rowClose(a, e, tol));
    if (i < 0) missing.push(e);
    else unmatched.splice(i, 1);
  }
  if (missing.length === 0 && unmatched.length === 0) return undefined;
  return [
    `${actual.length} rows, expected ${expected.length}`,
    ...missing.slice(0, 5).map((r) => `  missing: ${show(r)}`),
    ...unmatched.slice(0, 5).map((r) => `  unexpected: ${show(r)}`),
  ].join('\n');
}

/** Stream outputs: same ROWTIME sequence (non-decreasing), rows of equal ROWTIME equal as multisets. */
export function streamDiff(actual: readonly Row[], expected: readonly Row[], tol = REL_TOL): string | undefined {
  for (const [what, rows] of [['actual', actual], ['expected', expected]] as const) {
    for (let i = 1; i < rows.length; i++) {
      if ((rows[i]!.ROWTIME as number) < (rows[i - 1]!.ROWTIME as number)) return `${what} ROWTIME decreases at row ${i}: ${show(rows[i - 1]!)} then ${show(rows[i]!)}`;
    }
  }
  const byTime = (rows: readonly Row[]) => {
    const m = new Map<number, Row[]>();
    for (const r of rows) {
      const t = r.ROWTIME as number;
      if (!m.has(t)) m.set(t, []);
      m.get(t)!.push(r);
    }
    return m;
  };
  const a = byTime(actual);
  const e = byTime(expected);
  const times = [...new Set([...a.keys(), ...e.keys()])].sort((x, y) => x - y);
  for (const t of times) {
    const d = multisetDiff(a.get(t) ?? [], e.get(t) ?? [], tol);
    if (d) return `at ROWTIME ${t} (${new Date(t).toISOString()}): ${d}`;
  }
  return undefined;
}
