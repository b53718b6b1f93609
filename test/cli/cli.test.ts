import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const root = path.resolve(__dirname, '../..');

const capture = runCli;

describe('sluice CLI', () => {
  it('prints help listing its commands', async () => {
    const { code, out } = await capture(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/demo/);
    expect(out).toMatch(/bench <suite>/);
  });

  it('rejects an unknown command with exit code 2 and the help', async () => {
    const { code, err } = await capture(['frobnicate']);
    expect(code).toBe(2);
    expect(err).toMatch(/unknown command 'frobnicate'/);
  });

  it('runs the demo in memory and in a data directory, reading every record back in order', async () => {
    const memory = await capture(['demo', 'log']);
    expect(memory.code).toBe(0);
    expect(memory.out).toMatch(/sent 60 records; a lineage-following reader got 60 back/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-demo-'));
    try {
      expect((await capture(['demo', 'log', '--dir', dir])).code).toBe(0);
      // A second run reopens the directory and adds a second stream beside the first.
      const again = await capture(['demo', 'log', '--dir', dir]);
      expect(again.code).toBe(0);
      expect(again.out).toMatch(/created stream demo-1/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('bench names its suites when none is given', async () => {
    const { code, err } = await capture(['bench']);
    expect(code).toBe(2);
    expect(err).toMatch(/name a suite: log/);
  });

  it('the installed bin starts (npm install builds dist/) and reports its version', () => {
    if (!fs.existsSync(path.join(root, 'dist/src/cli/main.js'))) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root });
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    const r = spawnSync(process.execPath, [path.join(root, 'bin/sluice.js'), '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});
