/**
 * DuckDB as an oracle: a tumbling GROUP BY over a whole replayed input must give what the equivalent batch query gives
 * (`GROUP BY key, rowtime // width`, the output ROWTIME being the bucket's end), and a stream-to-table join what
 * DuckDB's join gives. The properties take the implementation under test as a parameter: they run against the
 * reference evaluator and against the engine's runProgram.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/exec/arrow.js';
import { runProgram, type RunInput, type RunOptions, type RunResult } from '../../src/exec/program.js';
import type { ApplicationConfig } from '../../src/sql/catalog.js';
import { multisetDiff } from './oracle/compare.js';
import { DuckOracle } from './oracle/duckdb.js';
import { referenceRun } from './reference/index.js';

type Runner = (code: string, config: ApplicationConfig | undefined, input: RunInput, options?: RunOptions) => RunResult;

const BASE = Date.parse('2026-01-01T00:00:00Z');
/** Multiply every property's run count, e.g. SLUICE_PROPERTY_SCALE=20 for a long local search. */
const SCALE = Number(process.env.SLUICE_PROPERTY_SCALE ?? 1);

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
  { name: 'SEQ', type: 'BIGINT' as const },
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
  .tuple(fc.integer({ min: 0, max: 3_600_000 }), fc.array(fc.tuple(gap, key, key, x, n), { maxLength: 40, size: 'max' }))
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

/** The rows as loaded into DuckDB: with their arrival position SEQ. */
const withSeq = (rows: Row[]): Row[] => rows.map((r, i) => ({ ...r, SEQ: i }));

interface SlidingQuery {
  partition: boolean;
  frame: { unit: 'RANGE'; ms: number; sql: string } | { unit: 'ROWS'; n: number; sql: string };
  aggs: AggChoice[];
  where: string | null;
}
const slidingQuery: fc.Arbitrary<SlidingQuery> = fc.record({
  partition: fc.boolean(),
  frame: fc.oneof(
    fc.constantFrom(1, 10, 60).map((sec) => ({ unit: 'RANGE' as const, ms: sec * 1000, sql: `RANGE INTERVAL '${sec}' SECOND PRECEDING` })),
    fc.constantFrom(1, 2, 5).map((n) => ({ unit: 'ROWS' as const, n, sql: `ROWS ${n} PRECEDING` })),
  ),
  aggs: fc.subarray(AGGS, { minLength: 1, maxLength: 4 }),
  where,
});

/**
 * A sliding window as a batch self-join: each row a (after WHERE) with the rows b of its partition that arrived no
 * later (SEQ) and lie in its frame (RANGE: b.ROWTIME >= a.ROWTIME - r; ROWS n: the n rows before a and a itself).
 */
function slidingSql(q: SlidingQuery): { code: string; duck: string } {
  const spec = `(${q.partition ? 'PARTITION BY s."K" ' : ''}${q.frame.sql})`;
  const code = `
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" ("K" VARCHAR(4), "X" DOUBLE, ${q.aggs.map((a, i) => `A${i} ${a.type}`).join(', ')});
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM s."K", s."X", ${q.aggs.map((a) => `${a.sql} OVER w`).join(', ')}
      FROM "SOURCE_SQL_STREAM_001" AS s ${q.where ? `WHERE ${q.where}` : ''}
      WINDOW w AS ${spec};`;
  const inFrame =
    q.frame.unit === 'RANGE' ? `b."ROWTIME" >= a."ROWTIME" - ${q.frame.ms}` : `b.rn BETWEEN a.rn - ${q.frame.n} AND a.rn`;
  const duck = `
    WITH f AS (SELECT *, row_number() OVER (${q.partition ? 'PARTITION BY "K" ' : ''}ORDER BY "SEQ") AS rn FROM src ${q.where ? `WHERE ${q.where}` : ''})
    SELECT a."ROWTIME", a."K", a."X", ${q.aggs.map((ag, i) => `${ag.duck.replace(/"([XN])"/g, 'b."$1"').replace('count(*)', 'count(b."SEQ")')} AS "A${i}"`).join(', ')}
    FROM f AS a JOIN f AS b ON b."SEQ" <= a."SEQ" AND ${inFrame}${q.partition ? ' AND b."K" IS NOT DISTINCT FROM a."K"' : ''}
    GROUP BY a."SEQ", a."ROWTIME", a."K", a."X"`;
  return { code, duck };
}

type GroupWindow = { kind: 'TUMBLE'; size: number } | { kind: 'HOP'; slide: number; size: number } | { kind: 'SESSION'; gap: number };
interface GroupWindowQuery {
  keys: ('K' | 'K2')[];
  win: GroupWindow;
  aggs: AggChoice[];
  where: string | null;
}
const groupWindowQuery: fc.Arbitrary<GroupWindowQuery> = fc.record({
  keys: fc.subarray(['K', 'K2'] as ('K' | 'K2')[]),
  win: fc.oneof(
    fc.constantFrom(1, 10, 60).map((sec) => ({ kind: 'TUMBLE' as const, size: sec * 1000 })),
    fc.constantFrom([5, 15], [10, 60], [60, 60], [30, 300]).map(([slide, size]) => ({ kind: 'HOP' as const, slide: slide! * 1000, size: size! * 1000 })),
    fc.constantFrom(1, 5, 60).map((sec) => ({ kind: 'SESSION' as const, gap: sec * 1000 })),
  ),
  aggs: fc.subarray(AGGS, { minLength: 1, maxLength: 4 }),
  where,
});

const iv = (ms: number) => `INTERVAL '${ms / 1000}' SECOND`;

/** Flink-style group windows against their batch definitions (HOP through unnest(range(...)), SESSION as gaps and islands). */
function groupWindowSql(q: GroupWindowQuery): { code: string; duck: string } {
  const w = q.win;
  const args = w.kind === 'TUMBLE' ? `s.ROWTIME, ${iv(w.size)}` : w.kind === 'HOP' ? `s.ROWTIME, ${iv(w.slide)}, ${iv(w.size)}` : `s.ROWTIME, ${iv(w.gap)}`;
  const cols = [...q.keys.map((k) => `"${k}" VARCHAR(4)`), 'WS TIMESTAMP', 'WE TIMESTAMP', ...q.aggs.map((a, i) => `A${i} ${a.type}`)];
  const code = `
    CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (${cols.join(', ')});
    CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
      SELECT STREAM ${[...q.keys.map((k) => `s."${k}"`), `${w.kind}_START(${args})`, `${w.kind}_END(${args})`, ...q.aggs.map((a) => a.sql)].join(', ')}
      FROM "SOURCE_SQL_STREAM_001" AS s ${q.where ? `WHERE ${q.where}` : ''}
      GROUP BY ${[...q.keys.map((k) => `s."${k}"`), `${w.kind}(${args})`].join(', ')};`;
  const keys = q.keys.map((k) => `"${k}"`);
  const aggs = q.aggs.map((a, i) => `${a.duck} AS "A${i}"`).join(', ');
  const filtered = `(SELECT * FROM src ${q.where ? `WHERE ${q.where}` : ''})`;
  let duck: string;
  if (w.kind === 'TUMBLE') {
    duck = `SELECT ("ROWTIME" // ${w.size}) * ${w.size} + ${w.size} AS "ROWTIME", ${keys.map((k) => `${k}, `).join('')}
        ("ROWTIME" // ${w.size}) * ${w.size} AS "WS", ("ROWTIME" // ${w.size}) * ${w.size} + ${w.size} AS "WE", ${aggs}
      FROM ${filtered} GROUP BY ${[...keys, `"ROWTIME" // ${w.size}`].join(', ')}`;
  } else if (w.kind === 'HOP') {
    duck = `WITH h AS (SELECT *, unnest(range(("ROWTIME" - ${w.size}) // ${w.slide} + 1, "ROWTIME" // ${w.slide} + 1)) * ${w.slide} AS ws FROM ${filtered})
      SELECT ws + ${w.size} AS "ROWTIME", ${keys.map((k) => `${k}, `).join('')} ws AS "WS", ws + ${w.size} AS "WE", ${aggs}
      FROM h GROUP BY ${[...keys, 'ws'].join(', ')}`;
  } else {
    const part = keys.length ? `PARTITION BY ${keys.join(', ')} ` : '';
    duck = `WITH g AS (SELECT *, CASE WHEN "ROWTIME" - lag("ROWTIME") OVER (${part}ORDER BY "SEQ") < ${w.gap} THEN 0 ELSE 1 END AS brk FROM ${filtered}),
        h AS (SELECT *, sum(brk) OVER (${part}ORDER BY "SEQ") AS sid FROM g)
      SELECT max("ROWTIME") + ${w.gap} AS "ROWTIME", ${keys.map((k) => `${k}, `).join('')} min("ROWTIME") AS "WS", max("ROWTIME") + ${w.gap} AS "WE", ${aggs}
      FROM h GROUP BY ${[...keys, 'sid'].join(', ')}`;
  }
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
          await duck.table('src', SOURCE_COLUMNS, withSeq(rows));
          const expected = await duck.query(sql);
          const actual = run(code, CONFIG, { streams: { SOURCE_SQL_STREAM_001: rows } }).streams.DESTINATION_SQL_STREAM ?? [];
          for (let i = 1; i < actual.length; i++) expect(actual[i]!.ROWTIME as number).toBeGreaterThanOrEqual(actual[i - 1]!.ROWTIME as number);
          const diff = multisetDiff(actual, expected);
          if (diff) throw new Error(`${code}\n${diff}`);
        }),
        { numRuns },
      );
    });

    it('sliding aggregates OVER (RANGE / ROWS ... PRECEDING) equal a batch self-join over each frame', async () => {
      await fc.assert(
        fc.asyncProperty(tickerRows, slidingQuery, async (rows, q) => {
          const { code, duck: sql } = slidingSql(q);
          await duck.table('src', SOURCE_COLUMNS, withSeq(rows));
          const expected = await duck.query(sql);
          const actual = run(code, CONFIG, { streams: { SOURCE_SQL_STREAM_001: rows } }).streams.DESTINATION_SQL_STREAM ?? [];
          const diff = multisetDiff(actual, expected);
          if (diff) throw new Error(`${code}\n${diff}`);
        }),
        { numRuns },
      );
    });

    it('TUMBLE / HOP / SESSION group windows equal their batch definitions', async () => {
      await fc.assert(
        fc.asyncProperty(tickerRows, groupWindowQuery, async (rows, q) => {
          const { code, duck: sql } = groupWindowSql(q);
          await duck.table('src', SOURCE_COLUMNS, withSeq(rows));
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
          await duck.table('src', SOURCE_COLUMNS, withSeq(rows));
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

oracleProperties('referenceRun', referenceRun, 80 * SCALE);

describe('the engine', () => {
  oracleProperties('runProgram', runProgram, 80 * SCALE);
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
