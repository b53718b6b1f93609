/** Type inference as the binder reports it in a query's output columns: numbers, DECIMAL precision, time arithmetic. */
import { describe, expect, it } from 'vitest';
import { show } from '../../src/sql/bind/types.js';
import { checkApplication } from '../../src/sql/index.js';
import { config } from './helpers.js';

/** The types of a streaming query's output columns (a pump into an open target is avoided: the query is bound alone). */
function types(selectList: string, from = '"SOURCE_SQL_STREAM_001" AS s'): string[] {
  const code = `CREATE OR REPLACE STREAM out_stream (x INTEGER);\nCREATE OR REPLACE PUMP p AS INSERT INTO out_stream SELECT STREAM ${selectList} FROM ${from};`;
  const r = checkApplication(code, config);
  const pump = r.program!.pumps[0];
  if (!pump) throw new Error(JSON.stringify(r.diagnostics));
  return pump.query.columns.map((c) => show(c.type));
}

describe('type inference', () => {
  it('keeps REAL as REAL and promotes to DOUBLE only with a DOUBLE', () => {
    expect(types('PRICE * 2')).toEqual(['REAL']);
    expect(types('PRICE + CHANGE')).toEqual(['REAL']);
    expect(types('PRICE * 1.5')).toEqual(['REAL']);
    expect(types('PRICE * "temperature"')).toEqual(['DOUBLE']);
    expect(types('PRICE * 1e2')).toEqual(['DOUBLE']);
  });

  it('widens integers and sums them as BIGINT', () => {
    expect(types('STATUS + QUANTITY')).toEqual(['INTEGER']);
    expect(types('QUANTITY * ORDER_ID')).toEqual(['BIGINT']);
    expect(types('COUNT(*)', '"SOURCE_SQL_STREAM_001" AS s GROUP BY FLOOR(s.ROWTIME TO MINUTE)')).toEqual(['BIGINT']);
    expect(types('SUM(QUANTITY)', '"SOURCE_SQL_STREAM_001" AS s GROUP BY FLOOR(s.ROWTIME TO MINUTE)')).toEqual(['BIGINT']);
  });

  it('types temporal predicates as BOOLEAN and SUBSTRING ... SIMILAR as VARCHAR', () => {
    expect(types("PERIOD(EVENT_TIME, s.ROWTIME) STRICTLY OVERLAPS PERIOD(EVENT_TIME, EVENT_TIME + INTERVAL '1' MINUTE)")).toEqual(['BOOLEAN']);
    expect(types('PERIOD(EVENT_TIME, s.ROWTIME) IMMEDIATELY LAGS PERIOD(EVENT_TIME, EVENT_TIME) OR TRUE')).toEqual(['BOOLEAN']);
    expect(types(`SUBSTRING(TICKER SIMILAR '#"A%#"' ESCAPE '#')`)).toEqual(['VARCHAR']);
  });

  it('adds GROUP_RANK\'s INTEGER rank column, named by its third argument, to the cursor\'s columns', () => {
    const from = `TABLE(GROUP_RANK(CURSOR(SELECT STREAM TICKER, QUANTITY FROM "SOURCE_SQL_STREAM_001"), 'QUANTITY', 'rank', 'desc', 'desc', 0, 10)) AS r`;
    expect(types('r.TICKER', from)).toEqual(['VARCHAR(4)']);
    expect(types('r.QUANTITY', from)).toEqual(['INTEGER']);
    expect(types('r."rank"', from)).toEqual(['INTEGER']);
  });

  it('tracks DECIMAL precision and scale', () => {
    expect(types('AMOUNT')).toEqual(['DECIMAL(12,2)']);
    expect(types('AMOUNT + AMOUNT')).toEqual(['DECIMAL(13,2)']);
    expect(types('AMOUNT * 0.0025')).toEqual(['DECIMAL(16,6)']);
    expect(types('AMOUNT + QUANTITY')).toEqual(['DECIMAL(13,2)']);
    expect(types('AMOUNT * AMOUNT * AMOUNT')).toEqual(['DECIMAL(19,6)']);
    expect(types('CAST(PRICE AS DECIMAL(5,1))')).toEqual(['DECIMAL(5,1)']);
  });

  it('does TIMESTAMP and INTERVAL arithmetic', () => {
    expect(types("EVENT_TIME + INTERVAL '1' MINUTE")).toEqual(['TIMESTAMP']);
    expect(types("INTERVAL '1' HOUR + EVENT_TIME")).toEqual(['TIMESTAMP']);
    expect(types('s.ROWTIME - EVENT_TIME')).toEqual(['INTERVAL']);
    expect(types("(s.ROWTIME - EVENT_TIME) SECOND / 10")).toEqual(['INTERVAL']);
    expect(types("INTERVAL '1' MINUTE * 3")).toEqual(['INTERVAL']);
    expect(types('FLOOR(s.ROWTIME TO HOUR)')).toEqual(['TIMESTAMP']);
    expect(types("STEP(s.ROWTIME BY INTERVAL '5' SECOND)")).toEqual(['TIMESTAMP']);
    expect(types('TSDIFF(s.ROWTIME, EVENT_TIME)')).toEqual(['BIGINT']);
    expect(types('CAST(EVENT_TIME AS DATE)')).toEqual(['DATE']);
  });

  it('types strings, CASE and row fields', () => {
    expect(types("TICKER || '-' || SECTOR")).toEqual(['VARCHAR(21)']);
    expect(types("CASE WHEN PRICE > 1 THEN 'high' ELSE 'lower' END")).toEqual(['VARCHAR(5)']);
    expect(types('CASE WHEN PRICE > 1 THEN QUANTITY ELSE PRICE END')).toEqual(['REAL']);
    expect(types('t.r.COLUMN2', '(SELECT STREAM REGEX_LOG_PARSE("log", \'(a)(b)\') AS r FROM "SOURCE_SQL_STREAM_001") AS t')).toEqual(['VARCHAR(1024)']);
  });

  it('reports the regex group count of REGEX_LOG_PARSE rows', () => {
    const code = `CREATE OR REPLACE STREAM o (a VARCHAR(8));
CREATE OR REPLACE PUMP p AS INSERT INTO o SELECT STREAM t.r.COLUMN3 FROM (SELECT STREAM REGEX_LOG_PARSE("log", '(a)(b)') AS r FROM "SOURCE_SQL_STREAM_001") AS t;`;
    const r = checkApplication(code, config);
    expect(r.diagnostics.map((d) => d.message)).toEqual(['row R has no field COLUMN3 (it has COLUMN1, COLUMN2)']);
  });
});

describe('without a config', () => {
  it('source columns are unknown: names resolve, and * into a stream is not counted', () => {
    const code = `CREATE STREAM s (a INTEGER, b VARCHAR(3), c REAL);
CREATE PUMP p AS INSERT INTO s SELECT STREAM * FROM source_sql_stream_001;
CREATE PUMP q AS INSERT INTO s SELECT STREAM anything, "else", at_all FROM source_sql_stream_001;
CREATE PUMP r AS INSERT INTO s SELECT STREAM x, y, z FROM source_sql_stream_002;`;
    const r = checkApplication(code);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'no stream or table named SOURCE_SQL_STREAM_002; did you mean SOURCE_SQL_STREAM_001?',
    ]);
    expect(r.program!.pumps.map((p) => p.name)).toEqual(['P', 'Q', 'R']);
  });
});
