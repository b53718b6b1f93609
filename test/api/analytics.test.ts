/**
 * Kinesis Analytics SQL applications on the server, driven by the real @aws-sdk/client-kinesis-analytics and
 * @aws-sdk/client-kinesis: applications read the server's streams and write to them on the server's (virtual) clock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateStreamCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import {
  CreateApplicationCommand,
  DeleteApplicationCommand,
  DescribeApplicationCommand,
  DiscoverInputSchemaCommand,
  ListApplicationsCommand,
  StartApplicationCommand,
  StopApplicationCommand,
  UpdateApplicationCommand,
  AddApplicationReferenceDataSourceCommand,
  AddApplicationOutputCommand,
} from '@aws-sdk/client-kinesis-analytics';
import { COUNTS, afterRound, PASS, readStream, ROLE, startAnalyticsServer, streamArn, streamOutput, T0, tickerInput, type AnalyticsServer } from './analytics-helpers.js';

let env: AnalyticsServer | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

async function put(s: AnalyticsServer, stream: string, at: number, value: unknown, key = 'k'): Promise<void> {
  if (at > s.clock.now()) s.clock.set(at);
  await s.kinesis.send(new PutRecordCommand({ StreamName: stream, PartitionKey: key, Data: Buffer.from(JSON.stringify(value)) }));
}

async function streams(s: AnalyticsServer, ...names: string[]): Promise<void> {
  for (const n of names) await s.kinesis.send(new CreateStreamCommand({ StreamName: n, ShardCount: 1 }));
}

const status = async (s: AnalyticsServer, name: string) => (await s.ka.send(new DescribeApplicationCommand({ ApplicationName: name }))).ApplicationDetail!;

describe('Kinesis Analytics applications on the server', () => {
  it('creates, starts, computes windows on the server clock into an output stream, stops and deletes', async () => {
    const s = (env = await startAnalyticsServer());
    await streams(s, 'ticks', 'counts');
    const created = await s.ka.send(
      new CreateApplicationCommand({
        ApplicationName: 'ticker-counts',
        ApplicationDescription: 'per-ticker counts',
        Inputs: [tickerInput('ticks')],
        Outputs: [streamOutput('DESTINATION_SQL_STREAM', 'counts')],
        ApplicationCode: COUNTS,
      }),
    );
    expect(created.ApplicationSummary).toEqual({
      ApplicationName: 'ticker-counts',
      ApplicationARN: 'arn:aws:kinesisanalytics:us-east-1:000000000000:application/ticker-counts',
      ApplicationStatus: 'READY',
    });
    let d = await status(s, 'ticker-counts');
    expect(d).toMatchObject({ ApplicationStatus: 'READY', ApplicationVersionId: 1, ApplicationCode: COUNTS, ApplicationDescription: 'per-ticker counts' });
    expect(d.CreateTimestamp!.getTime()).toBe(T0);
    expect(d.InputDescriptions![0]).toMatchObject({ InputId: '1.1', NamePrefix: 'SOURCE_SQL_STREAM', InAppStreamNames: ['SOURCE_SQL_STREAM_001'], InputParallelism: { Count: 1 } });
    expect(d.InputDescriptions![0]!.KinesisStreamsInputDescription).toEqual({ ResourceARN: streamArn('ticks'), RoleARN: ROLE });
    expect(d.OutputDescriptions![0]).toMatchObject({ OutputId: '1.1', Name: 'DESTINATION_SQL_STREAM', DestinationSchema: { RecordFormatType: 'JSON' } });

    await s.ka.send(new StartApplicationCommand({ ApplicationName: 'ticker-counts', InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }] }));
    d = await status(s, 'ticker-counts');
    expect(d.ApplicationStatus).toBe('RUNNING');
    expect(d.InputDescriptions![0]!.InputStartingPositionConfiguration).toEqual({ InputStartingPosition: 'NOW' });

    await put(s, 'ticks', T0 + 1_000, { TICKER: 'AMZN', PRICE: 10 });
    await put(s, 'ticks', T0 + 2_000, { TICKER: 'AMZN', PRICE: 5 });
    await put(s, 'ticks', T0 + 3_000, { TICKER: 'AAPL', PRICE: 1 });
    await put(s, 'ticks', T0 + 12_000, { TICKER: 'AMZN', PRICE: 7 });
    // The server's clock is at 12 s: the first window [0, 10 s) has closed, the second is still open...
    const first = await afterRound(s, () => readStream(s.kinesis, 'counts'));
    expect(first.sort((a, b) => String(a.TICKER).localeCompare(String(b.TICKER)))).toEqual([
      { TICKER: 'AAPL', C: 1, TOTAL: 1 },
      { TICKER: 'AMZN', C: 2, TOTAL: 15 },
    ]);
    // ...and once the clock passes its end, it closes too.
    s.clock.set(T0 + 30_000);
    const rows = await afterRound(s, () => readStream(s.kinesis, 'counts'));
    const sorted = rows.sort((a, b) => `${a.TICKER}${a.C}`.localeCompare(`${b.TICKER}${b.C}`));
    expect(sorted).toEqual([
      { TICKER: 'AAPL', C: 1, TOTAL: 1 },
      { TICKER: 'AMZN', C: 1, TOTAL: 7 },
      { TICKER: 'AMZN', C: 2, TOTAL: 15 },
    ]);

    await s.ka.send(new StopApplicationCommand({ ApplicationName: 'ticker-counts' }));
    expect((await status(s, 'ticker-counts')).ApplicationStatus).toBe('READY');
    const list = await s.ka.send(new ListApplicationsCommand({}));
    expect(list).toMatchObject({ HasMoreApplications: false, ApplicationSummaries: [{ ApplicationName: 'ticker-counts', ApplicationStatus: 'READY' }] });
    await s.ka.send(new DeleteApplicationCommand({ ApplicationName: 'ticker-counts', CreateTimestamp: d.CreateTimestamp! }));
    expect((await s.ka.send(new ListApplicationsCommand({}))).ApplicationSummaries).toEqual([]);
  });

  it('an application whose round fails restarts from its checkpoint, and is READY when it cannot', async () => {
    const s = (env = await startAnalyticsServer());
    await streams(s, 'in', 'out');
    await s.ka.send(new CreateApplicationCommand({ ApplicationName: 'pass', Inputs: [tickerInput('in')], Outputs: [streamOutput('DESTINATION_SQL_STREAM', 'out')], ApplicationCode: PASS }));
    await s.ka.send(new StartApplicationCommand({ ApplicationName: 'pass', InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } }] }));
    await put(s, 'in', T0 + 1, { TICKER: 'A', PRICE: 1 });
    expect((await afterRound(s, () => readStream(s.kinesis, 'out'))).map((r) => r.TICKER)).toEqual(['A']);
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      await s.log.deleteStream({ streamName: 'in' });
      await s.analytics.pollAll();
    } finally {
      console.error = original;
    }
    expect(errors[0]).toMatch(/^sluice: application pass failed: .*in.*; restarting it from its last checkpoint$/);
    expect(errors[1]).toMatch(/^sluice: application pass could not restart, so it is READY: .*no Kinesis stream .*stream\/in/);
    expect((await status(s, 'pass')).ApplicationStatus).toBe('READY');
    expect(s.analytics.runtime('pass')).toBeUndefined();
  });

  it('resumes from LAST_STOPPED_POINT: records put while stopped are processed once', async () => {
    const s = (env = await startAnalyticsServer());
    await streams(s, 'in', 'out');
    await s.ka.send(new CreateApplicationCommand({ ApplicationName: 'pass', Inputs: [tickerInput('in')], Outputs: [streamOutput('DESTINATION_SQL_STREAM', 'out')], ApplicationCode: PASS }));
    await put(s, 'in', T0 + 1, { TICKER: 'A', PRICE: 1 });
    const start = (position: 'NOW' | 'TRIM_HORIZON' | 'LAST_STOPPED_POINT') =>
      s.ka.send(new StartApplicationCommand({ ApplicationName: 'pass', InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: position } }] }));
    await start('TRIM_HORIZON');
    await put(s, 'in', T0 + 2, { TICKER: 'B', PRICE: 2 });
    await afterRound(s, () => readStream(s.kinesis, 'out'));
    await s.ka.send(new StopApplicationCommand({ ApplicationName: 'pass' }));
    await put(s, 'in', T0 + 3, { TICKER: 'C', PRICE: 3 });
    await start('LAST_STOPPED_POINT');
    const rows = await afterRound(s, () => readStream(s.kinesis, 'out'));
    await s.analytics.pollAll(); // another round sends nothing more
    expect((await readStream(s.kinesis, 'out')).map((r) => r.TICKER)).toEqual(['A', 'B', 'C']);
    expect(rows.length).toBe(3);

    // A code change while running restarts the application with the new code, from where the old one was.
    let d = await status(s, 'pass');
    const doubled = PASS.replace('SELECT STREAM "TICKER", "PRICE"', 'SELECT STREAM "TICKER", "PRICE" * 2');
    await s.ka.send(new UpdateApplicationCommand({ ApplicationName: 'pass', CurrentApplicationVersionId: d.ApplicationVersionId!, ApplicationUpdate: { ApplicationCodeUpdate: doubled } }));
    d = await status(s, 'pass');
    expect(d).toMatchObject({ ApplicationStatus: 'RUNNING', ApplicationVersionId: 2, ApplicationCode: doubled });
    await put(s, 'in', T0 + 4, { TICKER: 'D', PRICE: 4 });
    const after = await afterRound(s, () => readStream(s.kinesis, 'out'));
    expect(after.map((r) => [r.TICKER, r.PRICE])).toEqual([['A', 1], ['B', 2], ['C', 3], ['D', 8]]);

    // Moving the output to another stream while running: new rows go there, nothing is sent twice.
    await streams(s, 'out2');
    await s.ka.send(
      new UpdateApplicationCommand({
        ApplicationName: 'pass',
        CurrentApplicationVersionId: 2,
        ApplicationUpdate: { OutputUpdates: [{ OutputId: '1.1', KinesisStreamsOutputUpdate: { ResourceARNUpdate: streamArn('out2') } }] },
      }),
    );
    expect((await status(s, 'pass')).OutputDescriptions![0]!.KinesisStreamsOutputDescription).toEqual({ ResourceARN: streamArn('out2'), RoleARN: ROLE });
    await put(s, 'in', T0 + 5, { TICKER: 'E', PRICE: 5 });
    const moved = await afterRound(s, () => readStream(s.kinesis, 'out2'));
    await s.analytics.pollAll(); // another round sends nothing more
    expect(moved).toEqual([{ TICKER: 'E', PRICE: 10 }]);
    expect(await readStream(s.kinesis, 'out')).toHaveLength(4);
  });

  it('joins a reference table read from a file under the S3 root', async () => {
    const s = (env = await startAnalyticsServer());
    await streams(s, 'in', 'out');
    fs.mkdirSync(path.join(s.s3Root, 'refs'), { recursive: true });
    fs.writeFileSync(path.join(s.s3Root, 'refs', 'companies.csv'), 'AMZN,Amazon\nAAPL,Apple\n');
    const code = `CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (ticker VARCHAR(4), company VARCHAR(16), price DOUBLE);
CREATE OR REPLACE PUMP "P" AS INSERT INTO "DESTINATION_SQL_STREAM"
SELECT STREAM s."TICKER", c."COMPANY", s."PRICE" FROM "SOURCE_SQL_STREAM_001" AS s LEFT JOIN "COMPANIES" AS c ON s."TICKER" = c."TICKER";`;
    // The table is added after the application, as CloudFormation's ApplicationReferenceDataSource does.
    await s.ka.send(new CreateApplicationCommand({ ApplicationName: 'enrich', Inputs: [tickerInput('in')], ApplicationCode: code }));
    await s.ka.send(
      new AddApplicationReferenceDataSourceCommand({
        ApplicationName: 'enrich',
        CurrentApplicationVersionId: 1,
        ReferenceDataSource: {
          TableName: 'COMPANIES',
          S3ReferenceDataSource: { BucketARN: 'arn:aws:s3:::refs', FileKey: 'companies.csv', ReferenceRoleARN: ROLE },
          ReferenceSchema: {
            RecordFormat: { RecordFormatType: 'CSV', MappingParameters: { CSVMappingParameters: { RecordRowDelimiter: '\n', RecordColumnDelimiter: ',' } } },
            RecordColumns: [
              { Name: 'TICKER', SqlType: 'VARCHAR(4)' },
              { Name: 'COMPANY', SqlType: 'VARCHAR(16)' },
            ],
          },
        },
      }),
    );
    await s.ka.send(new AddApplicationOutputCommand({ ApplicationName: 'enrich', CurrentApplicationVersionId: 2, Output: streamOutput('DESTINATION_SQL_STREAM', 'out') }));
    const d = await status(s, 'enrich');
    expect(d.ApplicationVersionId).toBe(3);
    expect(d.ReferenceDataSourceDescriptions).toEqual([
      expect.objectContaining({ ReferenceId: '2.1', TableName: 'COMPANIES', S3ReferenceDataSourceDescription: { BucketARN: 'arn:aws:s3:::refs', FileKey: 'companies.csv', ReferenceRoleARN: ROLE } }),
    ]);
    expect(d.OutputDescriptions![0]!.OutputId).toBe('3.1');
    await s.ka.send(new StartApplicationCommand({ ApplicationName: 'enrich', InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } }] }));
    await put(s, 'in', T0 + 10, { TICKER: 'AAPL', PRICE: 3 });
    await put(s, 'in', T0 + 20, { TICKER: 'MSFT', PRICE: 4 });
    const rows = await afterRound(s, () => readStream(s.kinesis, 'out'));
    expect(rows).toEqual([
      { TICKER: 'AAPL', COMPANY: 'Apple', PRICE: 3 },
      { TICKER: 'MSFT', COMPANY: null, PRICE: 4 },
    ]);
  });

  it('discovers an input schema from a stream and from a file under the S3 root', async () => {
    const s = (env = await startAnalyticsServer());
    await streams(s, 'in', 'empty');
    await put(s, 'in', T0 + 1, { TICKER: 'AMZN', PRICE: 84.51, SECTOR: 'TECHNOLOGY' });
    await put(s, 'in', T0 + 2, { TICKER: 'AAPL', PRICE: 12, SECTOR: 'TECHNOLOGY' });
    const found = await s.ka.send(new DiscoverInputSchemaCommand({ ResourceARN: streamArn('in'), RoleARN: ROLE, InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } }));
    expect(found.InputSchema!.RecordFormat!.RecordFormatType).toBe('JSON');
    expect(found.InputSchema!.RecordColumns!.map((c) => [c.Name, c.SqlType, c.Mapping])).toEqual([
      ['TICKER', 'VARCHAR(4)', '$.TICKER'],
      ['PRICE', 'REAL', '$.PRICE'],
      ['SECTOR', 'VARCHAR(16)', '$.SECTOR'],
    ]);
    expect(found.RawInputRecords).toHaveLength(2);
    expect(found.ParsedInputRecords![0]).toEqual(['AMZN', '84.51', 'TECHNOLOGY']);

    fs.mkdirSync(path.join(s.s3Root, 'bucket'), { recursive: true });
    fs.writeFileSync(path.join(s.s3Root, 'bucket', 'sample.csv'), 'a,1\nb,2\n');
    const csv = await s.ka.send(new DiscoverInputSchemaCommand({ S3Configuration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::bucket', FileKey: 'sample.csv' } }));
    expect(csv.InputSchema!.RecordFormat!.RecordFormatType).toBe('CSV');
    expect(csv.InputSchema!.RecordColumns!.map((c) => c.Name)).toEqual(['COL1', 'COL2']);

    await expect(s.ka.send(new DiscoverInputSchemaCommand({ ResourceARN: streamArn('empty'), RoleARN: ROLE, InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }))).rejects.toMatchObject({
      name: 'UnableToDetectSchemaException',
    });
  });
});
