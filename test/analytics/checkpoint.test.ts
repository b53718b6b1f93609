/**
 * Exactly-once across crashes: an application on a directory-backed log, checkpointing as it goes, is killed at a
 * random point (between rounds, or in the middle of a PutRecords to an output, leaving a torn checkpoint temp file
 * behind); a new Application on a reopened log and the same checkpoint directory finishes the run. The union of what
 * the output streams hold must equal an uninterrupted run's, row for row: nothing lost, nothing twice.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Application } from '../../src/analytics/application.js';
import { deserialize, serialize, type Checkpoint } from '../../src/analytics/checkpoint.js';
import { Log, type PackedRecords } from '../../src/log/index.js';
import { VirtualClock } from '../../src/util/clock.js';
import { config, json, putAt, readAllText, streamOutput, T0 } from './helpers.js';

const CODE = `CREATE OR REPLACE STREAM "COUNTS" (ticker VARCHAR(4), win TIMESTAMP, c BIGINT, total DOUBLE);
CREATE OR REPLACE STREAM "AVGS" (ticker VARCHAR(4), price DOUBLE, avgp DOUBLE, n BIGINT);
CREATE OR REPLACE PUMP p1 AS INSERT INTO "COUNTS" SELECT STREAM "TICKER", STEP(s.ROWTIME BY INTERVAL '5' SECOND), COUNT(*), SUM("PRICE")
FROM SOURCE_SQL_STREAM_001 AS s GROUP BY "TICKER", STEP(s.ROWTIME BY INTERVAL '5' SECOND);
CREATE OR REPLACE PUMP p2 AS INSERT INTO "AVGS" SELECT STREAM "TICKER", "PRICE", AVG("PRICE") OVER w, COUNT(*) OVER w
FROM SOURCE_SQL_STREAM_001 WINDOW w AS (PARTITION BY "TICKER" RANGE INTERVAL '3' SECOND PRECEDING);`;

const OUTPUTS = ['counts', 'avgs', 'errs'];
const CONFIG = config('in', [streamOutput('COUNTS', 'counts'), streamOutput('AVGS', 'avgs', 'CSV'), streamOutput('error_stream', 'errs')]);
const N = 160;
const END = T0 + N * 250;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-app-ckpt-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** A data directory holding the input (3 shards, some records unmappable) and the empty output streams. */
async function template(): Promise<string> {
  const dir = path.join(root, 'template');
  const clock = new VirtualClock(T0);
  const log = await Log.open({ dir, clock, fsync: 'never' });
  await log.createStream({ streamName: 'in', shardCount: 3 });
  for (const s of OUTPUTS) await log.createStream({ streamName: s, shardCount: 2 });
  const tickers = ['AAPL', 'AMZN', 'MSFT', 'INTC'];
  await putAt(log, clock, 'in', Array.from({ length: N }, (_, i) => ({
    at: T0 + i * 250 - (i % 3) * 40,
    key: `k${i % 17}`,
    data: i % 23 === 5 ? json({ TICKER: 'BAD', PRICE: 'not a number' }) : json({ TICKER: tickers[(i * 7) % 4], PRICE: (i * 37) % 101 }),
  })));
  await log.close();
  return dir;
}

const templateDir = await template();
let runs = 0;
/** How often the property really exercised a resume from a checkpoint, and a kill in the middle of a PutRecords. */
const seen = { resumed: 0, killedInPut: 0 };

function copyOfTemplate(): { data: string; checkpoints: string } {
  const base = path.join(root, `run-${runs++}`);
  fs.cpSync(templateDir, path.join(base, 'data'), { recursive: true });
  return { data: path.join(base, 'data'), checkpoints: path.join(base, 'checkpoints') };
}

function application(log: Log, checkpointDir: string, checkpointEvery: number): Application {
  return new Application({ code: CODE, config: CONFIG, log, clock: new VirtualClock(END), checkpointDir, checkpointEvery });
}

/** What the output streams hold, per output: partition key (which ends with the row index) → record text. */
function outputsOf(log: Log): Record<string, [string, string][]> {
  const out: Record<string, [string, string][]> = {};
  for (const s of OUTPUTS) out[s] = readAllText(log, s).map((r): [string, string] => [r.key, r.data]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return out;
}

/** A log whose appends (an output's delivery calls), after `putsBeforeKill` calls, writes only a prefix of its records and then dies with everything. */
function killable(log: Log, putsBeforeKill: number, prefix: number): { log: Log; dead: () => boolean } {
  let puts = 0;
  let dead = false;
  const proxy = new Proxy(log, {
    get(target, prop) {
      if (dead) throw new Error('killed');
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop === 'appendPacked') {
        return async (streamName: string, records: PackedRecords) => {
          if (puts++ < putsBeforeKill) return target.appendPacked(streamName, records);
          const k = Math.floor((records.to - records.from) * prefix);
          if (k > 0) await target.appendPacked(streamName, { ...records, to: records.from + k });
          dead = true;
          throw new Error('killed');
        };
      }
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { log: proxy, dead: () => dead };
}

async function uninterrupted(): Promise<Record<string, [string, string][]>> {
  const dirs = copyOfTemplate();
  const log = await Log.open({ dir: dirs.data, clock: new VirtualClock(END), fsync: 'never' });
  const app = application(log, dirs.checkpoints, 10);
  await app.open();
  await app.runToEnd();
  const out = outputsOf(log);
  await log.close();
  return out;
}

const expected = await uninterrupted();

describe('checkpoints', () => {
  it('the reference run produces rows on every output', () => {
    expect(expected.counts!.length).toBeGreaterThan(20);
    expect(expected.avgs!.length).toBeGreaterThan(100);
    expect(expected.errs!.length).toBe(7);
  });

  it('round-trips values JSON cannot carry', () => {
    const c = { version: 1, bound: -Infinity, x: [Infinity, NaN, 10n, new Uint8Array([1, 2])] } as unknown as Checkpoint;
    const back = deserialize(serialize(c)) as unknown as { bound: number; x: unknown[] };
    expect(back.bound).toBe(-Infinity);
    expect(back.x).toEqual([Infinity, NaN, 10n, new Uint8Array([1, 2])]);
  });

  it('kill at random points, restart: the union of outputs equals an uninterrupted run, row for row', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          killAt: fc.integer({ min: 0, max: N + 5 }),
          putsBeforeKill: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 40 })),
          prefix: fc.double({ min: 0, max: 1, noNaN: true }),
          checkpointEvery: fc.integer({ min: 1, max: 40 }),
          chunks: fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 5 }),
          tornTemp: fc.boolean(),
          secondKill: fc.option(fc.integer({ min: 0, max: N }), { nil: undefined }),
        }),
        async (p) => {
          const dirs = copyOfTemplate();
          await runUntilKilled(dirs, p.killAt, p.putsBeforeKill, p.prefix, p.checkpointEvery, p.chunks, p.tornTemp);
          if (p.secondKill !== undefined) await runUntilKilled(dirs, p.secondKill, Infinity, 0, p.checkpointEvery, p.chunks, false);
          const log = await Log.open({ dir: dirs.data, clock: new VirtualClock(END), fsync: 'never' });
          const app = application(log, dirs.checkpoints, p.checkpointEvery);
          await app.open();
          if (app.recordsIn > 0) seen.resumed++;
          await app.runToEnd();
          expect(outputsOf(log)).toEqual(expected);
          await log.close();
          fs.rmSync(path.dirname(dirs.data), { recursive: true, force: true });
        },
      ),
      // A fixed seed: the coverage counts below depend on which kill points are drawn, and must not vary by run.
      { numRuns: 40, seed: 20261126 },
    );
    expect(seen.resumed).toBeGreaterThan(5);
    expect(seen.killedInPut).toBeGreaterThan(5);
  }, 240_000);
});

/** Runs rounds of `chunks` records until `killAt` records are in or the log dies; then abandons everything. */
async function runUntilKilled(dirs: { data: string; checkpoints: string }, killAt: number, putsBeforeKill: number, prefix: number, every: number, chunks: number[], tornTemp: boolean): Promise<void> {
  const real = await Log.open({ dir: dirs.data, clock: new VirtualClock(END), fsync: 'never' });
  const { log, dead } = killable(real, putsBeforeKill, prefix);
  const app = application(log, dirs.checkpoints, every);
  try {
    await app.open();
    for (let round = 0; app.recordsIn < killAt && !dead(); round++) {
      const before = app.recordsIn;
      await app.poll({ final: true, maxRecords: chunks[round % chunks.length]! });
      if (app.recordsIn === before && app.idle) break; // ran to the end of the input before the kill point
    }
  } catch (e) {
    if (!dead()) throw e;
  }
  if (dead()) seen.killedInPut++;
  // Abandoned without stop(): no final checkpoint, pending deliveries lost with the process.
  if (tornTemp) fs.writeFileSync(path.join(dirs.checkpoints, 'checkpoint.json.tmp'), '{"version":1,"start');
}
