import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../../src/exec/arrow.js';
import { Dataflow } from '../../../src/exec/dataflow.js';
import { batchFromRows, rowsFromBatch } from '../../../src/exec/arrow.js';
import { compileProgram, runProgram } from '../../../src/exec/program.js';
import { streamDiff } from '../oracle/compare.js';
import { referenceRun } from '../reference/index.js';

const T = (hms: string): number => Date.parse(`2024-01-01T${hms}Z`);

const config = {
  Inputs: [
    {
      NamePrefix: 'SOURCE_SQL_STREAM',
      InputSchema: {
        RecordColumns: [
          { Name: 'EVENT_TIME', SqlType: 'TIMESTAMP', Mapping: '$.EVENT_TIME' },
          { Name: 'TICKER', SqlType: 'VARCHAR(4)', Mapping: '$.TICKER' },
          { Name: 'PRICE', SqlType: 'DOUBLE', Mapping: '$.PRICE' },
        ],
      },
    },
  ],
};

const STAGGER = `
CREATE OR REPLACE STREAM "DEST" (EVENT_MINUTE TIMESTAMP, TICKER VARCHAR(4), TICKER_COUNT INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM FLOOR("EVENT_TIME" TO MINUTE), "TICKER", COUNT(*) AS TICKER_COUNT
  FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (PARTITION BY FLOOR("EVENT_TIME" TO MINUTE), "TICKER" RANGE INTERVAL '1' MINUTE);`;

const TUMBLING = `
CREATE OR REPLACE STREAM "DEST" (EVENT_MINUTE TIMESTAMP, TICKER VARCHAR(4), TICKER_COUNT INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM FLOOR("EVENT_TIME" TO MINUTE), "TICKER", COUNT(*) AS TICKER_COUNT
  FROM "SOURCE_SQL_STREAM_001"
  GROUP BY FLOOR("EVENT_TIME" TO MINUTE), "TICKER", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);`;

/** The worked example of the KDA developer guide (all AMZN). */
const example: Row[] = [
  ['11:00:20', '11:00:10'],
  ['11:00:30', '11:00:20'],
  ['11:01:05', '11:00:55'],
  ['11:01:15', '11:01:05'],
].map(([rt, et], i) => ({ ROWTIME: T(rt!), EVENT_TIME: T(et!), TICKER: 'AMZN', PRICE: 10 + i }));

const BATCHES: (number | number[])[] = [1024, 1, 2, [1, 0, 3], [3, 1]];

describe('WINDOWED BY STAGGER', () => {
  it.each(BATCHES)('reproduces the worked example (batch sizes %j)', (batchSizes) => {
    const r = runProgram(STAGGER, config, { streams: { SOURCE_SQL_STREAM_001: example } }, { batchSizes });
    expect(r.errors).toEqual([]);
    expect(r.streams.DEST).toEqual([
      { ROWTIME: T('11:01:20'), EVENT_MINUTE: T('11:00:00'), TICKER: 'AMZN', TICKER_COUNT: 3 },
      { ROWTIME: T('11:02:15'), EVENT_MINUTE: T('11:01:00'), TICKER: 'AMZN', TICKER_COUNT: 1 },
    ]);
  });

  it.each(BATCHES)('the tumbling version of the same input gives counts 2, 1, 1 (batch sizes %j)', (batchSizes) => {
    const r = runProgram(TUMBLING, config, { streams: { SOURCE_SQL_STREAM_001: example } }, { batchSizes });
    expect(r.errors).toEqual([]);
    expect(r.streams.DEST).toEqual([
      { ROWTIME: T('11:01:00'), EVENT_MINUTE: T('11:00:00'), TICKER: 'AMZN', TICKER_COUNT: 2 },
      { ROWTIME: T('11:02:00'), EVENT_MINUTE: T('11:00:00'), TICKER: 'AMZN', TICKER_COUNT: 1 },
      { ROWTIME: T('11:02:00'), EVENT_MINUTE: T('11:01:00'), TICKER: 'AMZN', TICKER_COUNT: 1 },
    ]);
  });

  const SEVERAL = `
CREATE OR REPLACE STREAM "DEST" (TICKER VARCHAR(4), N INTEGER, TOTAL DOUBLE, LO DOUBLE, HI DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM "TICKER", COUNT(*), SUM("PRICE"), MIN("PRICE"), MAX("PRICE")
  FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (PARTITION BY "TICKER" RANGE INTERVAL '10' SECOND);`;
  // AMZN opens at 0 s (closes 10 s), AAPL opens at 2 s (closes 12 s); the AMZN row at exactly 10 s opens a new
  // window; AAPL at 5 s and MSFT at 2 s: MSFT closes at 12 s too, after AAPL (opened earlier in arrival order).
  const rows: Row[] = [
    { ROWTIME: 0, TICKER: 'AMZN', PRICE: 1 },
    { ROWTIME: 2000, TICKER: 'AAPL', PRICE: 2 },
    { ROWTIME: 2000, TICKER: 'MSFT', PRICE: 3 },
    { ROWTIME: 5000, TICKER: 'AMZN', PRICE: 4 },
    { ROWTIME: 5000, TICKER: 'AAPL', PRICE: 5 },
    { ROWTIME: 10000, TICKER: 'AMZN', PRICE: 6 },
    { ROWTIME: 11999, TICKER: 'AAPL', PRICE: 7 },
    { ROWTIME: 12000, TICKER: 'AAPL', PRICE: 8 },
    { ROWTIME: 30000, TICKER: 'MSFT', PRICE: 9 },
  ];
  const expected = [
    { ROWTIME: 10000, TICKER: 'AMZN', N: 2, TOTAL: 5, LO: 1, HI: 4 },
    { ROWTIME: 12000, TICKER: 'AAPL', N: 3, TOTAL: 14, LO: 2, HI: 7 },
    { ROWTIME: 12000, TICKER: 'MSFT', N: 1, TOTAL: 3, LO: 3, HI: 3 },
    { ROWTIME: 20000, TICKER: 'AMZN', N: 1, TOTAL: 6, LO: 6, HI: 6 },
    { ROWTIME: 22000, TICKER: 'AAPL', N: 1, TOTAL: 8, LO: 8, HI: 8 },
    { ROWTIME: 40000, TICKER: 'MSFT', N: 1, TOTAL: 9, LO: 9, HI: 9 },
  ];

  it.each(BATCHES)('opens a window per key at its first row and a new one at or after the close (batch sizes %j)', (batchSizes) => {
    const r = runProgram(SEVERAL, config, { streams: { SOURCE_SQL_STREAM_001: rows } }, { batchSizes });
    expect(r.errors).toEqual([]);
    expect(r.streams.DEST).toEqual(expected);
  });

  it('HAVING and a select list over the stagger output', () => {
    const code = `
CREATE OR REPLACE STREAM "DEST" (TICKER VARCHAR(4), N INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM LOWER("TICKER"), COUNT(*) FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (PARTITION BY "TICKER" RANGE INTERVAL '10' SECOND) HAVING COUNT(*) > 1;`;
    const r = runProgram(code, config, { streams: { SOURCE_SQL_STREAM_001: rows } }, { batchSizes: 2 });
    expect(r.streams.DEST).toEqual([
      { ROWTIME: 10000, TICKER: 'amzn', N: 2 },
      { ROWTIME: 12000, TICKER: 'aapl', N: 3 },
    ]);
  });

  it('a row whose partition key fails goes to error_stream and the rest go on', () => {
    const code = `
CREATE OR REPLACE STREAM "DEST" (K INTEGER, N INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM CAST(100 / "PRICE" AS INTEGER), COUNT(*) FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (PARTITION BY CAST(100 / "PRICE" AS INTEGER) RANGE INTERVAL '10' SECOND);`;
    const input = [
      { ROWTIME: 0, TICKER: 'A', PRICE: 50 },
      { ROWTIME: 1000, TICKER: 'A', PRICE: 0 },
      { ROWTIME: 2000, TICKER: 'A', PRICE: 50 },
    ];
    const r = runProgram(code, config, { streams: { SOURCE_SQL_STREAM_001: input } }, { batchSizes: 3 });
    expect(r.streams.DEST).toEqual([{ ROWTIME: 10000, K: 2, N: 2 }]);
    expect(r.errors.length).toBe(1);
    expect(r.errors[0]!.DATA_ROWTIME).toBe(1000);
  });

  it('keeps state only for open windows, even when keys never repeat', () => {
    const code = `
CREATE OR REPLACE STREAM "DEST" (K DOUBLE, N INTEGER);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM "PRICE", COUNT(*) FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (PARTITION BY "PRICE" RANGE INTERVAL '1' SECOND);`;
    const input = Array.from({ length: 5000 }, (_, i) => ({ ROWTIME: i * 100, TICKER: 'A', PRICE: i }));
    const flow = new Dataflow(compileProgram(code, config), { startTime: 0, now: () => 0, tables: new Map() });
    const out: Row[] = [];
    flow.listen('DEST', (b) => out.push(...rowsFromBatch(b)));
    const schema = flow.program.relations.get('SOURCE_SQL_STREAM_001')!.schema;
    for (let i = 0; i < input.length; i += 100) {
      flow.advance(input[i]!.ROWTIME);
      flow.push('SOURCE_SQL_STREAM_001', batchFromRows(schema, input.slice(i, i + 100)));
    }
    const op = flow.operators.find((o) => o.constructor.name === 'StaggerOperator')!;
    const saved = op.save() as { windows: unknown[] };
    expect(saved.windows.length).toBeLessThanOrEqual(10);
    expect((op as unknown as { table: { size: number } }).table.size).toBeLessThan(2100);
    flow.advance(Infinity);
    expect(out.length).toBe(5000);
    expect(out[4999]).toEqual({ ROWTIME: 499900 + 1000, K: 4999, N: 1 });
  });

  it('save/load mid-stream gives the same output', () => {
    const program = compileProgram(SEVERAL, config);
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

describe('WINDOWED BY STAGGER vs the reference evaluator', () => {
  const BASE = Date.parse('2026-03-01T10:00:00Z');
  const rowsArb = fc
    .array(
      fc.record({
        dt: fc.constantFrom(0, 0, 300, 1000, 2500, 7000, 61000),
        ticker: fc.constantFrom('A', 'B', 'C'),
        price: fc.option(fc.integer({ min: -5, max: 20 }), { freq: 6 }),
        ev: fc.integer({ min: -90000, max: 30000 }),
      }),
      { maxLength: 40 },
    )
    .map((list) => {
      let t = BASE;
      return list.map((x) => ({ ROWTIME: (t += x.dt), EVENT_TIME: t + x.ev, TICKER: x.ticker, PRICE: x.price }));
    });
  const queryArb = fc.record({
    range: fc.constantFrom("'1' SECOND", "'3' SECOND", "'10' SECOND", "'1' MINUTE"),
    byMinute: fc.boolean(),
  });
  const batchesArb = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 5 }).filter((a) => a.some((n) => n > 0));

  it('equal outputs for random inputs, ranges and batch splits', () => {
    fc.assert(
      fc.property(rowsArb, queryArb, batchesArb, (rows, q, batchSizes) => {
        const keys = q.byMinute ? 'FLOOR("EVENT_TIME" TO MINUTE), "TICKER"' : '"TICKER"';
        const code = `
CREATE OR REPLACE STREAM "DEST" (${q.byMinute ? 'M TIMESTAMP, ' : ''}TICKER VARCHAR(4), N INTEGER, NP INTEGER, TOTAL DOUBLE, LO DOUBLE, HI DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM ${keys}, COUNT(*), COUNT("PRICE"), SUM("PRICE"), MIN("PRICE"), MAX("PRICE")
  FROM "SOURCE_SQL_STREAM_001" WINDOWED BY STAGGER (PARTITION BY ${keys} RANGE INTERVAL ${q.range});`;
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
