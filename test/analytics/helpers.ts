/** Shared pieces of the application tests: a ticker input schema, a tumbling-count application, and record makers. */
import { Log } from '../../src/log/index.js';
import type { ApplicationShape, InputShape, OutputShape } from '../../src/analytics/config.js';
import { VirtualClock } from '../../src/util/clock.js';

export const T0 = Date.UTC(2026, 0, 1, 11, 0, 0);

export function tickerInput(streamName: string, extra: Partial<InputShape> = {}): InputShape {
  return {
    NamePrefix: 'SOURCE_SQL_STREAM',
    KinesisStreamsInput: { ResourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}` },
    InputSchema: {
      RecordFormat: { RecordFormatType: 'JSON', MappingParameters: { JSONMappingParameters: { RecordRowPath: '$' } } },
      RecordEncoding: 'UTF-8',
      RecordColumns: [
        { Name: 'TICKER', SqlType: 'VARCHAR(4)', Mapping: '$.TICKER' },
        { Name: 'PRICE', SqlType: 'DOUBLE', Mapping: '$.PRICE' },
      ],
    },
    ...extra,
  };
}

export function streamOutput(name: string, streamName: string, format: 'JSON' | 'CSV' = 'JSON'): OutputShape {
  return { Name: name, KinesisStreamsOutput: { ResourceARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}` }, DestinationSchema: { RecordFormatType: format } };
}

/** Per-ticker counts in 10-second tumbling windows (the output ROWTIME is the bucket's end). */
export const COUNTS = `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), win TIMESTAMP, c BIGINT, total DOUBLE);
CREATE OR REPLACE PUMP p AS INSERT INTO "DEST" SELECT STREAM "TICKER", STEP(s.ROWTIME BY INTERVAL '10' SECOND), COUNT(*), SUM("PRICE")
FROM SOURCE_SQL_STREAM_001 AS s GROUP BY "TICKER", STEP(s.ROWTIME BY INTERVAL '10' SECOND);`;

/** Passes every row through, so each input row is one output row. */
export const PASS = `CREATE OR REPLACE STREAM "DEST" (ticker VARCHAR(4), price DOUBLE);
CREATE OR REPLACE PUMP p AS INSERT INTO "DEST" SELECT STREAM "TICKER", "PRICE" FROM SOURCE_SQL_STREAM_001;`;

export function config(inputStream: string, outputs: OutputShape[], extra: Partial<InputShape> = {}): ApplicationShape {
  return { ApplicationName: 'test-app', Inputs: [tickerInput(inputStream, extra)], Outputs: outputs };
}

export const json = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
export const text = (b: Uint8Array): string => new TextDecoder().decode(b);

export async function memoryLog(start = T0): Promise<{ log: Log; clock: VirtualClock }> {
  const clock = new VirtualClock(start);
  return { log: await Log.open({ clock }), clock };
}

/** Puts records one by one, the clock set to each arrival first (so ApproximateArrivalTimestamp = arrival). */
export async function putAt(log: Log, clock: VirtualClock, streamName: string, records: { at: number; key: string; data: Uint8Array }[]): Promise<void> {
  for (const r of records) {
    if (r.at > clock.now()) clock.set(r.at);
    await log.putRecord({ streamName, partitionKey: r.key, data: r.data });
  }
}

/** Every record of a stream, data as text, in shard order. */
export function readAllText(log: Log, streamName: string): { key: string; data: string }[] {
  return log.reader(streamName).readAll().map((r) => ({ key: r.partitionKey, data: text(r.data) }));
}
