/**
 * An analytics application at run time: its inputs read from the shard log (merged, de-aggregated, preprocessed,
 * decoded), its pumps as one Dataflow, its outputs delivered with retries, and checkpoints that let a restart resume
 * with no lost and no duplicated output rows.
 *
 * One `poll()` is one round: deliver what is pending; unless an output is behind (back-pressure), release input
 * records, push them through the dataflow and advance the rowtime bound as far as the inputs allow (for idle inputs,
 * to the log's current time, so windows close as time passes); deliver again; checkpoint when due. Live mode
 * (`start()`) runs rounds on a timer; replay (`runToEnd()`) runs them until the input is exhausted, then advances
 * the bound to +Infinity so every window closes.
 *
 * Exactly-once to log-stream outputs: a checkpoint is one consistent cut taken between rounds (no delivery in flight):
 * operator state, the first unconsumed record of every input shard, ROWTIME floors, CURRENT_TIMESTAMP, and per output
 * the number of rows produced, the encoded records not yet acknowledged, and where the destination stream ended.
 * Inputs merge deterministically and operators are deterministic, so a restart recomputes the same rows with the same
 * per-output indices; output records carry their index in the partition key, so the restart reads the destination
 * from the checkpointed end and neither re-sends nor re-produces what already arrived (see outputs.ts). Lambda and
 * Firehose outputs cannot be read back: they are at-least-once across a crash (Lambda recordIds are the stable indices).
 */
import type { RecordBatch } from 'apache-arrow';
import type { Log } from '../log/index.js';
import type { Clock } from '../util/clock.js';
import { batchFromRows, ROWTIME, type Row } from '../exec/arrow.js';
import { Dataflow, ERROR_STREAM_SCHEMA } from '../exec/dataflow.js';
import { compileProgram } from '../exec/program.js';
import type { PlannedProgram } from '../plan/build.js';
import { sourceStreamNames, DEFAULT_NAME_PREFIX } from '../sql/catalog.js';
import { deliveryStreamNameFromArn, streamNameFromArn } from './arn.js';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from './checkpoint.js';
import type { ApplicationShape, InputShape, OutputShape } from './config.js';
import { resolveFunction, type AppFunction } from './functions.js';
import { byteRun, InputMerger, InputReader, releasedRecords, userRecords, type Released, type ReleasedRecord, type StartingPosition } from './inputs.js';
import { FirehoseSink, FunctionSink, LogStreamSink, type FirehoseSeam, type Sink } from './outputs.js';
import { preprocess } from './preprocess.js';
import { recordError } from './errors.js';
import { encodeBatch, loadReferenceTable, makeDecoder, type Decoded, type InputRecord, type RecordDecoder } from './records/index.js';

export interface ApplicationOptions {
  code: string;
  config: ApplicationShape;
  log: Log;
  clock: Clock;
  /** Where reference data files are: an S3ReferenceDataSource's FileKey is a path under it. */
  referenceRoot?: string;
  /** Functions by ARN, for InputLambdaProcessor and LambdaOutput (an http(s) URL ARN is POSTed to instead). */
  functions?: Record<string, AppFunction>;
  /** KinesisFirehoseOutput deliveries (until the Firehose layer lands). */
  firehose?: FirehoseSeam;
  /** Where checkpoints are kept; without it the application keeps none. */
  checkpointDir?: string;
  /** Checkpoint after this many input records (default 10,000). */
  checkpointEvery?: number;
  /**
   * Where a first start reads from (default TRIM_HORIZON). A checkpoint, when there is one, always wins (a restart
   * resumes); LAST_STOPPED_POINT with no checkpoint reads from TRIM_HORIZON.
   */
  startingPosition?: StartingPosition;
  /** CURRENT_TIMESTAMP of the run, ms (default: the clock at the first start). */
  startTime?: number;
  /** Input reading pauses while an output has this many records undelivered (default 10,000). */
  maxPending?: number;
}

export interface PollOptions {
  /** Most input records to release this round (default 10,000). */
  maxRecords?: number;
  /** End of input: shards read to their end get no more records (replay). */
  final?: boolean;
}

interface SourceInput {
  shape: InputShape;
  streams: string[];
  decoders: RecordDecoder[];
  streamArn: string;
  preprocessor?: AppFunction;
}

const ERROR_STREAM = 'error_stream';
const PREPROCESS_CHUNK = 500;
/** Records decoded into one batch and pushed before the outputs are delivered (within a round). */
const PUSH_SLICE = 8_192;
const ERROR_COLUMNS = ERROR_STREAM_SCHEMA.map((c) => c.name);

export class Application {
  program!: PlannedProgram;
  flow!: Dataflow;
  private inputs: SourceInput[] = [];
  private merger!: InputMerger;
  private sinks: Sink[] = [];
  private errorSinks: { sink: Sink; format: 'JSON' | 'CSV' }[] = [];
  private readonly errorListeners: ((row: Row) => void)[] = [];
  private floors: Record<string, number> = {};
  private bound = -Infinity;
  private startTime = 0;
  /** Input records consumed (log records, before de-aggregation) since the first start. */
  recordsIn = 0;
  private lastCheckpointAt = 0;
  /** Released runs waiting for a preprocessing function that failed: retried next round. */
  private staged: Released[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running?: Promise<void>;
  private failure: unknown;

  constructor(readonly options: ApplicationOptions) {}

  get name(): string {
    return this.options.config.ApplicationName ?? 'sluice-application';
  }

  get applicationArn(): string {
    const o = this.options.log.options;
    return `arn:aws:kinesisanalytics:${o.region ?? 'us-east-1'}:${o.accountId ?? '000000000000'}:application/${this.name}`;
  }

  /** Compiles the code, loads reference data, and restores the last checkpoint (writing a first one if none). */
  async open(): Promise<void> {
    const { options } = this;
    const saved = options.checkpointDir ? loadCheckpoint(options.checkpointDir) : undefined;
    // error_stream is the system's stream, not the code's: the checker only knows the code's streams.
    const outputs = options.config.Outputs?.filter((o) => o.Name !== ERROR_STREAM);
    this.program = compileProgram(options.code, { ...options.config, ...(outputs ? { Outputs: outputs } : {}) });
    this.startTime = saved?.startTime ?? options.startTime ?? options.clock.now();
    const tables = new Map<string, RecordBatch>();
    for (const ref of options.config.ReferenceDataSources ?? []) {
      tables.set(ref.TableName, await loadReferenceTable(ref, options.referenceRoot ?? '.'));
    }
    this.flow = new Dataflow(this.program, { startTime: this.startTime, now: () => options.clock.now(), tables });
    this.flow.listenErrors((row) => this.error(row));
    this.openInputs(saved);
    this.openOutputs();
    if (saved) await this.restore(saved);
    else if (options.checkpointDir) this.checkpoint();
  }

  private openInputs(saved: Checkpoint | undefined): void {
    const { log, config, functions } = this.options;
    const shapes = config.Inputs ?? [];
    const start = this.options.startingPosition === 'NOW' ? 'NOW' : 'TRIM_HORIZON';
    const readers = shapes.map((shape, i) => {
      if (!shape.KinesisStreamsInput) throw new Error(`Inputs[${i}]: only KinesisStreamsInput is supported (Firehose inputs are not yet)`);
      const streamName = streamNameFromArn(shape.KinesisStreamsInput.ResourceARN);
      const count = shape.InputParallelism?.Count ?? 1;
      const lambda = shape.InputProcessingConfiguration?.InputLambdaProcessor.ResourceARN;
      this.inputs.push({
        shape,
        streams: sourceStreamNames(shape.NamePrefix ?? DEFAULT_NAME_PREFIX, count),
        decoders: Array.from({ length: count }, () => makeDecoder(shape.InputSchema)),
        streamArn: log.streamArn(streamName),
        ...(lambda ? { preprocessor: resolveFunction(lambda, functions) } : {}),
      });
      return new InputReader(log, streamName, i, count, saved?.inputs[i] ?? start);
    });
    this.merger = new InputMerger(readers);
  }

  private openOutputs(): void {
    for (const shape of this.options.config.Outputs ?? []) {
      const sink = this.sinkFor(shape);
      if (shape.Name === ERROR_STREAM) {
        this.errorSinks.push({ sink, format: shape.DestinationSchema.RecordFormatType });
        continue;
      }
      // The stream's declared columns: ROWTIME is written only when the code selected it into one (as KDA does).
      const columns = this.streamColumns(shape.Name);
      this.flow.listen(shape.Name, (batch) => sink.accept(encodeBatch(batch, columns, shape.DestinationSchema.RecordFormatType)));
      this.sinks.push(sink);
    }
  }

  private streamColumns(name: string): string[] {
    const rel = this.program.relations.get(name);
    if (!rel || rel.kind === 'table') throw new Error(`Output ${name}: no in-application stream of that name (the match is exact, case included)`);
    return rel.schema.map((c) => c.name).filter((n) => n !== ROWTIME);
  }

  private sinkFor(shape: OutputShape): Sink {
    const { log, firehose, functions } = this.options;
    if (shape.KinesisStreamsOutput) {
      return new LogStreamSink(shape.Name, log, streamNameFromArn(shape.KinesisStreamsOutput.ResourceARN), `${this.name}:${shape.Name}:`);
    }
    if (shape.KinesisFirehoseOutput) {
      if (!firehose) throw new Error(`Output ${shape.Name}: a Firehose output needs the \`firehose\` option`);
      return new FirehoseSink(shape.Name, firehose, deliveryStreamNameFromArn(shape.KinesisFirehoseOutput.ResourceARN));
    }
    if (shape.LambdaOutput) return new FunctionSink(shape.Name, resolveFunction(shape.LambdaOutput.ResourceARN, functions), this.applicationArn);
    throw new Error(`Output ${shape.Name}: needs KinesisStreamsOutput, KinesisFirehoseOutput or LambdaOutput`);
  }

  private get allSinks(): Sink[] {
    return [...this.sinks, ...this.errorSinks.map((e) => e.sink)];
  }

  listen(stream: string, fn: (batch: RecordBatch) => void): void {
    this.flow.listen(stream, fn);
  }

  listenErrors(fn: (row: Row) => void): void {
    this.errorListeners.push(fn);
  }

  private error(row: Row): void {
    for (const l of this.errorListeners) l(row);
    if (this.errorSinks.length === 0) return;
    const batch = batchFromRows(ERROR_STREAM_SCHEMA, [row]);
    for (const e of this.errorSinks) e.sink.accept(encodeBatch(batch, ERROR_COLUMNS, e.format));
  }

  /** One round (see the file comment). Returns the number of input records consumed. */
  async poll(options: PollOptions = {}): Promise<number> {
    const final = options.final ?? false;
    await this.deliverAll();
    const maxPending = this.options.maxPending ?? 10_000;
    let consumed = 0;
    if (!this.allSinks.some((s) => s.pendingCount >= maxPending)) {
      const released = [...this.staged, ...this.merger.release(Math.max(0, (options.maxRecords ?? 10_000) - this.stagedRecords()), final)];
      this.staged = [];
      consumed = await this.consume(released);
      if (this.staged.length === 0) this.advance(this.merger.frontier(final));
    }
    await this.deliverAll();
    const every = this.options.checkpointEvery ?? 10_000;
    if (this.options.checkpointDir && this.recordsIn - this.lastCheckpointAt >= every) this.checkpoint();
    return consumed;
  }

  private advance(bound: number): void {
    if (bound <= this.bound) return;
    this.bound = bound;
    this.flow.advance(bound);
  }

  /** Preprocesses, decodes and pushes released runs of records, in merge order. Returns the log records consumed. */
  private async consume(released: Released[]): Promise<number> {
    let consumed = 0;
    let done = 0;
    while (done < released.length) {
      const first = released[done]!;
      const input = this.inputs[first.input]!;
      let end = done + 1;
      if (!input.preprocessor) {
        // Slices of about PUSH_SLICE records, each delivered before the next is decoded: a round's records and rows
        // then die young instead of surviving (and being copied by) the collections a whole round would span.
        let n = first.to - first.from;
        if (n > PUSH_SLICE) {
          released.splice(done + 1, 0, { ...first, from: first.from + PUSH_SLICE });
          released[done] = { ...first, to: first.from + PUSH_SLICE };
        } else {
          while (end < released.length && released[end]!.input === first.input && n + released[end]!.to - released[end]!.from <= PUSH_SLICE) {
            n += released[end]!.to - released[end]!.from;
            end++;
          }
        }
        const runs = released.slice(done, end);
        this.pushRuns(input, runs);
        for (const r of runs) consumed += r.to - r.from;
        done = end;
        // (Not while an output is failing: its retries wait for the next round.)
        if (done < released.length && this.allSinks.every((s) => s.failures === 0)) await this.deliverAll();
        continue;
      }
      // One function call per PREPROCESS_CHUNK records keeps requests within Lambda's payload limit: a longer run is
      // split (the rest stays in `released`, so a failed call stages it too).
      let n = first.to - first.from;
      while (end < released.length && released[end]!.input === first.input && n < PREPROCESS_CHUNK) n += released[end]!.to - released[end++]!.from;
      if (n > PREPROCESS_CHUNK) {
        const last = released[end - 1]!;
        const cut = last.to - (n - PREPROCESS_CHUNK);
        released.splice(end, 0, { ...last, from: cut });
        released[end - 1] = { ...last, to: cut };
        n = PREPROCESS_CHUNK;
      }
      const group = released.slice(done, end).flatMap(releasedRecords);
      const records = await preprocess(group, input.preprocessor, this.applicationArn, input.streamArn, (r) => this.error(r), () => this.options.clock.now());
      if (!records) {
        this.staged = released.slice(done); // the function failed: back-pressure, try again next round
        break;
      }
      this.push(input, group, records);
      consumed += n;
      done = end;
    }
    this.recordsIn += consumed;
    return consumed;
  }

  /**
   * Pushes runs of one input read straight from the log: the runs of one source stream in a row are decoded from
   * their bytes into one batch, the bound advanced to its first record's arrival.
   */
  private pushRuns(input: SourceInput, runs: Released[]): void {
    for (let i = 0; i < runs.length; ) {
      const s = runs[i]!.stream;
      let j = i + 1;
      while (j < runs.length && runs[j]!.stream === s) j++;
      this.advance(runs[i]!.chunk.arrival[runs[i]!.from]!);
      const group = runs.slice(i, j);
      i = j;
      const name = input.streams[s]!;
      const decoder = input.decoders[s]!;
      const floor = this.floors[name] ?? -Infinity;
      let decoded: Decoded;
      let recordAt: (index: number) => InputRecord;
      if (decoder.decodeRuns && group.every((r) => r.chunk.aggregates === null)) {
        decoded = decoder.decodeRuns(group.map(byteRun), floor);
        recordAt = (index) => {
          for (const r of group) {
            if (index < r.to - r.from) {
              const k = r.from + index;
              const u = userRecords(r.chunk, k)[0]!;
              return { data: u.data, arrival: r.chunk.arrival[k]!, partitionKey: u.partitionKey, shardId: r.shardId };
            }
            index -= r.to - r.from;
          }
          throw new Error(`no record ${index} in the runs decoded`);
        };
      } else {
        const records: InputRecord[] = [];
        for (const r of group) for (const x of releasedRecords(r)) records.push(...plainRecords(x));
        if (records.length === 0) continue;
        decoded = decoder.decode(records, floor);
        recordAt = (index) => records[index]!;
      }
      this.floors[name] = decoded.lastRowtime;
      for (const e of decoded.errors) this.error(recordError(recordAt(e.index), e.message, name, this.options.clock.now()));
      if (decoded.batch.numRows > 0) this.flow.push(name, decoded.batch);
    }
  }

  /** Pushes preprocessed records of one input in runs of the same source stream, the bound advanced to each run's start. */
  private push(input: SourceInput, group: ReleasedRecord[], records: InputRecord[][]): void {
    for (let i = 0; i < group.length; ) {
      const s = group[i]!.stream;
      const run: InputRecord[] = [];
      let j = i;
      for (; j < group.length && group[j]!.stream === s; j++) run.push(...records[j]!);
      this.advance(group[i]!.arrival);
      i = j;
      if (run.length === 0) continue;
      const name = input.streams[s]!;
      const decoded = input.decoders[s]!.decode(run, this.floors[name] ?? -Infinity);
      this.floors[name] = decoded.lastRowtime;
      for (const e of decoded.errors) this.error(recordError(run[e.index]!, e.message, name, this.options.clock.now()));
      if (decoded.batch.numRows > 0) this.flow.push(name, decoded.batch);
    }
  }

  private async deliverAll(): Promise<void> {
    for (const s of this.allSinks) await s.deliver();
  }

  /** Whether every output has delivered everything it was given. */
  get idle(): boolean {
    return this.staged.length === 0 && this.allSinks.every((s) => s.pendingCount === 0);
  }

  /**
   * Replay mode: rounds until every input is read to its end and every output delivered, then the bound goes to
   * +Infinity and the last rows are delivered. Throws (never drops rows) when an output keeps failing.
   */
  async runToEnd(options: { maxRecords?: number; maxFailedRounds?: number } = {}): Promise<void> {
    const maxFailed = options.maxFailedRounds ?? 1_000;
    let failed = 0;
    for (;;) {
      const before = this.pendingCount();
      const consumed = await this.poll({ final: true, ...(options.maxRecords ? { maxRecords: options.maxRecords } : {}) });
      if (consumed === 0 && this.merger.drained() && this.idle) break;
      failed = consumed === 0 && this.pendingCount() >= before ? failed + 1 : 0;
      if (failed > maxFailed) throw new Error(`outputs still failing after ${maxFailed} rounds: ${this.describePending()}`);
      if (failed > 0) await new Promise((r) => setImmediate(r));
    }
    this.advance(Infinity);
    for (failed = 0; !this.idle; failed++) {
      if (failed > maxFailed) throw new Error(`outputs still failing after ${maxFailed} rounds: ${this.describePending()}`);
      await this.deliverAll();
      if (!this.idle) await new Promise((r) => setImmediate(r));
    }
    if (this.options.checkpointDir) this.checkpoint();
  }

  private pendingCount(): number {
    return this.stagedRecords() + this.allSinks.reduce((n, s) => n + s.pendingCount, 0);
  }

  /** Log records released but waiting for preprocessing to be retried. */
  private stagedRecords(): number {
    let n = 0;
    for (const r of this.staged) n += r.to - r.from;
    return n;
  }

  private describePending(): string {
    return this.allSinks.filter((s) => s.pendingCount > 0).map((s) => `${s.name} has ${s.pendingCount} undelivered`).join(', ');
  }

  /**
   * Live mode: a round every `intervalMs` (time itself is read from the clock). A round that throws (a bug, or a
   * broken log such as a deleted input stream) ends live mode; `onFailure` hears of it at once, `stop()` rethrows it.
   */
  start(intervalMs = 200, onFailure?: (e: unknown) => void): void {
    if (this.timer !== undefined || this.running) return;
    const tick = (): void => {
      this.running = this.poll().then(
        () => {
          this.running = undefined;
          if (this.timer !== undefined) this.timer = setTimeout(tick, intervalMs);
        },
        (e: unknown) => {
          // Kept for stop() to report: a round fails only on a bug or a broken log, not on a failing destination.
          this.running = undefined;
          this.timer = undefined;
          this.failure = e;
          onFailure?.(e);
        },
      );
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops live mode after the round in progress, then writes a checkpoint. */
  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    if (this.failure !== undefined) throw this.failure;
    if (this.options.checkpointDir) this.checkpoint();
  }

  /** What each output has not yet delivered, and how many delivery calls in a row failed: for monitoring. */
  status(): { recordsIn: number; bound: number; outputs: Record<string, { pending: number; failures: number }> } {
    const outputs: Record<string, { pending: number; failures: number }> = {};
    for (const s of this.allSinks) outputs[s.name] = { pending: s.pendingCount, failures: s.failures };
    return { recordsIn: this.recordsIn, bound: this.bound, outputs };
  }

  /**
   * Writes a checkpoint now. Taken between rounds, when no delivery is in flight, so the output progress it records
   * matches the operator state and input positions. Skipped (returns false) while preprocessing is being retried.
   */
  checkpoint(): boolean {
    if (!this.options.checkpointDir || this.staged.length > 0) return false;
    const outputs: Checkpoint['outputs'] = {};
    for (const s of this.allSinks) outputs[s.name] = s.progress();
    saveCheckpoint(this.options.checkpointDir, {
      version: 1,
      startTime: this.startTime,
      bound: this.bound,
      recordsIn: this.recordsIn,
      inputs: this.merger.readers.map((r) => r.checkpoint()),
      floors: { ...this.floors },
      operators: this.flow.operators.map((o) => o.save()),
      outputs,
    });
    this.lastCheckpointAt = this.recordsIn;
    return true;
  }

  private async restore(c: Checkpoint): Promise<void> {
    if (c.operators.length !== this.flow.operators.length) throw new Error('the checkpoint was taken by different application code');
    this.flow.operators.forEach((o, i) => o.load(c.operators[i]));
    this.bound = c.bound;
    this.recordsIn = this.lastCheckpointAt = c.recordsIn;
    this.floors = { ...c.floors };
    for (const s of this.allSinks) {
      const p = c.outputs[s.name];
      if (p) await s.restore(p);
    }
  }
}

function plainRecords(r: ReleasedRecord): InputRecord[] {
  return r.records.map((u) => ({ data: u.data, arrival: r.arrival, partitionKey: u.partitionKey, shardId: r.shardId }));
}

