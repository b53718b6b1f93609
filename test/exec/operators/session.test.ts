import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchFromRows, rowsFromBatch, type Row } from '../../../src/exec/arrow.js';
import { Dataflow } from '../../../src/exec/dataflow.js';
import { compileProgram, runProgram } from '../../../src/exec/program.js';
import { streamDiff } from '../oracle/compare.js';
import { referenceRun } from '../reference/index.js';

const config = {
  Inputs: [
    {
      NamePrefix: 'SOURCE_SQL_STREAM',
      InputSchema: {
        RecordColumns: [
          { Name: 'TICKER', SqlType: 'VARCHAR(4)', Mapping: '$.TICKER' },
          { Name: 'PRICE', SqlType: 'DOUBLE', Mapping: '$.PRICE' },
        ],
      },
    },
  ],
};

const SESSIONS = `
CREATE OR REPLACE STREAM "DEST" (TICKER VARCHAR(4), S TIMESTAMP, E TIMESTAMP, N INTEGER, TOTAL DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM "TICKER",
    SESSION_START(SOURCE_SQL_STREAM_001.ROWTIME, INTERVAL '10' SECOND),
    SESSION_END(SOURCE_SQL_STREAM_001.ROWTIME, INTERVAL '10' SECOND),
    COUNT(*), SUM("PRICE")
  FROM SOURCE_SQL_STREAM_001
  GROUP BY "TICKER", SESSION(SOURCE_SQL_STREAM_001.ROWTIME, INTERVAL '10' SECOND);`;

// AAPL: 0, 5 s, 14.999 s → one session ending at 24.999 s; then 30 s → a second one.
// AMZN: 1 s, then 11 s (exactly last + gap: a new session), then 12 s.
// INTC at 1 s ends at 11 s together with AMZN's first session, which opened first and so is emitted first.
const rows: Row[] = [
  { ROWTIME: 0, TICKER: 'AAPL', PRICE: 1 },
  { ROWTIME: 1000, TICKER: 'AMZN', PRICE: 2 },
  { ROWTIME: 1000, TICKER: 'INTC', PRICE: 3 },
  { ROWTIME: 4999, TICKER: 'MSFT', PRICE: 4 },
  { ROWTIME: 5000, TICKER: 'AAPL', PRICE: 5 },
  { ROWTIME: 11000, TICKER: 'AMZN', PRICE: 6 },
  { ROWTIME: 12000, TICKER: 'AMZN', PRICE: 7 },
  { ROWTIME: 14999, TICKER: 'AAPL', PRICE: 8 },
  { ROWTIME: 30000, TICKER: 'AAPL', PRICE: 9 },
];
const expected = [
  { ROWTIME: 11000, TICKER: 'AMZN', S: 1000, E: 11000, N: 1, TOTAL: 2 },
  { ROWTIME: 11000, TICKER: 'INTC', S: 1000, E: 11000, N: 1, TOTAL: 3 },
  { ROWTIME: 14999, TICKER: 'MSFT', S: 4999, E: 14999, N: 1, TOTAL: 4 },
  { ROWTIME: 22000, TICKER: 'AMZN', S: 11000, E: 22000, N: 2, TOTAL: 13 },
  { ROWTIME: 24999, TICKER: 'AAPL', S: 0, E: 24999, N: 3, TOTAL: 14 },
  { ROWTIME: 40000, TICKER: 'AAPL', S: 30000, E: 40000, N: 1, TOTAL: 9 },
];

const BATCHES: (number | number[])[] = [1024, 1, 2, [1, 0, 3], [4, 1]];

describe('SESSION windows', () => {
  it.each(BATCHES)('close after the gap, ROWTIME = last row + gap, start in SESSION_START (batch sizes %j)', (batchSizes) => {
    const r = runProgram(SESSIONS, config, { streams: { SOURCE_SQL_STREAM_001: rows } }, { batchSizes });
    expect(r.errors).toEqual([]);
    expect(r.streams.DEST).toEqual(expected);
  });

  it('a session with no other key (plain ROWTIME)', () => {
    const code = `
CREATE OR REPLACE STREAM "DEST" (S TIMESTAMP, N INTEGER, HI DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM SESSION_START(ROWTIME, INTERVAL '3' SECOND), COUNT(*), MAX("PRICE")
  FROM SOURCE_SQL_STREAM_001 GROUP BY SESSION(ROWTIME, INTERVAL '3' SECOND);`;
    const r = runProgram(code, config, { streams: { SOURCE_SQL_STREAM_001: rows } }, { batchSizes: 3 });
    expect(r.errors).toEqual([]);
    expect(r.streams.DEST).toEqual([
      { ROWTIME: 4000, S: 0, N: 3, HI: 3 },
      { ROWTIME: 8000, S: 4999, N: 2, HI: 5 },
      { ROWTIME: 17999, S: 11000, N: 3, HI: 8 },
      { ROWTIME: 33000, S: 30000, N: 1, HI: 9 },
    ]);
  });

  it('keeps state only for open sessions', () => {
    const code = `
CREATE OR REPLACE STREAM "DEST" (K DOUBLE, N INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM "PRICE", COUNT(*) FROM SOURCE_SQL_STREAM_001 GROUP BY "PRICE", SESSION(ROWTIME, INTERVAL '1' SECOND);`;
    const input = Array.from({ length: 5000 }, (_, i) => ({ ROWTIME: i * 100, TICKER: 'A', PRICE: i % 2500 }));
    const flow = new Dataflow(compileProgram(code, config), { startTime: 0, now: () => 0, tables: new Map() });
    const out: Row[] = [];
    flow.listen('DEST', (b) => out.push(...rowsFromBatch(b)));
    const schema = flow.program.relations.get('SOURCE_SQL_STREAM_001')!.schema;
    for (let i = 0; i < input.length; i += 100) {
      flow.advance(input[i]!.ROWTIME);
      flow.push('SOURCE_SQL_STREAM_001', batchFromRows(schema, input.slice(i, i + 100)));
    }
    const op = flow.operators.find((o) => o.constructor.name === 'SessionOperator')!;
    expect((op.save() as { sessions: unknown[] }).sessions.length).toBeLessThanOrEqual(11);
    expect((op as unknown as { table: { size: number } }).table.size).toBeLessThan(2100);
    flow.advance(Infinity);
    expect(out.length).toBe(5000);
    expect(out.at(-1)).toEqual({ ROWTIME: 499900 + 1000, K: 2499, N: 1 });
  });

  it('save/load mid-stream gives the same output', () => {
    const program = compileProgram(SESSIONS, config);
    const schema = program.relations.get('SOURCE_SQL_STREAM_001')!.schema;
    const run = (cut: number | null): Row[] => {
      let flow = new Dataflow(program, { startTime: 0, now: () => 0, tables: new Map() });
      const out: Row[] = [];
      const listen = (f: Dataflow) => f.listen('DEST', (b) => out.push(...rowsFromBatch(b)));
      listen(flow);
      rows.forEach((row, i) => {
        if (i === cut) {
          const state = JSON.parse(JSON.stringify(flow.operators.map((o) => o.save())));
          flow = new Dataflow(program, { startTime: 0, now: () => 0, tables: new Map() });
          listen(flow);
          flow.operators.forEach((o, k) => o.load(state[k]));
        }
        flow.advance(row.ROWTIME as number);
        flow.push('SOURCE_SQL_STREAM_001', batchFromRows(schema, [row]));
      });
      flow.advance(Infinity);
      return out;
    };
    expect(run(null)).toEqual(expected);
    for (let cut = 1; cut < rows.length; cut++) expect(run(cut)).toEqual(expected);
  });
});

describe('SESSION windows vs the reference evaluator', () => {
  const BASE = Date.parse('2026-03-01T10:00:00Z');
  const rowsArb = fc
    .array(
      fc.record({
        dt: fc.constantFrom(0, 0, 300, 1000, 2000, 2500, 7000),
        ticker: fc.constantFrom('A', 'B', 'C'),
        price: fc.option(fc.integer({ min: -5, max: 20 }), { freq: 6 }),
      }),
      { maxLength: 40 },
    )
    .map((list) => {
      let t = BASE;
      return list.map((x) => ({ ROWTIME: (t += x.dt), TICKER: x.ticker, PRICE: x.price }));
    });
  const batchesArb = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 5 }).filter((a) => a.some((n) => n > 0));

  it('equal outputs for random inputs, gaps and batch splits', () => {
    fc.assert(
      fc.property(rowsArb, fc.constantFrom(1, 2, 3, 10), fc.boolean(), batchesArb, (rows, gap, keyed, batchSizes) => {
        const w = `SESSION(ROWTIME, INTERVAL '${gap}' SECOND)`;
        const code = `
CREATE OR REPLACE STREAM "DEST" (${keyed ? 'TICKER VARCHAR(4), ' : ''}S TIMESTAMP, E TIMESTAMP, N INTEGER, TOTAL DOUBLE, LO DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM ${keyed ? '"TICKER", ' : ''}SESSION_START(ROWTIME, INTERVAL '${gap}' SECOND), SESSION_END(ROWTIME, INTERVAL '${gap}' SECOND),
    COUNT(*), SUM("PRICE"), MIN("PRICE")
  FROM SOURCE_SQL_STREAM_001 GROUP BY ${keyed ? '"TICKER", ' : ''}${w};`;
        const input = { streams: { SOURCE_SQL_STREAM_001: rows } };
        const expected = referenceRun(code, config, input);
        const actual = runProgram(code, config, input, { batchSizes });
        expect(actual.errors).toEqual(expected.errors);
        const d = streamDiff(actual.streams.DEST!, expected.streams.DEST!);
        if (d) throw new Error(`${code}\nbatchSizes ${JSON.stringify(batchSizes)}\n${d}`);
        expect(actual.streams.DEST).toEqual(expected.streams.DEST);
      }),
      { numRuns: 150 },
    );
  });
});
