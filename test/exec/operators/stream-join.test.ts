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
      NamePrefix: 'ORDERS',
      InputSchema: {
        RecordColumns: [
          { Name: 'ORDER_ID', SqlType: 'INTEGER', Mapping: '$.a' },
          { Name: 'TICKER', SqlType: 'VARCHAR(4)', Mapping: '$.b' },
          { Name: 'AMOUNT', SqlType: 'DOUBLE', Mapping: '$.c' },
        ],
      },
    },
    {
      NamePrefix: 'TRADES',
      InputSchema: {
        RecordColumns: [
          { Name: 'TRADE_ID', SqlType: 'INTEGER', Mapping: '$.a' },
          { Name: 'ORDER_ID', SqlType: 'INTEGER', Mapping: '$.b' },
          { Name: 'AMOUNT', SqlType: 'DOUBLE', Mapping: '$.c' },
        ],
      },
    },
  ],
};

const orders: Row[] = [
  { ROWTIME: 0, ORDER_ID: 1, TICKER: 'A', AMOUNT: 10 },
  { ROWTIME: 5000, ORDER_ID: 2, TICKER: 'B', AMOUNT: 20 },
  { ROWTIME: 12000, ORDER_ID: 1, TICKER: 'A', AMOUNT: 30 },
];
const trades: Row[] = [
  { ROWTIME: 0, TRADE_ID: 100, ORDER_ID: 1, AMOUNT: 5 },
  { ROWTIME: 3000, TRADE_ID: 101, ORDER_ID: 1, AMOUNT: 6 },
  { ROWTIME: 5000, TRADE_ID: 102, ORDER_ID: 2, AMOUNT: 1 },
];

const BATCHES: (number | number[])[] = [1024, 1, 2, [1, 0, 2], [3, 1]];

const query = (from: string): string => `
CREATE OR REPLACE STREAM "DEST" (OID INTEGER, TID INTEGER, ORT TIMESTAMP, TRT TIMESTAMP);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM o."ORDER_ID", t."TRADE_ID", o.ROWTIME AS ORT, t.ROWTIME AS TRT FROM ${from};`;

const run = (code: string, batchSizes: number | number[], input: Record<string, Row[]> = { ORDERS_001: orders, TRADES_001: trades }) =>
  runProgram(code, config, { streams: input }, { batchSizes });

const J = (ROWTIME: number, OID: number | null, TID: number | null, ORT: number | null, TRT: number | null) => ({ ROWTIME, OID, TID, ORT, TRT });

/** Orders (no window: their current row) joined to trades of the last 10 s with AMOUNT > 1. */
const onTrades = (type: string) =>
  query(`"ORDERS_001" AS o ${type} "TRADES_001" OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS t ON o."ORDER_ID" = t."ORDER_ID" AND t."AMOUNT" > 1`);

describe('stream-to-stream JOIN', () => {
  // Instants: 0 (o1, t100) · 3000 (t101) · 5000 (o2, t102 — fails AMOUNT > 1) · 12000 (o1; t100 has left the window).
  const cases: [string, ReturnType<typeof J>[]][] = [
    ['JOIN', [J(0, 1, 100, 0, 0), J(12000, 1, 101, 12000, 3000)]],
    ['LEFT JOIN', [J(0, 1, 100, 0, 0), J(5000, 2, null, 5000, null), J(12000, 1, 101, 12000, 3000)]],
    ['RIGHT JOIN', [J(0, 1, 100, 0, 0), J(3000, null, 101, null, 3000), J(5000, null, 102, null, 5000), J(12000, 1, 101, 12000, 3000)]],
    [
      'FULL OUTER JOIN',
      [J(0, 1, 100, 0, 0), J(3000, null, 101, null, 3000), J(5000, 2, null, 5000, null), J(5000, null, 102, null, 5000), J(12000, 1, 101, 12000, 3000)],
    ],
  ];
  for (const [type, expected] of cases) {
    it.each(BATCHES)(`${type} (batch sizes %j)`, (batchSizes) => {
      const r = run(onTrades(type), batchSizes);
      expect(r.errors).toEqual([]);
      expect(r.streams.DEST).toEqual(expected);
    });
  }

  it.each(BATCHES)('windows on both sides: a pair joins when the later row arrives and the earlier is in its window (batch sizes %j)', (batchSizes) => {
    const code = query(
      `"ORDERS_001" OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS o JOIN "TRADES_001" OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS t ON o."ORDER_ID" = t."ORDER_ID"`,
    );
    expect(run(code, batchSizes).streams.DEST).toEqual([J(0, 1, 100, 0, 0), J(3000, 1, 101, 0, 3000), J(5000, 2, 102, 5000, 5000), J(12000, 1, 101, 12000, 3000)]);
  });

  it.each(BATCHES)('ROWS n PRECEDING keeps the latest n + 1 rows of that side (batch sizes %j)', (batchSizes) => {
    const code = query(`"ORDERS_001" AS o JOIN "TRADES_001" OVER (ROWS 1 PRECEDING) AS t ON o."ORDER_ID" = t."ORDER_ID"`);
    // At 12000 the latest two trades are 101 and 102: t100 is gone, t101 still joins.
    expect(run(code, batchSizes).streams.DEST).toEqual([J(0, 1, 100, 0, 0), J(5000, 2, 102, 5000, 5000), J(12000, 1, 101, 12000, 3000)]);
  });

  it.each(BATCHES)('CROSS JOIN and the comma join pair every row in the window (batch sizes %j)', (batchSizes) => {
    const expected = [J(0, 1, 100, 0, 0), J(5000, 2, 100, 5000, 0), J(5000, 2, 101, 5000, 3000), J(5000, 2, 102, 5000, 5000)];
    expect(run(query(`"ORDERS_001" AS o CROSS JOIN "TRADES_001" OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS t`), batchSizes).streams.DEST).toEqual(expected);
    expect(run(query(`"ORDERS_001" AS o, "TRADES_001" OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS t`), batchSizes).streams.DEST).toEqual(expected);
  });

  it('a preserved row is padded at its own instant even when a later row released with it matches it', () => {
    // Each source delivers all its rows at once (as the Nexmark bench does): instants 1000 and 2000 are released
    // together, and the trade at 2000 finding order 1 in the orders' window must not undo order 1's padding at 1000.
    const code = query(`"ORDERS_001" OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS o LEFT JOIN "TRADES_001" AS t ON o."ORDER_ID" = t."ORDER_ID"`);
    const o2: Row[] = [
      { ROWTIME: 1000, ORDER_ID: 1, TICKER: 'A', AMOUNT: 1 },
      { ROWTIME: 3000, ORDER_ID: 2, TICKER: 'B', AMOUNT: 1 },
    ];
    const t2: Row[] = [
      { ROWTIME: 2000, TRADE_ID: 100, ORDER_ID: 1, AMOUNT: 1 },
      { ROWTIME: 3000, TRADE_ID: 101, ORDER_ID: 9, AMOUNT: 1 },
    ];
    const expected = [J(1000, 1, null, 1000, null), J(2000, 1, 100, 1000, 2000), J(3000, 2, null, 3000, null)];
    expect(run(code, 1, { ORDERS_001: o2, TRADES_001: t2 }).streams.DEST).toEqual(expected);
    const program = compileProgram(code, config);
    const flow = new Dataflow(program, { startTime: 0, now: () => 0, tables: new Map() });
    const out: Row[] = [];
    flow.listen('DEST', (b) => out.push(...rowsFromBatch(b)));
    flow.advance(1000);
    flow.push('ORDERS_001', batchFromRows(program.relations.get('ORDERS_001')!.schema, o2));
    flow.push('TRADES_001', batchFromRows(program.relations.get('TRADES_001')!.schema, t2));
    flow.advance(Infinity);
    expect(out).toEqual(expected);
  });

  it('a named window', () => {
    const code = query(`"ORDERS_001" AS o JOIN "TRADES_001" OVER w AS t ON o."ORDER_ID" = t."ORDER_ID" WINDOW w AS (RANGE INTERVAL '5' SECOND PRECEDING)`);
    expect(run(code, 2).streams.DEST).toEqual([J(0, 1, 100, 0, 0), J(5000, 2, 102, 5000, 5000)]);
  });

  it.each(BATCHES)('the window-less side contributes its rows at the same ROWTIME, whichever side arrives first (batch sizes %j)', (batchSizes) => {
    // Trades come first at 7000 (TRADES before ORDERS would be the wrong way round for "rows seen before").
    const o2: Row[] = [{ ROWTIME: 7000, ORDER_ID: 7, TICKER: 'X', AMOUNT: 1 }];
    const t2: Row[] = [
      { ROWTIME: 6000, TRADE_ID: 1, ORDER_ID: 7, AMOUNT: 1 },
      { ROWTIME: 7000, TRADE_ID: 2, ORDER_ID: 7, AMOUNT: 1 },
    ];
    const right = query(`"ORDERS_001" OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS o JOIN "TRADES_001" AS t ON o."ORDER_ID" = t."ORDER_ID"`);
    expect(run(right, batchSizes, { ORDERS_001: o2, TRADES_001: t2 }).streams.DEST).toEqual([J(7000, 7, 2, 7000, 7000)]);
    const left = query(`"ORDERS_001" AS o JOIN "TRADES_001" OVER (RANGE INTERVAL '5' SECOND PRECEDING) AS t ON o."ORDER_ID" = t."ORDER_ID"`);
    expect(run(left, batchSizes, { ORDERS_001: o2, TRADES_001: t2 }).streams.DEST).toEqual([J(7000, 7, 1, 7000, 6000), J(7000, 7, 2, 7000, 7000)]);
  });

  it('NULL keys never match; a LEFT JOIN pads them', () => {
    const o2: Row[] = [{ ROWTIME: 1000, ORDER_ID: null, TICKER: 'X', AMOUNT: 1 }];
    const t2: Row[] = [{ ROWTIME: 0, TRADE_ID: 1, ORDER_ID: null, AMOUNT: 1 }];
    const code = onTrades('LEFT JOIN');
    expect(run(code, 1, { ORDERS_001: o2, TRADES_001: t2 }).streams.DEST).toEqual([J(1000, null, null, 1000, null)]);
  });

  it('a residual condition that fails sends the pair to error_stream; the row is still padded in an outer join', () => {
    const code = query(
      `"ORDERS_001" AS o LEFT JOIN "TRADES_001" OVER (RANGE INTERVAL '20' SECOND PRECEDING) AS t ON o."ORDER_ID" = t."ORDER_ID" AND o."ORDER_ID" / (t."TRADE_ID" - 100) > 0`,
    );
    const r = run(code, 1);
    expect(r.streams.DEST).toEqual([J(0, 1, null, 0, null), J(5000, 2, 102, 5000, 5000), J(12000, 1, 101, 12000, 3000)]);
    expect(r.errors.length).toBe(2);
    expect(r.errors.map((e) => e.DATA_ROWTIME)).toEqual([0, 12000]);
  });

  const SELF = `
CREATE OR REPLACE STREAM "DEST" (A_ID INTEGER, B_ID INTEGER, A_T TIMESTAMP, B_T TIMESTAMP);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST"
  SELECT STREAM a."ORDER_ID", b."ORDER_ID", a.ROWTIME AS A_T, b.ROWTIME AS B_T
  FROM "ORDERS_001" AS a JOIN "ORDERS_001" OVER (RANGE INTERVAL '2' SECOND PRECEDING) AS b ON a."TICKER" = b."TICKER";`;
  const selfRows: Row[] = [
    { ROWTIME: 0, ORDER_ID: 1, TICKER: 'A', AMOUNT: 0 },
    { ROWTIME: 1000, ORDER_ID: 2, TICKER: 'A', AMOUNT: 0 },
    { ROWTIME: 1000, ORDER_ID: 3, TICKER: 'A', AMOUNT: 0 },
    { ROWTIME: 1000, ORDER_ID: 4, TICKER: 'B', AMOUNT: 0 },
    { ROWTIME: 4000, ORDER_ID: 5, TICKER: 'A', AMOUNT: 0 },
  ];
  it.each(BATCHES)('a self-join: both ports get the same batches; each row pairs with the window, itself included (batch sizes %j)', (batchSizes) => {
    const r = run(SELF, batchSizes, { ORDERS_001: selfRows });
    const S = (ROWTIME: number, A_ID: number, B_ID: number, A_T: number, B_T: number) => ({ ROWTIME, A_ID, B_ID, A_T, B_T });
    expect(r.streams.DEST).toEqual([
      S(0, 1, 1, 0, 0),
      S(1000, 2, 1, 1000, 0),
      S(1000, 2, 2, 1000, 1000),
      S(1000, 2, 3, 1000, 1000),
      S(1000, 3, 1, 1000, 0),
      S(1000, 3, 2, 1000, 1000),
      S(1000, 3, 3, 1000, 1000),
      S(1000, 4, 4, 1000, 1000),
      S(4000, 5, 5, 4000, 4000),
    ]);
  });

  it.each(BATCHES)('joins a derived stream whose rows are emitted late (an aggregate) in ROWTIME order (batch sizes %j)', (batchSizes) => {
    // Per 10-second bucket, the count of orders per ticker (emitted at the bucket end), joined to the orders of the
    // last 10 s of that ticker.
    const code = `
CREATE OR REPLACE STREAM "COUNTS" (TICKER VARCHAR(4), N INTEGER);
CREATE OR REPLACE PUMP "P1" AS INSERT INTO "COUNTS"
  SELECT STREAM "TICKER", COUNT(*) FROM "ORDERS_001" GROUP BY "TICKER", STEP("ORDERS_001".ROWTIME BY INTERVAL '10' SECOND);
CREATE OR REPLACE STREAM "DEST" (TICKER VARCHAR(4), N INTEGER, ORDER_ID INTEGER, OT TIMESTAMP);
CREATE OR REPLACE PUMP "P2" AS INSERT INTO "DEST"
  SELECT STREAM c."TICKER", c."N", o."ORDER_ID", o.ROWTIME AS OT
  FROM "COUNTS" AS c JOIN "ORDERS_001" OVER (RANGE INTERVAL '10' SECOND PRECEDING) AS o ON c."TICKER" = o."TICKER";`;
    const input: Row[] = [
      { ROWTIME: 0, ORDER_ID: 1, TICKER: 'A', AMOUNT: 0 },
      { ROWTIME: 4000, ORDER_ID: 2, TICKER: 'B', AMOUNT: 0 },
      { ROWTIME: 9000, ORDER_ID: 3, TICKER: 'A', AMOUNT: 0 },
      { ROWTIME: 10000, ORDER_ID: 4, TICKER: 'A', AMOUNT: 0 },
      { ROWTIME: 15000, ORDER_ID: 5, TICKER: 'A', AMOUNT: 0 },
      { ROWTIME: 25000, ORDER_ID: 6, TICKER: 'B', AMOUNT: 0 },
    ];
    const r = run(code, batchSizes, { ORDERS_001: input });
    expect(r.errors).toEqual([]);
    const D = (ROWTIME: number, TICKER: string, N: number, ORDER_ID: number, OT: number) => ({ ROWTIME, TICKER, N, ORDER_ID, OT });
    expect(r.streams.DEST).toEqual([
      // Bucket [0, 10 s) closes at 10 s: A: 2, B: 1. The order at exactly 10 s is in the window and joins too.
      D(10000, 'A', 2, 1, 0),
      D(10000, 'A', 2, 3, 9000),
      D(10000, 'A', 2, 4, 10000),
      D(10000, 'B', 1, 2, 4000),
      // Bucket [10 s, 20 s) closes at 20 s: A: 2 (orders 4 and 5).
      D(20000, 'A', 2, 4, 10000),
      D(20000, 'A', 2, 5, 15000),
      // Bucket [20 s, 30 s): B: 1, closed at the end of input.
      D(30000, 'B', 1, 6, 25000),
    ]);
  });

  describe('integer keys: scanned while probes are rare, hashed once scans cost more', () => {
    // The same join on the keys cast to VARCHAR is always hashed: both must give the same rows.
    const rnd = (seed: number) => () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const streams = (n: number, leftEvery: number, seed: number): Record<string, Row[]> => {
      const r = rnd(seed);
      const o: Row[] = [];
      const t: Row[] = [];
      let at = 0;
      for (let i = 0; i < n; i++) {
        at += Math.floor(r() * 40);
        const key = r() < 0.05 ? null : Math.floor(r() * 40);
        if (i % leftEvery === 0) o.push({ ROWTIME: at, ORDER_ID: key, TICKER: 'A', AMOUNT: i });
        else t.push({ ROWTIME: at, TRADE_ID: i, ORDER_ID: key, AMOUNT: i });
      }
      return { ORDERS_001: o, TRADES_001: t };
    };
    const both = (type: string, lw: string, rw: string) => [
      query(`"ORDERS_001" ${lw} AS o ${type} "TRADES_001" ${rw} AS t ON o."ORDER_ID" = t."ORDER_ID" AND o."AMOUNT" < t."AMOUNT" + 500`),
      query(
        `"ORDERS_001" ${lw} AS o ${type} "TRADES_001" ${rw} AS t ON CAST(o."ORDER_ID" AS VARCHAR(8)) = CAST(t."ORDER_ID" AS VARCHAR(8)) AND o."AMOUNT" < t."AMOUNT" + 500`,
      ),
    ];
    /** Output and the join's sides' `scanning` flags, the whole input going through in one batch per source. */
    const whole = (code: string, input: Record<string, Row[]>): { rows: Row[]; scanning: boolean[] } => {
      const program = compileProgram(code, config);
      const flow = new Dataflow(program, { startTime: 0, now: () => 0, tables: new Map() });
      const rows: Row[] = [];
      flow.listen('DEST', (b) => rows.push(...rowsFromBatch(b)));
      flow.push('ORDERS_001', batchFromRows(program.relations.get('ORDERS_001')!.schema, input.ORDERS_001!));
      flow.push('TRADES_001', batchFromRows(program.relations.get('TRADES_001')!.schema, input.TRADES_001!));
      flow.advance(Infinity);
      const op = flow.operators.find((x) => x.constructor.name === 'StreamJoinOperator')!;
      return { rows, scanning: (op as unknown as { sides: { scanning: boolean }[] }).sides.map((x) => x.scanning) };
    };
    const cases: [string, string, string, number, boolean[]][] = [
      // Frequent probes into wide windows get them hashed; a window-less side is never more than an instant wide.
      ['FULL JOIN', `OVER (RANGE INTERVAL '1' SECOND PRECEDING)`, `OVER (RANGE INTERVAL '4' SECOND PRECEDING)`, 2, [false, false]],
      ['LEFT JOIN', '', `OVER (ROWS 60 PRECEDING)`, 3, [true, false]],
      // One order per 250 rows probing a 5-second window (~250 trades): scanning stays cheaper.
      ['RIGHT JOIN', '', `OVER (RANGE INTERVAL '5' SECOND PRECEDING)`, 250, [true, true]],
    ];
    for (const [type, lw, rw, leftEvery, flags] of cases) {
      it(`${type} ${lw || '(current row)'} / ${rw}`, () => {
        const input = streams(5000, leftEvery, leftEvery);
        const [ints, texts] = both(type, lw, rw);
        const expected = whole(texts!, input);
        expect(expected.scanning).toEqual([false, false]);
        expect(expected.rows.length).toBeGreaterThan(2000);
        const actual = whole(ints!, input);
        expect(actual.scanning).toEqual(flags);
        expect(actual.rows).toEqual(expected.rows);
        const split = run(ints!, [7, 300, 1], input);
        expect(split.errors).toEqual([]);
        expect(split.streams.DEST).toEqual(expected.rows);
      });
    }
  });

  it('state is bounded by the windows', () => {
    const code = onTrades('FULL JOIN');
    const program = compileProgram(code, config);
    const flow = new Dataflow(program, { startTime: 0, now: () => 0, tables: new Map() });
    let n = 0;
    let matched = 0;
    flow.listen('DEST', (b) => {
      n += b.numRows;
      matched += rowsFromBatch(b).filter((r) => r.OID !== null && r.TID !== null).length;
    });
    const os = program.relations.get('ORDERS_001')!.schema;
    const ts = program.relations.get('TRADES_001')!.schema;
    for (let i = 0; i < 3000; i++) {
      flow.advance(i * 1000);
      flow.push('ORDERS_001', batchFromRows(os, [{ ROWTIME: i * 1000, ORDER_ID: i, TICKER: 'A', AMOUNT: 1 }]));
      flow.push('TRADES_001', batchFromRows(ts, [{ ROWTIME: i * 1000, TRADE_ID: i, ORDER_ID: i + 5, AMOUNT: 2 }]));
    }
    const op = flow.operators.find((o) => o.constructor.name === 'StreamJoinOperator')!;
    const saved = op.save() as { sides: { retained: unknown[]; pending: unknown[] }[] };
    // Orders: only the current instant's rows (none once it passed); trades: the last 10 s.
    expect(saved.sides[0]!.retained.length + saved.sides[0]!.pending.length).toBeLessThanOrEqual(2);
    expect(saved.sides[1]!.retained.length + saved.sides[1]!.pending.length).toBeLessThanOrEqual(12);
    expect((op as unknown as { table: { size: number } }).table.size).toBeLessThan(2100);
    flow.advance(Infinity);
    // Trade i (at i s) is for order i + 5, placed 5 s later: that order finds it in the trades' 10-second window. The
    // trades are padded when they arrive (orders have no window), orders 0-4 find nothing.
    expect(matched).toBe(2995);
    expect(n).toBe(6000);
  });

  it('save/load mid-stream gives the same output', () => {
    const code = query(
      `"ORDERS_001" OVER (ROWS 2 PRECEDING) AS o FULL JOIN "TRADES_001" OVER (RANGE INTERVAL '4' SECOND PRECEDING) AS t ON o."ORDER_ID" = t."ORDER_ID"`,
    );
    const program = compileProgram(code, config);
    const os: Row[] = Array.from({ length: 12 }, (_, i) => ({ ROWTIME: i * 1500, ORDER_ID: i % 3, TICKER: 'A', AMOUNT: i }));
    const ts: Row[] = Array.from({ length: 12 }, (_, i) => ({ ROWTIME: i * 1700, TRADE_ID: 100 + i, ORDER_ID: i % 4, AMOUNT: i }));
    const events = [...os.map((row) => ({ s: 'ORDERS_001', row })), ...ts.map((row) => ({ s: 'TRADES_001', row }))].sort(
      (a, b) => (a.row.ROWTIME as number) - (b.row.ROWTIME as number),
    );
    const go = (cut: number | null): Row[] => {
      let flow = new Dataflow(program, { startTime: 0, now: () => 0, tables: new Map() });
      const out: Row[] = [];
      const listen = (f: Dataflow) => f.listen('DEST', (b) => out.push(...rowsFromBatch(b)));
      listen(flow);
      events.forEach((e, i) => {
        flow.advance(e.row.ROWTIME as number);
        if (i === cut) {
          const state = JSON.parse(JSON.stringify(flow.operators.map((o) => o.save())));
          flow = new Dataflow(program, { startTime: 0, now: () => 0, tables: new Map() });
          listen(flow);
          flow.operators.forEach((o, k) => o.load(state[k]));
        }
        flow.push(e.s, batchFromRows(program.relations.get(e.s)!.schema, [e.row]));
      });
      flow.advance(Infinity);
      return out;
    };
    const whole = go(null);
    expect(whole).toEqual(runProgram(code, config, { streams: { ORDERS_001: os, TRADES_001: ts } }, { batchSizes: 1 }).streams.DEST);
    expect(whole.length).toBeGreaterThan(10);
    for (let cut = 1; cut < events.length; cut++) expect(go(cut)).toEqual(whole);
  });
});

/**
 * Against the naive reference evaluator. The reference processes rows one at a time in source order and lets a side
 * without a window contribute nothing; here rows of equal ROWTIME are simultaneous and a side without a window
 * contributes its rows at the arriving row's ROWTIME. The two agree whenever no left row shares its ROWTIME with a
 * right row, which the generator below ensures for the two-source joins; for a self-join with RANGE windows on both
 * sides (INNER) they agree whatever the ties.
 */
describe('stream-to-stream JOIN vs the reference evaluator', () => {
  const BASE = Date.parse('2026-03-01T10:00:00Z');
  const cfg = {
    Inputs: ['ORDERS', 'TRADES'].map((NamePrefix) => ({
      NamePrefix,
      InputSchema: {
        RecordColumns: [
          { Name: 'K', SqlType: 'VARCHAR(4)', Mapping: '$.K' },
          { Name: 'V', SqlType: 'INTEGER', Mapping: '$.V' },
        ],
      },
    })),
  };
  const eventsArb = fc.array(
    fc.record({
      dt: fc.constantFrom(0, 0, 500, 1000, 3000, 8000),
      right: fc.boolean(),
      k: fc.option(fc.constantFrom('A', 'B', 'C'), { freq: 8 }),
      v: fc.option(fc.integer({ min: 0, max: 9 }), { freq: 8 }),
    }),
    { maxLength: 30 },
  );
  const windowArb = fc.oneof(
    fc.constant(''),
    fc.constantFrom(1, 2, 5, 10).map((n) => `OVER (RANGE INTERVAL '${n}' SECOND PRECEDING)`),
    fc.constantFrom(0, 1, 3).map((n) => `OVER (ROWS ${n} PRECEDING)`),
  );
  const batchesArb = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }).filter((a) => a.some((n) => n > 0));
  const SELECT = `SELECT STREAM o."K" AS OK, o."V" AS OV, t."K" AS TK, t."V" AS TV, o.ROWTIME AS OT, t.ROWTIME AS TT`;
  const DEST = `CREATE OR REPLACE STREAM "DEST" (OK VARCHAR(4), OV INTEGER, TK VARCHAR(4), TV INTEGER, OT TIMESTAMP, TT TIMESTAMP);`;

  it('equal outputs for random two-stream joins, windows and batch splits', () => {
    fc.assert(
      fc.property(
        eventsArb,
        windowArb,
        windowArb,
        fc.constantFrom('JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN', 'CROSS JOIN'),
        fc.boolean(),
        batchesArb,
        fc.boolean(),
        (events, lw, rw, type, residual, batchSizes, intKey) => {
          fc.pre(lw !== '' || rw !== '');
          const streams: Record<string, Row[]> = { ORDERS_001: [], TRADES_001: [] };
          let t = BASE;
          let prev: boolean | undefined;
          for (const e of events) {
            t += e.dt === 0 && prev !== undefined && prev !== e.right ? 1 : e.dt;
            prev = e.right;
            streams[e.right ? 'TRADES_001' : 'ORDERS_001']!.push({ ROWTIME: t, K: e.k, V: e.v });
          }
          // INTEGER keys are compared by scanning (few rows here), VARCHAR keys hashed.
          const eq = intKey ? 'o."V" = t."V"' : 'o."K" = t."K"';
          const more = intKey ? ' AND o."K" <= t."K"' : ' AND o."V" < t."V" + 3';
          const on = type === 'CROSS JOIN' ? (residual ? ' WHERE o."V" < t."V" + 3' : '') : ` ON ${eq}${residual ? more : ''}`;
          const code = `${DEST}
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST" ${SELECT}
  FROM "ORDERS_001" ${lw} AS o ${type} "TRADES_001" ${rw} AS t${on};`;
          const input = { streams };
          const expected = referenceRun(code, cfg, input);
          const actual = runProgram(code, cfg, input, { batchSizes });
          expect(actual.errors).toEqual(expected.errors);
          const d = streamDiff(actual.streams.DEST!, expected.streams.DEST!);
          if (d) throw new Error(`${code}\n${JSON.stringify(streams)}\nbatchSizes ${JSON.stringify(batchSizes)}\n${d}`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('equal outputs for random self-joins with RANGE windows on both sides, ties included', () => {
    fc.assert(
      fc.property(eventsArb, fc.constantFrom(0, 1, 2, 5), fc.constantFrom(0, 1, 2, 5), batchesArb, (events, lw, rw, batchSizes) => {
        let t = BASE;
        const rows = events.map((e) => ({ ROWTIME: (t += e.dt), K: e.k, V: e.v }));
        const code = `${DEST}
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST" ${SELECT}
  FROM "ORDERS_001" OVER (RANGE INTERVAL '${lw}' SECOND PRECEDING) AS o
  JOIN "ORDERS_001" OVER (RANGE INTERVAL '${rw}' SECOND PRECEDING) AS t ON o."K" = t."K";`;
        const input = { streams: { ORDERS_001: rows } };
        const expected = referenceRun(code, cfg, input);
        const actual = runProgram(code, cfg, input, { batchSizes });
        const d = streamDiff(actual.streams.DEST!, expected.streams.DEST!);
        if (d) throw new Error(`${code}\n${JSON.stringify(rows)}\nbatchSizes ${JSON.stringify(batchSizes)}\n${d}`);
      }),
      { numRuns: 150 },
    );
  });

  it('output does not depend on batch sizes, ties, self-joins, ROWS windows and outer joins included', () => {
    fc.assert(
      fc.property(
        eventsArb,
        windowArb,
        windowArb,
        fc.constantFrom('JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN', 'CROSS JOIN'),
        fc.boolean(),
        batchesArb,
        batchesArb,
        (events, lw, rw, type, self, b1, b2) => {
          fc.pre(lw !== '' || rw !== '');
          const streams: Record<string, Row[]> = { ORDERS_001: [], TRADES_001: [] };
          let t = BASE;
          for (const e of events) streams[e.right && !self ? 'TRADES_001' : 'ORDERS_001']!.push({ ROWTIME: (t += e.dt), K: e.k, V: e.v });
          const on = type === 'CROSS JOIN' ? '' : ` ON o."K" = t."K" AND o."V" <= t."V" + 4`;
          const code = `${DEST}
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DEST" ${SELECT}
  FROM "ORDERS_001" ${lw} AS o ${type} "${self ? 'ORDERS_001' : 'TRADES_001'}" ${rw} AS t${on};`;
          const a = runProgram(code, cfg, { streams }, { batchSizes: b1 });
          const b = runProgram(code, cfg, { streams }, { batchSizes: b2 });
          expect(a).toEqual(b);
        },
      ),
      { numRuns: 200 },
    );
  });
});
