import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqlRuntimeError } from '../../../src/exec/values.js';
import { T, fn } from './helpers.js';

/** The result, or the error name. */
function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (e instanceof SqlRuntimeError) return e.errorName;
    throw e;
  }
}

describe('properties', () => {
  it('INTEGER + - * / agree with exact BigInt arithmetic and the INTEGER range', () => {
    const int = fc.integer();
    for (const op of ['+', '-', '*', '/'] as const) {
      const f = fn(op, [T.INTEGER, T.INTEGER], T.INTEGER);
      fc.assert(
        fc.property(int, int, (a, b) => {
          const x = BigInt(a);
          const y = BigInt(b);
          let want: unknown;
          if (op === '/' && b === 0) want = 'DIVISION_BY_ZERO';
          else {
            const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y; // BigInt division truncates
            want = r < -2147483648n || r > 2147483647n ? 'NUMERIC_OUT_OF_RANGE' : Number(r);
          }
          expect(outcome(() => f(a, b))).toBe(want);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('SUBSTRING matches its definition by positions', () => {
    const sub = fn('SUBSTRING', [T.VARCHAR(), T.INTEGER, T.INTEGER], T.VARCHAR());
    fc.assert(
      fc.property(fc.string({ maxLength: 10 }), fc.integer({ min: -12, max: 12 }), fc.nat(12), (s, start, len) => {
        let want = '';
        for (let p = start; p < start + len; p++) if (p >= 1 && p <= s.length) want += s[p - 1];
        expect(sub(s, start, len)).toBe(want);
      }),
    );
  });

  it('OVERLAY(s PLACING r FROM f FOR l) = SUBSTRING(s, 1, f-1) || r || SUBSTRING(s, f+l)', () => {
    const ov = fn('OVERLAY', [T.VARCHAR(), T.VARCHAR(), T.INTEGER, T.INTEGER], T.VARCHAR());
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), fc.string({ maxLength: 3 }), fc.integer({ min: 1, max: 10 }), fc.nat(10), (s, r, f, l) => {
        expect(ov(s, r, f, l)).toBe(s.slice(0, f - 1) + r + s.slice(f - 1 + l));
      }),
    );
  });

  it('FLOOR_TO <= value < CEIL_TO + unit, and both are on unit boundaries', () => {
    const floor = fn('FLOOR_TO', [T.TIMESTAMP, T.VARCHAR()], T.TIMESTAMP);
    const ceil = fn('CEIL_TO', [T.TIMESTAMP, T.VARCHAR()], T.TIMESTAMP);
    const units = fc.constantFrom('YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND');
    fc.assert(
      fc.property(fc.integer({ min: -1e13, max: 1e13 }), units, (ms, u) => {
        const f = floor(ms, u) as number;
        const c = ceil(ms, u) as number;
        expect(f <= ms && ms <= c).toBe(true);
        expect(floor(f, u)).toBe(f);
        expect(floor(c, u)).toBe(c);
        expect(c === ms || c > f).toBe(true);
      }),
    );
  });
});
