import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const plans = path.join(path.dirname(fileURLToPath(import.meta.url)), '../plan');

describe('sluice explain', () => {
  it('prints each pump plan after the rewrite rules, and before them with --unoptimized', async () => {
    const app = path.join(plans, 'cases/reference-join-prune.sql');
    const config = path.join(plans, 'config.json');
    const optimized = await runCli(['explain', app, '--config', config]);
    expect(optimized.code).toBe(0);
    expect(optimized.out).toContain('Pump P: INSERT INTO DESTINATION_SQL_STREAM');
    expect(optimized.out).toMatch(/TableJoin LEFT CompanyName[\s\S]*Filter \(PRICE > 50\)/);
    const raw = await runCli(['explain', app, '--config', config, '--unoptimized']);
    expect(raw.code).toBe(0);
    expect(raw.out).toMatch(/Filter \(\(PRICE > 50\) AND \(Company IS NOT NULL\)\)\n\s+TableJoin/);
  });

  it('exits 1 with the position when the engine does not run a construct', async () => {
    const r = await runCli(['explain', path.join(plans, 'cases/rcf-not-yet.sql'), '--config', path.join(plans, 'config.json')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/RANDOM_CUT_FOREST is not yet supported \(line 4, column \d+\)/);
  });

  it('exits 2 on bad usage', async () => {
    expect((await runCli(['explain'])).code).toBe(2);
    expect((await runCli(['explain', '/nonexistent.sql'])).code).toBe(2);
  });
});
