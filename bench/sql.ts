/**
 * `sluice bench sql`: the Nexmark queries (bench/nexmark/q*.sql) run by the engine on one core, in events per
 * second, engine only: the events are generated as Arrow batches before the clock starts, and the generator's own
 * rate is reported as a separate case. Events are counted over all three streams (person, auction, bid), as Nexmark
 * does, whichever streams a query reads.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Dataflow } from '../src/exec/dataflow.js';
import { compileProgram } from '../src/exec/program.js';
import { PlanError } from '../src/plan/errors.js';
import { rowtimes } from '../src/exec/columns.js';
import { batchFromRows } from '../src/exec/arrow.js';
import type { ApplicationConfig } from '../src/sql/catalog.js';
import { report, type BenchOptions } from './harness.js';
import { NexmarkGenerator, type NexmarkBatches } from './nexmark/generator.js';

const NEXMARK_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bench/nexmark');
const QUERIES = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q7', 'q8'];
const BATCH_EVENTS = 8192;

export async function benchSql(o: BenchOptions): Promise<void> {
  const events = o.quick ? 400_000 : 4_000_000;
  const only = typeof o.flags.only === 'string' ? o.flags.only : undefined;
  if (!only || 'memory'.startsWith(only) || only.startsWith('memory')) benchMemory(o);
  if (only && only.startsWith('memory')) return;
  const blocks = generate(o, events);
  const config = JSON.parse(fs.readFileSync(path.join(NEXMARK_DIR, 'app.json'), 'utf8')) as ApplicationConfig;
  for (const q of QUERIES) {
    if (only && !q.startsWith(only)) continue;
    const code = fs.readFileSync(path.join(NEXMARK_DIR, `${q}.sql`), 'utf8');
    // Two runs: the first lets V8 compile the hot paths; the second is measured.
    try {
      run(code, config, blocks.slice(0, Math.ceil(blocks.length / 10)));
    } catch (e) {
      if (!(e instanceof PlanError)) throw e;
      report(o, { suite: 'sql', case: `nexmark-${q}`, error: e.message });
      continue;
    }
    const { ms, outputs } = run(code, config, blocks);
    report(o, { suite: 'sql', case: `nexmark-${q}`, records_per_s: (events / ms) * 1000, events, output_rows: outputs });
  }
}

function generate(o: BenchOptions, events: number): NexmarkBatches[] {
  const gen = new NexmarkGenerator({ seed: 42 });
  const blocks: NexmarkBatches[] = [];
  const start = performance.now();
  for (let done = 0; done < events; done += BATCH_EVENTS) blocks.push(gen.next(Math.min(BATCH_EVENTS, events - done)));
  const ms = performance.now() - start;
  report(o, { suite: 'sql', case: 'nexmark-generator', records_per_s: (events / ms) * 1000, events });
  return blocks;
}

function run(code: string, config: ApplicationConfig, blocks: NexmarkBatches[]): { ms: number; outputs: number } {
  const program = compileProgram(code, config);
  const flow = new Dataflow(program, { startTime: 0, now: () => 0, tables: new Map() });
  let outputs = 0;
  flow.listen('DESTINATION_SQL_STREAM', (b) => (outputs += b.numRows));
  const start = performance.now();
  for (const block of blocks) {
    const first = Math.min(...[block.person, block.auction, block.bid].filter((b) => b && b.numRows > 0).map((b) => rowtimes(b!)[0]!));
    flow.advance(first);
    if (block.person) flow.push('PERSON_001', block.person);
    if (block.auction) flow.push('AUCTION_001', block.auction);
    if (block.bid) flow.push('BID_001', block.bid);
  }
  flow.advance(Infinity);
  return { ms: performance.now() - start, outputs };
}

/**
 * `memory-1M-keys`: a tumbling COUNT/SUM over 1,000,000 distinct keys in one window, then a second window, so the
 * first closes. Reports the peak RSS while the window is open and the heap after it closed (its state freed).
 */
function benchMemory(o: BenchOptions): void {
  const keys = o.quick ? 200_000 : 1_000_000;
  const config: ApplicationConfig = {
    Inputs: [{ NamePrefix: 'SOURCE_SQL_STREAM', InputSchema: { RecordColumns: [{ Name: 'k', SqlType: 'BIGINT', Mapping: '$.k' }, { Name: 'v', SqlType: 'DOUBLE', Mapping: '$.v' }] } }],
  };
  const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (k BIGINT, n BIGINT, s DOUBLE);
CREATE OR REPLACE PUMP p AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "k", COUNT(*), SUM("v") FROM "SOURCE_SQL_STREAM_001" GROUP BY "k", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '1' MINUTE);`;
  const program = compileProgram(code, config);
  const flow = new Dataflow(program, { startTime: 0, now: () => 0, tables: new Map() });
  let outputs = 0;
  flow.listen('DESTINATION_SQL_STREAM', (b) => (outputs += b.numRows));
  const schema = program.relations.get('SOURCE_SQL_STREAM_001')!.schema;
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  const start = performance.now();
  const batch = 65_536;
  for (let at = 0; at < keys; at += batch) {
    const n = Math.min(batch, keys - at);
    const rows = Array.from({ length: n }, (_, i) => ({ ROWTIME: 1000 + Math.floor(((at + i) * 50_000) / keys), k: at + i, v: i }));
    flow.push('SOURCE_SQL_STREAM_001', batchFromRows(schema, rows));
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const ms = performance.now() - start;
  flow.push('SOURCE_SQL_STREAM_001', batchFromRows(schema, [{ ROWTIME: 60_000, k: 0, v: 0 }]));
  gc?.();
  const after = process.memoryUsage();
  report(o, {
    suite: 'sql', case: `memory-${keys / 1e6}M-keys`, records_per_s: (keys / ms) * 1000, output_rows: outputs,
    peak_rss_mb: peakRss / 1e6, rss_before_mb: before.rss / 1e6, heap_after_close_mb: after.heapUsed / 1e6, gc: gc ? 'exposed' : 'not exposed (run node --expose-gc)',
  });
}
