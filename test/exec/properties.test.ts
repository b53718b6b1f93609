/**
 * Engine vs reference: for random schemas, inputs, queries (filter, projection, tumbling aggregate, sliding aggregate,
 * stagger, two pumps into one stream, a chain through an in-application stream) and random splits of the input into
 * batches (empty and one-row batches included), runProgram's output equals the naive reference evaluator's (rows of
 * equal ROWTIME compared as multisets; numbers within a relative 1e-9), and does not depend on the batch sizes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../src/exec/arrow.js';
import { runProgram, type RunInput, type RunResult } from '../../src/exec/program.js';
import type { ApplicationConfig } from '../../src/sql/catalog.js';
import { checkApplication } from '../../src/sql/index.js';
import { multisetDiff, streamDiff } from './oracle/compare.js';
import { referenceRun } from './reference/index.js';


const BASE = Date.parse('2026-03-01T10:00:00Z');
/** Multiply every property's run count, e.g. SLUICE_PROPERTY_SCALE=20 for a long local search. */
const SCALE = Number(process.env.SLUICE_PROPERTY_SCALE ?? 1);

// ---- schemas and inputs -------------------------------------------------------------------------------------------------
type Kind = 'KEY' | 'INT' | 'DOUBLE';
interface Col {
  name: string;
  kind: Kind;
}
interface Schema {
  keys: Col[];
  nums: Col[];
}
const SQL_TYPE: Record<Kind, string> = { KEY: 'VARCHAR(8)', INT: 'INTEGER', DOUBLE: 'DOUBLE' };

const nameCase = fc.constantFrom((s: string) => s.toLowerCase(), (s: string) => s.toUpperCase(), (s: string) => s[0]!.toUpperCase() + s.slice(1));
const schemaArb: fc.Arbitrary<Schema> = fc
  .record({
    nKeys: fc.integer({ min: 1, max: 2 }),
    nums: fc.array(fc.constantFrom<Kind>('INT', 'DOUBLE'), { minLength: 1, maxLength: 3 }),
    keyCase: nameCase,
    numCase: nameCase,
  })
  .map(({ nKeys, nums, keyCase, numCase }) => ({
    keys: Array.from({ length: nKeys }, (_, i) => ({ name: keyCase(`key${i}`), kind: 'KEY' as const })),
    nums: nums.map((kind, i) => ({ name: numCase(`val${i}`), kind })),
  }));

/** One input split over two in-application source streams (_001 and _002, same schema), and a reference table. */
const configOf = (s: Schema): ApplicationConfig => ({
  Inputs: [
    {
      NamePrefix: 'SOURCE_SQL_STREAM',
      InputParallelism: { Count: 2 },
      InputSchema: {
        RecordColumns: [
          ...[...s.keys, ...s.nums].map((c) => ({ Name: c.name, SqlType: SQL_TYPE[c.kind], Mapping: `$.${c.name}` })),
          { Name: 'EVT', SqlType: 'TIMESTAMP', Mapping: '$.EVT' },
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
          { Name: 'k', SqlType: 'VARCHAR(8)' },
          { Name: 'label', SqlType: 'VARCHAR(8)' },
          { Name: 'w', SqlType: 'DOUBLE' },
        ],
      },
    },
  ],
});

const refRowsArb: fc.Arbitrary<Row[]> = fc.array(
  fc.record({ k: valueOfKey(), label: fc.constantFrom('one', "it's", 'x"y', ''), w: fc.option(fc.integer({ min: -8, max: 8 }), { freq: 5 }) }),
  { maxLength: 5 },
);
function valueOfKey(): fc.Arbitrary<string | null> {
  return fc.option(fc.constantFrom('A', 'B', 'AB', 'b'), { freq: 6 });
}

/** Values of a column; `manyKeys`: 40 distinct keys instead of 4. */
const valueOf = (kind: Kind, manyKeys = false): fc.Arbitrary<string | number | null> =>
  kind === 'KEY'
    ? fc.option(manyKeys ? fc.integer({ min: 0, max: 39 }).map((n) => `K${n}`) : fc.constantFrom('A', 'B', 'AB', 'b'), { freq: 6 })
    : kind === 'INT'
      ? fc.option(fc.integer({ min: -20, max: 20 }), { freq: 6 })
      : fc.option(fc.integer({ min: -200, max: 200 }).map((n) => n / 8), { freq: 6 });

const gapArb = fc.constantFrom(0, 0, 1, 500, 999, 1000, 2500, 5000, 10_000, 30_000, 60_000);

function rowsArb(s: Schema, maxRows = 30, manyKeys = false): fc.Arbitrary<Row[]> {
  const cols = [...s.keys, ...s.nums];
  return fc
    .tuple(
      fc.integer({ min: 0, max: 120_000 }),
      fc.array(fc.tuple(gapArb, fc.tuple(...cols.map((c) => valueOf(c.kind, manyKeys))), fc.option(fc.integer({ min: 0, max: 90_000 }), { freq: 8 })), { minLength: maxRows > 30 ? 100 : 0, maxLength: maxRows, size: 'max' }),
    )
    .map(([start, items]) => {
      let t = BASE + start;
      return items.map(([g, vs, lag]) => {
        t += g;
        // EVT: the event time, up to 90 s before the row arrived (or NULL)
        const row: Row = { ROWTIME: t, EVT: lag === null ? null : t - lag };
        cols.forEach((c, i) => (row[c.name] = vs[i] ?? null));
        return row;
      });
    });
}

// ---- expressions ----------------------------------------------------------------------------------------------------------
interface Expr {
  sql: string;
  type: 'INTEGER' | 'DOUBLE' | 'VARCHAR(16)' | 'BIGINT' | 'TIMESTAMP';
}
const q = (c: Col) => `s."${c.name.replace(/"/g, '""')}"`;

function numExpr(s: Schema, depth: number): fc.Arbitrary<Expr> {
  const leaf: fc.Arbitrary<Expr> = fc.oneof(
    fc.constantFrom(...s.nums).map((c) => ({ sql: q(c), type: c.kind === 'INT' ? ('INTEGER' as const) : ('DOUBLE' as const) })),
    fc.integer({ min: 0, max: 5 }).map((n) => ({ sql: String(n), type: 'INTEGER' as const })),
    fc.constantFrom('0.5e0', '2.25e0').map((t) => ({ sql: t, type: 'DOUBLE' as const })),
  );
  if (depth <= 0) return leaf;
  const sub = numExpr(s, depth - 1);
  return fc.oneof(
    { arbitrary: leaf, weight: 2 },
    {
      arbitrary: fc.tuple(sub, fc.constantFrom('+', '-', '*', '/'), sub).map(([a, op, b]) => ({
        sql: `(${a.sql} ${op} ${b.sql})`,
        type: a.type === 'INTEGER' && b.type === 'INTEGER' ? ('INTEGER' as const) : ('DOUBLE' as const),
      })),
      weight: 1,
    },
  );
}

function predicate(s: Schema, depth: number): fc.Arbitrary<string> {
  const num = fc.constantFrom(...s.nums).map(q);
  const key = fc.constantFrom(...s.keys).map(q);
  const atom = fc.oneof(
    fc.tuple(num, fc.constantFrom('<', '<=', '>', '>=', '=', '<>'), fc.integer({ min: -10, max: 10 })).map(([c, op, n]) => `${c} ${op} ${n}`),
    fc.tuple(key, fc.constantFrom('A', 'B', 'AB')).map(([c, v]) => `${c} = '${v}'`),
    key.map((c) => `${c} IS NULL`),
    num.map((c) => `${c} IS NOT NULL`),
    key.map((c) => `${c} LIKE 'A%'`),
    fc.tuple(num, fc.integer({ min: -10, max: 0 }), fc.integer({ min: 0, max: 10 })).map(([c, a, b]) => `${c} BETWEEN ${a} AND ${b}`),
    key.map((c) => `${c} IN ('A', 'b')`),
  );
  if (depth <= 0) return atom;
  const sub = predicate(s, depth - 1);
  return fc.oneof(
    { arbitrary: atom, weight: 3 },
    { arbitrary: fc.tuple(sub, fc.constantFrom('AND', 'OR'), sub).map(([a, op, b]) => `(${a} ${op} ${b})`), weight: 1 },
    { arbitrary: sub.map((p) => `NOT (${p})`), weight: 1 },
  );
}

function projectionItem(s: Schema): fc.Arbitrary<Expr> {
  return fc.oneof(
    fc.constantFrom(...s.keys).map((c) => ({ sql: q(c), type: 'VARCHAR(16)' as const })),
    numExpr(s, 2),
    fc.constantFrom(...s.keys).map((c) => ({ sql: `${q(c)} || '-x'`, type: 'VARCHAR(16)' as const })),
    fc.tuple(predicate(s, 1), fc.constantFrom(...s.keys)).map(([p, c]) => ({ sql: `CASE WHEN ${p} THEN 'yes' ELSE ${q(c)} END`, type: 'VARCHAR(16)' as const })),
    fc.constantFrom(...s.nums).map((c) => ({ sql: `CAST(${q(c)} AS VARCHAR(16))`, type: 'VARCHAR(16)' as const })),
    // a failed conversion (keys are not numbers) goes to error_stream
    fc.constantFrom(...s.keys).map((c) => ({ sql: `CAST(${q(c)} AS INTEGER)`, type: 'INTEGER' as const })),
    fc.tuple(fc.constantFrom(...s.keys), fc.constantFrom('UPPER', 'LOWER', 'CHAR_LENGTH', 'SUBSTRING')).map(([c, f]) =>
      f === 'CHAR_LENGTH'
        ? { sql: `CHAR_LENGTH(${q(c)})`, type: 'INTEGER' as const }
        : f === 'SUBSTRING'
          ? { sql: `SUBSTRING(${q(c)} FROM 2 FOR 1)`, type: 'VARCHAR(16)' as const }
          : { sql: `${f}(${q(c)})`, type: 'VARCHAR(16)' as const },
    ),
    fc.constantFrom(...s.nums).map((c) => ({ sql: `COALESCE(${q(c)}, 0)`, type: c.kind === 'INT' ? ('INTEGER' as const) : ('DOUBLE' as const) })),
    fc.constant({ sql: `FLOOR(s."EVT" TO MINUTE)`, type: 'TIMESTAMP' as const }),
  );
}

/** Expressions over a group's aggregates (a division by COUNT(*) - 1 fails for a group of one). */
function groupExpr(s: Schema): fc.Arbitrary<Expr> {
  const intCols = s.nums.filter((c) => c.kind === 'INT');
  return fc.oneof(
    aggregate(s, false),
    fc.constantFrom(...s.nums).map((c) => ({ sql: `MAX(${q(c)}) - MIN(${q(c)})`, type: c.kind === 'INT' ? ('INTEGER' as const) : ('DOUBLE' as const) })),
    fc.constant({ sql: 'COUNT(*) * 2 + 1', type: 'BIGINT' as const }),
    intCols.length
      ? fc.constantFrom(...intCols).map((c) => ({ sql: `SUM(${q(c)}) / (COUNT(*) - 1)`, type: 'BIGINT' as const }))
      : fc.constant({ sql: 'COUNT(*) / 2', type: 'BIGINT' as const }),
  );
}

function aggregate(s: Schema, windowed: boolean): fc.Arbitrary<Expr> {
  const fns = windowed ? ['SUM', 'MIN', 'MAX', 'AVG', 'COUNT', 'FIRST_VALUE', 'LAST_VALUE'] : ['SUM', 'MIN', 'MAX', 'AVG', 'COUNT'];
  return fc.oneof(
    fc.constant({ sql: 'COUNT(*)', type: 'BIGINT' as const }),
    fc.tuple(fc.constantFrom(...fns), fc.constantFrom(...s.nums)).map(([f, c]) => ({
      sql: `${f}(${q(c)})`,
      type: f === 'COUNT' ? ('BIGINT' as const) : c.kind === 'DOUBLE' ? ('DOUBLE' as const) : f === 'SUM' ? ('BIGINT' as const) : ('INTEGER' as const),
    })),
    fc.tuple(fc.constantFrom('MIN', 'MAX'), fc.constantFrom(...s.keys)).map(([f, c]) => ({ sql: `${f}(${q(c)})`, type: 'VARCHAR(16)' as const })),
  );
}

const bucketArb = fc.constantFrom(
  "STEP(s.ROWTIME BY INTERVAL '1' SECOND)",
  "STEP(s.ROWTIME BY INTERVAL '10' SECOND)",
  "STEP(s.ROWTIME BY INTERVAL '1' MINUTE)",
  'FLOOR(s.ROWTIME TO MINUTE)',
  'FLOOR(s.ROWTIME TO SECOND)',
  "FLOOR((s.ROWTIME - TIMESTAMP '1970-01-01 00:00:00') SECOND / 10 TO SECOND)",
);

// ---- applications -----------------------------------------------------------------------------------------------------------
interface App {
  schema: Schema;
  code: string;
  what: string;
}

function stream(name: string, items: Expr[]): string {
  return `CREATE OR REPLACE STREAM "${name}" (${items.map((e, i) => `c${i} ${e.type}`).join(', ')});`;
}

const KINDS = ['filter', 'tumbling', 'sliding', 'stagger', 'twoPumps', 'chain', 'windowedChain', 'unionAll', 'tableJoin', 'streamJoin', 'groupWindow', 'setRowtime'] as const;
type AppKind = (typeof KINDS)[number];

function appArb(s: Schema, pick: AppKind | 'any'): fc.Arbitrary<App> {
  const where = fc.option(predicate(s, 2), { freq: 2 });
  const from = 'FROM "SOURCE_SQL_STREAM_001" AS s';
  const filter = fc.tuple(fc.array(projectionItem(s), { minLength: 1, maxLength: 4 }), where).map(([items, w]) => ({
    what: 'filter/projection',
    code: `${stream('DESTINATION_SQL_STREAM', items)}
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ${items.map((e) => e.sql).join(', ')} ${from}${w ? ` WHERE ${w}` : ''};`,
  }));
  const tumbling = fc
    .tuple(fc.subarray(s.keys), fc.boolean(), bucketArb, fc.boolean(), fc.array(groupExpr(s), { minLength: 1, maxLength: 4 }), where, fc.option(fc.integer({ min: 0, max: 3 })))
    .map(([keys, byEvent, bucket, showBucket, aggs, w, having]) => {
      // byEvent: the documented "two window" pattern, grouping by event time (FLOOR(EVT TO MINUTE)) and ROWTIME
      const keyExprs: Expr[] = [...keys.map((k) => ({ sql: q(k), type: 'VARCHAR(16)' as const })), ...(byEvent ? [{ sql: 'FLOOR(s."EVT" TO MINUTE)', type: 'TIMESTAMP' as const }] : [])];
      const items: Expr[] = [...keyExprs, ...aggs];
      const cols = showBucket && !bucket.includes('SECOND / 10') ? [...items, { sql: bucket, type: 'TIMESTAMP' as const }] : items;
      return {
        what: 'tumbling',
        code: `${stream('DESTINATION_SQL_STREAM', cols)}
          CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM ${cols.map((e) => e.sql).join(', ')} ${from}${w ? ` WHERE ${w}` : ''}
            GROUP BY ${[...keyExprs.map((k) => k.sql), bucket].join(', ')}${having !== null ? ` HAVING COUNT(*) > ${having}` : ''};`,
      };
    });
  const frame = fc.oneof(
    fc.constantFrom(1, 2, 10, 60).map((n) => `RANGE INTERVAL '${n}' SECOND PRECEDING`),
    fc.constantFrom(1, 2, 5).map((n) => `ROWS ${n} PRECEDING`),
  );
  const sliding = fc
    .tuple(fc.option(fc.constantFrom(...s.keys)), frame, fc.array(aggregate(s, true), { minLength: 1, maxLength: 3 }), where, fc.boolean(), fc.option(fc.tuple(frame, aggregate(s, true))))
    .map(([part, fr, aggs, w, inline, second]) => {
      const spec = `(${part ? `PARTITION BY ${q(part)} ` : ''}${fr})`;
      const items: Expr[] = [
        ...s.nums.slice(0, 1).map((c) => ({ sql: q(c), type: c.kind === 'INT' ? ('INTEGER' as const) : ('DOUBLE' as const) })),
        ...aggs.map((a) => ({ ...a, sql: `${a.sql} OVER ${inline ? spec : 'w'}` })),
        // a second window, not partitioned, in the same query
        ...(second ? [{ ...second[1], sql: `${second[1].sql} OVER (${second[0]})` }] : []),
      ];
      return {
        what: 'sliding',
        code: `${stream('DESTINATION_SQL_STREAM', items)}
          CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM ${items.map((e) => e.sql).join(', ')} ${from}${w ? ` WHERE ${w}` : ''}${inline ? '' : ` WINDOW w AS ${spec}`};`,
      };
    });
  const stagger = fc
    .tuple(fc.subarray(s.keys, { minLength: 1 }), fc.boolean(), fc.constantFrom(1, 5, 30, 60), fc.array(groupExpr(s), { minLength: 1, maxLength: 3 }), where)
    .map(([keys0, byEvent, secs, aggs, w]) => {
      const keys = [...keys0.map((k) => ({ sql: q(k), type: 'VARCHAR(16)' as const })), ...(byEvent ? [{ sql: 'FLOOR(s."EVT" TO MINUTE)', type: 'TIMESTAMP' as const }] : [])];
      const items: Expr[] = [...keys, ...aggs];
      return {
        what: 'stagger',
        code: `${stream('DESTINATION_SQL_STREAM', items)}
          CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM ${items.map((e) => e.sql).join(', ')} ${from}${w ? ` WHERE ${w}` : ''}
            WINDOWED BY STAGGER (PARTITION BY ${keys.map((k) => k.sql).join(', ')} RANGE INTERVAL '${secs}' SECOND);`,
      };
    });
  const union = fc.tuple(fc.array(projectionItem(s), { minLength: 1, maxLength: 3 }), predicate(s, 1), predicate(s, 1)).map(([items, w1, w2]) => ({
    what: 'two pumps into one stream',
    code: `${stream('DESTINATION_SQL_STREAM', items)}
      CREATE OR REPLACE PUMP "P1" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ${items.map((e) => e.sql).join(', ')} ${from} WHERE ${w1};
      CREATE OR REPLACE PUMP "P2" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM ${items.map((e) => e.sql).join(', ')} ${from} WHERE ${w2};`,
  }));
  const chain = fc.tuple(predicate(s, 1), bucketArb.filter((b) => !b.includes('SECOND / 10'))).map(([w, bucket]) => {
    const k = s.keys[0]!;
    const v = s.nums[0]!;
    const vt = v.kind === 'INT' ? 'INTEGER' : 'DOUBLE';
    return {
      what: 'chain',
      code: `CREATE OR REPLACE STREAM "MID" (k VARCHAR(8), v ${vt});
        CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (k VARCHAR(8), n BIGINT, total ${v.kind === 'INT' ? 'BIGINT' : 'DOUBLE'});
        CREATE OR REPLACE PUMP "P1" AS INSERT INTO "MID" SELECT STREAM ${q(k)}, ${q(v)} ${from} WHERE ${w};
        CREATE OR REPLACE PUMP "P2" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM s.k, COUNT(*), SUM(s.v) FROM "MID" AS s GROUP BY s.k, ${bucket};`,
    };
  });
  const windowedChain = fc
    .tuple(bucketArb.filter((b) => !b.includes('SECOND / 10')), fc.constantFrom('tumbling', 'sliding', 'stagger', 'filter'))
    .map(([bucket, second]) => {
      const k = s.keys[0]!;
      const v = s.nums[0]!;
      const total = v.kind === 'INT' ? 'BIGINT' : 'DOUBLE';
      const downstream = {
        tumbling: `SELECT STREAM m.k, COUNT(*), SUM(m.total) FROM "MID" AS m GROUP BY m.k, STEP(m.ROWTIME BY INTERVAL '2' MINUTE)`,
        sliding: `SELECT STREAM m.k, COUNT(*) OVER (PARTITION BY m.k RANGE INTERVAL '1' MINUTE PRECEDING), SUM(m.total) OVER (ROWS 1 PRECEDING) FROM "MID" AS m`,
        stagger: `SELECT STREAM m.k, COUNT(*), SUM(m.total) FROM "MID" AS m WINDOWED BY STAGGER (PARTITION BY m.k RANGE INTERVAL '30' SECOND)`,
        filter: `SELECT STREAM m.k, m.n, m.total FROM "MID" AS m WHERE m.n > 1`,
      }[second];
      return {
        what: `tumbling, then ${second} over its output`,
        code: `CREATE OR REPLACE STREAM "MID" (k VARCHAR(8), n BIGINT, total ${total});
          CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (k VARCHAR(8), n BIGINT, total ${total});
          CREATE OR REPLACE PUMP "P1" AS INSERT INTO "MID" SELECT STREAM ${q(k)}, COUNT(*), SUM(${q(v)}) ${from} GROUP BY ${q(k)}, ${bucket};
          CREATE OR REPLACE PUMP "P2" AS INSERT INTO "DESTINATION_SQL_STREAM" ${downstream};`,
      };
    });
  const src2 = 'FROM "SOURCE_SQL_STREAM_002" AS s';
  const unionAll = fc.tuple(fc.array(projectionItem(s), { minLength: 1, maxLength: 3 }), where, where).map(([items, w1, w2]) => ({
    what: 'UNION ALL of two source streams',
    code: `${stream('DESTINATION_SQL_STREAM', items)}
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM ${items.map((e) => e.sql).join(', ')} ${from}${w1 ? ` WHERE ${w1}` : ''}
        UNION ALL
        SELECT STREAM ${items.map((e) => e.sql).join(', ')} ${src2}${w2 ? ` WHERE ${w2}` : ''};`,
  }));
  const tableJoin = fc.tuple(fc.constantFrom('LEFT', 'INNER'), fc.constantFrom(...s.keys), fc.constantFrom(...s.nums), fc.boolean(), where).map(([kind, k, v, extra, w]) => {
    const vt = v.kind === 'INT' ? 'INTEGER' : 'DOUBLE';
    return {
      what: 'reference table join',
      code: `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (k VARCHAR(8), label VARCHAR(8), v ${vt}, w DOUBLE);
        CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
          SELECT STREAM ${q(k)}, r."label", ${q(v)}, r."w" ${from} ${kind} JOIN "Ref" AS r ON ${q(k)} = r."k"${extra ? ` AND r."w" >= ${q(v)}` : ''}${w ? ` WHERE ${w}` : ''};`,
    };
  });
  const joinWindow = fc.oneof(fc.constantFrom(1, 5, 30).map((n) => `RANGE INTERVAL '${n}' SECOND PRECEDING`), fc.constantFrom(0, 2).map((n) => `ROWS ${n} PRECEDING`));
  const streamJoin = fc
    .tuple(fc.constantFrom('INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS'), fc.option(joinWindow, { freq: 2 }), joinWindow, fc.constantFrom(...s.keys), fc.constantFrom(...s.nums))
    .map(([kind, lw, rw, k, v]) => {
      const vt = v.kind === 'INT' ? 'INTEGER' : 'DOUBLE';
      const on = kind === 'CROSS' ? '' : ` ON s."${k.name}" = t."${k.name}"`;
      return {
        what: 'stream-stream join',
        code: `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (k1 VARCHAR(8), v1 ${vt}, k2 VARCHAR(8), v2 ${vt});
          CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM s."${k.name}", s."${v.name}", t."${k.name}", t."${v.name}"
            FROM "SOURCE_SQL_STREAM_001"${lw ? ` OVER (${lw})` : ''} AS s ${kind} JOIN "SOURCE_SQL_STREAM_002" OVER (${rw}) AS t${on};`,
      };
    });
  const groupWindow = fc
    .tuple(
      fc.subarray(s.keys),
      fc.constantFrom("TUMBLE(s.ROWTIME, INTERVAL '10' SECOND)", "HOP(s.ROWTIME, INTERVAL '5' SECOND, INTERVAL '15' SECOND)", "SESSION(s.ROWTIME, INTERVAL '5' SECOND)"),
      fc.array(aggregate(s, false), { minLength: 1, maxLength: 3 }),
      where,
    )
    .map(([keys, win, aggs, w]) => {
      const fn = win.slice(0, win.indexOf('('));
      const args = win.slice(win.indexOf('('));
      const items: Expr[] = [
        ...keys.map((k) => ({ sql: q(k), type: 'VARCHAR(16)' as const })),
        { sql: `${fn}_START${args}`, type: 'TIMESTAMP' as const },
        { sql: `${fn}_END${args}`, type: 'TIMESTAMP' as const },
        ...aggs,
      ];
      return {
        what: `group window ${fn}`,
        code: `${stream('DESTINATION_SQL_STREAM', items)}
          CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
            SELECT STREAM ${items.map((e) => e.sql).join(', ')} ${from}${w ? ` WHERE ${w}` : ''} GROUP BY ${[...keys.map(q), win].join(', ')};`,
      };
    });
  const setRowtime = fc.tuple(fc.array(projectionItem(s), { minLength: 1, maxLength: 3 }), predicate(s, 1), fc.constantFrom(0, 1, 30)).map(([items, p, secs]) => ({
    what: 'expr AS ROWTIME',
    code: `${stream('DESTINATION_SQL_STREAM', items)}
      CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
        SELECT STREAM CASE WHEN ${p} THEN s.ROWTIME ELSE s.ROWTIME + INTERVAL '${secs}' SECOND END AS ROWTIME, ${items.map((e) => e.sql).join(', ')} ${from};`,
  }));
  const byKind: Record<AppKind, fc.Arbitrary<{ what: string; code: string }>> = {
    filter, tumbling, sliding, stagger, twoPumps: union, chain, windowedChain, unionAll, tableJoin, streamJoin, groupWindow, setRowtime,
  };
  return (pick === 'any' ? fc.oneof(...Object.values(byKind)) : byKind[pick]).map((a) => ({ ...a, schema: s }));
}

const batchSizesArb: fc.Arbitrary<number | number[]> = fc.oneof(
  fc.integer({ min: 1, max: 40 }),
  fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 }).filter((a) => a.some((n) => n > 0)),
  fc.constant<number[]>([1]),
  fc.constant<number[]>([0, 1]),
);

const caseArbOf = (pick: AppKind | 'any', maxRows = 30, manyKeys = false) =>
  schemaArb.chain((s) =>
    fc.record({ app: appArb(s, pick), rows: rowsArb(s, maxRows, manyKeys), rows2: rowsArb(s, maxRows, manyKeys), table: refRowsArb, batches: batchSizesArb, batches2: batchSizesArb }),
  );
const inputOf = (c: { rows: Row[]; rows2: Row[]; table: Row[] }): RunInput => ({
  streams: { SOURCE_SQL_STREAM_001: c.rows, SOURCE_SQL_STREAM_002: c.rows2 },
  tables: { Ref: c.table },
});

// ---- comparing results --------------------------------------------------------------------------------------------------------
const errorKey = (e: Row): Row => ({ ERROR_NAME: e.ERROR_NAME ?? null, DATA_ROWTIME: e.DATA_ROWTIME ?? null, PUMP_NAME: e.PUMP_NAME ?? null });

function resultDiff(actual: RunResult, expected: RunResult, streams: string[]): string | undefined {
  for (const name of streams) {
    const d = streamDiff(actual.streams[name] ?? [], expected.streams[name] ?? []);
    if (d) return `stream ${name}: ${d}`;
  }
  const d = multisetDiff(actual.errors.map(errorKey), expected.errors.map(errorKey));
  return d ? `error_stream: ${d}` : undefined;
}

function createdStreams(code: string, config: ApplicationConfig): string[] {
  const check = checkApplication(code, config);
  if (!check.ok) throw new Error(`generated code does not check:\n${code}\n${check.diagnostics.map((d) => d.message).join('\n')}`);
  return check.program!.catalog.relationNames(['stream']);
}

describe('the property generators', () => {
  it('generate applications that check, which the reference runs, with output for every kind and some errors', () => {
    const withOutput = new Set<string>();
    const errorNames = new Set<string>();
    fc.assert(
      fc.property(
        fc.constantFrom(...KINDS).chain((k) => caseArbOf(k).map((c) => ({ ...c, kind: k }))),
        (c) => {
          const { app } = c;
          const config = configOf(app.schema);
          const streams = createdStreams(app.code, config);
          const r = referenceRun(app.code, config, inputOf(c));
          expect(Object.keys(r.streams).sort()).toEqual([...streams].sort());
          if ((r.streams.DESTINATION_SQL_STREAM ?? []).length > 0) withOutput.add(c.kind);
          for (const e of r.errors) errorNames.add(String(e.ERROR_NAME));
        },
      ),
      { numRuns: 400, seed: 20260301 },
    );
    // the generators are not vacuous: every kind of application produced rows, and the error paths were taken
    expect([...withOutput].sort()).toEqual([...KINDS].sort());
    expect([...errorNames].sort()).toEqual(['CONVERSION_FAILED', 'DIVISION_BY_ZERO', 'ROWTIME_OUT_OF_ORDER']);
  });
});

describe('runProgram vs referenceRun', () => {
  it.each(KINDS)('equal outputs for random %s applications, inputs and batch splits', (kind) => {
    fc.assert(
      fc.property(caseArbOf(kind), (c) => {
        const { app, batches } = c;
        const config = configOf(app.schema);
        const streams = createdStreams(app.code, config);
        const input = inputOf(c);
        const expected = referenceRun(app.code, config, input);
        const actual = runProgram(app.code, config, input, { batchSizes: batches });
        const d = resultDiff(actual, expected, streams);
        if (d) throw new Error(`${app.what} with batchSizes ${JSON.stringify(batches)}\n${app.code}\n${d}`);
      }),
      { numRuns: 60 * SCALE },
    );
  });

  it.each(KINDS)('equal outputs for %s applications over long inputs with many keys', (kind) => {
    fc.assert(
      fc.property(caseArbOf(kind, 300, true), (c) => {
        const { app, batches } = c;
        const config = configOf(app.schema);
        const streams = createdStreams(app.code, config);
        const input = inputOf(c);
        const d = resultDiff(runProgram(app.code, config, input, { batchSizes: batches }), referenceRun(app.code, config, input), streams);
        if (d) throw new Error(`${app.what} with batchSizes ${JSON.stringify(batches)}\n${app.code}\n${d}`);
      }),
      { numRuns: 5 * SCALE },
    );
  });

  it.each(KINDS)('output of %s applications does not depend on the batch sizes', (kind) => {
    fc.assert(
      fc.property(caseArbOf(kind), (c) => {
        const { app, batches, batches2 } = c;
        const config = configOf(app.schema);
        const streams = createdStreams(app.code, config);
        const input = inputOf(c);
        const a = runProgram(app.code, config, input, { batchSizes: batches });
        const b = runProgram(app.code, config, input, { batchSizes: batches2 });
        const d = resultDiff(a, b, streams);
        if (d) throw new Error(`${app.what}: batchSizes ${JSON.stringify(batches)} vs ${JSON.stringify(batches2)}\n${app.code}\n${d}`);
      }),
      { numRuns: 30 * SCALE },
    );
  });
});
