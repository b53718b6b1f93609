import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.js';

/**
 * The AWS CLI (HTTP/1.1, JSON, botocore's own validation and parsing) against the server: a put/get/reshard scenario.
 * Skipped only on a developer machine without an `aws` command; under CI (which installs the Debian package awscli
 * when missing) it always runs, so a missing CLI fails rather than hides.
 */
const run = promisify(execFile);
const which = (cmd: string) => (process.env.PATH ?? '').split(path.delimiter).some((dir) => fs.existsSync(path.join(dir, cmd)));

describe.skipIf(!which('aws') && !process.env.CI)('the AWS CLI', () => {
  let t: TestServer;
  let home: string;
  beforeAll(async () => {
    t = await startTestServer({ limits: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-awscli-'));
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const aws = async (...args: string[]): Promise<any> => {
    const { stdout } = await run('aws', ['--endpoint-url', t.server.url, '--region', 'us-east-1', '--output', 'json', 'kinesis', ...args], {
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
    return stdout.trim() ? JSON.parse(stdout) : {};
  };

  it('creates a stream, puts and gets records, splits a shard and lists the shards', async () => {
    await aws('create-stream', '--stream-name', 'cli', '--shard-count', '1');
    // CLI v1 takes blob arguments as raw text; v2 expects base64 unless told otherwise.
    const { stdout, stderr } = await run('aws', ['--version']);
    const v2 = /aws-cli\/2/.test(stdout + stderr);
    const put = await aws('put-record', '--stream-name', 'cli', '--partition-key', 'k', '--data', 'hello', ...(v2 ? ['--cli-binary-format', 'raw-in-base64-out'] : []));
    expect(put.ShardId).toBe('shardId-000000000000');
    const { ShardIterator } = await aws('get-shard-iterator', '--stream-name', 'cli', '--shard-id', put.ShardId, '--shard-iterator-type', 'TRIM_HORIZON');
    const got = await aws('get-records', '--shard-iterator', ShardIterator);
    expect(Buffer.from(got.Records[0].Data, 'base64').toString()).toBe('hello');
    expect(got.Records[0].SequenceNumber).toBe(put.SequenceNumber);
    await aws('split-shard', '--stream-name', 'cli', '--shard-to-split', put.ShardId, '--new-starting-hash-key', (2n ** 127n).toString());
    const shards = await aws('list-shards', '--stream-name', 'cli');
    expect(shards.Shards.map((s: any) => s.ShardId)).toEqual(['shardId-000000000000', 'shardId-000000000001', 'shardId-000000000002']);
    const err = await aws('describe-stream', '--stream-name', 'nope').catch((e: { stderr: string }) => e.stderr);
    expect(err).toMatch(/ResourceNotFoundException/);
  });
});
