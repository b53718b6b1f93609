/**
 * Run an application's pumps over rows held in memory: the entry point the tests, `sluice run` and the embedding API
 * share. The code is checked (parse + bind), planned, and run as one dataflow; source rows are fed in ROWTIME order
 * across sources, cut into batches of the requested sizes, and at the end the bound goes to infinity so every window
 * closes.
 */
import { PlanError } from '../plan/errors.js';
import { planProgram, type PlannedProgram } from '../plan/build.js';
import { optimize } from '../plan/optimize.js';
import { checkApplication, render } from '../sql/index.js';
import type { ApplicationConfig } from '../sql/catalog.js';
import { batchFromRows, rowsFromBatch, type Row } from './arrow.js';
import { Dataflow } from './dataflow.js';

export interface RunInput {
  /** Rows per source stream (e.g. SOURCE_SQL_STREAM_001), keyed by column name, each with ROWTIME (ms), non-decreasing per stream. */
  streams: Record<string, Row[]>;
  /** Reference tables by TableName. */
  tables?: Record<string, Row[]>;
}

export interface RunOptions {
  /** Rows per input batch: a number, or a list cycled through (0 gives an empty batch). Default 1024. */
  batchSizes?: number | number[];
  /** What CURRENT_TIMESTAMP and friends return (fixed at query start), ms. Default 0. */
  startTime?: number;
}

export interface RunResult {
  /** Every in-application stream's rows, in the order they were emitted, ROWTIME included. */
  streams: Record<string, Row[]>;
  /** error_stream rows (ERROR_TIME, ERROR_LEVEL, ERROR_NAME, MESSAGE, DATA_ROWTIME, DATA_ROW, PUMP_NAME). */
  errors: Row[];
}

/** Check and plan application code; throws a PlanError carrying the rendered diagnostics when the code has errors. */
export function compileProgram(code: string, config: ApplicationConfig = {}, options: { optimize?: boolean } = {}): PlannedProgram {
  const checked = checkApplication(code, config);
  if (!checked.ok || !checked.script || !checked.program) {
    throw new PlanError(checked.diagnostics.map((d) => render(d, code)).join('\n'));
  }
  const planned = planProgram(checked.script, checked.program);
  if (options.optimize === false) return planned;
  return { ...planned, pumps: planned.pumps.map((p) => ({ ...p, plan: optimize(p.plan) })) };
}

export function runProgram(code: string, config: ApplicationConfig | undefined, input: RunInput, options: RunOptions = {}): RunResult {
  const program = compileProgram(code, config);
  const tables = new Map(
    Object.entries(input.tables ?? {}).map(([name, rows]) => {
      const rel = program.relations.get(name);
      if (!rel || rel.kind !== 'table') throw new Error(`${name} is not a reference table of this application`);
      return [name, batchFromRows(rel.schema, rows)] as const;
    }),
  );
  const startTime = options.startTime ?? 0;
  const flow = new Dataflow(program, { startTime, now: () => startTime, tables });
  const result: RunResult = { streams: {}, errors: [] };
  for (const [name, rel] of program.relations) {
    if (rel.kind !== 'stream') continue;
    const rows: Row[] = (result.streams[name] = []);
    flow.listen(name, (b) => rows.push(...rowsFromBatch(b)));
  }
  flow.listenErrors((row) => result.errors.push(row));
  const sizes = Array.isArray(options.batchSizes) ? options.batchSizes : [options.batchSizes ?? 1024];
  let turn = 0;
  if (!sizes.some((n) => n > 0)) throw new Error('batchSizes needs at least one positive size');
  for (const run of mergedRuns(program, input)) {
    const schema = program.relations.get(run.stream)!.schema;
    for (let at = 0; at < run.rows.length; ) {
      const size = sizes[turn++ % sizes.length]!;
      const slice = run.rows.slice(at, at + Math.max(size, 0));
      if (slice.length > 0) flow.advance(Number(slice[0]!.ROWTIME));
      flow.push(run.stream, batchFromRows(schema, slice));
      at += slice.length;
    }
  }
  flow.advance(Infinity);
  return result;
}

/** Source rows in ROWTIME order across sources (ties: sources in declaration order, then row order), as runs of one source. */
function mergedRuns(program: PlannedProgram, input: RunInput): { stream: string; rows: Row[] }[] {
  const sources = [...program.relations].filter(([, r]) => r.kind === 'source').map(([name]) => name);
  for (const name of Object.keys(input.streams)) {
    if (!sources.includes(name)) throw new Error(`${name} is not a source stream of this application (${sources.join(', ')})`);
  }
  const tagged = sources.flatMap((stream, s) => (input.streams[stream] ?? []).map((row, i) => ({ stream, s, i, row, t: Number(row.ROWTIME) })));
  tagged.sort((a, b) => a.t - b.t || a.s - b.s || a.i - b.i);
  const runs: { stream: string; rows: Row[] }[] = [];
  for (const x of tagged) {
    const last = runs.at(-1);
    if (last && last.stream === x.stream) last.rows.push(x.row);
    else runs.push({ stream: x.stream, rows: [x.row] });
  }
  return runs;
}
