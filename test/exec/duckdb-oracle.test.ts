/**
 * DuckDB as an oracle: a tumbling GROUP BY over a whole replayed input must give what the equivalent batch query gives
 * (`GROUP BY key, rowtime // width`, the output ROWTIME being the bucket's end), and a stream-to-table join what
 * DuckDB's join gives. The properties take the implementation under test as a parameter: they run against the
 * reference evaluator now, and against the engine's runProgram once it is exported.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/exec/arrow.js';
import type { RunInput, RunOptions, RunResult } from '../../src/exec/program.js';
import type { ApplicationConfig } from '../../src/sql/catalog.js';
import { multisetDiff } from './oracle/compare.js';
import { DuckOracle } from './oracle/duckdb.js';
import { referenceRun } from './reference/index.js';

type Runner = (code: string, config: ApplicationConfig | undefined, input: RunInput, options?: RunOptions) => RunResult;

const BASE = Date.parse('2026-01-01T00:00:00Z');

const CONFIG: ApplicationConfig = {
  Inputs: [
    {
      NamePrefix: 'SOURCE_SQL_STREAM',
      InputSchema: {
        RecordColumns: [
          { Name: 'K', SqlType: 'VARCHAR(4)', Mapping: '$.K' },
          { Name: 'K2', SqlType: 'VARCHAR(4)', Mapping: '$.K2' },
          { Name: 'X', SqlType: 'DOUBLE', Mapping: '$.X' },
          { Name: 'N', SqlType: 'INTEGER', Mapping: '$.N' },
        ],
      },
    },
  ],
  Outputs: [{ Name: 'DESTINATION_SQL_STREAM' }],
  ReferenceDataSources: [
    {
      TableName: 'Ref',
      ReferenceSchema: {
        RecordColumns: [
          { Name: 'Key', SqlType: 'VARCHAR(4)' },
          { Name: 'Name', SqlType: 'VARCHAR(16)' },
          { Name: 'W', SqlType: 'DOUBLE' },
        ],
      },
    },
  ],
};

const SOURCE_COLUMNS = [
  { name: 'ROWTIME', type: 'BIGINT' as const },
  { name: 'K', type: 'VARCHAR' as const },
  { name: 'K2', type: 'VARCHAR' as const },
  { name: 'X', type: 'DOUBLE' as const },
  { name: 'N', type: 'INTEGER' as const },
];
const REF_COLUMNS = [
  { name: 'Key', type: 'VARCHAR' as const },
  { name: 'Name', type: 'VARCHAR' as const },
  { name: 'W', type: 'DOUBLE' as const },
];

// ---- generators -------------------------------------------------------------------------------------------------------
const key = fc.constantFrom<string | null>('A', 'B', 'C', 'AMZN', null);
/** Quarters, so sums are exact whatever the order of addition. */
const x = fc.option(fc.integer({ min: -400, max: 400 }).map((n) => n / 4), { freq: 5 });
const n = fc.option(fc.integer({ min: -1000, max: 1000 }), { freq: 5 });
const gap = fc.constantFrom(0, 0, 1, 250, 999, 1000, 4000, 10_000, 59_999, 60_000, 300_000);

const tickerRows: fc.Arbitrary<Row[]> = fc
  .tuple(fc.integer({ min: 0, max: 3_600_000 }), fc.array(fc.tuple(gap, key, key, x, n), { maxLength: 40 }))
  .map(([start, items]) => {
    let t = BASE + start;
    return items.map(([g, k, k2, xv, nv]) => {
      t += g;
      return { ROWTIME: t, K: k, K2: k2, X: xv, N: nv };
    });
  });

interface AggChoice {
  sql: string;
  type: string;
  duck: string;
}
const AGGS: AggChoice[] = [
  { sql: 'COUNT(*)', type: 'BIGINT', duck: 'count(*)' },
  { sql: 'COUNT(X)', type: 'BIGINT', duck: 'count("X")' },
  { sql: 'COUNT(N)', type: 'BIGINT', duck: 'count("N")' },
  { sql: 'SUM(X)', type: 'DOUBLE', duck: 'sum("X")' },
  { sql: 'SUM(N)', type: 'BIGINT', duck: 'sum("N")' },
  { sql: 'MIN(X)', type: 'DOUBLE', duck: 'min("X")' },
  { sql: 'MAX(X)', type: 'DOUBLE', duck: 'max("X")' },
  { sql: 'MIN(N)', type: 'INTEGER', duck: 'min("N")' },
  { sql: 'MAX(N)', type: 'INTEGER', duck: 'max("N")' },
  { sql: 'AVG(X)', type: 'DOUBLE', duck: 'avg("X")' },
];

interface Width {
  ms: number;
  /** The bucket expression over `s.ROWTIME`. */
  sql: string;
}
const WIDTHS: Width[] = [
  { ms: 1000, sql: "STEP(s.ROWTIME BY INTERVAL '1' SECOND)" },
  { ms: 10_000, sql: "STEP(s.ROWTIME BY INTERVAL '10' SECOND)" },
  { ms: 60_000, sql: "STEP(s.ROWTIME BY INTERVAL '60' SECOND)" },
  { ms: 300_000, sql: "STEP(s.ROWTIME BY INTERVAL '5' MINUTE)" },
  { ms: 1000, sql: 'FLOOR(s.ROWTIME TO SECOND)' },
  { ms: 60_000, sql: 'FLOOR(s.ROWTIME TO MINUTE)' },
  { ms: 3_600_000, sql: 'FLOOR(s.ROWTIME TO HOUR)' },
];

/** WHERE conditions written the same in KDA SQL and DuckDB. */
const where = fc.option(
  fc.oneof(
    fc.integer({ min: -100, max: 100 }).map((c) => `"X" > ${c}`),
    fc.integer({ min: -1000, max: 1000 }).map((c) => `"N" <= ${c}`),
    fc.constantFrom(`"K" = 'A'`, `"X" IS NOT NULL`, `"K" <> 'B' OR "N" > 0`, `"K2" IN ('A', 'C')`),
  ),
  { freq: 2 },
);

interface TumblingQuery {
  keys: ('K' | 'K2')[];
  width: Width;
  aggs: AggChoice[];
  where: string | null;
}
const tumblingQuery: fc.Arbitrary<TumblingQuery> = fc.record({
  keys: fc.subarray(['K', 'K2'] as ('K' | 'K2')[]),
  width: fc.constantFrom(...WIDTHS),
  aggs: fc.subarray(AGGS, { minLength: 1, maxLength: 5 }),
  where,
});

function tumblingSql(q: TumblingQuery): { code: string; duck: string } {
  const cols = [...q.keys.map((k) => `"${k}" VARCHAR(4)`), 'BUCKET TIMESTAMP', ...q.aggs.map((a, i) => `A${i} ${a.type}`)];
  const code = `
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (${cols.join(', ')});
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ${[...q.keys.map((k) => `s."${k}"`), q.width.sql, ...q.aggs.map((a) => a.sql)].join(', ')}
      FROM "SOURCE_SQL_STREAM_001" AS s
      ${q.where ? `WHERE ${q.where}` : ''}
      GROUP BY ${[...q.keys.map((k) => `s."${k}"`), q.width.sql].join(', ')};`;
  const w = q.width.ms;
  const duck = `
    SELECT ("ROWTIME" // ${w}) * ${w} + ${w} AS "ROWTIME", ${q.keys.map((k) => `"${k}", `).join('')}
      ("ROWTIME" // ${w}) * ${w} AS "BUCKET", ${q.aggs.map((a, i) => `${a.duck} AS "A${i}"`).join(', ')}
    FROM src ${q.where ? `WHERE ${q.where}` : ''}
    GROUP BY ${[...q.keys.map((k) => `"${k}"`), `"ROWTIME" // ${w}`].join(', ')}`;
  return { code, duck };
}

const refRows: fc.Arbitrary<Row[]> = fc.array(
  fc.record({ Key: key, Name: fc.constantFrom('Amazon', "O'Brien", 'x"y', 'Zed', ''), W: x }),
  { maxLength: 6 },
);

interface JoinQuery {
  kind: 'LEFT' | 'INNER';
  extra: boolean;
}
function joinSql(q: JoinQuery): { code: string; duck: string } {
  const on = `s."K" = r."Key"${q.extra ? ' AND r."W" >= s."X"' : ''}`;
  const code = `
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("K" VARCHAR(4), "NAME" VARCHAR(16), "X" DOUBLE, "W" DOUBLE);
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM s."K", r."Name", s."X", r."W"
      FROM "SOURCE_SQL_STREAM_001" AS s ${q.kind} JOIN "Ref" AS r ON ${on};`;
  const duck = `SELECT s."ROWTIME", s."K", r."Name" AS "NAME", s."X", r."W" FROM src AS s ${q.kind} JOIN ref AS r ON ${on}`;
  return { code, duck };
}

// ---- the properties, for any implementation ---------------------------------------------------------------------------
function oracleProperties(name: string, run: Runner, numRuns: number): void {
  describe(`${name} vs DuckDB`, () => {
    let duck: DuckOracle;
    beforeAll(async () => {
      duck = await DuckOracle.create();
    });
    afterAll(() => duck?.close());

    it('tumbling GROUP BY (STEP / FLOOR) equals the batch GROUP BY key, rowtime // width', async () => {
      await fc.assert(
        fc.asyncProperty(tickerRows, tumblingQuery, async (rows, q) => {
          const { code, duck: sql } = tumblingSql(q);
          await duck.table('src', SOURCE_COLUMNS, rows);
          const expected = await duck.query(sql);
          const actual = run(code, CONFIG, { streams: { SOURCE_SQL_STREAM_001: rows } }).streams.DESTINATION_SQL_STREAM ?? [];
          for (let i = 1; i < actual.length; i++) expect(actual[i]!.ROWTIME as number).toBeGreaterThanOrEqual(actual[i - 1]!.ROWTIME as number);
          const diff = multisetDiff(actual, expected);
          if (diff) throw new Error(`${code}\n${diff}`);
        }),
        { numRuns },
      );
    });

    it('stream-to-reference-table LEFT / INNER JOIN equals the batch join', async () => {
      await fc.assert(
        fc.asyncProperty(tickerRows, refRows, fc.record({ kind: fc.constantFrom<'LEFT' | 'INNER'>('LEFT', 'INNER'), extra: fc.boolean() }), async (rows, ref, q) => {
          const { code, duck: sql } = joinSql(q);
          await duck.table('src', SOURCE_COLUMNS, rows);
          await duck.table('ref', REF_COLUMNS, ref);
          const expected = await duck.query(sql);
          const actual = run(code, CONFIG, { streams: { SOURCE_SQL_STREAM_001: rows }, tables: { Ref: ref } }).streams.DESTINATION_SQL_STREAM ?? [];
          for (let i = 1; i < actual.length; i++) expect(actual[i]!.ROWTIME as number).toBeGreaterThanOrEqual(actual[i - 1]!.ROWTIME as number);
          const diff = multisetDiff(actual, expected);
          if (diff) throw new Error(`${code}\n${diff}`);
        }),
        { numRuns },
      );
    });
  });
}

oracleProperties('referenceRun', referenceRun, 80);

// The engine is imported dynamically so that, while it is being built, a module of it that does not load fails one
// test below instead of hiding the reference's own tests.
const engine: { runProgram?: Runner; importError?: unknown } = await import('../../src/exec/program.js').then(
  (m) => m as unknown as { runProgram?: Runner },
  (importError: unknown) => ({ importError }),
);
const runProgram = engine.runProgram;
it.runIf(engine.importError !== undefined)('the engine module loads', () => {
  throw engine.importError;
});
describe.runIf(typeof runProgram === 'function')('the engine', () => {
  oracleProperties('runProgram', (...args) => runProgram!(...args), 80);
});

describe('the DuckDB harness', () => {
  it('loads quotes and NULLs through the appender and converts BIGINT, DECIMAL and TIMESTAMP to numbers', async () => {
    const duck = await DuckOracle.create();
    try {
      await duck.table('t', [{ name: 'S', type: 'VARCHAR' }, { name: 'T', type: 'TIMESTAMP' }, { name: 'B', type: 'BIGINT' }], [
        { S: "it's \"quoted\"", T: BASE + 1500, B: 2 ** 40 },
        { S: null, T: null, B: null },
      ]);
      const rows = await duck.query('SELECT "S", "T", "B", "B" * 2 AS "B2", CAST(1.25 AS DECIMAL(10, 2)) AS "D", sum("B") OVER () AS "H" FROM t WHERE "S" IS NOT NULL OR $1', [true]);
      expect(rows).toEqual([
        { S: "it's \"quoted\"", T: BASE + 1500, B: 2 ** 40, B2: 2 ** 41, D: 1.25, H: 2 ** 40 },
        { S: null, T: null, B: null, B2: null, D: 1.25, H: 2 ** 40 },
      ]);
    } finally {
      duck.close();
    }
  });
});
