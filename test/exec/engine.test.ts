/**
 * The engine end to end on small, hand-checked inputs: filter and projection, tumbling aggregates, sliding windows, a
 * reference join, the tumbling sketches, and error_stream. Each runs with several batch splits (including empty and
 * one-row batches): the output must be the same.
 */
import { describe, expect, it } from 'vitest';
import { runProgram, type RunInput } from '../../src/exec/program.js';
import type { ApplicationConfig } from '../../src/sql/catalog.js';

const config: ApplicationConfig = {
  Inputs: [{ NamePrefix: 'SOURCE_SQL_STREAM', InputSchema: { RecordColumns: [
    { Name: 'TICKER', SqlType: 'VARCHAR(4)', Mapping: '$.TICKER' }, { Name: 'PRICE', SqlType: 'DOUBLE', Mapping: '$.PRICE' }] } }],
  ReferenceDataSources: [{ TableName: 'COMPANY', ReferenceSchema: { RecordColumns: [{ Name: 'Ticker', SqlType: 'VARCHAR(4)' }, { Name: 'Name', SqlType: 'VARCHAR(20)' }] } }],
};

const TICKERS = ['AAPL', 'AMZN', 'AMZN', 'AAPL', 'AMZN', 'AMZN'];
const input: RunInput = {
  streams: { SOURCE_SQL_STREAM_001: [0, 1000, 5000, 12000, 15000, 31000].map((t, i) => ({ ROWTIME: t, TICKER: TICKERS[i]!, PRICE: i * 5 })) },
  tables: { COMPANY: [{ Ticker: 'AMZN', Name: 'Amazon' }] },
};

const SPLITS = [1024, 1, [2, 0, 1], [0, 3]];

function run(code: string) {
  const results = SPLITS.map((batchSizes) => runProgram(code, config, input, { batchSizes }));
  for (const r of results.slice(1)) expect(r).toEqual(results[0]);
  return results[0]!;
}

describe('engine', () => {
  it('filters and projects, passing ROWTIME through', () => {
    const r = run(`CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), doubled DOUBLE, one BIGINT);
      CREATE OR REPLACE PUMP p AS INSERT INTO "DEST" SELECT STREAM "TICKER", "PRICE" * 2, 1 FROM SOURCE_SQL_STREAM_001 WHERE "PRICE" > 10;`);
    expect(r.streams.DEST).toEqual([
      { ROWTIME: 12000, TICKER: 'AAPL', DOUBLED: 30, ONE: 1 },
      { ROWTIME: 15000, TICKER: 'AMZN', DOUBLED: 40, ONE: 1 },
      { ROWTIME: 31000, TICKER: 'AMZN', DOUBLED: 50, ONE: 1 },
    ]);
  });

  it('emits a tumbling group at the end of its bucket, groups in order of first appearance', () => {
    const r = run(`CREATE OR REPLACE STREAM "AGG" (ticker VARCHAR(4), win TIMESTAMP, c BIGINT, s DOUBLE, m DOUBLE);
      CREATE OR REPLACE PUMP p AS INSERT INTO "AGG" SELECT STREAM "TICKER", STEP(s.ROWTIME BY INTERVAL '10' SECOND), COUNT(*), SUM("PRICE"), MAX("PRICE")
      FROM SOURCE_SQL_STREAM_001 AS s GROUP BY "TICKER", STEP(s.ROWTIME BY INTERVAL '10' SECOND);`);
    expect(r.streams.AGG).toEqual([
      { ROWTIME: 10000, TICKER: 'AAPL', WIN: 0, C: 1, S: 0, M: 0 },
      { ROWTIME: 10000, TICKER: 'AMZN', WIN: 0, C: 2, S: 15, M: 10 },
      { ROWTIME: 20000, TICKER: 'AAPL', WIN: 10000, C: 1, S: 15, M: 15 },
      { ROWTIME: 20000, TICKER: 'AMZN', WIN: 10000, C: 1, S: 20, M: 20 },
      { ROWTIME: 40000, TICKER: 'AMZN', WIN: 30000, C: 1, S: 25, M: 25 },
    ]);
  });

  it('computes sliding aggregates over RANGE per partition, one row per input row', () => {
    const r = run(`CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), avgp DOUBLE, mx DOUBLE, c BIGINT);
      CREATE OR REPLACE PUMP p AS INSERT INTO "DEST" SELECT STREAM "TICKER", AVG("PRICE") OVER w, MAX("PRICE") OVER w, COUNT(*) OVER w
      FROM SOURCE_SQL_STREAM_001 WINDOW w AS (PARTITION BY "TICKER" RANGE INTERVAL '10' SECOND PRECEDING);`);
    expect(r.streams.DEST).toEqual([
      { ROWTIME: 0, TICKER: 'AAPL', AVGP: 0, MX: 0, C: 1 },
      { ROWTIME: 1000, TICKER: 'AMZN', AVGP: 5, MX: 5, C: 1 },
      { ROWTIME: 5000, TICKER: 'AMZN', AVGP: 7.5, MX: 10, C: 2 },
      { ROWTIME: 12000, TICKER: 'AAPL', AVGP: 15, MX: 15, C: 1 },
      { ROWTIME: 15000, TICKER: 'AMZN', AVGP: 15, MX: 20, C: 2 },
      { ROWTIME: 31000, TICKER: 'AMZN', AVGP: 25, MX: 25, C: 1 },
    ]);
  });

  it('joins a reference table, LEFT keeping unmatched rows with NULLs', () => {
    const r = run(`CREATE OR REPLACE STREAM "J" (ticker VARCHAR(4), name VARCHAR(20));
      CREATE OR REPLACE PUMP p AS INSERT INTO "J" SELECT STREAM s."TICKER", c."Name" FROM SOURCE_SQL_STREAM_001 AS s LEFT JOIN COMPANY AS c ON s."TICKER" = c."Ticker";
      CREATE OR REPLACE STREAM "I" (ticker VARCHAR(4), name VARCHAR(20));
      CREATE OR REPLACE PUMP p2 AS INSERT INTO "I" SELECT STREAM s."TICKER", c."Name" FROM SOURCE_SQL_STREAM_001 AS s JOIN COMPANY AS c ON s."TICKER" = c."Ticker";`);
    expect(r.streams.J!.map((x) => x.NAME)).toEqual([null, 'Amazon', 'Amazon', null, 'Amazon', 'Amazon']);
    expect(r.streams.I!.map((x) => x.ROWTIME)).toEqual([1000, 5000, 15000, 31000]);
  });

  it('counts distinct items and the top k per tumbling window', () => {
    const r = run(`CREATE OR REPLACE STREAM "D" (n BIGINT);
      CREATE OR REPLACE PUMP p AS INSERT INTO "D" SELECT STREAM NUMBER_OF_DISTINCT_ITEMS FROM TABLE(COUNT_DISTINCT_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'TICKER', 10));
      CREATE OR REPLACE STREAM "T" (t VARCHAR(4), n BIGINT);
      CREATE OR REPLACE PUMP p2 AS INSERT INTO "T" SELECT STREAM * FROM TABLE(TOP_K_ITEMS_TUMBLING(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'TICKER', 1, 10));`);
    expect(r.streams.D).toEqual([{ ROWTIME: 10000, N: 2 }, { ROWTIME: 20000, N: 2 }, { ROWTIME: 40000, N: 1 }]);
    expect(r.streams.T).toEqual([{ ROWTIME: 10000, T: 'AMZN', N: 2 }, { ROWTIME: 20000, T: 'AAPL', N: 1 }, { ROWTIME: 40000, T: 'AMZN', N: 1 }]);
  });

  it('sends a row that divides by zero to error_stream and keeps the rest', () => {
    const r = run(`CREATE OR REPLACE STREAM "DEST" (q INTEGER);
      CREATE OR REPLACE PUMP p AS INSERT INTO "DEST" SELECT STREAM 100 / CAST("PRICE" AS INTEGER) FROM SOURCE_SQL_STREAM_001;`);
    expect(r.streams.DEST!.map((x) => x.Q)).toEqual([20, 10, 6, 5, 4]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ ERROR_NAME: 'DIVISION_BY_ZERO', DATA_ROWTIME: 0, PUMP_NAME: 'P', ERROR_LEVEL: 'ERROR' });
  });

  it('SELECT STREAM DISTINCT passes each value once per time bucket', () => {
    const r = run(`CREATE OR REPLACE STREAM "D" (b TIMESTAMP, ticker VARCHAR(4));
      CREATE OR REPLACE PUMP p AS INSERT INTO "D" SELECT STREAM DISTINCT STEP(s.ROWTIME BY INTERVAL '10' SECOND), "TICKER" FROM SOURCE_SQL_STREAM_001 AS s;`);
    expect(r.streams.D).toEqual([
      { ROWTIME: 0, B: 0, TICKER: 'AAPL' },
      { ROWTIME: 1000, B: 0, TICKER: 'AMZN' },
      { ROWTIME: 12000, B: 10000, TICKER: 'AAPL' },
      { ROWTIME: 15000, B: 10000, TICKER: 'AMZN' },
      { ROWTIME: 31000, B: 30000, TICKER: 'AMZN' },
    ]);
  });

  it('ORDER BY sorts within each time bucket and emits at its end', () => {
    const r = run(`CREATE OR REPLACE STREAM "S" (ticker VARCHAR(4), price DOUBLE);
      CREATE OR REPLACE PUMP p AS INSERT INTO "S" SELECT STREAM "TICKER", "PRICE" FROM SOURCE_SQL_STREAM_001 AS s
      ORDER BY STEP(s.ROWTIME BY INTERVAL '10' SECOND), "PRICE" DESC;`);
    expect(r.streams.S).toEqual([
      { ROWTIME: 10000, TICKER: 'AMZN', PRICE: 10 },
      { ROWTIME: 10000, TICKER: 'AMZN', PRICE: 5 },
      { ROWTIME: 10000, TICKER: 'AAPL', PRICE: 0 },
      { ROWTIME: 20000, TICKER: 'AMZN', PRICE: 20 },
      { ROWTIME: 20000, TICKER: 'AAPL', PRICE: 15 },
      { ROWTIME: 40000, TICKER: 'AMZN', PRICE: 25 },
    ]);
  });

  it('reads fields of the row a log-parsing function returns', () => {
    const logConfig: ApplicationConfig = { Inputs: [{ NamePrefix: 'SOURCE_SQL_STREAM', InputSchema: { RecordColumns: [{ Name: 'LINE', SqlType: 'VARCHAR(512)', Mapping: '$.LINE' }] } }] };
    const line = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326';
    const code = `CREATE OR REPLACE STREAM "HITS" (host VARCHAR(64), request VARCHAR(256), status VARCHAR(8));
      CREATE OR REPLACE PUMP p AS INSERT INTO "HITS"
        SELECT STREAM t.r.COLUMN1, t.r.COLUMN5, t.r.COLUMN6
        FROM (SELECT STREAM W3C_LOG_PARSE("LINE", 'COMMON') AS r FROM SOURCE_SQL_STREAM_001) AS t;`;
    const r = runProgram(code, logConfig, { streams: { SOURCE_SQL_STREAM_001: [{ ROWTIME: 5, LINE: line }] } });
    expect(r.errors).toEqual([]);
    expect(r.streams.HITS).toEqual([{ ROWTIME: 5, HOST: '127.0.0.1', REQUEST: 'GET /apache_pb.gif HTTP/1.0', STATUS: '200' }]);
  });

  it('GROUP_RANK ranks the rows of each ROWTIME and emits them by rank', () => {
    const ranked: RunInput = { streams: { SOURCE_SQL_STREAM_001: [
      { ROWTIME: 1000, TICKER: 'A', PRICE: 5 }, { ROWTIME: 1000, TICKER: 'C', PRICE: 9 }, { ROWTIME: 1000, TICKER: 'C', PRICE: 7 }, { ROWTIME: 1000, TICKER: 'B', PRICE: 5 },
      { ROWTIME: 2000, TICKER: 'D', PRICE: 1 },
    ] } };
    const code = `CREATE OR REPLACE STREAM "R" (ticker VARCHAR(4), price DOUBLE, r INTEGER);
      CREATE OR REPLACE PUMP p AS INSERT INTO "R" SELECT STREAM "TICKER", "PRICE", "groupRank"
      FROM TABLE(GROUP_RANK(CURSOR(SELECT STREAM * FROM SOURCE_SQL_STREAM_001), 'TICKER', 'groupRank', 'desc', 'asc', 0, 3));`;
    for (const batchSizes of SPLITS) {
      const r = runProgram(code, config, ranked, { batchSizes });
      expect(r.streams.R).toEqual([
        { ROWTIME: 1000, TICKER: 'C', PRICE: 9, R: 1 },
        { ROWTIME: 1000, TICKER: 'C', PRICE: 7, R: 1 },
        { ROWTIME: 1000, TICKER: 'B', PRICE: 5, R: 3 },
        { ROWTIME: 2000, TICKER: 'D', PRICE: 1, R: 1 },
      ]);
    }
  });

  it('DISTINCT, tumbling and hopping windows resume from saved state with the same output', async () => {
    const { compileProgram } = await import('../../src/exec/program.js');
    const { Dataflow } = await import('../../src/exec/dataflow.js');
    const { batchFromRows, rowsFromBatch } = await import('../../src/exec/arrow.js');
    const code = `CREATE OR REPLACE STREAM "D" (b TIMESTAMP, ticker VARCHAR(4));
      CREATE OR REPLACE PUMP p AS INSERT INTO "D" SELECT STREAM DISTINCT STEP(s.ROWTIME BY INTERVAL '10' SECOND), "TICKER" FROM SOURCE_SQL_STREAM_001 AS s;
      CREATE OR REPLACE STREAM "AGG" (ticker VARCHAR(4), c BIGINT);
      CREATE OR REPLACE PUMP p2 AS INSERT INTO "AGG" SELECT STREAM "TICKER", COUNT(*) FROM SOURCE_SQL_STREAM_001 AS s GROUP BY "TICKER", STEP(s.ROWTIME BY INTERVAL '10' SECOND);
      CREATE OR REPLACE STREAM "HOPS" (ticker VARCHAR(4), ws TIMESTAMP, c BIGINT, f DOUBLE);
      CREATE OR REPLACE PUMP p3 AS INSERT INTO "HOPS" SELECT STREAM "TICKER", HOP_START(s.ROWTIME, INTERVAL '5' SECOND, INTERVAL '15' SECOND), COUNT(*), FIRST_VALUE("PRICE")
        FROM SOURCE_SQL_STREAM_001 AS s GROUP BY "TICKER", HOP(s.ROWTIME, INTERVAL '5' SECOND, INTERVAL '15' SECOND);`;
    const program = compileProgram(code, config);
    const schema = program.relations.get('SOURCE_SQL_STREAM_001')!.schema;
    const rows = input.streams.SOURCE_SQL_STREAM_001!;
    const start = () => {
      const flow = new Dataflow(program, { startTime: 0, now: () => 0, tables: new Map([['COMPANY', batchFromRows(program.relations.get('COMPANY')!.schema, [])]]) });
      const out: Record<string, unknown[]> = { D: [], AGG: [], HOPS: [] };
      for (const s of ['D', 'AGG', 'HOPS']) flow.listen(s, (b) => out[s]!.push(...rowsFromBatch(b)));
      return { flow, out };
    };
    const whole = start();
    whole.flow.push('SOURCE_SQL_STREAM_001', batchFromRows(schema, rows));
    whole.flow.advance(Infinity);
    for (let cut = 0; cut <= rows.length; cut++) {
      const first = start();
      first.flow.push('SOURCE_SQL_STREAM_001', batchFromRows(schema, rows.slice(0, cut)));
      const saved = JSON.parse(JSON.stringify(first.flow.operators.map((op) => op.save())));
      const second = start();
      second.flow.operators.forEach((op, i) => op.load(saved[i]));
      second.flow.push('SOURCE_SQL_STREAM_001', batchFromRows(schema, rows.slice(cut)));
      second.flow.advance(Infinity);
      for (const s of ['D', 'AGG', 'HOPS']) expect([...first.out[s]!, ...second.out[s]!]).toEqual(whole.out[s]);
    }
    // Hop windows of 15 s every 5 s over the six rows: each row is in three windows.
    expect(whole.out.HOPS!.reduce((n: number, r) => n + ((r as { C: number }).C), 0)).toBe(18);
  });
});
