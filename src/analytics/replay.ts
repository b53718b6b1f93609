/**
 * Replay: run an application over records held in memory, on a virtual clock, to the end (every window closed). The
 * engine behind `sluice run` and `sluice test`. (Contract; implemented with the Application runtime.)
 */
import { rowsFromBatch, type Row } from '../exec/arrow.js';
import { Log } from '../log/index.js';
import { VirtualClock } from '../util/clock.js';
import { Application, type ApplicationOptions } from './application.js';
import { streamNameFromArn } from './arn.js';
import type { ApplicationShape, InputShape } from './config.js';
import type { AppFunction } from './functions.js';

export interface ReplayRecord {
  /** ApproximateArrivalTimestamp, ms. */
  arrival: number;
  partitionKey?: string;
  data: Uint8Array;
}

export interface ReplayOptions {
  /** Where reference data files are (an S3ReferenceDataSource's FileKey is a path under it). */
  referenceRoot?: string;
  /** CURRENT_TIMESTAMP of the run, ms (default: the first record's arrival). */
  startTime?: number;
}

export interface ReplayResult {
  /** Each output of the configuration (by its Name), the rows it delivered in order, ROWTIME included. */
  outputs: Record<string, Row[]>;
  /** Every in-application stream's rows. */
  streams: Record<string, Row[]>;
  /** error_stream rows. */
  errors: Row[];
}

/**
 * Runs `code` over `records`: an in-memory log on a virtual clock, the input stream(s) of the configuration created
 * (one shard per parallel source stream, so InputParallelism has shards to split) and filled with each record put at
 * its arrival time, output streams created, then the application run to the end. Lambda outputs with no function in
 * `functions` accept everything; Firehose outputs are collected only. Outputs report the rows each output was given.
 */
export async function replay(
  code: string,
  config: ApplicationShape,
  records: readonly ReplayRecord[],
  options: ReplayOptions & { functions?: ApplicationOptions['functions'] } = {},
): Promise<ReplayResult> {
  const ordered = records.map((r, i) => ({ r, i })).sort((a, b) => a.r.arrival - b.r.arrival || a.i - b.i);
  const first = ordered[0]?.r.arrival ?? options.startTime ?? 0;
  const clock = new VirtualClock(Math.min(first, options.startTime ?? first));
  const log = await Log.open({ clock });
  const inputs = config.Inputs?.length ? config.Inputs : undefined;
  const inputStream = inputs?.[0]?.KinesisStreamsInput ? streamNameFromArn(inputs[0].KinesisStreamsInput.ResourceARN) : 'sluice-replay-input';
  const effective: ApplicationShape = inputs ? config : { ...config, Inputs: [defaultInput(inputStream)] };
  await log.createStream({ streamName: inputStream, shardCount: effective.Inputs![0]!.InputParallelism?.Count ?? 1 });
  for (const o of config.Outputs ?? []) {
    if (!o.KinesisStreamsOutput) continue;
    const name = streamNameFromArn(o.KinesisStreamsOutput.ResourceARN);
    if (!(await log.listStreams()).includes(name)) await log.createStream({ streamName: name, shardCount: 1 });
  }
  // A put takes its arrival time from the clock when it is called (the log appends synchronously, then waits for
  // its durability policy), so the clock is set before each call and the acknowledgements are awaited in groups:
  // awaiting every put alone would cost an event-loop turn per record.
  let pending: Promise<unknown>[] = [];
  for (const { r, i } of ordered) {
    if (r.arrival > clock.now()) clock.set(r.arrival);
    pending.push(log.putRecord({ streamName: inputStream, partitionKey: r.partitionKey ?? String(i), data: r.data }));
    if (pending.length === 10_000) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
  const functions: Record<string, AppFunction> = { ...options.functions };
  for (const o of config.Outputs ?? []) {
    const arn = o.LambdaOutput?.ResourceARN;
    if (arn && !functions[arn]) functions[arn] = acceptAll;
  }
  const app = new Application({
    code,
    config: effective,
    log,
    clock,
    functions,
    firehose: { putRecordBatch: async () => {} },
    ...(options.referenceRoot !== undefined ? { referenceRoot: options.referenceRoot } : {}),
    startTime: options.startTime ?? first,
  });
  await app.open();
  const result: ReplayResult = { outputs: {}, streams: {}, errors: [] };
  for (const [name, rel] of app.program.relations) {
    if (rel.kind === 'table') continue;
    const rows: Row[] = (result.streams[name] = []);
    app.listen(name, (b) => rows.push(...rowsFromBatch(b)));
  }
  app.listenErrors((row) => result.errors.push(row));
  await app.runToEnd();
  for (const o of config.Outputs ?? []) result.outputs[o.Name] = o.Name === 'error_stream' ? result.errors : (result.streams[o.Name] ?? []);
  await log.close();
  return result;
}

/** Without Inputs, the application reads JSON records into SOURCE_SQL_STREAM_001 with no columns mapped. */
function defaultInput(streamName: string): InputShape {
  return {
    NamePrefix: 'SOURCE_SQL_STREAM',
    KinesisStreamsInput: { ResourceARN: streamName },
    InputSchema: { RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } }, RecordColumns: [] },
  };
}

async function acceptAll(request: unknown): Promise<unknown> {
  const records = (request as { records: { recordId: string }[] }).records;
  return { records: records.map((r) => ({ recordId: r.recordId, result: 'Ok' })) };
}
