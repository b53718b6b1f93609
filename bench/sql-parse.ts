/**
 * `sluice bench sql-parse`: how fast the SQL front end reads application code, in source lines per second.
 *
 * - `kda-app-30-lines`: a typical 30-line KDA application (streams, a reference join, a stagger window, a sliding
 *   window, RCF) through lexing, parsing and CST → AST; `+bind` adds binding against the catalog.
 * - `plain-sql`: the same number of lines of plain SQL (no KDA syntax), read by Sluice and, beside it, by
 *   node-sql-parser (a devDependency: the peer is skipped where it is not installed), so the ratio holds on a noisy
 *   machine.
 */
import { bind } from '../src/sql/bind/binder.js';
import { catalogFromConfig, type ApplicationConfig } from '../src/sql/catalog.js';
import { parse } from '../src/sql/parse.js';
import { measure, report, type BenchOptions } from './harness.js';

export const TYPICAL_APP = `-- A typical application: clean, enrich, window, score.
CREATE OR REPLACE STREAM cleaned (ticker VARCHAR(4), sector VARCHAR(16), price REAL, change REAL);
CREATE OR REPLACE STREAM enriched (ticker VARCHAR(4), company VARCHAR(64), price REAL);
CREATE OR REPLACE STREAM per_minute (event_minute TIMESTAMP, ticker VARCHAR(4), n INTEGER, avg_price REAL);
CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price REAL, avg_10s REAL, anomaly_score DOUBLE);
CREATE OR REPLACE PUMP clean_pump AS INSERT INTO cleaned
  SELECT STREAM UPPER(TRIM(ticker_symbol)), sector, price, change
  FROM "SOURCE_SQL_STREAM_001"
  WHERE price IS NOT NULL AND price BETWEEN 0 AND 1000;
CREATE OR REPLACE PUMP enrich_pump AS INSERT INTO enriched
  SELECT STREAM c.ticker, COALESCE(r."Company", 'unknown'), c.price
  FROM cleaned AS c LEFT JOIN "CompanyName" AS r ON c.ticker = r."Ticker";
CREATE OR REPLACE PUMP minute_pump AS INSERT INTO per_minute
  SELECT STREAM FLOOR(EVENT_TIME TO MINUTE), TICKER, COUNT(*), AVG(PRICE)
  FROM "SOURCE_SQL_STREAM_001"
  WINDOWED BY STAGGER (PARTITION BY FLOOR(EVENT_TIME TO MINUTE), TICKER RANGE INTERVAL '1' MINUTE);
CREATE OR REPLACE PUMP output_pump AS INSERT INTO "DESTINATION_SQL_STREAM"
  SELECT STREAM ticker, price, AVG(price) OVER w, ANOMALY_SCORE
  FROM TABLE(RANDOM_CUT_FOREST(
    CURSOR(SELECT STREAM ticker, price FROM enriched)))
  WINDOW w AS (PARTITION BY ticker RANGE INTERVAL '10' SECOND PRECEDING);
CREATE OR REPLACE STREAM alerts (ticker VARCHAR(4), label VARCHAR(32));
CREATE OR REPLACE PUMP alert_pump AS INSERT INTO alerts
  SELECT STREAM ticker,
    CASE WHEN change > 5 THEN 'spike ' || ticker
         WHEN change < -5 THEN 'drop ' || ticker
         ELSE 'steady' END
  FROM cleaned
  WHERE ABS(change) > 1.5;
`;

/** Plain SQL that both parsers read: the same shapes without STREAM, pumps or windows. */
export const PLAIN_SQL = [
  "SELECT ticker, sector, price, change FROM ticks WHERE price IS NOT NULL AND price BETWEEN 0 AND 1000",
  "SELECT c.ticker, COALESCE(r.company, 'unknown') AS company, c.price FROM cleaned AS c LEFT JOIN companies AS r ON c.ticker = r.ticker",
  "SELECT ticker, COUNT(*) AS n, AVG(price) AS avg_price FROM ticks WHERE sector = 'TECHNOLOGY' GROUP BY ticker HAVING COUNT(*) > 1",
  "SELECT ticker, CASE WHEN change > 5 THEN 'spike' WHEN change < -5 THEN 'drop' ELSE 'steady' END AS label FROM cleaned WHERE ABS(change) > 1.5",
  "SELECT a.ticker, b.price FROM a JOIN b ON a.id = b.id WHERE a.x IN (1, 2, 3) AND b.name LIKE 'A%' ORDER BY a.ticker",
  "SELECT ticker, MAX(price) - MIN(price) AS spread FROM ticks GROUP BY ticker UNION ALL SELECT 'ALL', MAX(price) - MIN(price) FROM ticks",
].flatMap((q) => [q, ';']).join('\n');

const BENCH_CONFIG: ApplicationConfig = {
  Inputs: [{
    NamePrefix: 'SOURCE_SQL_STREAM',
    InputSchema: {
      RecordColumns: [
        { Name: 'TICKER_SYMBOL', SqlType: 'VARCHAR(4)' }, { Name: 'SECTOR', SqlType: 'VARCHAR(16)' },
        { Name: 'CHANGE', SqlType: 'REAL' }, { Name: 'PRICE', SqlType: 'REAL' },
        { Name: 'EVENT_TIME', SqlType: 'TIMESTAMP' }, { Name: 'TICKER', SqlType: 'VARCHAR(4)' },
      ],
    },
  }],
  ReferenceDataSources: [{ TableName: 'CompanyName', ReferenceSchema: { RecordColumns: [{ Name: 'Ticker', SqlType: 'VARCHAR(4)' }, { Name: 'Company', SqlType: 'VARCHAR(64)' }] } }],
};

const lines = (s: string) => s.trimEnd().split('\n').length;

export async function benchSqlParse(options: BenchOptions): Promise<void> {
  const ms = options.quick ? 300 : 1500;
  const appLines = lines(TYPICAL_APP);
  const first = parse(TYPICAL_APP);
  if (!first.script || first.diagnostics.length) throw new Error(`the benchmark application does not parse: ${JSON.stringify(first.diagnostics)}`);
  const bound = bind(first.script, catalogFromConfig(BENCH_CONFIG));
  if (bound.diagnostics.length) throw new Error(`the benchmark application does not bind: ${JSON.stringify(bound.diagnostics)}`);

  const p = await measure(ms, appLines, () => parse(TYPICAL_APP));
  report(options, { suite: 'sql-parse', case: 'kda-app-30-lines', records_per_s: p.perSecond, lines: appLines, unit: 'lines', apps_per_s: p.perSecond / appLines });
  const pb = await measure(ms, appLines, () => bind(parse(TYPICAL_APP).script!, catalogFromConfig(BENCH_CONFIG)));
  report(options, { suite: 'sql-parse', case: 'kda-app-30-lines+bind', records_per_s: pb.perSecond, lines: appLines, unit: 'lines' });

  const plainLines = lines(PLAIN_SQL);
  const sluice = await measure(ms, plainLines, () => parse(PLAIN_SQL));
  const peer = await nodeSqlParser();
  if (!peer) {
    report(options, { suite: 'sql-parse', case: 'plain-sql', records_per_s: sluice.perSecond, unit: 'lines', peer: 'node-sql-parser (not installed)' });
    return;
  }
  const other = await measure(ms, plainLines, () => peer(PLAIN_SQL));
  report(options, {
    suite: 'sql-parse', case: 'plain-sql', records_per_s: sluice.perSecond, unit: 'lines',
    peer: 'node-sql-parser', peer_records_per_s: other.perSecond, ratio: sluice.perSecond / other.perSecond,
  });
}

/** node-sql-parser's `astify`, if the devDependency is installed. */
export async function nodeSqlParser(): Promise<((sql: string) => unknown) | undefined> {
  try {
    const mod = (await import('node-sql-parser')) as unknown as { Parser?: new () => { astify(sql: string): unknown }; default?: { Parser: new () => { astify(sql: string): unknown } } };
    const Parser = mod.Parser ?? mod.default!.Parser;
    const parser = new Parser();
    return (sql) => parser.astify(sql);
  } catch {
    return undefined;
  }
}
