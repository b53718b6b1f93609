import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateStreamCommand, ListStreamsCommand, PutRecordCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { VirtualClock } from '../../src/index.js';
import { parseServeArgs, startServe } from '../../src/cli/serve.js';
import { sdkClient } from '../api/helpers.js';

/** Runs `sluice serve ...` in-process until the test sends it SIGINT; resolves its URL once it listens. */
function serve(args: string[]) {
  let out = '';
  let resolveUrl: (url: string) => void;
  const url = new Promise<string>((resolve) => (resolveUrl = resolve));
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    out += `${a.join(' ')}\n`;
    const m = /at (http:\/\/\S+)/.exec(out);
    if (m) resolveUrl(m[1]!);
  });
  const exit = main(['serve', ...args]);
  return {
    url,
    async stop() {
      process.emit('SIGINT');
      const code = await exit;
      spy.mockRestore();
      return { code, out };
    },
  };
}

describe('sluice serve', () => {
  afterEach(() => vi.restoreAllMocks());

  it('parses its options: loopback, port 4567, ./.sluice and limits on by default', () => {
    expect(parseServeArgs([])).toEqual({ host: '127.0.0.1', port: 4567, dir: './.sluice', limits: true, apiLimits: false, fsync: 'always', tls: false, transitionMs: 0 });
    expect(parseServeArgs(['--port', '0', '--host', '0.0.0.0', '--memory', '--no-limits', '--api-limits', '--fsync', 'batch', '--tls'])).toEqual({
      host: '0.0.0.0',
      port: 0,
      dir: undefined,
      limits: false,
      apiLimits: true,
      fsync: 'batch',
      tls: true,
      transitionMs: 0,
    });
    expect(parseServeArgs(['--transition-ms', '250']).transitionMs).toBe(250);
    expect(() => parseServeArgs(['--transition-ms', '-1'])).toThrow(/--transition-ms/);
    expect(parseServeArgs(['--data', '/tmp/x']).dir).toBe('/tmp/x');
    expect(() => parseServeArgs(['--port', 'http'])).toThrow(/--port/);
    expect(() => parseServeArgs(['--memory', '--data', 'd'])).toThrow(/exclude/);
    expect(() => parseServeArgs(['--fsync', 'sometimes'])).toThrow(/--fsync/);
    expect(parseServeArgs(['--auth', 'AKID1:s:e:c', '--auth', 'AKID2:x']).auth).toEqual({ AKID1: 's:e:c', AKID2: 'x' });
    expect(() => parseServeArgs(['--auth', 'nocolon'])).toThrow(/--auth/);
    expect(() => parseServeArgs(['--auth', 'AKID:'])).toThrow(/--auth/);
  });

  it('prints its usage with --help', async () => {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
    expect(await main(['serve', '--help'])).toBe(0);
    expect(out).toMatch(/--transition-ms MS/);
  });

  it('exits 2 on bad options', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['serve', '--port', '-3'])).toBe(2);
    expect(await main(['serve', '--bogus'])).toBe(2);
    expect(String(err.mock.calls[0]?.[0])).toMatch(/--port/);
  });

  it('serves the SDK in memory until SIGINT', async () => {
    const s = serve(['--memory', '--port', '0']);
    const url = await s.url;
    const kinesis = sdkClient({ url } as never, 'default');
    await kinesis.send(new CreateStreamCommand({ StreamName: 'cli', ShardCount: 1 }));
    await kinesis.send(new PutRecordCommand({ StreamName: 'cli', PartitionKey: 'k', Data: Buffer.from('v') }));
    kinesis.destroy();
    const { code, out } = await s.stop();
    expect(code).toBe(0);
    expect(out).toMatch(/data in memory, limits on, any credentials accepted/);
    expect(out).toMatch(/stopped/);
  });

  it('enforces the per-shard throughput limits unless --no-limits', async () => {
    const records = Array.from({ length: 500 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.alloc(1) }));
    for (const [args, failures] of [[[], 500], [['--no-limits'], 0]] as const) {
      const running = await startServe({ ...parseServeArgs(['--memory', '--port', '0', ...args]), clock: new VirtualClock() });
      const kinesis = sdkClient(running.server, 'default');
      await kinesis.send(new CreateStreamCommand({ StreamName: 'hot', ShardCount: 1 }));
      // 1,500 records into one shard within one (virtual) second: the third batch is over 1,000 records/s.
      let failed = 0;
      for (let i = 0; i < 3; i++) failed += (await kinesis.send(new PutRecordsCommand({ StreamName: 'hot', Records: records }))).FailedRecordCount ?? 0;
      expect(failed).toBe(failures);
      kinesis.destroy();
      await running.close();
    }
  });

  it('keeps streams in --data DIR across restarts', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-serve-'));
    try {
      const first = await startServe({ ...parseServeArgs(['--port', '0', '--data', dir, '--no-limits']) });
      const a = sdkClient(first.server, 'http1');
      await a.send(new CreateStreamCommand({ StreamName: 'kept', ShardCount: 1 }));
      a.destroy();
      await first.close();
      const second = await startServe({ ...parseServeArgs(['--port', '0', '--data', dir, '--tls']) });
      expect(second.server.tlsUrl).toMatch(/^https:/);
      expect(fs.existsSync(path.join(dir, 'tls-cert.pem'))).toBe(true);
      const b = sdkClient(second.server, 'default');
      expect((await b.send(new ListStreamsCommand({}))).StreamNames).toEqual(['kept']);
      b.destroy();
      await second.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
