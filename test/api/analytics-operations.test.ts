/**
 * Every Kinesis Analytics operation through the real SDK client: configuration changes (versions, ids), tags, listing,
 * states and transitions, the Firehose seam, and the modelled error for each kind of bad call.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CreateStreamCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import {
  AddApplicationCloudWatchLoggingOptionCommand,
  AddApplicationInputCommand,
  AddApplicationInputProcessingConfigurationCommand,
  AddApplicationOutputCommand,
  AddApplicationReferenceDataSourceCommand,
  CreateApplicationCommand,
  DeleteApplicationCloudWatchLoggingOptionCommand,
  DeleteApplicationCommand,
  DeleteApplicationInputProcessingConfigurationCommand,
  DeleteApplicationOutputCommand,
  DeleteApplicationReferenceDataSourceCommand,
  DescribeApplicationCommand,
  DiscoverInputSchemaCommand,
  ListApplicationsCommand,
  ListTagsForResourceCommand,
  StartApplicationCommand,
  StopApplicationCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateApplicationCommand,
  type CreateApplicationCommandInput,
} from '@aws-sdk/client-kinesis-analytics';
import { analyticsModel } from '../../src/api/index.js';
import { PASS, ROLE, startAnalyticsServer, streamArn, streamOutput, T0, tickerInput, type AnalyticsServer } from './analytics-helpers.js';

let env: AnalyticsServer | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const LOG = 'arn:aws:logs:us-east-1:000000000000:log-group:app:log-stream:s';
const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:pre';
const arnOf = (name: string) => `arn:aws:kinesisanalytics:us-east-1:000000000000:application/${name}`;

async function create(s: AnalyticsServer, name: string, extra: Partial<CreateApplicationCommandInput> = {}) {
  return s.ka.send(new CreateApplicationCommand({ ApplicationName: name, Inputs: [tickerInput('in')], Outputs: [streamOutput('DESTINATION_SQL_STREAM', 'out')], ApplicationCode: PASS, ...extra }));
}
const describeApp = async (s: AnalyticsServer, name: string) => (await s.ka.send(new DescribeApplicationCommand({ ApplicationName: name }))).ApplicationDetail!;
const startNow = (s: AnalyticsServer, name: string, id = '1.1') =>
  s.ka.send(new StartApplicationCommand({ ApplicationName: name, InputConfigurations: [{ Id: id, InputStartingPositionConfiguration: { InputStartingPosition: 'NOW' } }] }));

async function withStreams(options = {}): Promise<AnalyticsServer> {
  const s = (env = await startAnalyticsServer(options));
  for (const n of ['in', 'out']) await s.kinesis.send(new CreateStreamCommand({ StreamName: n, ShardCount: 1 }));
  return s;
}

describe('Kinesis Analytics operations', () => {
  it('routes every operation of the model', async () => {
    const s = await withStreams();
    const ops = Object.keys(analyticsModel().model.operations);
    expect(ops).toHaveLength(20);
    for (const op of ops) {
      const res = await fetch(s.server.url, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `KinesisAnalytics_20150814.${op}` }, body: '{}' });
      const body = (await res.json()) as { __type?: string };
      expect(body.__type ?? 'ok', op).not.toBe('UnknownOperationException');
      expect(res.status, op).toBeLessThan(500);
    }
  });

  it('changes the configuration: every Add/Delete/Update bumps the version and gets V.N ids', async () => {
    const s = await withStreams();
    await s.ka.send(new CreateApplicationCommand({ ApplicationName: 'app', ApplicationCode: PASS, CloudWatchLoggingOptions: [{ LogStreamARN: LOG, RoleARN: ROLE }] }));
    let d = await describeApp(s, 'app');
    expect(d.ApplicationVersionId).toBe(1);
    expect(d.CloudWatchLoggingOptionDescriptions).toEqual([{ CloudWatchLoggingOptionId: '1.1', LogStreamARN: LOG, RoleARN: ROLE }]);
    expect(d.InputDescriptions).toEqual([]);

    s.clock.set(T0 + 5_000);
    await s.ka.send(new AddApplicationInputCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 1, Input: tickerInput('in') }));
    await s.ka.send(new AddApplicationOutputCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 2, Output: streamOutput('DESTINATION_SQL_STREAM', 'out') }));
    await s.ka.send(new AddApplicationOutputCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 3, Output: { ...streamOutput('DESTINATION_SQL_STREAM', 'in'), DestinationSchema: { RecordFormatType: 'CSV' } } }));
    await s.ka.send(
      new AddApplicationInputProcessingConfigurationCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 4, InputId: '2.1', InputProcessingConfiguration: { InputLambdaProcessor: { ResourceARN: LAMBDA, RoleARN: ROLE } } }),
    );
    d = await describeApp(s, 'app');
    expect(d.ApplicationVersionId).toBe(5);
    expect(d.LastUpdateTimestamp!.getTime()).toBe(T0 + 5_000);
    expect(d.CreateTimestamp!.getTime()).toBe(T0);
    expect(d.InputDescriptions![0]).toMatchObject({ InputId: '2.1', InAppStreamNames: ['SOURCE_SQL_STREAM_001'], InputProcessingConfigurationDescription: { InputLambdaProcessorDescription: { ResourceARN: LAMBDA, RoleARN: ROLE } } });
    expect(d.OutputDescriptions!.map((o) => o.OutputId)).toEqual(['3.1', '4.1']);

    await s.ka.send(new DeleteApplicationInputProcessingConfigurationCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 5, InputId: '2.1' }));
    await s.ka.send(new DeleteApplicationOutputCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 6, OutputId: '4.1' }));
    await s.ka.send(new DeleteApplicationCloudWatchLoggingOptionCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 7, CloudWatchLoggingOptionId: '1.1' }));
    await s.ka.send(new AddApplicationCloudWatchLoggingOptionCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 8, CloudWatchLoggingOption: { LogStreamARN: LOG, RoleARN: ROLE } }));
    await s.ka.send(
      new AddApplicationReferenceDataSourceCommand({
        ApplicationName: 'app',
        CurrentApplicationVersionId: 9,
        ReferenceDataSource: {
          TableName: 'T',
          S3ReferenceDataSource: { BucketARN: 'arn:aws:s3:::b', FileKey: 'k.csv', ReferenceRoleARN: ROLE },
          ReferenceSchema: { RecordFormat: { RecordFormatType: 'CSV' }, RecordColumns: [{ Name: 'A', SqlType: 'INTEGER' }] },
        },
      }),
    );
    await s.ka.send(
      new UpdateApplicationCommand({
        ApplicationName: 'app',
        CurrentApplicationVersionId: 10,
        ApplicationUpdate: {
          InputUpdates: [{ InputId: '2.1', NamePrefixUpdate: 'SRC', InputParallelismUpdate: { CountUpdate: 2 } }],
          ApplicationCodeUpdate: PASS.replace('"SOURCE_SQL_STREAM_001"', '"SRC_002"'),
          OutputUpdates: [{ OutputId: '3.1', DestinationSchemaUpdate: { RecordFormatType: 'CSV' } }],
          ReferenceDataSourceUpdates: [{ ReferenceId: '10.1', S3ReferenceDataSourceUpdate: { FileKeyUpdate: 'other.csv' } }],
          CloudWatchLoggingOptionUpdates: [{ CloudWatchLoggingOptionId: '9.1', LogStreamARNUpdate: `${LOG}2` }],
        },
      }),
    );
    d = await describeApp(s, 'app');
    expect(d.ApplicationVersionId).toBe(11);
    expect(d.InputDescriptions![0]).toMatchObject({ NamePrefix: 'SRC', InAppStreamNames: ['SRC_001', 'SRC_002'], InputParallelism: { Count: 2 } });
    expect(d.InputDescriptions![0]!.InputProcessingConfigurationDescription).toBeUndefined();
    expect(d.OutputDescriptions).toEqual([expect.objectContaining({ OutputId: '3.1', DestinationSchema: { RecordFormatType: 'CSV' } })]);
    expect(d.ReferenceDataSourceDescriptions![0]!.S3ReferenceDataSourceDescription).toEqual({ BucketARN: 'arn:aws:s3:::b', FileKey: 'other.csv', ReferenceRoleARN: ROLE });
    expect(d.CloudWatchLoggingOptionDescriptions).toEqual([{ CloudWatchLoggingOptionId: '9.1', LogStreamARN: `${LOG}2`, RoleARN: ROLE }]);
    await s.ka.send(new DeleteApplicationReferenceDataSourceCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 11, ReferenceId: '10.1' }));
    expect((await describeApp(s, 'app')).ReferenceDataSourceDescriptions).toEqual([]);
  });

  it('tags applications and lists them page by page', async () => {
    const s = await withStreams();
    for (const n of ['c', 'a', 'b']) await create(s, n, n === 'a' ? { Tags: [{ Key: 'team', Value: 'x' }] } : {});
    const page1 = await s.ka.send(new ListApplicationsCommand({ Limit: 2 }));
    expect(page1.ApplicationSummaries!.map((a) => a.ApplicationName)).toEqual(['a', 'b']);
    expect(page1.HasMoreApplications).toBe(true);
    const page2 = await s.ka.send(new ListApplicationsCommand({ Limit: 2, ExclusiveStartApplicationName: 'b' }));
    expect(page2.ApplicationSummaries!.map((a) => a.ApplicationName)).toEqual(['c']);
    expect(page2.HasMoreApplications).toBe(false);

    expect((await s.ka.send(new ListTagsForResourceCommand({ ResourceARN: arnOf('a') }))).Tags).toEqual([{ Key: 'team', Value: 'x' }]);
    await s.ka.send(new TagResourceCommand({ ResourceARN: arnOf('a'), Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'y' }] }));
    expect((await s.ka.send(new ListTagsForResourceCommand({ ResourceARN: arnOf('a') }))).Tags).toEqual([{ Key: 'team', Value: 'y' }, { Key: 'env', Value: 'dev' }]);
    await s.ka.send(new UntagResourceCommand({ ResourceARN: arnOf('a'), TagKeys: ['team'] }));
    expect((await s.ka.send(new ListTagsForResourceCommand({ ResourceARN: arnOf('a') }))).Tags).toEqual([{ Key: 'env', Value: 'dev' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await expect(s.ka.send(new TagResourceCommand({ ResourceARN: arnOf('a'), Tags: many }))).rejects.toMatchObject({ name: 'TooManyTagsException' });
    await expect(s.ka.send(new ListTagsForResourceCommand({ ResourceARN: arnOf('nope') }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(s.ka.send(new ListTagsForResourceCommand({ ResourceARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/in' }))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
  });

  it('answers bad calls with the modelled errors', async () => {
    const s = await withStreams({ maxApplications: 3 });
    await create(s, 'app');
    await expect(create(s, 'app')).rejects.toMatchObject({ name: 'ResourceInUseException' });
    const bad = create(s, 'bad', { ApplicationCode: 'CREATE OR REPLACE STREAM "DESTINATION_SQL_STREAM" (x INTEGER);\nSELEC x' });
    await expect(bad).rejects.toMatchObject({ name: 'CodeValidationException' });
    await expect(bad).rejects.toThrow(/SQL100: .*SELEC/s);
    await expect(create(s, 'typo', { ApplicationCode: PASS.replace('"PRICE" FROM', '"PRICEY" FROM') })).rejects.toThrow(/PRICEY/);
    await expect(create(s, 'typo2', { ApplicationCode: PASS.replace('"SOURCE_SQL_STREAM_001"', '"SOURCE_SQL_STREAM_01"') })).rejects.toThrow(/SQL200: no stream or table named SOURCE_SQL_STREAM_01; did you mean SOURCE_SQL_STREAM_001/);
    await expect(create(s, 'bad name!')).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(create(s, 'two', { Inputs: [tickerInput('in'), tickerInput('out')] })).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(create(s, 'both', { Outputs: [{ ...streamOutput('DESTINATION_SQL_STREAM', 'out'), LambdaOutput: { ResourceARN: LAMBDA, RoleARN: ROLE } }] })).rejects.toMatchObject({
      name: 'InvalidArgumentException',
    });
    await create(s, 'b');
    await create(s, 'c');
    await expect(create(s, 'd')).rejects.toMatchObject({ name: 'LimitExceededException' });

    await expect(describeApp(s, 'missing')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(s.ka.send(new AddApplicationOutputCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 7, Output: streamOutput('X', 'out') }))).rejects.toMatchObject({
      name: 'ConcurrentModificationException',
    });
    await expect(s.ka.send(new UpdateApplicationCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 1, ApplicationUpdate: { ApplicationCodeUpdate: 'nonsense' } }))).rejects.toMatchObject({
      name: 'CodeValidationException',
    });
    await expect(s.ka.send(new UpdateApplicationCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 1, ApplicationUpdate: {} }))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(s.ka.send(new DeleteApplicationOutputCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 1, OutputId: '9.9' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(s.ka.send(new AddApplicationInputCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 1, Input: tickerInput('out') }))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    expect((await describeApp(s, 'app')).ApplicationVersionId).toBe(1);

    await expect(s.ka.send(new DeleteApplicationCommand({ ApplicationName: 'app', CreateTimestamp: new Date(T0 - 5_000) }))).rejects.toMatchObject({ name: 'ConcurrentModificationException' });
    await expect(startNow(s, 'app', '1.2')).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    // Two starts at once: one wins, the other finds the application busy (or no longer READY).
    const both = await Promise.allSettled([startNow(s, 'app'), startNow(s, 'app')]);
    expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((both.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ name: 'ResourceInUseException' });
    await expect(startNow(s, 'app')).rejects.toMatchObject({ name: 'ResourceInUseException' });
    await s.ka.send(new StopApplicationCommand({ ApplicationName: 'app' }));
    await s.ka.send(new StopApplicationCommand({ ApplicationName: 'app' })); // stopping a READY application is a no-op

    await expect(s.ka.send(new DiscoverInputSchemaCommand({}))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    await expect(s.ka.send(new DiscoverInputSchemaCommand({ S3Configuration: { RoleARN: ROLE, BucketARN: 'arn:aws:s3:::none', FileKey: 'x' } }))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
  });

  it('refuses to start what cannot run, with InvalidApplicationConfigurationException', async () => {
    const s = await withStreams();
    await create(s, 'gone', { Inputs: [tickerInput('no-such-stream')] });
    await expect(startNow(s, 'gone')).rejects.toMatchObject({ name: 'InvalidApplicationConfigurationException', message: expect.stringContaining('no-such-stream') });
    const firehose = { Name: 'DESTINATION_SQL_STREAM', KinesisFirehoseOutput: { ResourceARN: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/d', RoleARN: ROLE }, DestinationSchema: { RecordFormatType: 'JSON' as const } };
    await create(s, 'fh', { Outputs: [firehose] });
    await expect(startNow(s, 'fh')).rejects.toMatchObject({ name: 'InvalidApplicationConfigurationException', message: expect.stringContaining('Firehose') });
    await s.ka.send(new CreateApplicationCommand({ ApplicationName: 'nocode', Inputs: [tickerInput('in')] }));
    await expect(startNow(s, 'nocode')).rejects.toMatchObject({ name: 'InvalidApplicationConfigurationException' });
    const table = PASS.replace('FROM "SOURCE_SQL_STREAM_001"', 'FROM "SOURCE_SQL_STREAM_001" AS s JOIN "MISSING" AS m ON s."TICKER" = m."TICKER"').replace('SELECT STREAM "TICKER", "PRICE"', 'SELECT STREAM s."TICKER", s."PRICE"');
    await create(s, 'table', { ApplicationCode: table }); // the table may come later...
    await expect(startNow(s, 'table')).rejects.toMatchObject({ name: 'InvalidApplicationConfigurationException', message: expect.stringContaining('MISSING') }); // ...but must be there to start
    expect((await describeApp(s, 'table')).ApplicationStatus).toBe('READY');
  });

  it('delivers Firehose outputs through the seam when the server has one', async () => {
    const deliveries: { stream: string; data: string }[] = [];
    const s = await withStreams({ firehose: { putRecordBatch: async (stream: string, records: Uint8Array[]) => void deliveries.push(...records.map((r) => ({ stream, data: Buffer.from(r).toString() }))) } });
    const firehose = { Name: 'DESTINATION_SQL_STREAM', KinesisFirehoseOutput: { ResourceARN: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/d', RoleARN: ROLE }, DestinationSchema: { RecordFormatType: 'JSON' as const } };
    await create(s, 'fh', { Outputs: [firehose] });
    await startNow(s, 'fh');
    await s.kinesis.send(new PutRecordCommand({ StreamName: 'in', PartitionKey: 'k', Data: Buffer.from(JSON.stringify({ TICKER: 'A', PRICE: 1 })) }));
    await s.analytics.pollAll();
    expect(deliveries).toEqual([{ stream: 'd', data: '{"TICKER":"A","PRICE":1.0}' }]);
  });

  it('shows STARTING, UPDATING and STOPPING for --transition-ms of the server clock', async () => {
    const s = await withStreams({ transitionMs: 1_000 });
    await create(s, 'app');
    await startNow(s, 'app');
    expect((await describeApp(s, 'app')).ApplicationStatus).toBe('STARTING');
    await expect(s.ka.send(new StopApplicationCommand({ ApplicationName: 'app' }))).rejects.toMatchObject({ name: 'ResourceInUseException' });
    await expect(s.ka.send(new AddApplicationOutputCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 1, Output: streamOutput('DESTINATION_SQL_STREAM', 'in') }))).rejects.toMatchObject({
      name: 'ResourceInUseException',
    });
    s.clock.advance(1_000);
    expect((await describeApp(s, 'app')).ApplicationStatus).toBe('RUNNING');
    await s.ka.send(new UpdateApplicationCommand({ ApplicationName: 'app', CurrentApplicationVersionId: 1, ApplicationUpdate: { OutputUpdates: [{ OutputId: '1.1', DestinationSchemaUpdate: { RecordFormatType: 'CSV' } }] } }));
    expect((await describeApp(s, 'app')).ApplicationStatus).toBe('UPDATING');
    s.clock.advance(1_000);
    await s.ka.send(new StopApplicationCommand({ ApplicationName: 'app' }));
    expect((await describeApp(s, 'app')).ApplicationStatus).toBe('STOPPING');
    await expect(startNow(s, 'app')).rejects.toMatchObject({ name: 'ResourceInUseException' });
    s.clock.advance(1_000);
    expect((await describeApp(s, 'app')).ApplicationStatus).toBe('READY');
    const d = await describeApp(s, 'app');
    await s.ka.send(new DeleteApplicationCommand({ ApplicationName: 'app', CreateTimestamp: d.CreateTimestamp! }));
    await expect(describeApp(s, 'app')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(streamArn('x')).toContain('stream/x');
  });
});
