import { parseArgs } from 'node:util';
import path from 'node:path';
import { AnalyticsTenants, KinesisTenants, startApiServer, type ApiServer } from '../api/index.js';
import { createSelfSignedCertificate, loadOrCreateCertificate } from '../api/tls.js';
import type { Clock, FsyncPolicy, Log } from '../index.js';

/**
 * `sluice serve`: Kinesis Data Streams and Kinesis Analytics (SQL applications) on one local port, for the AWS SDKs and
 * CLI unchanged (HTTP/1.1 and HTTP/2, JSON and CBOR). Data lives in `--data DIR` (default ./.sluice) or, with
 * `--memory`, nowhere; S3 references resolve under `--s3-root DIR` (default `<data dir>/s3`).
 */
export interface ServeOptions {
  host: string;
  port: number;
  /** A data directory; undefined keeps everything in memory. */
  dir: string | undefined;
  limits: boolean;
  /** `--api-limits`: AWS's control-plane call rates and per-day change limits (LimitExceededException). */
  apiLimits: boolean;
  fsync: FsyncPolicy;
  /** `--transition-ms MS`: how long streams stay CREATING/UPDATING/DELETING and consumers CREATING (default 0). */
  transitionMs: number;
  /** `--tls`: also take TLS on the port, with a self-signed certificate kept in the data directory. */
  tls: boolean;
  /** `--auth ACCESS_KEY:SECRET` (repeatable): verify SigV4 against these; undefined accepts any credentials. */
  auth?: Record<string, string>;
  /**
   * `--s3-root DIR`: the S3 stand-in (reference data, schema discovery): `arn:aws:s3:::bucket` + key is DIR/bucket/key.
   * Default `<dir>/s3`, or ./.sluice/s3 in memory (it is only read).
   */
  s3Root?: string;
  /** For tests: the log's clock (the wall clock otherwise). */
  clock?: Clock;
  /** For tests: 0 runs analytics applications only when `analytics.pollAll()` is called (default: every 200 ms). */
  pollIntervalMs?: number;
}

export class UsageError extends Error {}

/** Where S3 references resolve: --s3-root, else `<data dir>/s3` (./.sluice/s3 with --memory: it is only read). */
export function s3RootOf(options: Pick<ServeOptions, 's3Root' | 'dir'>): string {
  return path.resolve(options.s3Root ?? path.join(options.dir ?? './.sluice', 's3'));
}

export function parseServeArgs(args: string[]): ServeOptions {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      memory: { type: 'boolean' },
      'no-limits': { type: 'boolean' },
      'api-limits': { type: 'boolean' },
      fsync: { type: 'string' },
      auth: { type: 'string', multiple: true },
      tls: { type: 'boolean' },
      'transition-ms': { type: 'string' },
      's3-root': { type: 'string' },
    },
    strict: true,
  });
  const port = values.port === undefined ? 4567 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number (0-65535), not '${values.port}'`);
  if (values.memory && values.data !== undefined) throw new UsageError('--data and --memory exclude each other');
  const fsync = (values.fsync ?? 'always') as FsyncPolicy;
  if (!['always', 'batch', 'never'].includes(fsync)) throw new UsageError(`--fsync must be always, batch or never, not '${values.fsync}'`);
  const transitionMs = values['transition-ms'] === undefined ? 0 : Number(values['transition-ms']);
  if (!Number.isInteger(transitionMs) || transitionMs < 0) throw new UsageError(`--transition-ms must be a whole number of milliseconds, not '${values['transition-ms']}'`);
  let auth: Record<string, string> | undefined;
  for (const pair of values.auth ?? []) {
    const colon = pair.indexOf(':');
    if (colon < 1 || colon === pair.length - 1) throw new UsageError(`--auth takes ACCESS_KEY:SECRET, not '${pair}'`);
    (auth ??= {})[pair.slice(0, colon)] = pair.slice(colon + 1);
  }
  return {
    ...(auth ? { auth } : {}),
    ...(values['s3-root'] !== undefined ? { s3Root: values['s3-root'] } : {}),
    host: values.host ?? '127.0.0.1',
    port,
    dir: values.memory ? undefined : (values.data ?? './.sluice'),
    limits: !values['no-limits'],
    apiLimits: values['api-limits'] ?? false,
    fsync,
    tls: values.tls ?? false,
    transitionMs,
  };
}

/**
 * Opens the logs (one per account and region of the requests' credential scopes; the default one at once) and starts
 * the server; `close()` stops both. `log` is the default account's and region's.
 */
export async function startServe(options: ServeOptions): Promise<{ server: ApiServer; log: Log; analytics: AnalyticsTenants; close(): Promise<void> }> {
  const tenants = new KinesisTenants(
    {
      limits: options.limits,
      fsync: options.fsync,
      ...(options.dir !== undefined ? { dir: options.dir } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    },
    { transitionMs: options.transitionMs, apiLimits: options.apiLimits },
  );
  const analytics = new AnalyticsTenants(tenants, {
    s3Root: s3RootOf(options),
    transitionMs: options.transitionMs,
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
  });
  let server: ApiServer;
  let log: Log;
  try {
    log = await tenants.log();
    await analytics.serviceFor({}); // the default tenant's RUNNING applications resume at once
    server = await startApiServer({
      services: [tenants.service(), analytics.service()],
      host: options.host,
      port: options.port,
      ...(options.auth ? { auth: { credentials: options.auth } } : {}),
      ...(options.tls ? { tls: options.dir === undefined ? createSelfSignedCertificate() : loadOrCreateCertificate(options.dir) } : {}),
      onInternalError: (err) => console.error('sluice serve: internal error:', err),
    });
  } catch (err) {
    await analytics.close();
    await tenants.close();
    throw err;
  }
  return {
    server,
    log,
    analytics,
    async close() {
      await server.close();
      await analytics.close();
      await tenants.close();
    },
  };
}

const USAGE = `Usage: sluice serve [--port N] [--host H] [--data DIR | --memory] [--no-limits] [--api-limits] [--fsync always|batch|never]
                    [--auth ACCESS_KEY:SECRET]... [--tls] [--transition-ms MS] [--s3-root DIR]

Kinesis Data Streams and Kinesis Analytics (SQL applications) for the AWS SDKs and CLI on one port
(HTTP/1.1 and HTTP/2, JSON and CBOR).
  --port N            port (default 4567; 0 picks a free one)
  --host H            address to bind (default 127.0.0.1)
  --data DIR          data directory (default ./.sluice)
  --memory            keep everything in memory instead
  --no-limits         do not enforce the per-shard throughput limits
  --api-limits        enforce AWS's control-plane call rates (e.g. DescribeStream 10/s) and per-day change limits
  --fsync POLICY      when a put is acknowledged: always (default), batch, never
  --auth KEY:SECRET   verify SigV4 signatures against this key (repeatable); default: any credentials
  --tls               also take TLS on the same port, with a self-signed certificate kept in the data directory
  --transition-ms MS  how long streams stay CREATING/UPDATING/DELETING, consumers CREATING and applications
                      STARTING/STOPPING/UPDATING (default 0)
  --s3-root DIR       the S3 stand-in for applications' reference data and schema discovery: the object
                      arn:aws:s3:::BUCKET + KEY is DIR/BUCKET/KEY (default <data dir>/s3, ./.sluice/s3 with --memory)
See docs/server.md.
`;

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let options: ServeOptions;
  try {
    options = parseServeArgs(args);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`sluice serve: ${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  const running = await startServe(options);
  const where = options.dir === undefined ? 'in memory' : `in ${options.dir}`;
  console.log(`sluice: Kinesis Data Streams and Kinesis Analytics at ${running.server.url} (HTTP/1.1 and HTTP/2, JSON and CBOR), data ${where}, limits ${options.limits ? 'on' : 'off'}, ${options.auth ? `SigV4 checked for ${Object.keys(options.auth).length} key(s)` : 'any credentials accepted'}`);
  if (running.server.tlsUrl) {
    const where = options.dir === undefined ? '(in memory: a new one each run)' : `${options.dir}/tls-cert.pem`;
    console.log(`  and TLS at ${running.server.tlsUrl} (HTTP/2 or HTTP/1.1 by ALPN), self-signed certificate ${where}`);
  }
  console.log(`  S3 references under ${s3RootOf(options)}`);
  console.log(`  e.g. aws kinesis list-streams --endpoint-url ${running.server.url}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await running.close();
  console.log('sluice: stopped');
  return 0;
}
