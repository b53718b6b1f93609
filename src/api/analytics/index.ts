/**
 * Kinesis Analytics SQL applications (`KinesisAnalytics_20150814`, every operation of the model) over a tenant's Log:
 * applications are defined, described and changed through the API, and a RUNNING application is an `Application`
 * (src/analytics) reading the tenant's streams on the log's clock and writing to its streams.
 *
 * - State: READY and RUNNING are the stable states. With `transitionMs`, an application reports STARTING, STOPPING or
 *   UPDATING for that long after a start, stop or change of a running application (the change itself is done at once).
 * - Versions: ApplicationVersionId starts at 1 and grows by one with every configuration change (UpdateApplication,
 *   Add*, Delete*); those calls must name the current version (else ConcurrentModificationException).
 * - Ids: an input, output, reference data source or CloudWatch logging option gets the id `V.N`: V the version its
 *   change created, N its place among the items of its kind that change added (CreateApplication gives 1.1, 1.2, ...).
 * - Code checks: CreateApplication, UpdateApplication and AddApplicationInput check ApplicationCode with the SQL front
 *   end against the configuration (CodeValidationException with the diagnostics). A table the code names that is not
 *   configured yet is let through (CloudFormation adds reference data sources after the application); StartApplication
 *   checks everything (InvalidApplicationConfigurationException).
 * - Start: InputStartingPosition NOW, TRIM_HORIZON or LAST_STOPPED_POINT (the checkpoint the last stop wrote). After
 *   the code or inputs changed, LAST_STOPPED_POINT keeps the input positions but not the windows' state.
 * - Outputs: Kinesis streams of the tenant by ARN; Firehose outputs through the `firehose` seam (without one, Start
 *   refuses the application with InvalidApplicationConfigurationException); Lambda outputs and preprocessors through
 *   `functions` (by ARN).
 * - S3: BucketARN `arn:aws:s3:::bucket` and FileKey `key` are the file `<s3Root>/bucket/key` (or `<s3Root>/key`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Application } from '../../analytics/application.js';
import { loadCheckpoint, saveCheckpoint } from '../../analytics/checkpoint.js';
import type { ApplicationShape } from '../../analytics/config.js';
import type { AppFunction } from '../../analytics/functions.js';
import type { FirehoseSeam } from '../../analytics/outputs.js';
import { discoverSchema } from '../../analytics/records/index.js';
import type { StartingPosition } from '../../analytics/inputs.js';
import type { Log } from '../../log/index.js';
import { writeFileAtomic } from '../../log/storage.js';
import { PlanError } from '../../plan/errors.js';
import { compileProgram } from '../../exec/program.js';
import { checkApplication, ConfigError, render } from '../../sql/index.js';
import { parseSqlType, sourceStreamNames, DEFAULT_NAME_PREFIX } from '../../sql/catalog.js';
import { WallClock, type Clock } from '../../util/clock.js';
import { ApiError } from '../errors.js';
import { CompiledModel, type Encoding, type ServiceModel } from '../model.js';
import type { OperationHandler, Service } from '../service.js';
import modelJson from '../models/kinesisanalytics.json' with { type: 'json' };

const model = modelJson as unknown as ServiceModel;
let compiled: CompiledModel | undefined;

/**
 * Kinesis Analytics models no ValidationException: a request that breaks the model's constraints gets its
 * InvalidArgumentException ("Specified input parameter value is not valid"), with the same list of violations.
 */
class AnalyticsModel extends CompiledModel {
  override readInput(operation: string, body: unknown, encoding: Encoding): Record<string, unknown> {
    try {
      return super.readInput(operation, body, encoding);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'ValidationException') throw new ApiError('InvalidArgumentException', e.message);
      throw e;
    }
  }
}

/** The Kinesis Analytics (SQL applications) service model (compiled once per process). */
export function analyticsModel(): CompiledModel {
  return (compiled ??= new AnalyticsModel(model));
}

export interface AnalyticsServiceOptions {
  /** The S3 stand-in: reference data and DiscoverInputSchema's S3Configuration read files under it. */
  s3Root?: string;
  /**
   * Where applications and their checkpoints are kept (`applications.json`, `checkpoints/`); without it they live in
   * memory (checkpoints in a temporary directory removed by `close()`).
   */
  stateDir?: string;
  /** Destination of KinesisFirehoseOutput deliveries; without it an application with a Firehose output cannot start. */
  firehose?: FirehoseSeam;
  /** Lambda functions (InputLambdaProcessor, LambdaOutput) by ARN. */
  functions?: Record<string, AppFunction>;
  /** How long (ms of the log's clock) STARTING, STOPPING and UPDATING last (default 0: never seen). */
  transitionMs?: number;
  /**
   * A running application's round interval, ms of real time (default 200). 0: no timer; rounds run only when
   * `pollAll()` is called (deterministic tests, or an embedder with its own schedule).
   */
  pollIntervalMs?: number;
  /** Most applications per account and region (LimitExceededException; default 50, as AWS). */
  maxApplications?: number;
}

export interface AnalyticsService extends Service {
  /** Restarts the applications that were RUNNING when the state was last saved (from their checkpoints). */
  resume(): Promise<void>;
  /** Stops the running applications (their state stays RUNNING, so `resume` restarts them), keeping checkpoints. */
  close(): Promise<void>;
  /** The running Application of an application, for tests and embedding. */
  runtime(name: string): Application | undefined;
  /** One round of every running application (read, run, deliver), in turn; a failed round restarts its application. */
  pollAll(): Promise<void>;
}

type In = Record<string, any>;
type Status = 'READY' | 'RUNNING' | 'STARTING' | 'STOPPING' | 'UPDATING';

interface Tag {
  Key: string;
  Value?: string;
}

/** An application as stored: the request shapes, each item with its id. */
interface AppRecord {
  name: string;
  arn: string;
  description?: string;
  code: string;
  state: 'READY' | 'RUNNING';
  transition?: { status: Status; until: number };
  createdAt: number;
  updatedAt: number;
  version: number;
  inputs: In[];
  outputs: In[];
  refs: In[];
  logging: In[];
  tags: Tag[];
  /** The InputStartingPosition of the last start. */
  startingPosition?: StartingPosition;
  /** Input ARNs (by index) the checkpoint's positions belong to. */
  checkpointInputs?: string[];
  /** The code or inputs changed since the checkpoint was written: its operator state no longer fits. */
  staleState?: boolean;
  /** Each output's configuration (JSON, by Name) when the checkpoint's output progress was recorded. */
  checkpointOutputs?: Record<string, string>;
}

const MAX_INPUTS = 1;
const MAX_OUTPUTS = 3;
const MAX_REFERENCE_SOURCES = 1;
const MAX_TAGS = 50;
const ERROR_STREAM = 'error_stream';

const notFound = (name: string, accountId: string) => new ApiError('ResourceNotFoundException', `Application ${name} is not found in account ${accountId}.`);
const invalid = (message: string) => new ApiError('InvalidArgumentException', message);
const badConfig = (message: string) => new ApiError('InvalidApplicationConfigurationException', message);

export function analyticsService(log: Log, options: AnalyticsServiceOptions = {}): AnalyticsService {
  const clock: Clock = log.options.clock ?? new WallClock();
  const accountId = log.options.accountId ?? '000000000000';
  const region = log.options.region ?? 'us-east-1';
  const transitionMs = options.transitionMs ?? 0;
  const maxApplications = options.maxApplications ?? 50;
  const s3Root = options.s3Root ?? path.resolve('.sluice', 's3');
  const stateFile = options.stateDir ? path.join(options.stateDir, 'applications.json') : undefined;
  const apps = new Map<string, AppRecord>();
  const runners = new Map<string, Application>();
  /** Applications with a start, stop, change or delete in progress (those await the runtime). */
  const busy = new Set<string>();
  const exclusive = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    if (busy.has(name)) throw new ApiError('ResourceInUseException', `Application ${name} is being changed by another request; try again.`);
    busy.add(name);
    try {
      return await fn();
    } finally {
      busy.delete(name);
    }
  };
  let tempDir: string | undefined;

  if (stateFile && fs.existsSync(stateFile)) {
    for (const rec of JSON.parse(fs.readFileSync(stateFile, 'utf8')) as AppRecord[]) apps.set(rec.name, rec);
  }
  const persist = () => {
    if (!stateFile) return;
    fs.mkdirSync(path.dirname(stateFile), { recursive: true });
    writeFileAtomic(stateFile, JSON.stringify([...apps.values()], null, 1));
  };
  const checkpointDir = (rec: AppRecord) => {
    const base = options.stateDir ?? (tempDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-analytics-')));
    return path.join(base, 'checkpoints', `${rec.name}.${rec.createdAt}`);
  };

  const statusOf = (rec: AppRecord): Status => (rec.transition && clock.now() < rec.transition.until ? rec.transition.status : rec.state);
  const transition = (rec: AppRecord, status: Status) => {
    if (transitionMs > 0) rec.transition = { status, until: clock.now() + transitionMs };
    else delete rec.transition;
  };
  const app = (name: string): AppRecord => {
    const rec = apps.get(name);
    if (!rec) throw notFound(name, accountId);
    return rec;
  };
  const arnOf = (name: string) => `arn:aws:kinesisanalytics:${region}:${accountId}:application/${name}`;
  const byArn = (arn: string): AppRecord => {
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    const rec = apps.get(name);
    if (!rec || rec.arn !== arn) throw new ApiError('ResourceNotFoundException', `No application with ARN ${arn} in account ${accountId}.`);
    return rec;
  };
  /** An application that may change: not in transition, and at the version the caller read. */
  const changeable = (input: In): AppRecord => {
    const rec = app(input.ApplicationName as string);
    const status = statusOf(rec);
    if (status !== 'READY' && status !== 'RUNNING') throw new ApiError('ResourceInUseException', `Application ${rec.name} is in ${status} state; it can be changed only when READY or RUNNING.`);
    if (input.CurrentApplicationVersionId !== rec.version) {
      throw new ApiError(
        'ConcurrentModificationException',
        `Application ${rec.name}'s current version is ${rec.version}, not ${String(input.CurrentApplicationVersionId)}: it was changed since it was described. Describe it again for the current ApplicationVersionId.`,
      );
    }
    return rec;
  };

  /** The Application configuration of a record (the runtime's shapes are the request's). */
  const shapeOf = (rec: AppRecord): ApplicationShape => ({
    ApplicationName: rec.name,
    ApplicationCode: rec.code,
    Inputs: rec.inputs as ApplicationShape['Inputs'],
    Outputs: rec.outputs as ApplicationShape['Outputs'],
    ReferenceDataSources: rec.refs as ApplicationShape['ReferenceDataSources'],
  });

  /** Checks what the model cannot: one destination per input and output, SQL types, limits. */
  const checkConfig = (rec: AppRecord) => {
    if (rec.inputs.length > MAX_INPUTS) throw invalid(`Application ${rec.name} can have at most ${MAX_INPUTS} input; it would have ${rec.inputs.length}.`);
    if (rec.outputs.length > MAX_OUTPUTS) throw invalid(`Application ${rec.name} can have at most ${MAX_OUTPUTS} outputs; it would have ${rec.outputs.length}.`);
    if (rec.refs.length > MAX_REFERENCE_SOURCES) throw invalid(`Application ${rec.name} can have at most ${MAX_REFERENCE_SOURCES} reference data source; it would have ${rec.refs.length}.`);
    for (const i of rec.inputs) {
      if (!!i.KinesisStreamsInput === !!i.KinesisFirehoseInput) throw invalid(`Input ${i.NamePrefix} must have exactly one of KinesisStreamsInput and KinesisFirehoseInput.`);
      columns(i.InputSchema, `Input ${i.NamePrefix}`);
    }
    for (const o of rec.outputs) {
      const n = [o.KinesisStreamsOutput, o.KinesisFirehoseOutput, o.LambdaOutput].filter(Boolean).length;
      if (n !== 1) throw invalid(`Output ${o.Name} must have exactly one of KinesisStreamsOutput, KinesisFirehoseOutput and LambdaOutput.`);
    }
    const tables = new Set<string>();
    for (const r of rec.refs) {
      if (!r.S3ReferenceDataSource) throw invalid(`Reference data source ${r.TableName} must have an S3ReferenceDataSource.`);
      if (tables.has(r.TableName)) throw invalid(`Reference data source table name ${r.TableName} is used twice.`);
      tables.add(r.TableName);
      columns(r.ReferenceSchema, `Reference data source ${r.TableName}`);
    }
  };
  const columns = (schema: In, where: string) => {
    for (const c of schema.RecordColumns as In[]) {
      try {
        parseSqlType(c.SqlType);
      } catch (e) {
        throw invalid(`${where}: column ${c.Name}: ${(e as Error).message}`);
      }
    }
  };

  /**
   * CodeValidationException when the code does not check against the configuration. Tables the code names that are
   * not configured are taken as tables of unknown columns (they may be added before the start).
   */
  const checkCode = (rec: AppRecord, withOutputs: boolean) => {
    if (rec.code.trim() === '') return;
    const base = { ...shapeOf(rec), Outputs: withOutputs ? rec.outputs.filter((o) => o.Name !== ERROR_STREAM) : [] } as ApplicationShape;
    const fail = (text: string) => new ApiError('CodeValidationException', `The application code is not valid:\n${text}`);
    try {
      const checked = checkApplication(rec.code, base);
      if (!checked.ok) {
        const missing = new Set<string>();
        for (const d of checked.diagnostics) {
          const m = d.code === 'SQL200' ? /no stream or table named "?([^"\s;]+)/.exec(d.message) : null;
          if (m) missing.add(m[1]!);
        }
        if (missing.size > 0) {
          const refs = [...(base.ReferenceDataSources ?? []), ...[...missing].map((TableName) => ({ TableName }))];
          const retry = checkApplication(rec.code, { ...base, ReferenceDataSources: refs } as ApplicationShape);
          if (retry.ok) return;
        }
        throw fail(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => render(d, rec.code)).join('\n'));
      }
      // Planning catches what binding does not (constructs the engine does not run); it needs the inputs' columns.
      if (rec.inputs.length > 0) compileProgram(rec.code, base);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      if (e instanceof ConfigError) throw invalid(e.message);
      if (e instanceof PlanError) throw fail(e.message);
      throw fail((e as Error).message);
    }
  };

  // ---- running applications ----------------------------------------------------------------------------------------
  const inputArns = (rec: AppRecord) => rec.inputs.map((i) => (i.KinesisStreamsInput?.ResourceARN ?? i.KinesisFirehoseInput?.ResourceARN) as string);

  const newApplication = (rec: AppRecord, position: StartingPosition, checkpoints: boolean) =>
    new Application({
      code: rec.code,
      config: shapeOf(rec),
      log,
      clock,
      referenceRoot: s3Root,
      ...(options.functions ? { functions: options.functions } : {}),
      ...(options.firehose ? { firehose: options.firehose } : {}),
      ...(checkpoints ? { checkpointDir: checkpointDir(rec) } : {}),
      startingPosition: position,
    });

  /**
   * After the code or inputs changed, the checkpoint keeps its input positions (for inputs still reading the same
   * stream) but gets the new code's empty operator state and no output progress.
   */
  const refreshCheckpoint = async (rec: AppRecord) => {
    const dir = checkpointDir(rec);
    const saved = loadCheckpoint(dir);
    if (!saved) return;
    const probe = newApplication(rec, 'TRIM_HORIZON', false);
    await probe.open();
    const arns = inputArns(rec);
    const inputs = arns.map((arn, i) => (rec.checkpointInputs?.[i] === arn ? saved.inputs[i] : undefined));
    saveCheckpoint(dir, {
      ...saved,
      inputs: inputs as typeof saved.inputs,
      operators: probe.flow.operators.map((o) => o.save()),
      outputs: {},
    });
  };

  /** Opens and starts the Application of a record; InvalidApplicationConfigurationException when it cannot run. */
  const launch = async (rec: AppRecord, position: StartingPosition) => {
    if (rec.code.trim() === '') throw badConfig(`Application ${rec.name} has no application code.`);
    if (rec.inputs.length === 0) throw badConfig(`Application ${rec.name} has no input.`);
    if (!options.firehose && rec.outputs.some((o) => o.KinesisFirehoseOutput)) {
      throw badConfig(`Application ${rec.name} has a Kinesis Firehose output, and this server has no Firehose service yet: use a Kinesis stream output.`);
    }
    for (const i of rec.inputs) if (i.KinesisFirehoseInput) throw badConfig(`Application ${rec.name} reads a Kinesis Firehose delivery stream; only Kinesis stream inputs are supported.`);
    for (const arn of [...inputArns(rec), ...rec.outputs.map((o) => o.KinesisStreamsOutput?.ResourceARN as string | undefined)]) {
      if (arn === undefined) continue;
      const name = arn.slice(arn.lastIndexOf('/') + 1);
      if (!arn.includes(':stream/') || !(await log.listStreams()).includes(name)) throw badConfig(`Application ${rec.name}: no Kinesis stream ${arn} in account ${accountId} and region ${region}.`);
    }
    const dir = checkpointDir(rec);
    try {
      if (position !== 'LAST_STOPPED_POINT') fs.rmSync(dir, { recursive: true, force: true });
      else if (rec.staleState) await refreshCheckpoint(rec);
      else forgetChangedOutputs(rec);
      const runtime = newApplication(rec, position, true);
      await runtime.open();
      if ((options.pollIntervalMs ?? 200) > 0) runtime.start(options.pollIntervalMs ?? 200, (e) => restartLater(rec, runtime, e));
      runners.set(rec.name, runtime);
    } catch (e) {
      if (e instanceof ApiError) throw e;
      throw badConfig(`Application ${rec.name} cannot start: ${(e as Error).message}`);
    }
    rec.staleState = false;
    rec.checkpointInputs = inputArns(rec);
    rec.checkpointOutputs = outputConfigs(rec);
  };

  const outputConfigs = (rec: AppRecord) => Object.fromEntries(rec.outputs.map((o) => [o.Name as string, JSON.stringify({ ...o, OutputId: undefined })]));
  /**
   * An output whose destination or format changed since the checkpoint starts afresh: its recorded progress (the
   * old destination's end, records not yet delivered there) is dropped.
   */
  const forgetChangedOutputs = (rec: AppRecord) => {
    const dir = checkpointDir(rec);
    const saved = loadCheckpoint(dir);
    if (!saved) return;
    const now = outputConfigs(rec);
    const kept = Object.fromEntries(Object.entries(saved.outputs).filter(([name]) => now[name] !== undefined && now[name] === rec.checkpointOutputs?.[name]));
    if (Object.keys(kept).length !== Object.keys(saved.outputs).length) saveCheckpoint(dir, { ...saved, outputs: kept });
  };

  /**
   * A round of a running application failed (a bug, or a broken log such as a deleted input stream): as KDA restarts
   * a failed application, the runtime is dropped and the application starts again from its last checkpoint; if it
   * cannot (its input is gone, say) it goes back to READY. The cause goes to stderr either way. Nothing is done if the
   * application was stopped, changed or restarted since that runtime failed.
   */
  const recover = async (rec: AppRecord, runtime: Application, e: unknown) => {
    if (runners.get(rec.name) !== runtime) return;
    runners.delete(rec.name);
    console.error(`sluice: application ${rec.name} failed: ${(e as Error)?.message ?? String(e)}; restarting it from its last checkpoint`);
    try {
      await launch(rec, 'LAST_STOPPED_POINT');
    } catch (err) {
      rec.state = 'READY';
      console.error(`sluice: application ${rec.name} could not restart, so it is READY: ${(err as Error).message}`);
    }
    persist();
  };

  /** Live mode waits before a restart, 1 s doubling to a minute while restarts keep failing, so a persistent fault does not spin. */
  const restartDelays = new Map<string, number>();
  const restartTimers = new Set<ReturnType<typeof setTimeout>>();
  const restartLater = (rec: AppRecord, runtime: Application, e: unknown) => {
    const delay = Math.min(60_000, (restartDelays.get(rec.name) ?? 500) * 2);
    restartDelays.set(rec.name, delay);
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      void recover(rec, runtime, e);
    }, delay);
    timer.unref();
    restartTimers.add(timer);
  };

  const halt = async (rec: AppRecord) => {
    const runtime = runners.get(rec.name);
    runners.delete(rec.name);
    if (runtime) {
      try {
        await runtime.stop();
      } catch {
        // A round failed (a bug or a broken log): the checkpoint of the last good round stands.
      }
    }
  };

  /**
   * A configuration change: applied to a copy, checked, and committed with the next version; a RUNNING application
   * is restarted with it from where it stopped (UPDATING meanwhile).
   */
  const change = (input: In, mutate: (draft: AppRecord) => void, code?: { withOutputs: boolean }) =>
    exclusive(input.ApplicationName as string, () => changeNow(input, mutate, code));
  const changeNow = async (input: In, mutate: (draft: AppRecord) => void, code?: { withOutputs: boolean }) => {
    const rec = changeable(input);
    const draft = structuredClone(rec);
    draft.version++;
    mutate(draft);
    checkConfig(draft);
    if (code) checkCode(draft, code.withOutputs);
    draft.updatedAt = clock.now();
    const affectsState = draft.code !== rec.code || JSON.stringify(draft.inputs) !== JSON.stringify(rec.inputs);
    if (affectsState) draft.staleState = true;
    if (rec.state === 'RUNNING') {
      await halt(rec);
      try {
        await launch(draft, 'LAST_STOPPED_POINT');
      } catch (e) {
        await launch(rec, 'LAST_STOPPED_POINT').catch(() => undefined);
        throw invalid((e as Error).message);
      }
      transition(draft, 'UPDATING');
    }
    draft.tags = rec.tags; // tags may have changed while a running application restarted
    apps.set(draft.name, draft);
    persist();
    return {};
  };
  const idFor = (rec: AppRecord, existing: In[], key: string) => {
    const prefix = `${rec.version}.`;
    return `${prefix}${existing.filter((x) => String(x[key]).startsWith(prefix)).length + 1}`;
  };
  const find = (rec: AppRecord, list: In[], key: string, id: string, what: string): In => {
    const item = list.find((x) => x[key] === id);
    if (!item) throw new ApiError('ResourceNotFoundException', `Application ${rec.name} has no ${what} with id ${id}.`);
    return item;
  };

  // ---- descriptions ------------------------------------------------------------------------------------------------
  const summary = (rec: AppRecord) => ({ ApplicationName: rec.name, ApplicationARN: rec.arn, ApplicationStatus: statusOf(rec) });
  const detail = (rec: AppRecord) => ({
    ...summary(rec),
    ApplicationDescription: rec.description,
    CreateTimestamp: rec.createdAt,
    LastUpdateTimestamp: rec.updatedAt,
    ApplicationVersionId: rec.version,
    ApplicationCode: rec.code,
    InputDescriptions: rec.inputs.map((i) => ({
      InputId: i.InputId,
      NamePrefix: i.NamePrefix,
      InAppStreamNames: sourceStreamNames(i.NamePrefix ?? DEFAULT_NAME_PREFIX, i.InputParallelism?.Count ?? 1),
      InputProcessingConfigurationDescription: i.InputProcessingConfiguration ? { InputLambdaProcessorDescription: i.InputProcessingConfiguration.InputLambdaProcessor } : undefined,
      KinesisStreamsInputDescription: i.KinesisStreamsInput,
      KinesisFirehoseInputDescription: i.KinesisFirehoseInput,
      InputSchema: i.InputSchema,
      InputParallelism: { Count: i.InputParallelism?.Count ?? 1 },
      InputStartingPositionConfiguration: rec.startingPosition ? { InputStartingPosition: rec.startingPosition } : undefined,
    })),
    OutputDescriptions: rec.outputs.map((o) => ({
      OutputId: o.OutputId,
      Name: o.Name,
      KinesisStreamsOutputDescription: o.KinesisStreamsOutput,
      KinesisFirehoseOutputDescription: o.KinesisFirehoseOutput,
      LambdaOutputDescription: o.LambdaOutput,
      DestinationSchema: o.DestinationSchema,
    })),
    ReferenceDataSourceDescriptions: rec.refs.map((r) => ({
      ReferenceId: r.ReferenceId,
      TableName: r.TableName,
      S3ReferenceDataSourceDescription: r.S3ReferenceDataSource,
      ReferenceSchema: r.ReferenceSchema,
    })),
    CloudWatchLoggingOptionDescriptions: rec.logging,
  });

  const checkTags = (tags: Tag[]) => {
    const keys = new Set<string>();
    for (const t of tags) {
      if (keys.has(t.Key)) throw invalid(`Tag key ${t.Key} is given more than once.`);
      if (t.Key.toLowerCase().startsWith('aws:')) throw invalid(`Tag key ${t.Key}: keys starting with aws: are reserved.`);
      keys.add(t.Key);
    }
    if (tags.length > MAX_TAGS) throw new ApiError('TooManyTagsException', `An application can have at most ${MAX_TAGS} tags; this would give it ${tags.length}.`);
  };

  /** Up to 100 sample records of a stream: the first (TRIM_HORIZON) or the latest (NOW, LAST_STOPPED_POINT). */
  const sampleStream = async (arn: string, position: string): Promise<Uint8Array[]> => {
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    if (!arn.includes(':stream/') || !(await log.listStreams()).includes(name)) throw invalid(`No Kinesis stream ${arn} in account ${accountId} and region ${region}.`);
    const reader = log.reader(name, 'TRIM_HORIZON');
    if (position === 'TRIM_HORIZON') return reader.read(100).map((r) => r.data);
    let last: Uint8Array[] = [];
    for (let batch = reader.read(10_000); batch.length > 0; batch = reader.read(10_000)) last = [...last, ...batch.map((r) => r.data)].slice(-100);
    return last;
  };
  const sampleFile = (s3: In): Uint8Array[] => {
    const key = String(s3.FileKey).replace(/^\/+/, '');
    const bucket = /^arn:[^:]*:s3:::([^/]+)/.exec(s3.BucketARN as string)?.[1];
    const root = path.resolve(s3Root);
    const candidates = [...(bucket ? [path.join(root, bucket, key)] : []), path.join(root, key)].filter((f) => f.startsWith(root + path.sep));
    const file = candidates.find((f) => fs.existsSync(f) && fs.statSync(f).isFile());
    if (!file) throw invalid(`No S3 object s3://${bucket ?? '?'}/${key}: looked for ${candidates.join(' and ')}.`);
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.trimStart().startsWith('[') ? (() => {
      try {
        return (JSON.parse(text) as unknown[]).map((r) => JSON.stringify(r));
      } catch {
        return text.split(/\r?\n/);
      }
    })() : text.split(/\r?\n/);
    return lines.filter((l) => l.trim() !== '').slice(0, 100).map((l) => Buffer.from(l));
  };

  async function deleteApplication(input: In) {
    const rec = app(input.ApplicationName as string);
    const given = input.CreateTimestamp as number;
    if (given !== rec.createdAt && Math.floor(given / 1000) !== Math.floor(rec.createdAt / 1000)) {
      throw new ApiError('ConcurrentModificationException', `Application ${rec.name} was created at ${new Date(rec.createdAt).toISOString()}, not ${new Date(given).toISOString()}: it is not the application described.`);
    }
    const status = statusOf(rec);
    if (status !== 'READY' && status !== 'RUNNING') throw new ApiError('ResourceInUseException', `Application ${rec.name} is in ${status} state; it cannot be deleted until it is READY or RUNNING.`);
    await halt(rec);
    apps.delete(rec.name);
    fs.rmSync(checkpointDir(rec), { recursive: true, force: true });
    persist();
    return {};
  }

  async function startApplication(input: In) {
    const rec = app(input.ApplicationName as string);
    const status = statusOf(rec);
    if (status !== 'READY') throw new ApiError('ResourceInUseException', `Application ${rec.name} is in ${status} state; only a READY application can be started.`);
    const configs = input.InputConfigurations as { Id: string; InputStartingPositionConfiguration: { InputStartingPosition?: StartingPosition } }[];
    for (const c of configs) if (!rec.inputs.some((i) => i.InputId === c.Id)) throw invalid(`Application ${rec.name} has no input with id ${c.Id}.`);
    for (const i of rec.inputs) if (!configs.some((c) => c.Id === i.InputId)) throw invalid(`InputConfigurations must configure input ${String(i.InputId)} of application ${rec.name}.`);
    const position = configs[0]?.InputStartingPositionConfiguration.InputStartingPosition ?? 'NOW';
    await launch(rec, position);
    restartDelays.delete(rec.name);
    rec.state = 'RUNNING';
    rec.startingPosition = position;
    transition(rec, 'STARTING');
    persist();
    return {};
  }

  async function stopApplication(input: In) {
    const rec = app(input.ApplicationName as string);
    const status = statusOf(rec);
    if (status === 'READY') return {};
    if (status !== 'RUNNING') throw new ApiError('ResourceInUseException', `Application ${rec.name} is in ${status} state; only a RUNNING application can be stopped.`);
    await halt(rec);
    rec.state = 'READY';
    transition(rec, 'STOPPING');
    persist();
    return {};
  }

  const operations: Record<string, OperationHandler> = {
    CreateApplication(input) {
      const name = input.ApplicationName as string;
      if (apps.has(name)) throw new ApiError('ResourceInUseException', `Application ${name} already exists in account ${accountId}.`);
      if (apps.size >= maxApplications) throw new ApiError('LimitExceededException', `Account ${accountId} already has ${apps.size} applications in ${region}; the limit is ${maxApplications}.`);
      const now = clock.now();
      const number = <T extends In>(items: T[] | undefined, key: string): T[] => (items ?? []).map((x, i) => ({ [key]: `1.${i + 1}`, ...x }));
      const rec: AppRecord = {
        name,
        arn: arnOf(name),
        ...(input.ApplicationDescription !== undefined ? { description: input.ApplicationDescription as string } : {}),
        code: (input.ApplicationCode as string | undefined) ?? '',
        state: 'READY',
        createdAt: now,
        updatedAt: now,
        version: 1,
        inputs: number(input.Inputs as In[], 'InputId'),
        outputs: number(input.Outputs as In[], 'OutputId'),
        refs: [],
        logging: number(input.CloudWatchLoggingOptions as In[], 'CloudWatchLoggingOptionId'),
        tags: (input.Tags as Tag[] | undefined) ?? [],
      };
      checkTags(rec.tags);
      checkConfig(rec);
      checkCode(rec, true);
      apps.set(name, rec);
      persist();
      return { ApplicationSummary: summary(rec) };
    },

    DescribeApplication(input) {
      return { ApplicationDetail: detail(app(input.ApplicationName as string)) };
    },

    ListApplications(input) {
      const limit = (input.Limit as number | undefined) ?? 50;
      const after = input.ExclusiveStartApplicationName as string | undefined;
      const names = [...apps.keys()].sort().filter((n) => after === undefined || n > after);
      return { ApplicationSummaries: names.slice(0, limit).map((n) => summary(apps.get(n)!)), HasMoreApplications: names.length > limit };
    },

    DeleteApplication: (input) => exclusive(input.ApplicationName as string, () => deleteApplication(input)),
    StartApplication: (input) => exclusive(input.ApplicationName as string, () => startApplication(input)),
    StopApplication: (input) => exclusive(input.ApplicationName as string, () => stopApplication(input)),

    UpdateApplication(input) {
      const u = input.ApplicationUpdate as In;
      if (!u.InputUpdates && u.ApplicationCodeUpdate === undefined && !u.OutputUpdates && !u.ReferenceDataSourceUpdates && !u.CloudWatchLoggingOptionUpdates) {
        throw invalid('ApplicationUpdate must update something.');
      }
      return change(
        input,
        (d) => {
          if (u.ApplicationCodeUpdate !== undefined) d.code = u.ApplicationCodeUpdate as string;
          for (const iu of (u.InputUpdates ?? []) as In[]) {
            const i = find(d, d.inputs, 'InputId', iu.InputId, 'input');
            if (iu.NamePrefixUpdate !== undefined) i.NamePrefix = iu.NamePrefixUpdate;
            if (iu.InputParallelismUpdate?.CountUpdate !== undefined) i.InputParallelism = { Count: iu.InputParallelismUpdate.CountUpdate };
            if (iu.InputSchemaUpdate) {
              const s = iu.InputSchemaUpdate as In;
              if (s.RecordFormatUpdate) i.InputSchema.RecordFormat = s.RecordFormatUpdate;
              if (s.RecordEncodingUpdate) i.InputSchema.RecordEncoding = s.RecordEncodingUpdate;
              if (s.RecordColumnUpdates) i.InputSchema.RecordColumns = s.RecordColumnUpdates;
            }
            if (iu.InputProcessingConfigurationUpdate) {
              const p = iu.InputProcessingConfigurationUpdate.InputLambdaProcessorUpdate as In;
              const old = i.InputProcessingConfiguration?.InputLambdaProcessor as In | undefined;
              i.InputProcessingConfiguration = { InputLambdaProcessor: destination(old, p, `Input ${i.InputId}'s InputLambdaProcessorUpdate`) };
            }
            if (iu.KinesisStreamsInputUpdate) {
              i.KinesisStreamsInput = destination(i.KinesisStreamsInput, iu.KinesisStreamsInputUpdate, `Input ${i.InputId}'s KinesisStreamsInputUpdate`);
              delete i.KinesisFirehoseInput;
            }
            if (iu.KinesisFirehoseInputUpdate) {
              i.KinesisFirehoseInput = destination(i.KinesisFirehoseInput, iu.KinesisFirehoseInputUpdate, `Input ${i.InputId}'s KinesisFirehoseInputUpdate`);
              delete i.KinesisStreamsInput;
            }
          }
          for (const ou of (u.OutputUpdates ?? []) as In[]) {
            const o = find(d, d.outputs, 'OutputId', ou.OutputId, 'output');
            if (ou.NameUpdate !== undefined) o.Name = ou.NameUpdate;
            if (ou.DestinationSchemaUpdate) o.DestinationSchema = ou.DestinationSchemaUpdate;
            for (const kind of ['KinesisStreamsOutput', 'KinesisFirehoseOutput', 'LambdaOutput']) {
              const update = ou[`${kind}Update`] as In | undefined;
              if (!update) continue;
              const next = destination(o[kind], update, `Output ${o.OutputId}'s ${kind}Update`);
              delete o.KinesisStreamsOutput;
              delete o.KinesisFirehoseOutput;
              delete o.LambdaOutput;
              o[kind] = next;
            }
          }
          for (const ru of (u.ReferenceDataSourceUpdates ?? []) as In[]) {
            const r = find(d, d.refs, 'ReferenceId', ru.ReferenceId, 'reference data source');
            if (ru.TableNameUpdate !== undefined) r.TableName = ru.TableNameUpdate;
            if (ru.ReferenceSchemaUpdate) r.ReferenceSchema = ru.ReferenceSchemaUpdate;
            const s = ru.S3ReferenceDataSourceUpdate as In | undefined;
            if (s) {
              r.S3ReferenceDataSource = {
                ...r.S3ReferenceDataSource,
                ...(s.BucketARNUpdate !== undefined ? { BucketARN: s.BucketARNUpdate } : {}),
                ...(s.FileKeyUpdate !== undefined ? { FileKey: s.FileKeyUpdate } : {}),
                ...(s.ReferenceRoleARNUpdate !== undefined ? { ReferenceRoleARN: s.ReferenceRoleARNUpdate } : {}),
              };
            }
          }
          for (const cu of (u.CloudWatchLoggingOptionUpdates ?? []) as In[]) {
            const c = find(d, d.logging, 'CloudWatchLoggingOptionId', cu.CloudWatchLoggingOptionId, 'CloudWatch logging option');
            if (cu.LogStreamARNUpdate !== undefined) c.LogStreamARN = cu.LogStreamARNUpdate;
            if (cu.RoleARNUpdate !== undefined) c.RoleARN = cu.RoleARNUpdate;
          }
        },
        { withOutputs: true },
      );
    },

    AddApplicationInput(input) {
      return change(input, (d) => d.inputs.push({ InputId: idFor(d, d.inputs, 'InputId'), ...(input.Input as In) }), { withOutputs: false });
    },
    AddApplicationOutput(input) {
      return change(input, (d) => d.outputs.push({ OutputId: idFor(d, d.outputs, 'OutputId'), ...(input.Output as In) }));
    },
    AddApplicationReferenceDataSource(input) {
      return change(input, (d) => d.refs.push({ ReferenceId: idFor(d, d.refs, 'ReferenceId'), ...(input.ReferenceDataSource as In) }));
    },
    AddApplicationCloudWatchLoggingOption(input) {
      return change(input, (d) => {
        const option = input.CloudWatchLoggingOption as In;
        if (d.logging.some((c) => c.LogStreamARN === option.LogStreamARN)) throw invalid(`Application ${d.name} already logs to ${String(option.LogStreamARN)}.`);
        d.logging.push({ CloudWatchLoggingOptionId: idFor(d, d.logging, 'CloudWatchLoggingOptionId'), ...option });
      });
    },
    AddApplicationInputProcessingConfiguration(input) {
      return change(input, (d) => {
        const i = find(d, d.inputs, 'InputId', input.InputId as string, 'input');
        if (i.InputProcessingConfiguration) throw invalid(`Input ${String(i.InputId)} of application ${d.name} already has an input processing configuration.`);
        i.InputProcessingConfiguration = input.InputProcessingConfiguration;
      });
    },
    DeleteApplicationOutput(input) {
      return change(input, (d) => {
        find(d, d.outputs, 'OutputId', input.OutputId as string, 'output');
        d.outputs = d.outputs.filter((o) => o.OutputId !== input.OutputId);
      });
    },
    DeleteApplicationReferenceDataSource(input) {
      return change(input, (d) => {
        find(d, d.refs, 'ReferenceId', input.ReferenceId as string, 'reference data source');
        d.refs = d.refs.filter((r) => r.ReferenceId !== input.ReferenceId);
      });
    },
    DeleteApplicationCloudWatchLoggingOption(input) {
      return change(input, (d) => {
        find(d, d.logging, 'CloudWatchLoggingOptionId', input.CloudWatchLoggingOptionId as string, 'CloudWatch logging option');
        d.logging = d.logging.filter((c) => c.CloudWatchLoggingOptionId !== input.CloudWatchLoggingOptionId);
      });
    },
    DeleteApplicationInputProcessingConfiguration(input) {
      return change(input, (d) => {
        const i = find(d, d.inputs, 'InputId', input.InputId as string, 'input');
        delete i.InputProcessingConfiguration;
      });
    },

    async DiscoverInputSchema(input) {
      let records: Uint8Array[];
      if (input.ResourceARN !== undefined) {
        if (input.S3Configuration) throw invalid('Give either ResourceARN or S3Configuration, not both.');
        const arn = input.ResourceARN as string;
        if (arn.includes(':deliverystream/')) throw invalid(`Schema discovery reads Kinesis streams and S3 objects; ${arn} is a Firehose delivery stream.`);
        records = await sampleStream(arn, (input.InputStartingPositionConfiguration?.InputStartingPosition as string | undefined) ?? 'NOW');
      } else if (input.S3Configuration) {
        records = sampleFile(input.S3Configuration as In);
      } else {
        throw invalid('DiscoverInputSchema needs a ResourceARN (with InputStartingPositionConfiguration) or an S3Configuration.');
      }
      if (records.every((r) => Buffer.from(r).toString('utf8').trim() === '')) {
        throw new ApiError('UnableToDetectSchemaException', 'No data was found to detect the schema from: the source has no records.');
      }
      let found;
      try {
        found = discoverSchema(records);
      } catch (e) {
        throw new ApiError('UnableToDetectSchemaException', `Unable to detect the schema: ${(e as Error).message}`);
      }
      if (found.InputSchema.RecordColumns.length === 0) throw new ApiError('UnableToDetectSchemaException', 'Unable to detect the schema: the records have no columns.');
      return { InputSchema: found.InputSchema, ParsedInputRecords: found.ParsedInputRecords, RawInputRecords: found.RawInputRecords, ProcessedInputRecords: found.RawInputRecords };
    },

    ListTagsForResource(input) {
      return { Tags: byArn(input.ResourceARN as string).tags };
    },
    TagResource(input) {
      const rec = byArn(input.ResourceARN as string);
      const merged = new Map(rec.tags.map((t) => [t.Key, t]));
      const given = input.Tags as Tag[];
      checkTags(given);
      for (const t of given) merged.set(t.Key, t);
      checkTags([...merged.values()]);
      rec.tags = [...merged.values()];
      persist();
      return {};
    },
    UntagResource(input) {
      const rec = byArn(input.ResourceARN as string);
      const keys = new Set(input.TagKeys as string[]);
      rec.tags = rec.tags.filter((t) => !keys.has(t.Key));
      persist();
      return {};
    },
  };

  return {
    targetPrefix: model.targetPrefix,
    model: analyticsModel(),
    cbor: false,
    operations,
    runtime: (name) => runners.get(name),
    async pollAll() {
      for (const [name, runtime] of [...runners]) {
        try {
          await runtime.poll();
        } catch (e) {
          await recover(apps.get(name)!, runtime, e);
        }
      }
    },
    async resume() {
      for (const rec of apps.values()) {
        if (rec.state !== 'RUNNING' || runners.has(rec.name)) continue;
        try {
          await launch(rec, 'LAST_STOPPED_POINT');
        } catch (e) {
          rec.state = 'READY';
          console.error(`sluice: application ${rec.name} could not resume: ${(e as Error).message}`);
        }
      }
      persist();
    },
    async close() {
      for (const timer of restartTimers) clearTimeout(timer);
      for (const rec of apps.values()) await halt(rec);
      if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
    },
  };
}

/** A destination (ARN + role) after an update: the update's members over the old ones; a new one needs the ARN. */
function destination(old: In | undefined, update: In, where: string): In {
  const ResourceARN = (update.ResourceARNUpdate as string | undefined) ?? old?.ResourceARN;
  const RoleARN = (update.RoleARNUpdate as string | undefined) ?? old?.RoleARN;
  if (ResourceARN === undefined || RoleARN === undefined) throw invalid(`${where} needs ResourceARNUpdate and RoleARNUpdate: there is no destination of that kind to update.`);
  return { ResourceARN, RoleARN };
}
