import { describe, expect, it } from 'vitest';
import { SCALAR_FUNCTIONS, compareValues } from '../../../src/exec/functions/index.js';
import { BUILTIN_NAMES, builtin } from '../../../src/sql/bind/functions.js';
import { TEMPORAL_OPERATORS } from '../../../src/sql/ast.js';

describe('the registry', () => {
  it('has every scalar built-in of the binder except CURRENT_ROW_TIMESTAMP', () => {
    const scalars = BUILTIN_NAMES.filter((n) => builtin(n)?.kind === 'scalar' && n !== 'CURRENT_ROW_TIMESTAMP');
    expect(scalars.length).toBeGreaterThan(30);
    for (const n of scalars) expect(SCALAR_FUNCTIONS.has(n), n).toBe(true);
    expect(SCALAR_FUNCTIONS.has('CURRENT_ROW_TIMESTAMP')).toBe(false);
  });

  it('has the operators and temporal predicates', () => {
    const ops = ['+', '-', '*', '/', '%', 'NEG', '=', '<>', '<', '<=', '>', '>=', 'AND', 'OR', 'NOT', 'IS NULL', 'IS NOT NULL',
      'IS TRUE', 'IS NOT TRUE', 'IS FALSE', 'IS NOT FALSE', 'IS UNKNOWN', 'IS NOT UNKNOWN', '||', 'LIKE', 'SIMILAR TO', 'POSITION',
      'SUBSTRING_SIMILAR', 'TRIM', 'OVERLAY', 'FLOOR_TO', 'CEIL_TO', 'STEP', 'EXTRACT', 'INTERVAL_QUALIFIED', ...TEMPORAL_OPERATORS];
    for (const n of ops) expect(SCALAR_FUNCTIONS.has(n), n).toBe(true);
  });

  it('marks the null-aware functions lenient and the rest strict', () => {
    const lenient = ['COALESCE', 'NULLIF', 'AND', 'OR', 'NOT', 'IS NULL', 'IS NOT NULL', 'IS TRUE', 'IS NOT TRUE', 'IS FALSE',
      'IS NOT FALSE', 'IS UNKNOWN', 'IS NOT UNKNOWN'];
    for (const [name, f] of SCALAR_FUNCTIONS) expect(f.nulls, name).toBe(lenient.includes(name) ? 'lenient' : 'strict');
  });
});

describe('compareValues', () => {
  it('orders each kind of value', () => {
    expect(compareValues(1, 2)).toBeLessThan(0);
    expect(compareValues(2, 2)).toBe(0);
    expect(compareValues(NaN, Infinity)).toBeGreaterThan(0);
    expect(compareValues(NaN, NaN)).toBe(0);
    expect(compareValues('B', 'a')).toBeLessThan(0);
    expect(compareValues('\uD83D\uDE00', '\uFFFF')).toBeLessThan(0); // UTF-16 code units, not code points
    expect(compareValues('ab', 'a')).toBeGreaterThan(0);
    expect(compareValues(false, true)).toBeLessThan(0);
    expect(compareValues(true, true)).toBe(0);
    expect(compareValues(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBeLessThan(0);
    expect(compareValues(new Uint8Array([1, 2]), new Uint8Array([1]))).toBeGreaterThan(0);
    expect(compareValues(new Uint8Array([200]), new Uint8Array([100]))).toBeGreaterThan(0);
  });
});
