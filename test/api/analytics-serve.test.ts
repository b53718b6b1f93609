/**
 * Kinesis Analytics in `sluice serve`: next to Kinesis on the same port, per account and region, kept in the data
 * directory (a RUNNING application resumes after a restart), S3 references under --s3-root.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateApplicationCommand, DescribeApplicationCommand, KinesisAnalyticsClient, ListApplicationsCommand, StartApplicationCommand } from '@aws-sdk/client-kinesis-analytics';
import { parseServeArgs, s3RootOf, startServe } from '../../src/cli/serve.js';
import { VirtualClock } from '../../src/index.js';
import { afterRound, PASS, readStream, streamOutput, T0, tickerInput } from './analytics-helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function clients(url: string, accessKeyId = 'AKIDTEST') {
  const config = { endpoint: url, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'secret' }, maxAttempts: 1 };
  return { kinesis: new KinesisClient(config), ka: new KinesisAnalyticsClient(config) };
}

describe('sluice serve with Kinesis Analytics', () => {
  it('takes --s3-root, defaulting to <data dir>/s3', () => {
    expect(parseServeArgs(['--s3-root', '/srv/s3']).s3Root).toBe('/srv/s3');
    expect(s3RootOf(parseServeArgs(['--data', '/tmp/d']))).toBe(path.resolve('/tmp/d/s3'));
    expect(s3RootOf(parseServeArgs(['--memory']))).toBe(path.resolve('.sluice/s3'));
  });

  it('keeps applications per tenant in the data directory and resumes RUNNING ones after a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-serve-ka-'));
    dirs.push(dir);
    const clock = new VirtualClock(T0);
    const options = { ...parseServeArgs(['--data', dir, '--port', '0', '--fsync', 'never', '--no-limits']), clock, pollIntervalMs: 0 };
    let running = await startServe(options);
    let c = clients(running.server.url);
    for (const n of ['in', 'out']) await c.kinesis.send(new CreateStreamCommand({ StreamName: n, ShardCount: 1 }));
    await c.ka.send(new CreateApplicationCommand({ ApplicationName: 'pass', Inputs: [tickerInput('in')], Outputs: [streamOutput('DESTINATION_SQL_STREAM', 'out')], ApplicationCode: PASS }));
    await c.ka.send(new StartApplicationCommand({ ApplicationName: 'pass', InputConfigurations: [{ Id: '1.1', InputStartingPositionConfiguration: { InputStartingPosition: 'TRIM_HORIZON' } }] }));
    await c.kinesis.send(new PutRecordCommand({ StreamName: 'in', PartitionKey: 'k', Data: Buffer.from(JSON.stringify({ TICKER: 'A', PRICE: 1 })) }));
    expect(await afterRound(running, () => readStream(c.kinesis, 'out'))).toHaveLength(1);

    // Another account (a 12-digit access key) sees its own applications.
    const other = clients(running.server.url, '111122223333');
    expect((await other.ka.send(new ListApplicationsCommand({}))).ApplicationSummaries).toEqual([]);
    other.ka.destroy();
    other.kinesis.destroy();

    c.ka.destroy();
    c.kinesis.destroy();
    await running.close();
    running = await startServe({ ...options, port: 0 });
    c = clients(running.server.url);
    try {
      const d = (await c.ka.send(new DescribeApplicationCommand({ ApplicationName: 'pass' }))).ApplicationDetail!;
      expect(d).toMatchObject({ ApplicationStatus: 'RUNNING', ApplicationVersionId: 1, InputDescriptions: [{ InputId: '1.1' }] });
      await c.kinesis.send(new PutRecordCommand({ StreamName: 'in', PartitionKey: 'k', Data: Buffer.from(JSON.stringify({ TICKER: 'B', PRICE: 2 })) }));
      const rows = await afterRound(running, () => readStream(c.kinesis, 'out'));
      await running.analytics.pollAll(); // another round sends nothing more
      expect((await readStream(c.kinesis, 'out')).map((r) => r.TICKER)).toEqual(['A', 'B']);
      expect(rows).toHaveLength(2);
    } finally {
      c.ka.destroy();
      c.kinesis.destroy();
      await running.close();
    }
  });
});
