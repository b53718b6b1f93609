import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { describe, expect, it } from 'vitest';
import { KinesisTenants, startApiServer, tenantOf } from '../../src/api/index.js';
import { VirtualClock } from '../../src/index.js';

/** Accounts (12-digit access keys) and regions from the credential scope keep their streams apart. */
async function withTenants(dir: string | undefined, auth: Record<string, string> | undefined, body: (client: (key: string, region: string) => KinesisClient) => Promise<void>) {
  const tenants = new KinesisTenants({ clock: new VirtualClock(), ...(dir ? { dir } : {}) });
  const server = await startApiServer({ services: [tenants.service()], port: 0, ...(auth ? { auth: { credentials: auth } } : {}) });
  const clients: KinesisClient[] = [];
  try {
    await body((key, region) => {
      const c = new KinesisClient({ endpoint: server.url, region, credentials: { accessKeyId: key, secretAccessKey: auth?.[key] ?? 'any' }, maxAttempts: 1 });
      clients.push(c);
      return c;
    });
  } finally {
    for (const c of clients) c.destroy();
    await server.close();
    await tenants.close();
  }
}

describe('accounts and regions', () => {
  it('gives each account and region its own streams and ARNs', async () => {
    await withTenants(undefined, undefined, async (client) => {
      const scopes = [client('AKIDDEFAULT', 'us-east-1'), client('AKIDOTHER', 'eu-west-1'), client('111122223333', 'us-east-1')];
      for (const c of scopes) await c.send(new CreateStreamCommand({ StreamName: 'same', ShardCount: 1 }));
      await scopes[0]!.send(new CreateStreamCommand({ StreamName: 'only-default', ShardCount: 1 }));
      expect((await scopes[0]!.send(new ListStreamsCommand({}))).StreamNames).toEqual(['only-default', 'same']);
      expect((await scopes[1]!.send(new ListStreamsCommand({}))).StreamNames).toEqual(['same']);
      const arns = [];
      for (const c of scopes) arns.push((await c.send(new DescribeStreamSummaryCommand({ StreamName: 'same' }))).StreamDescriptionSummary!.StreamARN);
      expect(arns).toEqual([
        'arn:aws:kinesis:us-east-1:000000000000:stream/same',
        'arn:aws:kinesis:eu-west-1:000000000000:stream/same',
        'arn:aws:kinesis:us-east-1:111122223333:stream/same',
      ]);
      // Another key of the default account sees the default account's streams.
      expect((await client('AKIDTHIRD', 'us-east-1').send(new ListStreamsCommand({}))).StreamNames).toEqual(['only-default', 'same']);
    });
  });

  it('keeps other tenants under accounts/<account>/<region>/ of the data directory, across restarts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-tenants-'));
    try {
      await withTenants(dir, undefined, async (client) => {
        await client('a', 'us-east-1').send(new CreateStreamCommand({ StreamName: 'root', ShardCount: 1 }));
        await client('123456789012', 'ap-south-1').send(new CreateStreamCommand({ StreamName: 'elsewhere', ShardCount: 1 }));
      });
      expect(fs.existsSync(path.join(dir, 'meta.json'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'accounts', '123456789012', 'ap-south-1', 'meta.json'))).toBe(true);
      await withTenants(dir, undefined, async (client) => {
        expect((await client('123456789012', 'ap-south-1').send(new ListStreamsCommand({}))).StreamNames).toEqual(['elsewhere']);
        expect((await client('a', 'us-east-1').send(new ListStreamsCommand({}))).StreamNames).toEqual(['root']);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with --auth, takes the tenant from the verified scope', async () => {
    await withTenants(undefined, { '210987654321': 'secret' }, async (client) => {
      const c = client('210987654321', 'us-west-2');
      await c.send(new CreateStreamCommand({ StreamName: 'signed', ShardCount: 1 }));
      expect((await c.send(new DescribeStreamSummaryCommand({ StreamName: 'signed' }))).StreamDescriptionSummary?.StreamARN).toBe(
        'arn:aws:kinesis:us-west-2:210987654321:stream/signed',
      );
    });
  });

  it('never takes a path or a malformed name from the scope', () => {
    expect(tenantOf({ accessKeyId: '../../etc', region: '../../tmp' })).toEqual({ accountId: '000000000000', region: 'us-east-1' });
    expect(tenantOf({ accessKeyId: '12345678901', region: 'EU-WEST-1' })).toEqual({ accountId: '000000000000', region: 'us-east-1' });
    expect(tenantOf({ accessKeyId: '123456789012', region: 'us-gov-west-1' })).toEqual({ accountId: '123456789012', region: 'us-gov-west-1' });
    expect(tenantOf({})).toEqual({ accountId: '000000000000', region: 'us-east-1' });
  });
});
