/** The comparison rules of `sluice test` (src/cli/apptest/compare.ts). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareRows, valueMatches } from '../../src/cli/apptest/compare.js';
import { formatRow, parseInstant } from '../../src/cli/apptest/values.js';
import type { ColumnDef, Row } from '../../src/exec/arrow.js';
import { t } from '../../src/sql/bind/types.js';

const cols: ColumnDef[] = [
  { name: 'ROWTIME', type: t('TIMESTAMP') },
  { name: 'K', type: t('VARCHAR', 4) },
  { name: 'N', type: t('DOUBLE') },
  { name: 'D', type: t('DATE') },
];
const T0 = Date.UTC(2026, 0, 1, 11, 0, 0);

describe('values', () => {
  it('reads instants in every accepted spelling', () => {
    for (const s of ['2026-01-01T11:00:00Z', '2026-01-01T11:00:00.000Z', '2026-01-01 11:00:00.000', '2026-01-01 11:00:00', '2026-01-01T12:00:00+01:00', T0]) {
      expect(parseInstant(s), String(s)).toBe(T0);
    }
    expect(parseInstant('yesterday')).toBeUndefined();
  });

  it('numbers match within a relative 1e-6, NaN and infinities by name', () => {
    const dbl = t('DOUBLE');
    expect(valueMatches(84.51, Math.fround(84.51), t('REAL'))).toBe(true);
    expect(valueMatches(100, 100.00001, dbl)).toBe(true);
    expect(valueMatches(100, 100.001, dbl)).toBe(false);
    expect(valueMatches('NaN', NaN, dbl)).toBe(true);
    expect(valueMatches('Infinity', Infinity, dbl)).toBe(true);
    expect(valueMatches(0, 0, dbl)).toBe(true);
    expect(valueMatches(null, 0, dbl)).toBe(false);
    expect(valueMatches(0, null, dbl)).toBe(false);
    expect(valueMatches('2026-01-01', Date.UTC(2026, 0, 1), t('DATE'))).toBe(true);
    expect(valueMatches('11:00:01.5', 39_601_500, t('TIME'))).toBe(true);
  });
});

describe('compareRows', () => {
  const row = (sec: number, k: string, n: number): Row => ({ ROWTIME: T0 + sec * 1000, K: k, N: n, D: Date.UTC(2026, 0, 1) });
  const file = (r: Row) => JSON.parse(JSON.stringify(formatRow(r, cols))) as Record<string, unknown>;
  const arbRows = fc.array(fc.record({ sec: fc.integer({ min: 0, max: 5 }), k: fc.constantFrom('A', 'B', 'C'), n: fc.double({ min: -1e6, max: 1e6, noNaN: true }) }), { maxLength: 30 })
    .map((xs) => xs.sort((a, b) => a.sec - b.sec).map((x) => row(x.sec, x.k, x.n)));

  it('a file written from rows matches them, in any order among equal ROWTIMEs', () => {
    fc.assert(
      fc.property(arbRows, fc.integer(), (rows, seed) => {
        const expected = rows.map(file);
        // shuffle within each ROWTIME group
        const shuffled = [...rows].map((r, i) => ({ r, key: Number(r.ROWTIME), tie: (i * 7919 + seed) % 101 })).sort((a, b) => a.key - b.key || a.tie - b.tie).map((x) => x.r);
        expect(compareRows(expected, shuffled, cols).diff).toEqual([]);
      }),
    );
  });

  it('a changed value, a missing row or an extra row is reported with - and +', () => {
    fc.assert(
      fc.property(arbRows.filter((r) => r.length > 0), fc.nat(), (rows, pick) => {
        const i = pick % rows.length;
        const changed = rows.map((r, j) => (j === i ? { ...r, N: (r.N as number) * 1.01 + 1 } : r));
        const c = compareRows(rows.map(file), changed, cols);
        expect(c.ok).toBe(false);
        expect(c.diff.filter((l) => l.startsWith('- '))).toHaveLength(1);
        expect(c.diff.filter((l) => l.startsWith('+ '))).toHaveLength(1);
        expect(compareRows(rows.map(file), rows.slice(1), cols).diff.filter((l) => l.startsWith('- '))).toHaveLength(1);
        expect(compareRows(rows.slice(1).map(file), rows, cols).diff.filter((l) => l.startsWith('+ '))).toHaveLength(1);
      }),
    );
  });

  it('order across ROWTIMEs matters; a missing column is a difference', () => {
    const rows = [row(1, 'A', 1), row(2, 'B', 2)];
    const reversed = compareRows([rows[1]!, rows[0]!].map(file), rows, cols);
    expect(reversed.ok).toBe(false);
    expect(reversed.diff[0]).toMatch(/expected rows are not in ROWTIME order/);
    const { N: _n, ...noN } = file(rows[0]!);
    expect(compareRows([noN, file(rows[1]!)], rows, cols).ok).toBe(false);
  });

  it('error_stream: only ERROR_NAME and DATA_ROWTIME, in any order', () => {
    const errs: Row[] = [
      { ERROR_TIME: 5, ERROR_NAME: 'DIVISION_BY_ZERO', DATA_ROWTIME: T0 + 2000, MESSAGE: 'x' },
      { ERROR_TIME: 6, ERROR_NAME: 'DIVISION_BY_ZERO', DATA_ROWTIME: T0 + 1000, MESSAGE: 'y' },
    ];
    const opts = { key: 'DATA_ROWTIME', only: ['ERROR_NAME', 'DATA_ROWTIME'], ordered: false };
    const expected = [
      { ERROR_NAME: 'DIVISION_BY_ZERO', DATA_ROWTIME: '2026-01-01 11:00:01.000', MESSAGE: 'anything' },
      { ERROR_NAME: 'DIVISION_BY_ZERO', DATA_ROWTIME: '2026-01-01T11:00:02Z' },
    ];
    expect(compareRows(expected, errs, undefined, opts).diff).toEqual([]);
    const wrong = compareRows([{ ...expected[0]!, ERROR_NAME: 'OTHER' }, expected[1]!], errs, undefined, opts);
    expect(wrong.diff).toEqual(['- {"ERROR_NAME":"OTHER","DATA_ROWTIME":"2026-01-01 11:00:01.000"}', '+ {"ERROR_NAME":"DIVISION_BY_ZERO","DATA_ROWTIME":"2026-01-01 11:00:01.000"}']);
  });
});
