/**
 * The AWS CLI's `kinesisanalytics` commands (botocore's own validation and parsing) against the server: a script that
 * creates, describes, starts, lists, stops and deletes an application. Skipped, like aws-cli.test.ts, only on a
 * developer machine without an `aws` command.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateStreamCommand } from '@aws-sdk/client-kinesis';
import { PASS, startAnalyticsServer, streamOutput, tickerInput, type AnalyticsServer } from './analytics-helpers.js';

const run = promisify(execFile);
const which = (cmd: string) => (process.env.PATH ?? '').split(path.delimiter).some((dir) => fs.existsSync(path.join(dir, cmd)));

describe.skipIf(!which('aws') && !process.env.CI)('the AWS CLI for Kinesis Analytics', () => {
  let s: AnalyticsServer;
  let home: string;
  beforeAll(async () => {
    s = await startAnalyticsServer();
    for (const n of ['in', 'out']) await s.kinesis.send(new CreateStreamCommand({ StreamName: n, ShardCount: 1 }));
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-awscli-ka-'));
  });
  afterAll(async () => {
    await s.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const aws = async (...args: string[]): Promise<any> => {
    const { stdout } = await run('aws', ['--endpoint-url', s.server.url, '--region', 'us-east-1', '--output', 'json', 'kinesisanalytics', ...args], {
      env: {
        PATH: process.env.PATH,
        HOME: home,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_CONFIG_FILE: path.join(home, 'none'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
        AWS_PAGER: '',
      },
    });
    return stdout.trim() === '' ? {} : JSON.parse(stdout);
  };

  it('creates, starts, stops and deletes an application', async () => {
    const inputs = path.join(home, 'inputs.json');
    const outputs = path.join(home, 'outputs.json');
    fs.writeFileSync(inputs, JSON.stringify([tickerInput('in')]));
    fs.writeFileSync(outputs, JSON.stringify([streamOutput('DESTINATION_SQL_STREAM', 'out')]));
    const created = await aws('create-application', '--application-name', 'cli-app', '--inputs', `file://${inputs}`, '--outputs', `file://${outputs}`, '--application-code', PASS);
    expect(created.ApplicationSummary.ApplicationStatus).toBe('READY');
    await aws('start-application', '--application-name', 'cli-app', '--input-configurations', 'Id=1.1,InputStartingPositionConfiguration={InputStartingPosition=NOW}');
    const d = (await aws('describe-application', '--application-name', 'cli-app')).ApplicationDetail;
    expect(d).toMatchObject({ ApplicationStatus: 'RUNNING', ApplicationVersionId: 1, InputDescriptions: [{ InputId: '1.1', InAppStreamNames: ['SOURCE_SQL_STREAM_001'] }] });
    expect((await aws('list-applications')).ApplicationSummaries).toEqual([expect.objectContaining({ ApplicationName: 'cli-app', ApplicationStatus: 'RUNNING' })]);
    await aws('stop-application', '--application-name', 'cli-app');
    await aws('delete-application', '--application-name', 'cli-app', '--create-timestamp', String(d.CreateTimestamp));
    expect((await aws('list-applications')).ApplicationSummaries).toEqual([]);
    await expect(aws('describe-application', '--application-name', 'cli-app')).rejects.toThrow(/ResourceNotFoundException/);
  });
});
