import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DistinctCounter, HyperLogLog, SpaceSaving, hashValue, topKCapacity } from '../../../src/exec/aggregates/index.js';
import type { Value } from '../../../src/exec/values.js';

/** Distinct items of one of a few shapes: strings with a random prefix, integers, doubles, bytes. */
const itemsArb = (maxN: number) =>
  fc.record({
    n: fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: maxN })),
    shape: fc.constantFrom('string', 'int', 'double', 'bytes'),
    prefix: fc.string({ maxLength: 8 }),
    base: fc.integer({ min: -1e12, max: 1e12 }),
  });

function item(shape: string, prefix: string, base: number, i: number): Value {
  switch (shape) {
    case 'string':
      return `${prefix}:${i}`;
    case 'int':
      return base + i;
    case 'double':
      return base / 7 + i * 0.5;
    default:
      return new Uint8Array([i & 255, (i >>> 8) & 255, (i >>> 16) & 255, base & 255]);
  }
}

describe('hashValue', () => {
  it('hashes equal values equally and keeps types apart', () => {
    expect(hashValue(0)).toBe(hashValue(-0));
    expect(hashValue('abc')).toBe(hashValue('abc'));
    expect(hashValue(1)).not.toBe(hashValue('1'));
    expect(hashValue(true)).not.toBe(hashValue(false));
    expect(hashValue(new Uint8Array([1, 2]))).toBe(hashValue(new Uint8Array([1, 2])));
  });

  it('spreads sequential keys evenly over 256 buckets (chi-square)', () => {
    for (const shape of ['string', 'int', 'double']) {
      const buckets = new Float64Array(256);
      const N = 256 * 200;
      for (let i = 0; i < N; i++) buckets[hashValue(item(shape, 'k', 1000, i)) >>> 24]++;
      const chi = buckets.reduce((a, c) => a + (c - 200) ** 2 / 200, 0);
      // 255 degrees of freedom: mean 255, sd ≈ 22.6; 400 is > 6 sd
      expect(chi).toBeLessThan(400);
    }
  });
});

describe('HyperLogLog (2^12 registers)', () => {
  const se = HyperLogLog.standardError(12);
  it('has the documented standard error 1.04/√m ≈ 1.6 %', () => {
    expect(se).toBeCloseTo(0.01625, 5);
  });

  it('estimates 1..100k distinct items within 3 standard errors', () => {
    fc.assert(
      fc.property(itemsArb(100_000), ({ n, shape, prefix, base }) => {
        const h = new HyperLogLog(12);
        for (let i = 0; i < n; i++) {
          const v = item(shape, prefix, base, i);
          h.add(v);
          if (i % 3 === 0) h.add(v); // duplicates do not count
        }
        const e = h.estimate();
        if (Math.abs(e - n) > 3 * se * n) throw new Error(`${shape} n=${n}: estimate ${e} (error ${((e - n) / n) * 100}%)`);
      }),
      { numRuns: 60, seed: 20261126 },
    );
  });

  it('merge equals the sketch of the union; save/load round-trips', () => {
    const a = new HyperLogLog();
    const b = new HyperLogLog();
    const u = new HyperLogLog();
    for (let i = 0; i < 30_000; i++) {
      const v = `x${i}`;
      (i % 3 ? a : b).add(v);
      if (i % 5 === 0) b.add(v);
      u.add(v);
    }
    a.merge(b);
    expect(a.estimate()).toBe(u.estimate());
    const c = new HyperLogLog();
    c.load(JSON.parse(JSON.stringify(a.save())));
    expect(c.estimate()).toBe(a.estimate());
    a.clear();
    expect(a.estimate()).toBe(0);
  });
});

describe('DistinctCounter (COUNT_DISTINCT_ITEMS_TUMBLING)', () => {
  it('is exact up to 10,000 distinct items (with duplicates and NULLs)', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.oneof(fc.integer({ min: 0, max: 300 }), fc.string({ maxLength: 2 })), { nil: null }), { maxLength: 2000 }), (xs) => {
        const d = new DistinctCounter();
        for (const x of xs) d.add(x);
        const want = new Set(xs.filter((x) => x !== null)).size;
        expect(d.count()).toBe(want);
        const e = new DistinctCounter();
        e.load(JSON.parse(JSON.stringify(d.save())));
        expect(e.count()).toBe(want);
      }),
    );
    const d = new DistinctCounter();
    for (let i = 0; i < 10_000; i++) d.add(`item-${i}`);
    expect(d.count()).toBe(10_000);
    expect(d.isExact).toBe(true);
  });

  it('switches to HyperLogLog past 10,000 and stays within 3 standard errors', () => {
    const d = new DistinctCounter();
    for (let i = 0; i < 100_000; i++) d.add(`item-${i}`);
    expect(d.isExact).toBe(false);
    expect(Math.abs(d.count() - 100_000)).toBeLessThanOrEqual(3 * HyperLogLog.standardError(12) * 100_000);
    const e = new DistinctCounter();
    e.load(JSON.parse(JSON.stringify(d.save())));
    expect(e.count()).toBe(d.count());
  });
});

describe('SpaceSaving (TOP_K_ITEMS_TUMBLING)', () => {
  /** Skewed streams: a few heavy hitters among many rare items. */
  const streamArb = fc.array(
    fc.oneof(
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 4 }).map((i) => `hot${i}`) },
      { weight: 5, arbitrary: fc.integer({ min: 0, max: 200 }).map((i) => `cold${i}`) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 50 }) },
    ),
    { maxLength: 3000, size: 'max' },
  );

  it('reports every item with true count > N/k, and overestimates by at most N/k', () => {
    fc.assert(
      fc.property(streamArb, fc.integer({ min: 1, max: 40 }), (xs, k) => {
        const s = new SpaceSaving(k);
        const truth = new Map<Value, number>();
        for (const x of xs) {
          s.add(x);
          truth.set(x, (truth.get(x) ?? 0) + 1);
        }
        const N = xs.length;
        expect(s.total).toBe(N);
        const top = s.top();
        expect(top.reduce((a, t) => a + t.count, 0)).toBe(N);
        expect(s.minCount).toBeLessThanOrEqual(N / k);
        const reported = new Map(top.map((t) => [t.value, t]));
        for (const [v, c] of truth) if (c > N / k) expect(reported.has(v)).toBe(true);
        for (const t of top) {
          const c = truth.get(t.value) ?? 0;
          expect(t.count).toBeGreaterThanOrEqual(c);
          expect(t.count - t.error).toBeLessThanOrEqual(c);
          expect(t.count - c).toBeLessThanOrEqual(N / k);
          expect(t.error).toBeLessThanOrEqual(N / k);
        }
        for (let i = 1; i < top.length; i++) expect(top[i - 1]!.count).toBeGreaterThanOrEqual(top[i]!.count);
      }),
      { numRuns: 200 },
    );
  });

  it('save/load mid-stream gives the same summary as an uninterrupted run', () => {
    fc.assert(
      fc.property(streamArb, fc.integer({ min: 1, max: 20 }), fc.nat(), (xs, k, cut) => {
        const a = new SpaceSaving(k);
        let b = new SpaceSaving(k);
        const at = xs.length === 0 ? 0 : cut % xs.length;
        xs.forEach((x, i) => {
          if (i === at) {
            const saved = JSON.parse(JSON.stringify(b.save()));
            b = new SpaceSaving(k);
            b.load(saved);
          }
          a.add(x);
          b.add(x);
        });
        expect(b.top()).toEqual(a.top());
      }),
    );
  });

  it('counts exactly when there are no more items than counters', () => {
    const s = new SpaceSaving(topKCapacity(3));
    const xs = ['AMZN', 'AMZN', 'MSFT', 'AMZN', 'TBV', 'MSFT', null];
    for (const x of xs) s.add(x);
    expect(s.top(2)).toEqual([
      { value: 'AMZN', count: 3, error: 0 },
      { value: 'MSFT', count: 2, error: 0 },
    ]);
  });
});
