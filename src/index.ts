/**
 * Sluice's embedding API: everything a program needs is reachable from here.
 */
export * from './log/index.js';
export { VirtualClock, WallClock, type Clock } from './util/clock.js';
export { SluiceError, type ErrorCode } from './util/errors.js';

import { Log, type LogOptions } from './log/index.js';

/** Opens a shard log: in memory, or in `options.dir` (recovering what is there). */
export function openLog(options: LogOptions = {}): Promise<Log> {
  return Log.open(options);
}

// The AWS-compatible endpoint (`sluice serve`), for programs that want to start it themselves.
export {
  startApiServer,
  kinesisService,
  KinesisTenants,
  type ApiServer,
  type ApiServerOptions,
  type KinesisServiceOptions,
  type Service,
  analyticsService,
  AnalyticsTenants,
} from './api/index.js';

// Streaming SQL: check, plan and run KDA application code over Arrow batches or plain rows.
export { compileProgram, runProgram, type RunInput, type RunOptions, type RunResult } from './exec/program.js';
export { Dataflow, type DataflowOptions } from './exec/dataflow.js';
export { batchFromRows, rowsFromBatch, arrowSchema, type ColumnDef, type Row } from './exec/arrow.js';
export { explain, explainPump } from './plan/explain.js';
export { PlanError } from './plan/errors.js';
export type { PlannedProgram } from './plan/build.js';
export { checkApplication, type ApplicationConfig, type CheckResult } from './sql/index.js';

// Analytics applications: KDA SQL applications over the log, with inputs, outputs and checkpoints.
export { Application, type ApplicationOptions } from './analytics/application.js';
export { replay, type ReplayRecord, type ReplayOptions, type ReplayResult } from './analytics/replay.js';
export type { ApplicationShape, InputShape, OutputShape, ReferenceDataSourceShape, SourceSchemaShape } from './analytics/config.js';
export { discoverSchema, makeDecoder, encodeRows, loadReferenceTable } from './analytics/records/index.js';
