/**
 * The worked examples of kda-sql.md (and more), with exact rows and ROWTIMEs, run by both implementations: the naive
 * reference evaluator and the engine (runProgram, with several batch splits).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { Row } from '../../src/exec/arrow.js';
import type { ApplicationConfig } from '../../src/sql/catalog.js';
import { runProgram, type RunInput, type RunResult } from '../../src/exec/program.js';
import { referenceRun as runReference } from './reference/index.js';

/** The implementation under test, chosen per pass of the suite below. */
let run: (code: string, config: ApplicationConfig | undefined, input: RunInput, options?: { startTime?: number }) => RunResult;

/** The engine, with its output checked to be the same for several batch splits (empty and one-row batches included). */
function runEngine(code: string, config: ApplicationConfig | undefined, input: RunInput, options: { startTime?: number } = {}): RunResult {
  const [first, ...rest] = [1024, 1, [2, 0, 1]].map((batchSizes) => runProgram(code, config, input, { ...options, batchSizes }));
  for (const r of rest) expect(r.streams).toEqual(first!.streams);
  return first!;
}

/** 2026-01-01 at hh:mm:ss(.fff) UTC, in ms. */
const T = (hms: string): number => Date.parse(`2026-01-01T${hms}Z`);

const col = (Name: string, SqlType: string) => ({ Name, SqlType, Mapping: `$.${Name}` });

const TICKER_CONFIG: ApplicationConfig = {
  Inputs: [
    {
      NamePrefix: 'SOURCE_SQL_STREAM',
      InputSchema: { RecordColumns: [col('TICKER_SYMBOL', 'VARCHAR(4)'), col('SECTOR', 'VARCHAR(16)'), col('CHANGE', 'DOUBLE'), col('PRICE', 'DOUBLE')] },
    },
  ],
  Outputs: [{ Name: 'DESTINATION_SQL_STREAM' }],
};

const tick = (time: string, TICKER_SYMBOL: string, PRICE: number | null, extra: Row = {}): Row => ({
  ROWTIME: T(time),
  TICKER_SYMBOL,
  SECTOR: 'TECHNOLOGY',
  CHANGE: 0,
  PRICE,
  ...extra,
});

describe.each([
  ['reference evaluator', runReference],
  ['engine', runEngine],
] as const)('%s', (_name, implementation) => {
  beforeEach(() => {
    run = implementation;
  });

describe('reference evaluator: filters and projections', () => {
  it('copies ROWTIME through, filters with WHERE, evaluates CASE, || and CAST', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), label VARCHAR(32), p INTEGER);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, ticker_symbol || '-' || CASE WHEN price > 50 THEN 'HIGH' ELSE 'LOW' END, CAST(price AS INTEGER)
        FROM source_sql_stream_001 WHERE sector LIKE 'TECH%' AND price IS NOT NULL;`;
    const input = {
      streams: {
        SOURCE_SQL_STREAM_001: [tick('11:00:00', 'AMZN', 84.51), tick('11:00:01', 'MSFT', 12.9), tick('11:00:02', 'AAPL', null), tick('11:00:03', 'INTC', 51, { SECTOR: 'ENERGY' })],
      },
    };
    const r = run(code, TICKER_CONFIG, input);
    expect(r.streams.DESTINATION_SQL_STREAM).toEqual([
      // CAST to an integer rounds half away from zero (the scalar library's choice)
      { ROWTIME: T('11:00:00'), TICKER: 'AMZN', LABEL: 'AMZN-HIGH', P: 85 },
      { ROWTIME: T('11:00:01'), TICKER: 'MSFT', LABEL: 'MSFT-LOW', P: 13 },
    ]);
    expect(r.errors).toEqual([]);
  });

  it('sets ROWTIME from `expr AS ROWTIME`, and sends a row that would go back in time to error_stream', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4));
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ROWTIME + INTERVAL '1' MINUTE - CAST(price AS INTEGER) * INTERVAL '1' SECOND AS ROWTIME, ticker_symbol
        FROM source_sql_stream_001;`;
    const input = { streams: { SOURCE_SQL_STREAM_001: [tick('11:00:00', 'A', 0), tick('11:00:01', 'B', 10), tick('11:00:02', 'C', 0)] } };
    const r = run(code, TICKER_CONFIG, input);
    expect(r.streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:01:00'), TICKER: 'A' },
      { ROWTIME: T('11:01:02'), TICKER: 'C' },
    ]);
    expect(r.errors.map((e) => [e.ERROR_NAME, e.PUMP_NAME])).toEqual([['ROWTIME_OUT_OF_ORDER', 'P']]);
  });

  it('sends (exact) division by zero and failed casts to error_stream and drops the row', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), q INTEGER, n INTEGER);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, CAST(price AS INTEGER) / CAST(change AS INTEGER), CAST(sector AS INTEGER) FROM source_sql_stream_001;`;
    const input = {
      streams: {
        SOURCE_SQL_STREAM_001: [
          tick('11:00:00', 'A', 10, { CHANGE: 2, SECTOR: '7' }),
          tick('11:00:01', 'B', 10, { CHANGE: 0, SECTOR: '7' }),
          tick('11:00:02', 'C', 10, { CHANGE: 5, SECTOR: 'x7' }),
          tick('11:00:03', 'D', 10, { CHANGE: null, SECTOR: null }),
        ],
      },
    };
    const r = run(code, TICKER_CONFIG, input);
    expect(r.streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:00:00'), TICKER: 'A', Q: 5, N: 7 },
      { ROWTIME: T('11:00:03'), TICKER: 'D', Q: null, N: null },
    ]);
    expect(r.errors.map((e) => [e.ERROR_NAME, e.DATA_ROWTIME, e.PUMP_NAME])).toEqual([
      ['DIVISION_BY_ZERO', T('11:00:01'), 'P'],
      ['CONVERSION_FAILED', T('11:00:02'), 'P'],
    ]);
  });
});

describe('reference evaluator: tumbling windows', () => {
  const input = {
    streams: {
      SOURCE_SQL_STREAM_001: [
        tick('11:00:05', 'AMZN', 10),
        tick('11:00:30', 'MSFT', 20),
        tick('11:00:59.999', 'AMZN', 30),
        tick('11:01:00', 'AMZN', 40),
        tick('11:03:10', 'MSFT', null),
      ],
    },
  };

  it('GROUP BY STEP(ROWTIME BY 60 s): ROWTIME = bucket end, the STEP value = bucket start, groups in order of first appearance', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), bucket TIMESTAMP, n BIGINT, nprice BIGINT, total DOUBLE, lo DOUBLE, hi DOUBLE, mean DOUBLE);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, STEP(s.ROWTIME BY INTERVAL '60' SECOND), COUNT(*), COUNT(price), SUM(price), MIN(price), MAX(price), AVG(price)
        FROM source_sql_stream_001 AS s
        GROUP BY ticker_symbol, STEP(s.ROWTIME BY INTERVAL '60' SECOND);`;
    const r = run(code, TICKER_CONFIG, input);
    expect(r.streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:01:00'), TICKER: 'AMZN', BUCKET: T('11:00:00'), N: 2, NPRICE: 2, TOTAL: 40, LO: 10, HI: 30, MEAN: 20 },
      { ROWTIME: T('11:01:00'), TICKER: 'MSFT', BUCKET: T('11:00:00'), N: 1, NPRICE: 1, TOTAL: 20, LO: 20, HI: 20, MEAN: 20 },
      { ROWTIME: T('11:02:00'), TICKER: 'AMZN', BUCKET: T('11:01:00'), N: 1, NPRICE: 1, TOTAL: 40, LO: 40, HI: 40, MEAN: 40 },
      { ROWTIME: T('11:04:00'), TICKER: 'MSFT', BUCKET: T('11:03:00'), N: 1, NPRICE: 0, TOTAL: null, LO: null, HI: null, MEAN: null },
    ]);
  });

  it('FLOOR(ROWTIME TO MINUTE) and the console idiom FLOOR((ROWTIME - epoch) SECOND / 10 TO SECOND) give the same buckets as STEP', () => {
    const floor = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n BIGINT);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, COUNT(*) FROM source_sql_stream_001
        GROUP BY ticker_symbol, FLOOR(source_sql_stream_001.ROWTIME TO MINUTE);`;
    expect(run(floor, TICKER_CONFIG, input).streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:01:00'), TICKER: 'AMZN', N: 2 },
      { ROWTIME: T('11:01:00'), TICKER: 'MSFT', N: 1 },
      { ROWTIME: T('11:02:00'), TICKER: 'AMZN', N: 1 },
      { ROWTIME: T('11:04:00'), TICKER: 'MSFT', N: 1 },
    ]);
    const console10 = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n BIGINT);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, COUNT(*) FROM source_sql_stream_001
        GROUP BY ticker_symbol, FLOOR((source_sql_stream_001.ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND);`;
    expect(run(console10, TICKER_CONFIG, input).streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:00:10'), TICKER: 'AMZN', N: 1 },
      { ROWTIME: T('11:00:40'), TICKER: 'MSFT', N: 1 },
      { ROWTIME: T('11:01:00'), TICKER: 'AMZN', N: 1 },
      { ROWTIME: T('11:01:10'), TICKER: 'AMZN', N: 1 },
      { ROWTIME: T('11:03:20'), TICKER: 'MSFT', N: 1 },
    ]);
  });

  it('HAVING filters groups; ROWTIME in a grouped select list is the group close', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), closed TIMESTAMP, n BIGINT);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, s.ROWTIME AS closed, COUNT(*) FROM source_sql_stream_001 AS s
        GROUP BY ticker_symbol, STEP(s.ROWTIME BY INTERVAL '1' MINUTE) HAVING COUNT(*) > 1;`;
    expect(run(code, TICKER_CONFIG, input).streams.DESTINATION_SQL_STREAM).toEqual([{ ROWTIME: T('11:01:00'), TICKER: 'AMZN', CLOSED: T('11:01:00'), N: 2 }]);
  });
});

describe('reference evaluator: the stagger worked example (kda-sql.md)', () => {
  const config: ApplicationConfig = {
    Inputs: [{ NamePrefix: 'SOURCE_SQL_STREAM', InputSchema: { RecordColumns: [col('EVENT_TIME', 'TIMESTAMP'), col('TICKER', 'VARCHAR(4)'), col('PRICE', 'DOUBLE')] } }],
    Outputs: [{ Name: 'DESTINATION_SQL_STREAM' }],
  };
  const row = (rowtime: string, event: string) => ({ ROWTIME: T(rowtime), EVENT_TIME: T(event), TICKER: 'AMZN', PRICE: 1 });
  const input = {
    streams: { SOURCE_SQL_STREAM_001: [row('11:00:20', '11:00:10'), row('11:00:30', '11:00:20'), row('11:01:05', '11:00:55'), row('11:01:15', '11:01:05')] },
  };

  it('WINDOWED BY STAGGER gives (11:01:20, 11:00, AMZN, 3) and (11:02:15, 11:01, AMZN, 1)', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (event_time TIMESTAMP, ticker VARCHAR(4), ticker_count INTEGER);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM FLOOR(EVENT_TIME TO MINUTE), TICKER, COUNT(*) AS ticker_count
        FROM "SOURCE_SQL_STREAM_001"
        WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER RANGE INTERVAL '1' MINUTE);`;
    expect(run(code, config, input).streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:01:20'), EVENT_TIME: T('11:00:00'), TICKER: 'AMZN', TICKER_COUNT: 3 },
      { ROWTIME: T('11:02:15'), EVENT_TIME: T('11:01:00'), TICKER: 'AMZN', TICKER_COUNT: 1 },
    ]);
  });

  it('the tumbling version of the same input gives three rows with counts 2, 1, 1', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (event_time TIMESTAMP, ticker VARCHAR(4), ticker_count INTEGER);
      CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM FLOOR(EVENT_TIME TO MINUTE), TICKER, COUNT(*) AS ticker_count
        FROM "SOURCE_SQL_STREAM_001"
        GROUP BY FLOOR(EVENT_TIME TO MINUTE), TICKER, STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '60' SECOND);`;
    expect(run(code, config, input).streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:01:00'), EVENT_TIME: T('11:00:00'), TICKER: 'AMZN', TICKER_COUNT: 2 },
      { ROWTIME: T('11:02:00'), EVENT_TIME: T('11:00:00'), TICKER: 'AMZN', TICKER_COUNT: 1 },
      { ROWTIME: T('11:02:00'), EVENT_TIME: T('11:01:00'), TICKER: 'AMZN', TICKER_COUNT: 1 },
    ]);
  });

  it('a row exactly one RANGE after a window opened starts the next window of its key', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n INTEGER);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM TICKER, COUNT(*) FROM "SOURCE_SQL_STREAM_001"
        WINDOWED BY STAGGER (PARTITION BY TICKER RANGE INTERVAL '10' SECOND);`;
    const rows = [row('11:00:00', '11:00:00'), row('11:00:09.999', '11:00:00'), row('11:00:10', '11:00:00')];
    expect(run(code, config, { streams: { SOURCE_SQL_STREAM_001: rows } }).streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:00:10'), TICKER: 'AMZN', N: 2 },
      { ROWTIME: T('11:00:20'), TICKER: 'AMZN', N: 1 },
    ]);
  });
});

describe('reference evaluator: sliding windows', () => {
  const input = {
    streams: {
      SOURCE_SQL_STREAM_001: [
        tick('11:00:00', 'AMZN', 10),
        tick('11:00:04', 'MSFT', 100),
        tick('11:00:05', 'AMZN', 20),
        tick('11:00:10', 'AMZN', null),
        tick('11:00:10', 'AMZN', 40),
        tick('11:00:21', 'AMZN', 50),
      ],
    },
  };

  it('RANGE INTERVAL 10 SECOND PRECEDING frames [t - 10 s, t] of the partition, in arrival order up to the current row', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE, n BIGINT, total DOUBLE, mean DOUBLE);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, price, COUNT(*) OVER w, SUM(price) OVER w, AVG(price) OVER w
        FROM source_sql_stream_001 AS s
        WINDOW w AS (PARTITION BY ticker_symbol RANGE INTERVAL '10' SECOND PRECEDING);`;
    expect(run(code, TICKER_CONFIG, input).streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:00:00'), TICKER: 'AMZN', PRICE: 10, N: 1, TOTAL: 10, MEAN: 10 },
      { ROWTIME: T('11:00:04'), TICKER: 'MSFT', PRICE: 100, N: 1, TOTAL: 100, MEAN: 100 },
      { ROWTIME: T('11:00:05'), TICKER: 'AMZN', PRICE: 20, N: 2, TOTAL: 30, MEAN: 15 },
      { ROWTIME: T('11:00:10'), TICKER: 'AMZN', PRICE: null, N: 3, TOTAL: 30, MEAN: 15 },
      { ROWTIME: T('11:00:10'), TICKER: 'AMZN', PRICE: 40, N: 4, TOTAL: 70, MEAN: 70 / 3 },
      { ROWTIME: T('11:00:21'), TICKER: 'AMZN', PRICE: 50, N: 1, TOTAL: 50, MEAN: 50 },
    ]);
  });

  it('ROWS 2 PRECEDING frames the current row and the two before it; inline OVER works the same', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), hi DOUBLE, first_p DOUBLE, n BIGINT);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker_symbol, MAX(price) OVER (PARTITION BY ticker_symbol ROWS 2 PRECEDING),
          FIRST_VALUE(price) OVER (PARTITION BY ticker_symbol ROWS 2 PRECEDING), COUNT(price) OVER (ROWS 2 PRECEDING)
        FROM source_sql_stream_001;`;
    expect(run(code, TICKER_CONFIG, input).streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:00:00'), TICKER: 'AMZN', HI: 10, FIRST_P: 10, N: 1 },
      { ROWTIME: T('11:00:04'), TICKER: 'MSFT', HI: 100, FIRST_P: 100, N: 2 },
      { ROWTIME: T('11:00:05'), TICKER: 'AMZN', HI: 20, FIRST_P: 10, N: 3 },
      { ROWTIME: T('11:00:10'), TICKER: 'AMZN', HI: 20, FIRST_P: 10, N: 2 },
      { ROWTIME: T('11:00:10'), TICKER: 'AMZN', HI: 40, FIRST_P: 20, N: 2 },
      { ROWTIME: T('11:00:21'), TICKER: 'AMZN', HI: 50, FIRST_P: null, N: 2 },
    ]);
  });
});

describe('reference evaluator: joins', () => {
  const config: ApplicationConfig = {
    ...TICKER_CONFIG,
    ReferenceDataSources: [{ TableName: 'CompanyName', ReferenceSchema: { RecordColumns: [col('Ticker', 'VARCHAR(4)'), col('Company', 'VARCHAR(32)')] } }],
  };
  const tables = { CompanyName: [{ Ticker: 'AMZN', Company: 'Amazon' }, { Ticker: 'MSFT', Company: 'Microsoft' }, { Ticker: 'AMZN', Company: 'Amazon.com' }] };
  const streams = { SOURCE_SQL_STREAM_001: [tick('11:00:00', 'AMZN', 1), tick('11:00:01', 'INTC', 2), tick('11:00:02', 'MSFT', 3)] };

  it('stream LEFT JOIN reference table keeps unmatched rows with NULLs; INNER drops them; ROWTIME is the stream row', () => {
    const code = (kind: string) => `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), company VARCHAR(32), price DOUBLE);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM s.ticker_symbol, c."Company", s.price
        FROM source_sql_stream_001 AS s ${kind} JOIN "CompanyName" AS c ON s.ticker_symbol = c."Ticker";`;
    expect(run(code('LEFT'), config, { streams, tables }).streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:00:00'), TICKER: 'AMZN', COMPANY: 'Amazon', PRICE: 1 },
      { ROWTIME: T('11:00:00'), TICKER: 'AMZN', COMPANY: 'Amazon.com', PRICE: 1 },
      { ROWTIME: T('11:00:01'), TICKER: 'INTC', COMPANY: null, PRICE: 2 },
      { ROWTIME: T('11:00:02'), TICKER: 'MSFT', COMPANY: 'Microsoft', PRICE: 3 },
    ]);
    expect(run(code('INNER'), config, { streams, tables }).streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:00:00'), TICKER: 'AMZN', COMPANY: 'Amazon', PRICE: 1 },
      { ROWTIME: T('11:00:00'), TICKER: 'AMZN', COMPANY: 'Amazon.com', PRICE: 1 },
      { ROWTIME: T('11:00:02'), TICKER: 'MSFT', COMPANY: 'Microsoft', PRICE: 3 },
    ]);
  });

  it('stream-stream join, by instants: an arriving row pairs with the other side\'s window [t - range, t]; ROWTIME = the arriving row\'s', () => {
    const cfg: ApplicationConfig = {
      Inputs: [
        { NamePrefix: 'ORDERS', InputSchema: { RecordColumns: [col('ORDERID', 'INTEGER'), col('QTY', 'INTEGER')] } },
        { NamePrefix: 'TRADES', InputSchema: { RecordColumns: [col('ORDERID', 'INTEGER'), col('PRICE', 'DOUBLE')] } },
      ],
    };
    const code = (kind: string) => `
      CREATE OR REPLACE STREAM "OUT" (oid INTEGER, tid INTEGER, price DOUBLE);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "OUT"
        SELECT STREAM o.orderId, t.orderId, t.price
        FROM orders_001 AS o ${kind} JOIN trades_001 OVER (RANGE INTERVAL '1' MINUTE PRECEDING) AS t ON o.orderId = t.orderId;`;
    const input = {
      streams: {
        ORDERS_001: [{ ROWTIME: T('11:00:30'), ORDERID: 1, QTY: 5 }, { ROWTIME: T('11:02:00'), ORDERID: 2, QTY: 5 }, { ROWTIME: T('11:02:10'), ORDERID: 3, QTY: 5 }],
        TRADES_001: [{ ROWTIME: T('11:00:00'), ORDERID: 1, PRICE: 9 }, { ROWTIME: T('11:00:40'), ORDERID: 1, PRICE: 8 }, { ROWTIME: T('11:00:50'), ORDERID: 2, PRICE: 7 }, { ROWTIME: T('11:02:10'), ORDERID: 3, PRICE: 6 }],
      },
    };
    // Order 1 at 11:00:30 sees trade 1 @11:00:00 (not the later one); order 2 at 11:02:00 finds trade 2 @11:00:50 out of
    // the window; order 3 and trade 3 share an instant (11:02:10), and the window [t - 1 min, t] includes it. Trade
    // arrivals see only orders of their own instant (orders have no window), and that pair is already made.
    expect(run(code('INNER'), cfg, input).streams.OUT).toEqual([
      { ROWTIME: T('11:00:30'), OID: 1, TID: 1, PRICE: 9 },
      { ROWTIME: T('11:02:10'), OID: 3, TID: 3, PRICE: 6 },
    ]);
    expect(run(code('LEFT'), cfg, input).streams.OUT).toEqual([
      { ROWTIME: T('11:00:30'), OID: 1, TID: 1, PRICE: 9 },
      { ROWTIME: T('11:02:00'), OID: 2, TID: null, PRICE: null },
      { ROWTIME: T('11:02:10'), OID: 3, TID: 3, PRICE: 6 },
    ]);
    // FULL: trades that pair with nothing at their own instant are padded on the left.
    expect(run(code('FULL'), cfg, input).streams.OUT).toEqual([
      { ROWTIME: T('11:00:00'), OID: null, TID: 1, PRICE: 9 },
      { ROWTIME: T('11:00:30'), OID: 1, TID: 1, PRICE: 9 },
      { ROWTIME: T('11:00:40'), OID: null, TID: 1, PRICE: 8 },
      { ROWTIME: T('11:00:50'), OID: null, TID: 2, PRICE: 7 },
      { ROWTIME: T('11:02:00'), OID: 2, TID: null, PRICE: null },
      { ROWTIME: T('11:02:10'), OID: 3, TID: 3, PRICE: 6 },
    ]);
  });
});

describe('reference evaluator: several pumps and chains', () => {
  it('two pumps into one stream merge in ROWTIME order; a chained pump reads an in-application stream', () => {
    const code = `
      CREATE OR REPLACE STREAM "MID" (ticker VARCHAR(4), price DOUBLE);
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), n BIGINT);
      CREATE OR REPLACE PUMP "LOW" AS INSERT INTO "MID" SELECT STREAM ticker_symbol, price FROM source_sql_stream_001 WHERE price < 50;
      CREATE OR REPLACE PUMP "HIGH" AS INSERT INTO "MID" SELECT STREAM ticker_symbol, price * 2 FROM source_sql_stream_001 WHERE price >= 50;
      CREATE OR REPLACE PUMP "AGG" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ticker, COUNT(*) FROM "MID" GROUP BY ticker, FLOOR("MID".ROWTIME TO MINUTE);`;
    const input = { streams: { SOURCE_SQL_STREAM_001: [tick('11:00:00', 'A', 10), tick('11:00:01', 'B', 60), tick('11:00:02', 'A', 20), tick('11:01:00', 'B', 70)] } };
    const r = run(code, TICKER_CONFIG, input);
    expect(r.streams.MID).toEqual([
      { ROWTIME: T('11:00:00'), TICKER: 'A', PRICE: 10 },
      { ROWTIME: T('11:00:01'), TICKER: 'B', PRICE: 120 },
      { ROWTIME: T('11:00:02'), TICKER: 'A', PRICE: 20 },
      { ROWTIME: T('11:01:00'), TICKER: 'B', PRICE: 140 },
    ]);
    expect(r.streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:01:00'), TICKER: 'A', N: 2 },
      { ROWTIME: T('11:01:00'), TICKER: 'B', N: 1 },
      { ROWTIME: T('11:02:00'), TICKER: 'B', N: 1 },
    ]);
  });

  it('UNION ALL merges both sides in ROWTIME order; a pump that fills some columns leaves the rest NULL', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE, note VARCHAR(8));
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM" (ticker, price)
        SELECT STREAM ticker_symbol, price FROM source_sql_stream_001 WHERE price < 15
        UNION ALL
        SELECT STREAM ticker_symbol, -price FROM source_sql_stream_001 WHERE price > 15;`;
    const input = { streams: { SOURCE_SQL_STREAM_001: [tick('11:00:00', 'A', 10), tick('11:00:01', 'B', 20), tick('11:00:02', 'C', 12)] } };
    expect(run(code, TICKER_CONFIG, input).streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:00:00'), TICKER: 'A', PRICE: 10, NOTE: null },
      { ROWTIME: T('11:00:01'), TICKER: 'B', PRICE: -20, NOTE: null },
      { ROWTIME: T('11:00:02'), TICKER: 'C', PRICE: 12, NOTE: null },
    ]);
  });
});

describe('reference evaluator: Flink-style group windows (extension)', () => {
  const input = { streams: { SOURCE_SQL_STREAM_001: [tick('11:00:05', 'A', 1), tick('11:00:25', 'A', 2), tick('11:00:31', 'A', 3), tick('11:01:40', 'A', 4)] } };
  const runGrouped = (groupBy: string, start: string, end: string) =>
    run(
      `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ws TIMESTAMP, we TIMESTAMP, total DOUBLE);
       CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
         SELECT STREAM ${start}, ${end}, SUM(price) FROM source_sql_stream_001 AS s GROUP BY ticker_symbol, ${groupBy};`,
      TICKER_CONFIG,
      input,
    ).streams.DESTINATION_SQL_STREAM;

  it('TUMBLE: ROWTIME = window end', () => {
    expect(runGrouped("TUMBLE(s.ROWTIME, INTERVAL '30' SECOND)", "TUMBLE_START(s.ROWTIME, INTERVAL '30' SECOND)", "TUMBLE_END(s.ROWTIME, INTERVAL '30' SECOND)")).toEqual([
      { ROWTIME: T('11:00:30'), WS: T('11:00:00'), WE: T('11:00:30'), TOTAL: 3 },
      { ROWTIME: T('11:01:00'), WS: T('11:00:30'), WE: T('11:01:00'), TOTAL: 3 },
      { ROWTIME: T('11:02:00'), WS: T('11:01:30'), WE: T('11:02:00'), TOTAL: 4 },
    ]);
  });

  it('HOP: each row in every window of `size` starting at a multiple of `slide` that holds it', () => {
    const w = "s.ROWTIME, INTERVAL '30' SECOND, INTERVAL '1' MINUTE";
    expect(runGrouped(`HOP(${w})`, `HOP_START(${w})`, `HOP_END(${w})`)).toEqual([
      { ROWTIME: T('11:00:30'), WS: T('10:59:30'), WE: T('11:00:30'), TOTAL: 3 },
      { ROWTIME: T('11:01:00'), WS: T('11:00:00'), WE: T('11:01:00'), TOTAL: 6 },
      { ROWTIME: T('11:01:30'), WS: T('11:00:30'), WE: T('11:01:30'), TOTAL: 3 },
      { ROWTIME: T('11:02:00'), WS: T('11:01:00'), WE: T('11:02:00'), TOTAL: 4 },
      { ROWTIME: T('11:02:30'), WS: T('11:01:30'), WE: T('11:02:30'), TOTAL: 4 },
    ]);
  });

  it('SESSION: rows less than `gap` apart share a session, which ends `gap` after its last row', () => {
    const w = "s.ROWTIME, INTERVAL '20' SECOND";
    // 11:00:05 and 11:00:25 are exactly `gap` apart: two sessions
    expect(runGrouped(`SESSION(${w})`, `SESSION_START(${w})`, `SESSION_END(${w})`)).toEqual([
      { ROWTIME: T('11:00:25'), WS: T('11:00:05'), WE: T('11:00:25'), TOTAL: 1 },
      { ROWTIME: T('11:00:51'), WS: T('11:00:25'), WE: T('11:00:51'), TOTAL: 5 },
      { ROWTIME: T('11:02:00'), WS: T('11:01:40'), WE: T('11:02:00'), TOTAL: 4 },
    ]);
  });
});

describe('reference evaluator: aggregates, analytic functions and ordering details', () => {
  const rows = [tick('11:00:00', 'A', 2), tick('11:00:01', 'A', 4), tick('11:00:02', 'A', null), tick('11:00:03', 'A', 4), tick('11:00:04', 'A', 5)];

  it('computes the STDDEV/VAR family, FIRST_VALUE/LAST_VALUE, ANY and EVERY over a tumbling group', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (sp DOUBLE, ss DOUBLE, s DOUBLE, vp DOUBLE, vs DOUBLE, f DOUBLE, l DOUBLE, anyp BOOLEAN, everyp BOOLEAN);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM STDDEV_POP(price), STDDEV_SAMP(price), STDDEV(price), VAR_POP(price), VAR_SAMP(price),
          FIRST_VALUE(price), LAST_VALUE(price), ANY(price > 4), EVERY(price > 1)
        FROM source_sql_stream_001 AS s GROUP BY FLOOR(s.ROWTIME TO MINUTE);`;
    // prices 2, 4, 4, 5 (NULL ignored): mean 3.75, squared deviations sum 4.75
    expect(run(code, TICKER_CONFIG, { streams: { SOURCE_SQL_STREAM_001: rows } }).streams.DESTINATION_SQL_STREAM).toEqual([
      { ROWTIME: T('11:01:00'), SP: Math.sqrt(4.75 / 4), SS: Math.sqrt(4.75 / 3), S: Math.sqrt(4.75 / 3), VP: 4.75 / 4, VS: 4.75 / 3, F: 2, L: 5, ANYP: true, EVERYP: true },
    ]);
  });

  it('LAG looks back in the partition; CURRENT_TIMESTAMP is the start time', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (p DOUBLE, prev DOUBLE, prev2 DOUBLE, started TIMESTAMP);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM price, LAG(price) OVER w, LAG(price, 2, -1) OVER w, CURRENT_TIMESTAMP
        FROM source_sql_stream_001 WINDOW w AS (PARTITION BY ticker_symbol ROWS 5 PRECEDING);`;
    const out = run(code, TICKER_CONFIG, { streams: { SOURCE_SQL_STREAM_001: rows.slice(0, 3) } }, { startTime: 42 }).streams.DESTINATION_SQL_STREAM;
    expect(out).toEqual([
      { ROWTIME: T('11:00:00'), P: 2, PREV: null, PREV2: -1, STARTED: 42 },
      { ROWTIME: T('11:00:01'), P: 4, PREV: 2, PREV2: -1, STARTED: 42 },
      { ROWTIME: T('11:00:02'), P: null, PREV: 4, PREV2: 2, STARTED: 42 },
    ]);
  });

  it('rows of several source streams with equal ROWTIME merge in the order of the streams, then of the rows', () => {
    const cfg: ApplicationConfig = { ...TICKER_CONFIG, Inputs: [{ ...TICKER_CONFIG.Inputs![0]!, InputParallelism: { Count: 2 } }] };
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4));
      CREATE OR REPLACE PUMP "B" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker_symbol FROM source_sql_stream_002;
      CREATE OR REPLACE PUMP "A" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ticker_symbol FROM source_sql_stream_001;`;
    const input = {
      streams: {
        SOURCE_SQL_STREAM_001: [tick('11:00:00', 'a1', 1), tick('11:00:01', 'a2', 1), tick('11:00:01', 'a3', 1)],
        SOURCE_SQL_STREAM_002: [tick('11:00:00', 'b1', 1), tick('11:00:01', 'b2', 1)],
      },
    };
    expect(run(code, cfg, input).streams.DESTINATION_SQL_STREAM!.map((r) => r.TICKER)).toEqual(['a1', 'b1', 'a2', 'a3', 'b2']);
  });
});

describe('reference evaluator: subqueries', () => {
  it('an outer SELECT without STREAM over a streaming subquery with column aliases AS t(c1, c2)', () => {
    const code = `
      CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (sym VARCHAR(4), doubled DOUBLE);
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT t.sym, t.p * 2 FROM (SELECT STREAM ticker_symbol, price FROM source_sql_stream_001 WHERE price > 1) AS t(sym, p);`;
    const input = { streams: { SOURCE_SQL_STREAM_001: [tick('11:00:00', 'A', 1), tick('11:00:01', 'B', 2)] } };
    expect(run(code, TICKER_CONFIG, input).streams.DESTINATION_SQL_STREAM).toEqual([{ ROWTIME: T('11:00:01'), SYM: 'B', DOUBLED: 4 }]);
  });
});
});
