/**
 * Subqueries inside expressions, over reference tables: `x [NOT] IN (SELECT ...)` (three-valued, as SQL: NULL when
 * not found and the set or the operand has a NULL) and scalar `(SELECT ...)` (NULL for no rows; more than one row
 * fails each row that evaluates it, to error_stream). Each is evaluated once when the pump starts; each case runs with
 * several batch splits and must give the same rows.
 */
import { describe, expect, it } from 'vitest';
import { compileProgram, runProgram, type RunInput } from '../../src/exec/program.js';
import { PlanError } from '../../src/plan/errors.js';
import type { ApplicationConfig } from '../../src/sql/catalog.js';

const config: ApplicationConfig = {
  Inputs: [{ NamePrefix: 'SOURCE_SQL_STREAM', InputSchema: { RecordColumns: [
    { Name: 'TICKER', SqlType: 'VARCHAR(4)', Mapping: '$.TICKER' }, { Name: 'PRICE', SqlType: 'DOUBLE', Mapping: '$.PRICE' }] } }],
  ReferenceDataSources: [
    { TableName: 'COMPANY', ReferenceSchema: { RecordColumns: [{ Name: 'Ticker', SqlType: 'VARCHAR(4)' }, { Name: 'Name', SqlType: 'VARCHAR(20)' }, { Name: 'Founded', SqlType: 'INTEGER' }] } },
    { TableName: 'LIMITS', ReferenceSchema: { RecordColumns: [{ Name: 'Kind', SqlType: 'VARCHAR(8)' }, { Name: 'Amount', SqlType: 'DOUBLE' }] } },
  ],
};

const streams: RunInput['streams'] = {
  SOURCE_SQL_STREAM_001: [
    { ROWTIME: 0, TICKER: 'AAPL', PRICE: 10 },
    { ROWTIME: 1000, TICKER: 'AMZN', PRICE: 20 },
    { ROWTIME: 2000, TICKER: null, PRICE: 30 },
    { ROWTIME: 3000, TICKER: 'MSFT', PRICE: 40 },
    { ROWTIME: 4000, TICKER: 'AMZN', PRICE: 50 },
  ],
};

const COMPANY = [
  { Ticker: 'AMZN', Name: 'Amazon', Founded: 1994 },
  { Ticker: 'AAPL', Name: 'Apple', Founded: 1976 },
];
const LIMITS = [
  { Kind: 'high', Amount: 35 },
  { Kind: 'low', Amount: 15 },
];

const SPLITS = [1024, 1, [2, 0, 1]];

function run(code: string, tables: RunInput['tables'] = { COMPANY, LIMITS }) {
  const results = SPLITS.map((batchSizes) => runProgram(code, config, { streams, tables }, { batchSizes }));
  for (const r of results.slice(1)) expect(r).toEqual(results[0]);
  return results[0]!;
}

const DEST = `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), price DOUBLE, flag BOOLEAN);`;
const pump = (select: string) => `${DEST} CREATE OR REPLACE PUMP p AS INSERT INTO "DEST" ${select};`;

describe('IN (subquery)', () => {
  it('keeps the rows whose value is in the set; a NULL operand is not in it', () => {
    const r = run(pump(`SELECT STREAM "TICKER", "PRICE", "TICKER" IN (SELECT "Ticker" FROM COMPANY) FROM SOURCE_SQL_STREAM_001`));
    expect(r.errors).toEqual([]);
    expect(r.streams.DEST).toEqual([
      { ROWTIME: 0, TICKER: 'AAPL', PRICE: 10, FLAG: true },
      { ROWTIME: 1000, TICKER: 'AMZN', PRICE: 20, FLAG: true },
      { ROWTIME: 2000, TICKER: null, PRICE: 30, FLAG: null },
      { ROWTIME: 3000, TICKER: 'MSFT', PRICE: 40, FLAG: false },
      { ROWTIME: 4000, TICKER: 'AMZN', PRICE: 50, FLAG: true },
    ]);
  });

  it('is three-valued when the set holds a NULL: not found gives NULL, for IN and NOT IN', () => {
    const tables = { COMPANY: [...COMPANY, { Ticker: null, Name: 'Unknown', Founded: 2000 }], LIMITS };
    const r = run(pump(`SELECT STREAM "TICKER", "PRICE", "TICKER" NOT IN (SELECT "Ticker" FROM COMPANY) FROM SOURCE_SQL_STREAM_001`), tables);
    expect(r.streams.DEST!.map((x) => x.FLAG)).toEqual([false, false, null, null, false]);
    // In WHERE, NULL drops the row just as FALSE does: NOT IN over a set with a NULL keeps nothing.
    const w = run(pump(`SELECT STREAM "TICKER", "PRICE", TRUE FROM SOURCE_SQL_STREAM_001 WHERE "TICKER" NOT IN (SELECT "Ticker" FROM COMPANY)`), tables);
    expect(w.streams.DEST).toEqual([]);
  });

  it('NOT IN keeps the rows not in the set (a NULL operand is dropped)', () => {
    const r = run(pump(`SELECT STREAM "TICKER", "PRICE", TRUE FROM SOURCE_SQL_STREAM_001 WHERE "TICKER" NOT IN (SELECT "Ticker" FROM COMPANY)`));
    expect(r.streams.DEST).toEqual([{ ROWTIME: 3000, TICKER: 'MSFT', PRICE: 40, FLAG: true }]);
  });

  it('applies the subquery WHERE; an empty set gives FALSE, even for a NULL operand', () => {
    const r = run(pump(`SELECT STREAM "TICKER", "PRICE", "TICKER" IN (SELECT "Ticker" FROM COMPANY WHERE "Founded" > 1990) FROM SOURCE_SQL_STREAM_001`));
    expect(r.streams.DEST!.map((x) => x.FLAG)).toEqual([false, true, null, false, true]);
    const empty = run(pump(`SELECT STREAM "TICKER", "PRICE", "TICKER" IN (SELECT "Ticker" FROM COMPANY WHERE "Founded" > 3000) FROM SOURCE_SQL_STREAM_001`));
    expect(empty.streams.DEST!.map((x) => x.FLAG)).toEqual([false, false, false, false, false]);
  });

  it('looks up a computed operand and a computed subquery column', () => {
    const r = run(pump(`SELECT STREAM "TICKER", "PRICE", LOWER("TICKER") IN (SELECT LOWER("Ticker") FROM COMPANY WHERE "Name" LIKE 'A%') FROM SOURCE_SQL_STREAM_001`));
    expect(r.streams.DEST!.map((x) => x.FLAG)).toEqual([true, true, null, false, true]);
  });
});

describe('scalar subquery', () => {
  it('in the select list: its one value; no rows gives NULL', () => {
    const code = `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), hi DOUBLE, none DOUBLE);
      CREATE OR REPLACE PUMP p AS INSERT INTO "DEST" SELECT STREAM "TICKER",
        (SELECT "Amount" FROM LIMITS WHERE "Kind" = 'high'), (SELECT "Amount" FROM LIMITS WHERE "Kind" = 'none')
      FROM SOURCE_SQL_STREAM_001 WHERE "PRICE" > 30;`;
    const r = run(code);
    expect(r.errors).toEqual([]);
    expect(r.streams.DEST).toEqual([
      { ROWTIME: 3000, TICKER: 'MSFT', HI: 35, NONE: null },
      { ROWTIME: 4000, TICKER: 'AMZN', HI: 35, NONE: null },
    ]);
  });

  it('in WHERE, compared with each row', () => {
    const r = run(pump(`SELECT STREAM "TICKER", "PRICE", TRUE FROM SOURCE_SQL_STREAM_001
      WHERE "PRICE" > (SELECT "Amount" FROM LIMITS WHERE "Kind" = 'low') AND "PRICE" < (SELECT "Amount" FROM LIMITS WHERE "Kind" = 'high')`));
    expect(r.streams.DEST).toEqual([
      { ROWTIME: 1000, TICKER: 'AMZN', PRICE: 20, FLAG: true },
      { ROWTIME: 2000, TICKER: null, PRICE: 30, FLAG: true },
    ]);
  });

  it('with more than one row fails each row that evaluates it, to error_stream (INVALID_ARGUMENT)', () => {
    const r = run(pump(`SELECT STREAM "TICKER", "PRICE", "PRICE" > (SELECT "Amount" FROM LIMITS) FROM SOURCE_SQL_STREAM_001 WHERE "PRICE" >= 40`));
    expect(r.streams.DEST).toEqual([]);
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]).toMatchObject({ ERROR_NAME: 'INVALID_ARGUMENT', DATA_ROWTIME: 3000, PUMP_NAME: 'P' });
    expect(String(r.errors[0]!.MESSAGE)).toContain('scalar subquery returned 2 rows');
    // A CASE branch not taken does not evaluate it.
    const c = run(pump(`SELECT STREAM "TICKER", "PRICE", CASE WHEN "PRICE" > 100 THEN "PRICE" > (SELECT "Amount" FROM LIMITS) ELSE FALSE END FROM SOURCE_SQL_STREAM_001 WHERE "PRICE" >= 40`));
    expect(c.errors).toEqual([]);
    expect(c.streams.DEST!.map((x) => x.FLAG)).toEqual([false, false]);
  });
});

describe('refused subqueries', () => {
  it('a correlated subquery is a PlanError naming the outer column, with its position', () => {
    const code = pump(`SELECT STREAM s."TICKER", s."PRICE", TRUE FROM SOURCE_SQL_STREAM_001 AS s
      WHERE s."TICKER" IN (SELECT "Ticker" FROM COMPANY WHERE "Founded" > s."PRICE")`);
    expect(() => compileProgram(code, config)).toThrow(PlanError);
    expect(() => compileProgram(code, config)).toThrow(/a correlated subquery is not supported: S\.PRICE refers to the outer query.*\(line 2, column \d+\)/);
  });
});
