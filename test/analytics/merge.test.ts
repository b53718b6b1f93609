/**
 * The input merge is deterministic: however puts and rounds interleave in live mode (rounds of any size, at any
 * time, while records are still arriving on other shards), the application computes exactly what it computes when
 * all records are in the log before it starts. This is what makes ROWTIMEs reproducible and restarts exact.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Application } from '../../src/analytics/application.js';
import { rowsFromBatch, type Row } from '../../src/exec/arrow.js';
import { config, json, memoryLog, streamOutput, T0 } from './helpers.js';

/** Order-sensitive: a running count and the previous price over the whole merged stream. */
const CODE = `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), price DOUBLE, n BIGINT, s DOUBLE);
CREATE OR REPLACE PUMP p AS INSERT INTO "DEST" SELECT STREAM "TICKER", "PRICE", COUNT(*) OVER w, SUM("PRICE") OVER w
FROM SOURCE_SQL_STREAM_001 WINDOW w AS (ROWS 3 PRECEDING);`;

const step = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('poll' as const), n: fc.integer({ min: 1, max: 10 }) }),
  fc.record({ kind: fc.constant('tick' as const), n: fc.integer({ min: 0, max: 300 }) }),
);

type Step = { kind: 'put' | 'poll' | 'tick'; n: number };
type Input = { arrival: number; partitionKey: string; data: Uint8Array };

/** Runs the steps on a fresh 3-shard log, then puts the rest and runs to the end; returns DEST's rows. */
async function live(records: Input[], steps: Step[]): Promise<Row[]> {
  const { log, clock } = await memoryLog(T0);
  await log.createStream({ streamName: 'in', shardCount: 3 });
  await log.createStream({ streamName: 'out', shardCount: 1 });
  const app = new Application({ code: CODE, config: config('in', [streamOutput('DEST', 'out')]), log, clock, startTime: T0 });
  await app.open();
  const rows: Row[] = [];
  app.listen('DEST', (b) => rows.push(...rowsFromBatch(b)));
  let next = 0;
  const put = async (n: number) => {
    for (const r of records.slice(next, next + n)) {
      if (r.arrival > clock.now()) clock.set(r.arrival);
      await log.putRecord({ streamName: 'in', partitionKey: r.partitionKey, data: r.data });
    }
    next = Math.min(records.length, next + n);
  };
  for (const s of steps) {
    if (s.kind === 'put') await put(s.n);
    else if (s.kind === 'poll') await app.poll({ maxRecords: s.n });
    else if (next >= records.length || clock.now() + s.n <= records[next]!.arrival) clock.advance(s.n);
  }
  await put(records.length);
  await app.runToEnd();
  return rows;
}

describe('input merge', () => {
  it('live rounds interleaved with puts on several shards give what one run over the whole input gives', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 120 }), key: fc.integer({ min: 0, max: 9 }) }), { minLength: 1, maxLength: 40 }),
        fc.array(step, { maxLength: 30 }),
        async (specs, steps) => {
          let at = T0;
          const records = specs.map((s, i) => ({ arrival: (at += s.gap), partitionKey: `key-${s.key}`, data: json({ TICKER: `T${s.key}`, PRICE: i }) }));
          expect(await live(records, steps)).toEqual(await live(records, []));
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);
});
