import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupAccumulator, respectsNulls, type AggregateSpec } from '../../../src/exec/aggregates/index.js';
import type { Value } from '../../../src/exec/values.js';
import { naive, same, spec, tolerance, type Row } from './naive.js';

const nullable = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 5 });
const ints = nullable(fc.integer({ min: -(2 ** 45), max: 2 ** 45 }));
const smallInts = nullable(fc.integer({ min: -1000, max: 1000 }));
const doubles = nullable(fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }));
const strings = nullable(fc.string({ maxLength: 6 }));
const bools = nullable(fc.boolean());
const bytes = nullable(fc.uint8Array({ maxLength: 5 }));

interface Case {
  label: string;
  spec: AggregateSpec;
  values: fc.Arbitrary<Value>;
}

const cases: Case[] = [
  { label: 'COUNT(*)', spec: spec('COUNT', 'INTEGER', 'BIGINT', { star: true }), values: ints },
  { label: 'COUNT(x)', spec: spec('COUNT', 'VARCHAR', 'BIGINT'), values: strings },
  { label: 'COUNT(DISTINCT x)', spec: spec('COUNT', 'INTEGER', 'BIGINT', { distinct: true }), values: nullable(fc.integer({ min: 0, max: 5 })) },
  { label: 'SUM(BIGINT) exact', spec: spec('SUM', 'BIGINT', 'BIGINT'), values: ints },
  { label: 'SUM(DOUBLE)', spec: spec('SUM', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'SUM(DISTINCT INTEGER)', spec: spec('SUM', 'INTEGER', 'BIGINT', { distinct: true }), values: nullable(fc.integer({ min: -3, max: 3 })) },
  { label: 'SUM(REAL)', spec: spec('SUM', 'REAL', 'REAL'), values: nullable(fc.integer({ min: -1000, max: 1000 }).map((x) => Math.fround(x / 8))) },
  { label: 'AVG(INTEGER) truncates', spec: spec('AVG', 'INTEGER', 'INTEGER'), values: smallInts },
  { label: 'AVG(DOUBLE)', spec: spec('AVG', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'MIN(DOUBLE)', spec: spec('MIN', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'MAX(TIMESTAMP)', spec: spec('MAX', 'TIMESTAMP', 'TIMESTAMP'), values: ints },
  { label: 'MIN(VARCHAR)', spec: spec('MIN', 'VARCHAR', 'VARCHAR'), values: strings },
  { label: 'MAX(VARCHAR)', spec: spec('MAX', 'VARCHAR', 'VARCHAR'), values: strings },
  { label: 'MAX(BOOLEAN)', spec: spec('MAX', 'BOOLEAN', 'BOOLEAN'), values: bools },
  { label: 'MIN(VARBINARY)', spec: spec('MIN', 'VARBINARY', 'VARBINARY'), values: bytes },
  { label: 'FIRST_VALUE(DOUBLE)', spec: spec('FIRST_VALUE', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'FIRST_VALUE(x) IGNORE NULLS', spec: spec('FIRST_VALUE', 'VARCHAR', 'VARCHAR', { ignoreNulls: true }), values: strings },
  { label: 'LAST_VALUE(VARCHAR)', spec: spec('LAST_VALUE', 'VARCHAR', 'VARCHAR'), values: strings },
  { label: 'LAST_VALUE(x) IGNORE NULLS', spec: spec('LAST_VALUE', 'INTEGER', 'INTEGER', { ignoreNulls: true }), values: ints },
  { label: 'LAST_VALUE(VARBINARY)', spec: spec('LAST_VALUE', 'VARBINARY', 'VARBINARY'), values: bytes },
  { label: 'EXP_AVG', spec: spec('EXP_AVG', 'DOUBLE', 'DOUBLE', { params: [1000] }), values: doubles },
  { label: 'VAR_POP', spec: spec('VAR_POP', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'VAR_SAMP', spec: spec('VAR_SAMP', 'INTEGER', 'DOUBLE'), values: smallInts },
  { label: 'STDDEV_POP', spec: spec('STDDEV_POP', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'STDDEV_SAMP', spec: spec('STDDEV_SAMP', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'STDDEV', spec: spec('STDDEV', 'INTEGER', 'DOUBLE'), values: smallInts },
  { label: 'ANY', spec: spec('ANY', 'BOOLEAN', 'BOOLEAN'), values: bools },
  { label: 'EVERY', spec: spec('EVERY', 'BOOLEAN', 'BOOLEAN'), values: bools },
];

const SLOTS = 5;
type Op =
  | { op: 'add'; slot: number; v: Value; dt: number }
  | { op: 'clear'; slot: number }
  | { op: 'saveLoad'; slot: number; to: number }
  | { op: 'merge'; dst: number; src: number }
  | { op: 'batch'; rows: { slot: number; v: Value; dt: number }[]; from: number };

const opArb = (values: fc.Arbitrary<Value>): fc.Arbitrary<Op> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.record({ op: fc.constant('add' as const), slot: fc.nat(SLOTS - 1), v: values, dt: fc.nat(3000) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const), slot: fc.nat(SLOTS - 1) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('saveLoad' as const), slot: fc.nat(SLOTS - 1), to: fc.nat(SLOTS - 1) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('merge' as const), dst: fc.nat(SLOTS - 1), src: fc.nat(SLOTS - 1) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        op: fc.constant('batch' as const),
        rows: fc.array(fc.record({ slot: fc.nat(SLOTS - 1), v: values, dt: fc.nat(3000) }), { maxLength: 30 }),
        from: fc.nat(9),
      }),
    },
  );

describe('group accumulators against a naive computation', () => {
  for (const c of cases) {
    it(c.label, () => {
      fc.assert(
        fc.property(fc.array(opArb(c.values), { maxLength: 80, size: 'max' }), (ops) => {
          const acc = groupAccumulator(c.spec);
          acc.ensureCapacity(2);
          acc.ensureCapacity(SLOTS); // grows, keeps state
          const model: Row[][] = Array.from({ length: SLOTS }, () => []);
          let t = 1_700_000_000_000;
          const check = (slot: number) => {
            const want = naive(c.spec, model[slot]!);
            const got = acc.result(slot);
            if (!same(got, want, tolerance(c.spec, model[slot]!))) {
              throw new Error(`slot ${slot}: got ${String(got)}, want ${String(want)} over ${JSON.stringify(model[slot])}`);
            }
          };
          for (const o of ops) {
            switch (o.op) {
              case 'add': {
                t += o.dt;
                // COUNT(*) is called with undefined; the rest with the value (NULLs passed too: they are ignored
                // unless the function respects them).
                if (c.spec.star) acc.add(o.slot, undefined, t);
                else if (o.v === null && !respectsNulls(c.spec) && o.dt % 2 === 0) {
                  // the caller may also skip NULLs
                } else if (typeof o.v === 'number' && o.dt % 3 === 0) acc.addF64(o.slot, o.v, t);
                else acc.add(o.slot, o.v, t);
                model[o.slot]!.push({ v: o.v, t });
                check(o.slot);
                break;
              }
              case 'clear':
                acc.clear(o.slot);
                model[o.slot] = [];
                check(o.slot);
                break;
              case 'saveLoad': {
                const saved = JSON.parse(JSON.stringify(acc.save(o.slot)));
                acc.load(o.to, saved);
                model[o.to] = [...model[o.slot]!];
                check(o.to);
                break;
              }
              case 'batch': {
                // addF64Batch over a numeric column with an Arrow-style validity bitmap, rows [from, from + n)
                if (o.rows.some((r) => r.v !== null && typeof r.v !== 'number') || c.spec.star) break;
                const n = o.from + o.rows.length;
                const slots = new Int32Array(n);
                const xs = new Float64Array(n);
                const ts = new Float64Array(n);
                const valid = new Uint8Array((n + 7) >> 3);
                o.rows.forEach((r, j) => {
                  const i = o.from + j;
                  t += r.dt;
                  slots[i] = r.slot;
                  xs[i] = (r.v as number | null) ?? 0;
                  ts[i] = t;
                  if (r.v !== null) valid[i >> 3]! |= 1 << (i & 7);
                  model[r.slot]!.push({ v: r.v, t });
                });
                acc.addF64Batch(slots, xs, o.rows.some((r) => r.v === null) ? valid : null, ts, o.from, n);
                for (let sl = 0; sl < SLOTS; sl++) check(sl);
                break;
              }
              case 'merge':
                if (o.dst === o.src) break;
                acc.merge(o.dst, o.src);
                model[o.dst] = [...model[o.dst]!, ...model[o.src]!];
                check(o.dst);
                check(o.src);
                break;
            }
          }
          for (let s = 0; s < SLOTS; s++) check(s);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('empty groups give NULL, COUNT gives 0', () => {
    for (const c of cases) {
      const acc = groupAccumulator(c.spec);
      acc.ensureCapacity(3);
      expect(acc.result(2)).toBe(c.spec.name === 'COUNT' ? 0 : null);
    }
  });

  it('SUM of integers is exact beyond what a plain double sum keeps', () => {
    const acc = groupAccumulator(spec('SUM', 'BIGINT', 'BIGINT'));
    acc.ensureCapacity(1);
    for (const x of [2 ** 53 - 1, 1, -(2 ** 53 - 1), 3]) acc.add(0, x, 0);
    expect(acc.result(0)).toBe(4);
    const d = groupAccumulator(spec('SUM', 'DOUBLE', 'DOUBLE'));
    d.ensureCapacity(1);
    for (const x of [1e20, 1, -1e20]) d.add(0, x, 0);
    expect(d.result(0)).toBe(1);
  });

  it('variance is numerically stable with a large mean (Welford)', () => {
    const acc = groupAccumulator(spec('VAR_SAMP', 'DOUBLE', 'DOUBLE'));
    acc.ensureCapacity(1);
    for (const x of [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16]) acc.add(0, x, 0);
    expect(acc.result(0)).toBeCloseTo(30, 9);
  });

  it('EXP_AVG: a row one half-life older weighs half as much', () => {
    const acc = groupAccumulator(spec('EXP_AVG', 'DOUBLE', 'DOUBLE', { params: [10_000] }));
    acc.ensureCapacity(1);
    acc.add(0, 10, 0); // weight 1/2 at t = 10 s
    acc.add(0, 40, 10_000); // weight 1
    expect(acc.result(0)).toBeCloseTo((10 * 0.5 + 40) / 1.5, 12);
    // the KDA example: three 10 s sub-windows weigh 1 : 2 : 4
    const b = groupAccumulator(spec('EXP_AVG', 'DOUBLE', 'DOUBLE', { params: [10_000] }));
    b.ensureCapacity(1);
    b.add(0, 1, 0);
    b.add(0, 2, 10_000);
    b.add(0, 4, 20_000);
    expect(b.result(0)).toBeCloseTo((1 * 0.25 + 2 * 0.5 + 4) / 1.75, 12);
  });

  it('save() is JSON-safe for NaN, Infinity, -0 and bytes', () => {
    const s = groupAccumulator(spec('SUM', 'DOUBLE', 'DOUBLE'));
    s.ensureCapacity(2);
    s.add(0, Infinity, 0);
    s.load(1, JSON.parse(JSON.stringify(s.save(0))));
    expect(s.result(1)).toBe(Infinity);
    const m = groupAccumulator(spec('MIN', 'DOUBLE', 'DOUBLE'));
    m.ensureCapacity(2);
    m.add(0, -0, 0);
    m.load(1, JSON.parse(JSON.stringify(m.save(0))));
    expect(Object.is(m.result(1), -0)).toBe(true);
    const b = groupAccumulator(spec('MAX', 'VARBINARY', 'VARBINARY'));
    b.ensureCapacity(2);
    b.add(0, new Uint8Array([1, 2, 255]), 0);
    b.load(1, JSON.parse(JSON.stringify(b.save(0))));
    expect(b.result(1)).toEqual(new Uint8Array([1, 2, 255]));
  });

  it('a million groups live in typed arrays', () => {
    const acc = groupAccumulator(spec('AVG', 'DOUBLE', 'DOUBLE'));
    acc.ensureCapacity(1_000_000);
    for (let i = 0; i < 1_000_000; i++) acc.addF64(i, i, 0);
    expect(acc.result(999_999)).toBe(999_999);
  });

  it('rejects unknown aggregates', () => {
    expect(() => groupAccumulator(spec('MEDIAN', 'DOUBLE', 'DOUBLE'))).toThrow(/MEDIAN/);
    expect(() => groupAccumulator(spec('EXP_AVG', 'DOUBLE', 'DOUBLE'))).toThrow(/half-life/);
  });
});
