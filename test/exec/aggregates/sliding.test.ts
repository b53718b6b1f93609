import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlidingWindows, type AggregateSpec, type SlidingFrame } from '../../../src/exec/aggregates/index.js';
import type { Value } from '../../../src/exec/values.js';
import { naive, same, spec, tolerance, type Row } from './naive.js';

const nullable = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 4 });
const ints = nullable(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }));
const smallInts = nullable(fc.integer({ min: -50, max: 50 }));
const doubles = nullable(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }));
const strings = nullable(fc.string({ maxLength: 4 }));
const bools = nullable(fc.boolean());
const bytes = nullable(fc.uint8Array({ maxLength: 3 }));

interface Case {
  label: string;
  spec: AggregateSpec;
  values: fc.Arbitrary<Value>;
}

const cases: Case[] = [
  { label: 'COUNT(*)', spec: spec('COUNT', 'INTEGER', 'BIGINT', { star: true }), values: smallInts },
  { label: 'COUNT(x)', spec: spec('COUNT', 'VARCHAR', 'BIGINT'), values: strings },
  { label: 'SUM(BIGINT)', spec: spec('SUM', 'BIGINT', 'BIGINT'), values: ints },
  { label: 'SUM(DOUBLE)', spec: spec('SUM', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'AVG(INTEGER)', spec: spec('AVG', 'INTEGER', 'INTEGER'), values: smallInts },
  { label: 'AVG(DOUBLE)', spec: spec('AVG', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'MIN(DOUBLE)', spec: spec('MIN', 'DOUBLE', 'DOUBLE'), values: nullable(fc.integer({ min: -20, max: 20 })) },
  { label: 'MAX(DOUBLE)', spec: spec('MAX', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'MIN(VARCHAR)', spec: spec('MIN', 'VARCHAR', 'VARCHAR'), values: strings },
  { label: 'MAX(VARBINARY)', spec: spec('MAX', 'VARBINARY', 'VARBINARY'), values: bytes },
  { label: 'MAX(BOOLEAN)', spec: spec('MAX', 'BOOLEAN', 'BOOLEAN'), values: bools },
  { label: 'FIRST_VALUE', spec: spec('FIRST_VALUE', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'FIRST_VALUE IGNORE NULLS', spec: spec('FIRST_VALUE', 'VARCHAR', 'VARCHAR', { ignoreNulls: true }), values: strings },
  { label: 'LAST_VALUE', spec: spec('LAST_VALUE', 'VARCHAR', 'VARCHAR'), values: strings },
  { label: 'LAST_VALUE IGNORE NULLS', spec: spec('LAST_VALUE', 'INTEGER', 'INTEGER', { ignoreNulls: true }), values: smallInts },
  { label: 'NTH_VALUE(x, 2)', spec: spec('NTH_VALUE', 'INTEGER', 'INTEGER', { params: [2] }), values: smallInts },
  { label: 'NTH_VALUE(x, 3) FROM LAST IGNORE NULLS', spec: spec('NTH_VALUE', 'VARCHAR', 'VARCHAR', { params: [3], fromLast: true, ignoreNulls: true }), values: strings },
  { label: 'NTH_VALUE(x, 1) IGNORE NULLS', spec: spec('NTH_VALUE', 'DOUBLE', 'DOUBLE', { params: [1], ignoreNulls: true }), values: doubles },
  { label: 'LAG(x)', spec: spec('LAG', 'INTEGER', 'INTEGER', { params: [] }), values: smallInts },
  { label: 'LAG(x, 3, -1)', spec: spec('LAG', 'INTEGER', 'INTEGER', { params: [3, -1] }), values: smallInts },
  { label: 'LAG(x, 2) IGNORE NULLS', spec: spec('LAG', 'VARCHAR', 'VARCHAR', { params: [2, 'none'], ignoreNulls: true }), values: strings },
  { label: 'LAG(x, 0)', spec: spec('LAG', 'VARCHAR', 'VARCHAR', { params: [0] }), values: strings },
  { label: 'EXP_AVG', spec: spec('EXP_AVG', 'DOUBLE', 'DOUBLE', { params: [700] }), values: doubles },
  { label: 'VAR_POP', spec: spec('VAR_POP', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'VAR_SAMP', spec: spec('VAR_SAMP', 'INTEGER', 'DOUBLE'), values: smallInts },
  { label: 'STDDEV_POP', spec: spec('STDDEV_POP', 'DOUBLE', 'DOUBLE'), values: doubles },
  { label: 'STDDEV', spec: spec('STDDEV', 'INTEGER', 'DOUBLE'), values: smallInts },
  { label: 'ANY', spec: spec('ANY', 'BOOLEAN', 'BOOLEAN'), values: bools },
  { label: 'EVERY', spec: spec('EVERY', 'BOOLEAN', 'BOOLEAN'), values: bools },
];

/** The naive value of one aggregate for the frame ending at the last row of `frame`. */
function naiveSliding(s: AggregateSpec, frame: Row[]): Value {
  if (s.name === 'LAG') {
    const n = (s.params[0] as number | undefined) ?? 1;
    const dflt = s.params[1] ?? null;
    const cur = frame[frame.length - 1]!;
    if (n === 0) return cur.v;
    const before = frame.slice(0, -1).filter((r) => !s.ignoreNulls || r.v !== null);
    return before.length >= n ? before[before.length - n]!.v : dflt;
  }
  return naive(s, frame);
}

const frameArb: fc.Arbitrary<SlidingFrame> = fc.oneof(
  fc.record({ unit: fc.constant('RANGE' as const), ms: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4000 })) }),
  fc.record({ unit: fc.constant('ROWS' as const), rows: fc.integer({ min: 0, max: 12 }) }),
);

type Step = { kind: 'row'; p: number; dt: number; args: Value[] } | { kind: 'saveLoad' } | { kind: 'expire' };

const stepsArb = (gens: fc.Arbitrary<Value>[]) =>
  fc.array(
    fc.oneof(
      {
        weight: 30,
        arbitrary: fc.record({
          kind: fc.constant('row' as const),
          p: fc.nat(3),
          dt: fc.oneof(fc.constant(0), fc.nat(400), fc.nat(6000)),
          args: fc.tuple(...gens),
        }),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'saveLoad' as const }) },
      { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
    ),
    { maxLength: 120, size: 'max' },
  ) as fc.Arbitrary<Step[]>;

function run(frame: SlidingFrame, specs: AggregateSpec[], steps: Step[]): void {
  let w = new SlidingWindows({ frame, aggregates: specs });
  const hist: Row[][][] = Array.from({ length: 4 }, () => specs.map(() => []));
  let t = 1_700_000_000_000;
  const out: Value[] = [];
  for (const st of steps) {
    if (st.kind === 'saveLoad') {
      const saved = JSON.parse(JSON.stringify(w.save()));
      w = new SlidingWindows({ frame, aggregates: specs });
      w.load(saved);
      continue;
    }
    if (st.kind === 'expire') {
      w.expire(t, (p) => {
        const rows = hist[p]![0]!;
        if (frame.unit !== 'RANGE' || rows[rows.length - 1]!.t >= t - frame.ms) throw new Error(`dropped live partition ${p}`);
      });
      continue;
    }
    t += st.dt;
    w.push(st.p, t, st.args, out);
    specs.forEach((s, k) => {
      const all = hist[st.p]![k]!;
      all.push({ v: st.args[k]!, t });
      const f = frame.unit === 'RANGE' ? all.filter((r) => r.t >= t - frame.ms) : all.slice(-(frame.rows + 1));
      const want = naiveSliding(s, f);
      const tol = tolerance(s, all) * 4;
      if (!same(out[k]!, want, tol)) {
        throw new Error(`${s.name} row at ${t} (partition ${st.p}): got ${String(out[k])}, want ${String(want)}; frame ${JSON.stringify(f.map((r) => r.v))}`);
      }
    });
  }
}

describe('sliding windows against a naive recompute of each frame', () => {
  for (const c of cases) {
    it(c.label, () => {
      fc.assert(
        fc.property(frameArb, stepsArb([c.values]), (frame, steps) => run(frame, [c.spec], steps)),
        { numRuns: 120 },
      );
    });
  }

  it('many aggregates at once (shared ring buffer, several deques)', () => {
    const pick = [0, 2, 3, 6, 7, 8, 9, 12, 14, 16, 18, 20, 22, 23, 27].map((i) => cases[i]!);
    fc.assert(
      fc.property(frameArb, stepsArb(pick.map((c) => c.values)), (frame, steps) =>
        run(
          frame,
          pick.map((c) => c.spec),
          steps,
        ),
      ),
      { numRuns: 150 },
    );
  });

  it('a checkpoint (save, JSON, load) mid-stream gives bit-identical outputs', () => {
    const pick = [3, 5, 7, 22, 23, 24, 26].map((i) => cases[i]!);
    const specs = pick.map((c) => c.spec);
    fc.assert(
      fc.property(frameArb, stepsArb(pick.map((c) => c.values)), fc.nat(), (frame, steps, cut) => {
        const a = new SlidingWindows({ frame, aggregates: specs });
        let b = new SlidingWindows({ frame, aggregates: specs });
        let t = 0;
        const oa: Value[] = [];
        const ob: Value[] = [];
        steps.forEach((st, i) => {
          if (i === cut % Math.max(1, steps.length)) {
            const saved = JSON.parse(JSON.stringify(b.save()));
            b = new SlidingWindows({ frame, aggregates: specs });
            b.load(saved);
          }
          if (st.kind !== 'row') return;
          t += st.dt;
          a.push(st.p, t, st.args, oa);
          b.push(st.p, t, st.args, ob);
          for (let k = 0; k < specs.length; k++) if (!Object.is(oa[k], ob[k])) throw new Error(`${specs[k]!.name}: ${oa[k]} vs ${ob[k]}`);
        });
      }),
      { numRuns: 100 },
    );
  });

  it('empty frame of a non-NULL aggregate gives NULL, COUNT gives 0', () => {
    const w = new SlidingWindows({
      frame: { unit: 'RANGE', ms: 1000 },
      aggregates: [spec('COUNT', 'DOUBLE', 'BIGINT'), spec('SUM', 'DOUBLE', 'DOUBLE'), spec('MIN', 'DOUBLE', 'DOUBLE'), spec('COUNT', 'DOUBLE', 'BIGINT', { star: true })],
    });
    const out: Value[] = [];
    w.push(0, 0, [1, 1, 1, null], out);
    w.push(0, 5000, [null, null, null, null], out);
    expect(out).toEqual([0, null, null, 1]);
  });

  it('RANGE includes rows exactly `range` old; ROWS n holds n + 1 rows', () => {
    const r = new SlidingWindows({ frame: { unit: 'RANGE', ms: 10_000 }, aggregates: [spec('COUNT', 'INTEGER', 'BIGINT', { star: true })] });
    const out: Value[] = [];
    r.push(0, 0, [null], out);
    r.push(0, 10_000, [null], out);
    expect(out[0]).toBe(2);
    r.push(0, 10_001, [null], out);
    expect(out[0]).toBe(2);
    const rows = new SlidingWindows({ frame: { unit: 'ROWS', rows: 2 }, aggregates: [spec('SUM', 'INTEGER', 'BIGINT')] });
    for (const x of [1, 2, 3, 4]) rows.push(7, 0, [x], out);
    expect(out[0]).toBe(9);
  });

  it('expire drops idle RANGE partitions and a later row starts afresh', () => {
    const w = new SlidingWindows({ frame: { unit: 'RANGE', ms: 1000 }, aggregates: [spec('SUM', 'INTEGER', 'BIGINT')] });
    const out: Value[] = [];
    w.push(0, 0, [5], out);
    w.push(1, 900, [6], out);
    const dropped: number[] = [];
    expect(w.expire(1500, (p) => dropped.push(p))).toBe(1);
    expect(dropped).toEqual([0]);
    expect(w.partitions).toBe(1);
    w.push(0, 1600, [1], out);
    expect(out[0]).toBe(1);
  });

  it('rejects DISTINCT and bad parameters', () => {
    const f = { unit: 'ROWS' as const, rows: 3 };
    expect(() => new SlidingWindows({ frame: f, aggregates: [spec('SUM', 'INTEGER', 'BIGINT', { distinct: true })] })).toThrow(/DISTINCT/);
    expect(() => new SlidingWindows({ frame: f, aggregates: [spec('NTH_VALUE', 'INTEGER', 'INTEGER', { params: [0] })] })).toThrow();
    expect(() => new SlidingWindows({ frame: f, aggregates: [spec('EXP_AVG', 'INTEGER', 'DOUBLE', { params: [] })] })).toThrow();
  });
});

describe('per-row cost does not grow with the window', () => {
  it('bursts grow the ring buffers and quiet periods shrink them, results unchanged', () => {
    const pick = [3, 7, 12, 17, 20].map((i) => cases[i]!);
    const specs = pick.map((c) => c.spec);
    fc.assert(
      fc.property(
        fc.array(fc.record({ burst: fc.integer({ min: 1, max: 400 }), gap: fc.integer({ min: 0, max: 3000 }) }), { minLength: 1, maxLength: 8 }),
        fc.tuple(...pick.map((c) => c.values)),
        (bursts, args) => {
          const steps: Step[] = [];
          for (const b of bursts) {
            steps.push({ kind: 'row', p: 0, dt: b.gap, args });
            for (let i = 1; i < b.burst; i++) steps.push({ kind: 'row', p: 0, dt: i % 7 === 0 ? 1 : 0, args: args.map((a, k) => (i % (k + 2) === 0 ? null : a)) });
          }
          run({ unit: 'RANGE', ms: 1000 }, specs, steps);
        },
      ),
      { numRuns: 30 },
    );
  });

  const specs = [
    spec('MIN', 'DOUBLE', 'DOUBLE'),
    spec('MAX', 'DOUBLE', 'DOUBLE'),
    spec('SUM', 'DOUBLE', 'DOUBLE'),
    spec('STDDEV_POP', 'DOUBLE', 'DOUBLE'),
    spec('FIRST_VALUE', 'DOUBLE', 'DOUBLE', { ignoreNulls: true }),
    spec('LAG', 'DOUBLE', 'DOUBLE', { params: [5], ignoreNulls: true }),
  ];
  const deques = 4;
  const N = 30_000;
  const inputs: [string, (i: number) => number][] = [
    ['random', (i) => Math.sin(i * 12.9898) * 43758.5453 % 1],
    ['increasing (MAX pops every row)', (i) => i],
    ['decreasing (MIN pops every row)', (i) => -i],
    ['sawtooth', (i) => (i % 1000) * (i % 2 ? 1 : -1)],
  ];
  for (const [label, gen] of inputs) {
    it(label, () => {
      const perRow: number[] = [];
      for (const frame of [{ unit: 'RANGE', ms: 10 }, { unit: 'RANGE', ms: 1000 }, { unit: 'RANGE', ms: 20_000 }, { unit: 'ROWS', rows: 5000 }] as SlidingFrame[]) {
        const w = new SlidingWindows({ frame, aggregates: specs });
        const out: Value[] = [];
        const args: Value[] = specs.map(() => 0);
        for (let i = 0; i < N; i++) {
          args.fill(gen(i));
          w.push(0, i, args, out);
        }
        const s = w.stats;
        expect(s.rows).toBe(N);
        expect(s.evictions).toBeLessThanOrEqual(N);
        expect(s.dequePushes).toBeLessThanOrEqual(deques * N);
        // each pushed entry is popped at most once (from the back or the front): ≤ 1 pop per push, amortised
        expect(s.dequePops).toBeLessThanOrEqual(s.dequePushes);
        expect(s.copied).toBeLessThanOrEqual(2 * N);
        perRow.push((s.evictions + s.dequePushes + s.dequePops + s.copied) / N);
      }
      // the same bound for a 10 ms frame (≈ 11 rows) and a 20 s frame (≈ 20,000 rows)
      for (const c of perRow) expect(c).toBeLessThanOrEqual(1 + 2 * deques + 2);
    });
  }
});
