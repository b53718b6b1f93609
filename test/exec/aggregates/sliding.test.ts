import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlidingWindows, type AggregateSpec, type SlidingFrame } from '../../../src/exec/aggregates/index.js';
import { ColumnBuilder, readValue, viewOf } from '../../../src/exec/columns.js';
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
  { label: 'COUNT(DOUBLE)', spec: spec('COUNT', 'DOUBLE', 'BIGINT'), values: doubles },
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

type Pushed = { p: number; t: number; args: Value[] };

/** Push rows as one batch (arguments as columns of the specs' types); each row's results, read back from the builders. */
function pushRows(w: SlidingWindows, rows: Pushed[]): Value[][] {
  const specs = w.spec.aggregates;
  const n = rows.length;
  const args = specs.map((s, k) => {
    const b = new ColumnBuilder(s.argTypes[0]!, n);
    for (const r of rows) b.append(r.args[k] ?? null);
    return viewOf(b.finish());
  });
  const out = specs.map((s) => new ColumnBuilder(s.resultType, n));
  w.push(Int32Array.from(rows, (r) => r.p), Float64Array.from(rows, (r) => r.t), args, out, n);
  const results = out.map((b) => viewOf(b.finish()));
  return rows.map((_, i) => results.map((c) => readValue(c, i)));
}

/** Push one row; its results. */
const pushRow = (w: SlidingWindows, p: number, t: number, args: Value[]): Value[] => pushRows(w, [{ p, t, args }])[0]!;

function run(frame: SlidingFrame, specs: AggregateSpec[], steps: Step[]): void {
  let w = new SlidingWindows({ frame, aggregates: specs });
  const hist: Row[][][] = Array.from({ length: 4 }, () => specs.map(() => []));
  let t = 1_700_000_000_000;
  // Consecutive rows go in as one batch (several partitions in it), then each row is checked in order.
  let batch: Pushed[] = [];
  const flush = () => {
    const outs = pushRows(w, batch);
    batch.forEach((row, i) => check(row, outs[i]!));
    batch = [];
  };
  const check = (row: Pushed, out: Value[]) => {
    specs.forEach((s, k) => {
      const all = hist[row.p]![k]!;
      all.push({ v: row.args[k]!, t: row.t });
      const f = frame.unit === 'RANGE' ? all.filter((r) => r.t >= row.t - frame.ms) : all.slice(-(frame.rows + 1));
      const want = naiveSliding(s, f);
      const tol = tolerance(s, all) * 4;
      if (!same(out[k]!, want, tol)) {
        throw new Error(`${s.name} row at ${row.t} (partition ${row.p}): got ${String(out[k])}, want ${String(want)}; frame ${JSON.stringify(f.map((r) => r.v))}`);
      }
    });
  };
  for (const st of steps) {
    if (st.kind === 'row') {
      t += st.dt;
      batch.push({ p: st.p, t, args: st.args });
      continue;
    }
    flush();
    if (st.kind === 'saveLoad') {
      const saved = JSON.parse(JSON.stringify(w.save()));
      w = new SlidingWindows({ frame, aggregates: specs });
      w.load(saved);
    } else {
      w.expire(t, (p) => {
        const rows = hist[p]![0]!;
        if (frame.unit !== 'RANGE' || rows[rows.length - 1]!.t >= t - frame.ms) throw new Error(`dropped live partition ${p}`);
      });
    }
  }
  flush();
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

  it('counts and sums only, several at once (the sums-only loop)', () => {
    const pick = [0, 2, 3, 4, 5, 29].map((i) => cases[i]!);
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
        steps.forEach((st, i) => {
          if (i === cut % Math.max(1, steps.length)) {
            const saved = JSON.parse(JSON.stringify(b.save()));
            b = new SlidingWindows({ frame, aggregates: specs });
            b.load(saved);
          }
          if (st.kind !== 'row') return;
          t += st.dt;
          const oa = pushRow(a, st.p, t, st.args);
          const ob = pushRow(b, st.p, t, st.args);
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
    pushRow(w, 0, 0, [1, 1, 1, null]);
    expect(pushRow(w, 0, 5000, [null, null, null, null])).toEqual([0, null, null, 1]);
  });

  it('RANGE includes rows exactly `range` old; ROWS n holds n + 1 rows', () => {
    const r = new SlidingWindows({ frame: { unit: 'RANGE', ms: 10_000 }, aggregates: [spec('COUNT', 'INTEGER', 'BIGINT', { star: true })] });
    pushRow(r, 0, 0, [null]);
    expect(pushRow(r, 0, 10_000, [null])[0]).toBe(2);
    expect(pushRow(r, 0, 10_001, [null])[0]).toBe(2);
    const rows = new SlidingWindows({ frame: { unit: 'ROWS', rows: 2 }, aggregates: [spec('SUM', 'INTEGER', 'BIGINT')] });
    const outs = pushRows(rows, [1, 2, 3, 4].map((x) => ({ p: 7, t: 0, args: [x] })));
    expect(outs[3]![0]).toBe(9);
  });

  it('expire drops idle RANGE partitions and a later row starts afresh', () => {
    const w = new SlidingWindows({ frame: { unit: 'RANGE', ms: 1000 }, aggregates: [spec('SUM', 'INTEGER', 'BIGINT')] });
    pushRows(w, [{ p: 0, t: 0, args: [5] }, { p: 1, t: 900, args: [6] }]);
    const dropped: number[] = [];
    expect(w.expire(1500, (p) => dropped.push(p))).toBe(1);
    expect(dropped).toEqual([0]);
    expect(w.partitions).toBe(1);
    expect(pushRow(w, 0, 1600, [1])[0]).toBe(1);
  });

  it('a row of partition -1 (failed upstream) gets NULL results and leaves no state', () => {
    for (const specs of [[spec('SUM', 'DOUBLE', 'DOUBLE')], [spec('SUM', 'DOUBLE', 'DOUBLE'), spec('MAX', 'VARCHAR', 'VARCHAR')]]) {
      const w = new SlidingWindows({ frame: { unit: 'ROWS', rows: 5 }, aggregates: specs });
      const outs = pushRows(w, [{ p: 0, t: 0, args: [1, 'a'] }, { p: -1, t: 1, args: [100, 'z'] }, { p: 0, t: 2, args: [2, 'b'] }]);
      expect(outs.map((o) => o.slice(0, specs.length))).toEqual([[1, 'a'], [null, null], [3, 'b']].map((o) => o.slice(0, specs.length)));
      expect(w.stats.rows).toBe(2);
    }
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
        pushRows(w, Array.from({ length: N }, (_, i) => ({ p: 0, t: i, args: specs.map(() => gen(i)) })));
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
