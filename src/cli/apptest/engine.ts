/**
 * The engine behind `sluice run` and `sluice test`: `replay` (src/analytics/replay.ts) plus the column types of each
 * stream (from the compiled program) so values can be written and compared by type.
 */
import type { ApplicationShape } from '../../analytics/config.js';
import type { ReplayOptions, ReplayRecord, ReplayResult } from '../../analytics/replay.js';
import type { ColumnDef } from '../../exec/arrow.js';
import { ERROR_STREAM_SCHEMA } from '../../exec/dataflow.js';
import { compileProgram } from '../../exec/program.js';

export type ReplayFn = (code: string, config: ApplicationShape, records: ReplayRecord[], options?: ReplayOptions) => ReplayResult | Promise<ReplayResult>;

/** The replay function of src/analytics/replay.ts (loaded when a command needs it). */
export async function loadReplay(): Promise<ReplayFn> {
  return (await import('../../analytics/replay.js')).replay;
}

/** Column definitions (ROWTIME first) of every in-application stream, and of error_stream under 'error_stream'. */
export function streamSchemas(code: string, config: ApplicationShape): Map<string, ColumnDef[]> {
  // error_stream may be configured as an output; it is the system's stream, not one of the code's.
  const outputs = config.Outputs?.filter((o) => o.Name.toLowerCase() !== 'error_stream');
  const program = compileProgram(code, { ...config, ...(outputs ? { Outputs: outputs } : {}) });
  const out = new Map<string, ColumnDef[]>();
  for (const [name, rel] of program.relations) if (rel.kind === 'stream') out.set(name, rel.schema);
  out.set('error_stream', ERROR_STREAM_SCHEMA);
  return out;
}
