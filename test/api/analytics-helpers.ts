/** A real server with Kinesis and Kinesis Analytics over one in-memory log on a virtual clock, and SDK clients for it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, KinesisClient, ListShardsCommand } from '@aws-sdk/client-kinesis';
import { KinesisAnalyticsClient, type Input, type Output } from '@aws-sdk/client-kinesis-analytics';
import { analyticsService, kinesisService, startApiServer, type AnalyticsService, type AnalyticsServiceOptions, type ApiServer } from '../../src/api/index.js';
import { openLog, VirtualClock, type Log } from '../../src/index.js';

export const ROLE = 'arn:aws:iam::000000000000:role/sluice';
export const streamArn = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;
export const T0 = Date.UTC(2026, 0, 1);

export interface AnalyticsServer {
  log: Log;
  clock: VirtualClock;
  server: ApiServer;
  analytics: AnalyticsService;
  kinesis: KinesisClient;
  ka: KinesisAnalyticsClient;
  s3Root: string;
  close(): Promise<void>;
}

export async function startAnalyticsServer(options: AnalyticsServiceOptions = {}): Promise<AnalyticsServer> {
  const clock = new VirtualClock(T0);
  const log = await openLog({ clock });
  const s3Root = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-s3-'));
  // No timer: the tests run the applications' rounds themselves (afterRound), so nothing depends on timing.
  const analytics = analyticsService(log, { s3Root, pollIntervalMs: 0, ...options });
  const server = await startApiServer({ services: [kinesisService(log), analytics], port: 0 });
  const config = { endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }, maxAttempts: 1 };
  const kinesis = new KinesisClient(config);
  const ka = new KinesisAnalyticsClient(config);
  return {
    log,
    clock,
    server,
    analytics,
    kinesis,
    ka,
    s3Root,
    async close() {
      kinesis.destroy();
      ka.destroy();
      await server.close();
      await analytics.close();
      await log.close();
      fs.rmSync(s3Root, { recursive: true, force: true });
    },
  };
}

export function tickerInput(stream: string): Input {
  return {
    NamePrefix: 'SOURCE_SQL_STREAM',
    KinesisStreamsInput: { ResourceARN: streamArn(stream), RoleARN: ROLE },
    InputSchema: {
      RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
      RecordEncoding: 'UTF-8',
      RecordColumns: [
        { Name: 'TICKER', SqlType: 'VARCHAR(4)', Mapping: '$.TICKER' },
        { Name: 'PRICE', SqlType: 'DOUBLE', Mapping: '$.PRICE' },
      ],
    },
  };
}

export function streamOutput(name: string, stream: string): Output {
  return { Name: name, KinesisStreamsOutput: { ResourceARN: streamArn(stream), RoleARN: ROLE }, DestinationSchema: { RecordFormatType: 'JSON' } };
}

/** Per-ticker counts and sums in 10-second tumbling windows. */
export const COUNTS = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), c BIGINT, total DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM "TICKER", COUNT(*), SUM("PRICE") FROM "SOURCE_SQL_STREAM_001"
GROUP BY "TICKER", STEP("SOURCE_SQL_STREAM_001".ROWTIME BY INTERVAL '10' SECOND);`;

/** Every row in, one row out. */
export const PASS = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP "STREAM_PUMP" AS INSERT INTO "DESTINATION_SQL_STREAM" SELECT STREAM "TICKER", "PRICE" FROM "SOURCE_SQL_STREAM_001";`;

/** Every record of a stream (all shards, from TRIM_HORIZON), read with the Kinesis client, data parsed as JSON. */
export async function readStream(kinesis: KinesisClient, stream: string): Promise<any[]> {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const out: any[] = [];
  for (const s of shards) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: s.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    for (;;) {
      const r = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator! }));
      for (const rec of r.Records ?? []) out.push(JSON.parse(Buffer.from(rec.Data!).toString('utf8')));
      if (!r.Records?.length || !r.NextShardIterator) break;
      iterator = r.NextShardIterator;
    }
  }
  return out;
}

/** Waits (real time) until `fn` gives a value `done` accepts; the last value otherwise. */
/** Runs one round of every running application (read, run, deliver), then reads what `fn` looks at. */
export async function afterRound<T>(s: { analytics: { pollAll(): Promise<void> } }, fn: () => Promise<T>): Promise<T> {
  await s.analytics.pollAll();
  return fn();
}
