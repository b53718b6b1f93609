/**
 * The Nexmark queries of bench/nexmark, run end to end (runProgram) on generated events and compared with the same
 * computation written directly in TypeScript over the generated rows, as each query's header describes it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NexmarkGenerator } from '../../../bench/nexmark/generator.js';
import { rowsFromBatch, type Row } from '../../../src/exec/arrow.js';
import { runProgram } from '../../../src/exec/program.js';
import type { ApplicationConfig } from '../../../src/sql/index.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bench/nexmark');
const config = JSON.parse(fs.readFileSync(path.join(dir, 'app.json'), 'utf8')) as ApplicationConfig;

// 25 s of event time at 2,000 events/s; 100 active people (2.5 s), so every seller is within q3's 10-second window.
const g = new NexmarkGenerator({ seed: 21, eventsPerSecond: 2000, params: { numActivePeople: 100 } });
const batches = g.next(50_000);
const people = rowsFromBatch(batches.person!);
const auctions = rowsFromBatch(batches.auction!);
const bids = rowsFromBatch(batches.bid!);

function run(query: string): Row[] {
  const code = fs.readFileSync(path.join(dir, `${query}.sql`), 'utf8');
  const result = runProgram(code, config, { streams: { PERSON_001: people, AUCTION_001: auctions, BID_001: bids } }, { batchSizes: 1000 });
  expect(result.errors).toEqual([]);
  return result.streams.DESTINATION_SQL_STREAM!;
}

const n = (v: unknown) => v as number;
/** Rows as sorted strings of the given columns: compares multisets. */
const bag = (rows: Row[], cols: string[]) => rows.map((r) => JSON.stringify(cols.map((c) => r[c]))).sort();
const step = (t: number, ms: number) => Math.floor(t / ms) * ms;
const TEN_S = 10_000;

describe('Nexmark queries on generated events', () => {
  it('q0 passes every bid through', () => {
    const cols = ['auction', 'bidder', 'price', 'channel', 'url', 'dateTime', 'extra'];
    expect(bag(run('q0'), cols)).toEqual(bag(bids, cols));
  });

  it('q1 converts prices to euros', () => {
    const out = run('q1');
    expect(out.length).toBe(bids.length);
    const expected = new Map(bids.map((b) => [`${b.auction}/${b.bidder}/${b.dateTime}/${b.extra}`, n(b.price) * 0.908]));
    for (const r of out) expect(n(r.price)).toBeCloseTo(expected.get(`${r.auction}/${r.bidder}/${r.dateTime}/${r.extra}`)!, 3);
  });

  it('q2 keeps the bids on every 123rd auction', () => {
    const expected = bids.filter((b) => n(b.auction) % 123 === 0);
    expect(expected.length).toBeGreaterThan(0);
    expect(bag(run('q2'), ['auction', 'price'])).toEqual(bag(expected, ['auction', 'price']));
  });

  it('q3 finds the category-10 sellers of OR, ID and CA', () => {
    const byId = new Map(people.map((p) => [p.id, p]));
    const expected = auctions
      .filter((a) => a.category === 10)
      .map((a): Row => ({ ...byId.get(a.seller)!, id: a.id }))
      .filter((p) => ['OR', 'ID', 'CA'].includes(p.state as string));
    expect(expected.length).toBeGreaterThan(0);
    const cols = ['name', 'city', 'state', 'id'];
    expect(bag(run('q3'), cols)).toEqual(bag(expected, cols));
  });

  it('q4 averages the highest valid bid per auction and 10-second window, per category', () => {
    const auctionById = new Map(auctions.map((a) => [a.id, a]));
    // Highest valid bid per (window, auction); the join looks 10 s back for the auction.
    const best = new Map<string, { window: number; category: number; price: number }>();
    for (const b of bids) {
      const a = auctionById.get(b.auction)!;
      if (n(a.ROWTIME) < n(b.ROWTIME) - TEN_S || n(b.dateTime) < n(a.dateTime) || n(b.dateTime) > n(a.expires)) continue;
      const window = step(n(b.ROWTIME), TEN_S);
      const key = `${window}/${a.id}`;
      const prev = best.get(key);
      if (!prev || n(b.price) > prev.price) best.set(key, { window, category: n(a.category), price: n(b.price) });
    }
    const sums = new Map<string, { sum: number; count: number; window: number; category: number }>();
    for (const { window, category, price } of best.values()) {
      const key = `${window}/${category}`;
      const s = sums.get(key) ?? { sum: 0, count: 0, window, category };
      s.sum += price;
      s.count++;
      sums.set(key, s);
    }
    // WINNING_BIDS rows carry their window's end as ROWTIME, so the average comes out one window later.
    const expected = [...sums.values()].map((s) => ({ ROWTIME: s.window + 2 * TEN_S, category: s.category, avg: s.sum / s.count }));
    const out = run('q4');
    expect(out.length).toBe(expected.length);
    const outByKey = new Map(out.map((r) => [`${r.ROWTIME}/${r.category}`, n(r.avg_final)]));
    for (const e of expected) expect(outByKey.get(`${e.ROWTIME}/${e.category}`)).toBeCloseTo(e.avg, 6);
  });

  it('q5 names the auctions with the most bids of each 10-second window, every 2 seconds', () => {
    const counts = new Map<number, Map<Row[string], number>>();
    for (const b of bids) {
      const t = n(b.ROWTIME);
      for (let start = step(t, 2000); start > t - TEN_S; start -= 2000) {
        const c = counts.get(start) ?? new Map<Row[string], number>();
        c.set(b.auction, (c.get(b.auction) ?? 0) + 1);
        counts.set(start, c);
      }
    }
    const expected: Row[] = [];
    for (const c of counts.values()) {
      const max = Math.max(...c.values());
      for (const [auction, num] of c) if (num === max) expected.push({ auction, num });
    }
    expect(bag(run('q5'), ['auction', 'num'])).toEqual(bag(expected, ['auction', 'num']));
  });

  it('q7 finds the highest bids of each 10-second window', () => {
    const max = new Map<number, number>();
    for (const b of bids) max.set(step(n(b.ROWTIME), TEN_S), Math.max(max.get(step(n(b.ROWTIME), TEN_S)) ?? 0, n(b.price)));
    const expected = bids.filter((b) => n(b.price) === max.get(step(n(b.ROWTIME), TEN_S)));
    expect(expected.length).toBe(3);
    const cols = ['auction', 'price', 'bidder', 'dateTime', 'extra'];
    expect(bag(run('q7'), cols)).toEqual(bag(expected, cols));
  });

  it('q8 finds the people who put up an auction in the 10-second window they joined in', () => {
    const joined = new Map(people.map((p) => [p.id, { id: p.id, name: p.name, window: step(n(p.ROWTIME), TEN_S) }]));
    const seen = new Set<string>();
    const expected: Row[] = [];
    for (const a of auctions) {
      const p = joined.get(a.seller)!;
      const key = `${p.id}/${p.window}`;
      if (p.window === step(n(a.ROWTIME), TEN_S) && !seen.has(key)) {
        seen.add(key);
        expected.push({ id: p.id, name: p.name, starttime: p.window });
      }
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(bag(run('q8'), ['id', 'name', 'starttime'])).toEqual(bag(expected, ['id', 'name', 'starttime']));
  });
});
