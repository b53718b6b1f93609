/**
 * The Nexmark generator (bench/nexmark/generator.ts): Beam's event mix and id rules, event time, determinism, valid
 * Arrow, and that the application config and the query files of bench/nexmark bind.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataType, RecordBatch, Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import {
  AUCTION_COLUMNS, BID_COLUMNS, DEFAULT_FIRST_EVENT_TIME, FIRST_AUCTION_ID, FIRST_PERSON_ID, NexmarkGenerator, nexmarkInputs, PERSON_COLUMNS,
  type NexmarkBatches,
} from '../../../bench/nexmark/generator.js';
import { rowsFromBatch, type Row } from '../../../src/exec/arrow.js';
import { checkApplication, render, type ApplicationConfig } from '../../../src/sql/index.js';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bench/nexmark');
const STATES = new Set(['AZ', 'CA', 'ID', 'OR', 'WA', 'WY']);

type Stream = 'person' | 'auction' | 'bid';
const STREAMS: Stream[] = ['person', 'auction', 'bid'];

function rowsOf(b: NexmarkBatches, s: Stream): Row[] {
  return b[s] ? rowsFromBatch(b[s]) : [];
}

/** All rows of `calls` consecutive next() calls, per stream. */
function collect(g: NexmarkGenerator, sizes: number[]): Record<Stream, Row[]> {
  const out: Record<Stream, Row[]> = { person: [], auction: [], bid: [] };
  for (const n of sizes) {
    const b = g.next(n);
    expect(b.count).toBe(n);
    for (const s of STREAMS) out[s].push(...rowsOf(b, s));
  }
  return out;
}

const num = (v: unknown) => v as number;

describe('event mix', () => {
  it('is 1 person, 3 auctions, 46 bids in every block of 50 events', () => {
    const g = new NexmarkGenerator({ seed: 1 });
    for (let block = 0; block < 200; block++) {
      const b = g.next(50);
      expect([b.person?.numRows, b.auction?.numRows, b.bid?.numRows]).toEqual([1, 3, 46]);
    }
  });

  it('keeps the proportion over unaligned calls, and a call may hold only one kind', () => {
    const g = new NexmarkGenerator({ seed: 1 });
    const counts = { person: 0, auction: 0, bid: 0 };
    const sizes = [1, 3, 7, 39, 0, 13, 50, 137, 1000, 2];
    let events = 0;
    while (events < 50 * 400) {
      for (const n of sizes) {
        const b = g.next(n);
        for (const s of STREAMS) counts[s] += b[s]?.numRows ?? 0;
        events += n;
      }
    }
    // Finish the last block of 50.
    const rest = g.next((50 - (events % 50)) % 50);
    for (const s of STREAMS) counts[s] += rest[s]?.numRows ?? 0;
    events += rest.count;
    const blocks = events / 50;
    expect(Number.isInteger(blocks)).toBe(true);
    expect(counts).toEqual({ person: blocks, auction: 3 * blocks, bid: 46 * blocks });
    const first = new NexmarkGenerator({ seed: 1 }).next(1);
    expect([first.person?.numRows, first.auction, first.bid]).toEqual([1, undefined, undefined]);
    const empty = new NexmarkGenerator().next(0);
    expect(empty).toEqual({ count: 0 });
  });
});

describe('ids and event time', () => {
  // One event per call, so event order across the three streams is known exactly.
  const g = new NexmarkGenerator({ seed: 3 });
  const events: { stream: Stream; row: Row }[] = [];
  for (let n = 0; n < 20_000; n++) {
    const b = g.next(1);
    const stream = STREAMS.find((s) => b[s])!;
    events.push({ stream, row: rowsOf(b, stream)[0]! });
  }

  it('numbers people and auctions consecutively from 1000, in event order', () => {
    const ids = (s: Stream) => events.filter((e) => e.stream === s).map((e) => num(e.row.id));
    const people = ids('person');
    const auctions = ids('auction');
    expect(people).toEqual(people.map((_, i) => FIRST_PERSON_ID + i));
    expect(auctions).toEqual(auctions.map((_, i) => FIRST_AUCTION_ID + i));
  });

  it('references only people and auctions that already exist', () => {
    let lastPerson = -1;
    let lastAuction = -1;
    for (const { stream, row } of events) {
      if (stream === 'person') lastPerson = num(row.id);
      else if (stream === 'auction') {
        lastAuction = num(row.id);
        expect(num(row.seller)).toBeGreaterThanOrEqual(FIRST_PERSON_ID);
        expect(num(row.seller)).toBeLessThanOrEqual(lastPerson);
      } else {
        expect(num(row.auction)).toBeGreaterThanOrEqual(FIRST_AUCTION_ID);
        expect(num(row.auction)).toBeLessThanOrEqual(lastAuction);
        expect(num(row.bidder)).toBeGreaterThanOrEqual(FIRST_PERSON_ID);
        expect(num(row.bidder)).toBeLessThanOrEqual(lastPerson);
      }
    }
  });

  it('gives event n the time firstEventTime + n/rate, as ROWTIME and dateTime, non-decreasing per stream', () => {
    const last: Record<Stream, number> = { person: -Infinity, auction: -Infinity, bid: -Infinity };
    events.forEach(({ stream, row }, n) => {
      expect(row.ROWTIME).toBe(DEFAULT_FIRST_EVENT_TIME + Math.floor(n / 10));
      expect(row.dateTime).toBe(row.ROWTIME);
      expect(num(row.ROWTIME)).toBeGreaterThanOrEqual(last[stream]);
      last[stream] = num(row.ROWTIME);
    });
    const slow = new NexmarkGenerator({ eventsPerSecond: 3, firstEventTime: 5000 });
    expect(collect(slow, [4, 5]).bid.map((r) => r.ROWTIME)).toEqual([5000 + 1333, 5000 + 1666, 5000 + 2000, 5000 + 2333, 5000 + 2666]);
  });

  it('draws hot auctions, bidders and sellers about as often as Beam', () => {
    const bids = events.filter((e) => e.stream === 'bid').map((e) => e.row);
    const auctions = events.filter((e) => e.stream === 'auction').map((e) => e.row);
    // Hot auctions are the first of each block of 100 (id a multiple of 100): 1/2 of bids, plus 1% of the rest.
    const hotAuction = bids.filter((r) => num(r.auction) % 100 === 0).length / bids.length;
    expect(hotAuction).toBeGreaterThan(0.45);
    expect(hotAuction).toBeLessThan(0.56);
    // Hot bidders are the second of each block of 100 people: 3/4 of bids (here the few with one person in the block
    // fall back to the first).
    const hotBidder = bids.filter((r) => num(r.bidder) % 100 === 1 || num(r.bidder) === Math.floor(num(r.bidder) / 100) * 100).length / bids.length;
    expect(hotBidder).toBeGreaterThan(0.7);
    const hotSeller = auctions.filter((r) => num(r.seller) % 100 === 0).length / auctions.length;
    expect(hotSeller).toBeGreaterThan(0.7);
    expect(hotSeller).toBeLessThan(0.82);
  });
});

describe('values', () => {
  const all = collect(new NexmarkGenerator({ seed: 11 }), [100_000]);

  it('has people with Beam names, states, cities, e-mails and card numbers', () => {
    for (const r of all.person) {
      expect(r.name).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
      expect(STATES.has(r.state as string)).toBe(true);
      expect(r.emailAddress).toMatch(/^[a-z][a-z ]*[a-z]?@[a-z][a-z ]*[a-z]?\.com$/);
      expect(r.creditCard).toMatch(/^\d{4} \d{4} \d{4} \d{4}$/);
      expect(typeof r.city).toBe('string');
    }
    expect(new Set(all.person.map((r) => r.state)).size).toBe(6);
    expect(new Set(all.person.map((r) => r.city)).size).toBe(10);
  });

  it('has auctions in categories 10–14 with reserve ≥ initial bid, expiring after they start', () => {
    let length = 0;
    for (const r of all.auction) {
      expect(num(r.category)).toBeGreaterThanOrEqual(10);
      expect(num(r.category)).toBeLessThanOrEqual(14);
      expect(num(r.initialBid)).toBeGreaterThanOrEqual(1);
      expect(num(r.reserve)).toBeGreaterThan(num(r.initialBid));
      expect(num(r.expires)).toBeGreaterThan(num(r.dateTime));
      expect((r.itemName as string).length).toBeLessThan(20);
      expect(r.description).toMatch(/^[a-z](?:[a-z ]*[a-z])?$/);
      length += num(r.expires) - num(r.dateTime);
    }
    // Beam's average auction length at 10,000 events/s: 1,666 events × 100 generators / 10 events per ms = 16.7 s.
    const mean = length / all.auction.length;
    expect(mean).toBeGreaterThan(15_500);
    expect(mean).toBeLessThan(17_800);
  });

  it('has bid prices from 1 cent to $1M spread over six decades, and Flink channels and URLs', () => {
    const prices = all.bid.map((r) => num(r.price));
    expect(Math.min(...prices)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...prices)).toBeLessThanOrEqual(100_000_000);
    for (let d = 0; d < 6; d++) {
      const share = prices.filter((p) => p >= 100 * 10 ** d && p < 100 * 10 ** (d + 1)).length / prices.length;
      expect(share).toBeGreaterThan(0.15);
      expect(share).toBeLessThan(0.185);
    }
    const hot = all.bid.filter((r) => ['Google', 'Facebook', 'Baidu', 'Apple'].includes(r.channel as string)).length / all.bid.length;
    expect(hot).toBeGreaterThan(0.45);
    expect(hot).toBeLessThan(0.55);
    for (const r of all.bid.slice(0, 2000)) {
      if (!['Google', 'Facebook', 'Baidu', 'Apple'].includes(r.channel as string)) expect(r.channel).toMatch(/^channel-\d{1,4}$/);
      expect(r.url).toMatch(/^https:\/\/www\.nexmark\.com\/[a-z_]+\/[a-z_]+\/[a-z_]+\/item\.htm\?query=1(&channel_id=\d+)?$/);
    }
  });

  it('pads events to Beam average sizes with extra', () => {
    const size = (r: Row, numbers: number, strings: string[]) => 8 * numbers + strings.reduce((n, k) => n + (r[k] as string).length, 0);
    const mean = (rows: Row[], f: (r: Row) => number) => rows.reduce((n, r) => n + f(r), 0) / rows.length;
    // Beam counts the person's id and the auction's and bid's numbers at 8 bytes; the sizes land near the averages.
    expect(mean(all.person, (r) => size(r, 1, ['name', 'emailAddress', 'creditCard', 'city', 'state', 'extra']))).toBeCloseTo(200, -1);
    expect(mean(all.auction, (r) => size(r, 6, ['itemName', 'description', 'extra']))).toBeCloseTo(500, -1);
    expect(mean(all.bid, (r) => size(r, 4, ['extra']))).toBeCloseTo(100, -1);
    for (const s of STREAMS) for (const r of all[s].slice(0, 500)) expect(r.extra).toMatch(/^[a-z]*$/);
  });
});

describe('determinism', () => {
  it('repeats exactly for a seed, whatever the batch sizes', () => {
    const a = collect(new NexmarkGenerator({ seed: 5 }), [5000]);
    const b = collect(new NexmarkGenerator({ seed: 5 }), [1, 49, 50, 333, 17, 2000, 2550]);
    expect(b).toEqual(a);
  });

  it('differs between seeds, and can start at a given time', () => {
    const a = collect(new NexmarkGenerator({ seed: 5 }), [500]);
    const b = collect(new NexmarkGenerator({ seed: 6 }), [500]);
    expect(b.bid.map((r) => r.price)).not.toEqual(a.bid.map((r) => r.price));
    const c = collect(new NexmarkGenerator({ seed: 5, firstEventTime: 0 }), [500]);
    expect(c.bid.map((r) => r.price)).toEqual(a.bid.map((r) => r.price));
    expect(c.person[0]!.ROWTIME).toBe(0);
  });

  it('stays consistent across the wrap of the replayed payload tapes', () => {
    // Bid tape: 65,536 rows; 150,000 events hold about 138,000 bids, so this crosses it twice.
    const g = new NexmarkGenerator({ seed: 9 });
    const big = g.next(150_000).bid!;
    const h = new NexmarkGenerator({ seed: 9 });
    const parts: RecordBatch[] = [];
    for (let i = 0; i < 30; i++) parts.push(h.next(5000).bid!);
    const rows = rowsFromBatch(big);
    const partRows = parts.flatMap((p) => rowsFromBatch(p));
    expect(partRows.length).toBe(rows.length);
    for (let i = 0; i < rows.length; i += 997) expect(partRows[i]).toEqual(rows[i]);
    expect(partRows.at(-1)).toEqual(rows.at(-1));
  });
});

/** A column over several batches as bytes: Utf8 as its characters then its value lengths, Int64 as its values. */
function columnBytes(batches: RecordBatch[], k: number): Buffer {
  const parts: Buffer[] = [];
  const lengths: number[] = [];
  for (const b of batches) {
    const d = b.data.children[k]!;
    if (d.valueOffsets) {
      parts.push(Buffer.from(d.values.buffer, d.values.byteOffset + d.valueOffsets[0]!, d.valueOffsets[d.length]! - d.valueOffsets[0]!));
      for (let i = 0; i < d.length; i++) lengths.push(d.valueOffsets[i + 1]! - d.valueOffsets[i]!);
    } else parts.push(Buffer.from(d.values.buffer, d.values.byteOffset, d.values.byteLength));
  }
  return Buffer.concat([...parts, Buffer.from(new Int32Array(lengths).buffer)]);
}

describe('big batches', () => {
  it('copies instead of growing the shared tapes without end, with the same values', () => {
    // 1.2 M events: 1.1 M bids, more than the tapes are grown for (their URLs would take over 64 MiB).
    const big = new NexmarkGenerator({ seed: 13 }).next(1_200_000);
    const g = new NexmarkGenerator({ seed: 13 });
    const parts = Array.from({ length: 12 }, () => g.next(100_000));
    const url = (b: NexmarkBatches) => b.bid!.getChild('url')!.data[0]!.values as Uint8Array;
    expect(url(big).buffer.byteLength).toBe(url(big).byteLength); // its own copy
    expect(url(parts[0]!).buffer.byteLength).toBeGreaterThan(url(parts[0]!).byteLength); // a view of the tape
    for (const s of STREAMS) {
      for (let k = 0; k < big[s]!.schema.fields.length; k++) {
        const name = big[s]!.schema.fields[k]!.name;
        expect(columnBytes([big[s]!], k).equals(columnBytes(parts.map((p) => p[s]!), k)), `${s}.${name}`).toBe(true);
      }
    }
  });
});

describe('Arrow', () => {
  const b = new NexmarkGenerator({ seed: 2 }).next(1000);

  it('has ROWTIME first, the Nexmark columns after, with Arrow types and sluice.type metadata', () => {
    const expected: Record<Stream, typeof PERSON_COLUMNS> = { person: PERSON_COLUMNS, auction: AUCTION_COLUMNS, bid: BID_COLUMNS };
    for (const s of STREAMS) {
      const fields = b[s]!.schema.fields;
      expect(fields.map((f) => f.name)).toEqual(['ROWTIME', ...expected[s].map((c) => c.name)]);
      expect(fields[0]!.nullable).toBe(false);
      for (const f of fields) {
        const sqlType = f.metadata.get('sluice.type');
        if (sqlType === 'TIMESTAMP') expect(DataType.isTimestamp(f.type)).toBe(true);
        else if (sqlType === 'BIGINT') expect(DataType.isInt(f.type) && f.type.bitWidth === 64).toBe(true);
        else {
          expect(sqlType).toMatch(/^VARCHAR\(\d+\)$/);
          expect(DataType.isUtf8(f.type)).toBe(true);
        }
      }
    }
  });

  it('decodes to numbers and strings, survives an IPC round trip, and fits the declared VARCHAR lengths', () => {
    for (const s of STREAMS) {
      const batch = b[s]!;
      const rows = rowsFromBatch(batch);
      for (const r of rows.slice(0, 20)) {
        for (const f of batch.schema.fields) {
          const t = f.metadata.get('sluice.type')!;
          expect(typeof r[f.name]).toBe(t.startsWith('VARCHAR') ? 'string' : 'number');
        }
      }
      for (const f of batch.schema.fields) {
        const max = /VARCHAR\((\d+)\)/.exec(f.metadata.get('sluice.type')!)?.[1];
        if (max) for (const r of rows) expect((r[f.name] as string).length).toBeLessThanOrEqual(Number(max));
      }
      const back = tableFromIPC(tableToIPC(new Table([batch])));
      expect(back.numRows).toBe(batch.numRows);
      expect(rowsFromBatch(back.batches[0]!)).toEqual(rows);
    }
  });
});

describe('application config and queries', () => {
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'app.json'), 'utf8')) as ApplicationConfig;

  it('app.json declares the generator columns', () => {
    expect(config.Inputs).toEqual(nexmarkInputs());
    const b = new NexmarkGenerator().next(50);
    for (const [k, s] of STREAMS.entries()) {
      const declared = config.Inputs![k]!.InputSchema!.RecordColumns.map((c) => `${c.Name} ${c.SqlType}`);
      expect(b[s]!.schema.fields.slice(1).map((f) => `${f.name} ${f.metadata.get('sluice.type')}`)).toEqual(declared);
    }
  });

  const queries = fs.readdirSync(dir).filter((f) => /^q\d+\.sql$/.test(f)).sort((a, b) => parseInt(a.slice(1)) - parseInt(b.slice(1)));
  it('has q0–q5, q7 and q8', () => expect(queries).toEqual(['q0.sql', 'q1.sql', 'q2.sql', 'q3.sql', 'q4.sql', 'q5.sql', 'q7.sql', 'q8.sql']));
  for (const q of queries) {
    it(`${q} binds without diagnostics and explains itself`, () => {
      const code = fs.readFileSync(path.join(dir, q), 'utf8');
      expect(code).toMatch(new RegExp(`^-- Nexmark ${q.replace('.sql', '')}: `));
      const result = checkApplication(code, config);
      expect(result.diagnostics.map((d) => render(d, code, q)).join('')).toBe('');
      expect(result.ok).toBe(true);
      expect(result.program!.pumps.length).toBeGreaterThan(0);
    });
  }
});
