/** `sluice check`: exit codes, the caret rendering, and the config file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { here } from './helpers.js';

const run = runCli;

const configFile = path.join(here, 'config.json');

describe('sluice check', () => {
  it('is listed in the help', async () => {
    expect((await run(['--help'])).out).toMatch(/check APP\.sql/);
  });

  it('passes a good application and exits 0', async () => {
    const r = await run(['check', path.join(here, 'apps/03-console-anomaly-detection.sql'), '--config', configFile]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ok \(4 statements, 2 pumps\)/);
    expect(r.err).toBe('');
  });

  it('prints each error with the line and a caret, and exits 1', async () => {
    const file = path.join(here, 'errors/unknown-column-quoted-case.sql');
    const r = await run(['check', file, '--config', configFile]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${file}:5:17: error SQL201: no column named "Ticker"; did you mean TICKER?`);
    expect(r.err).toContain('5 |   SELECT STREAM "Ticker", userid FROM "SOURCE_SQL_STREAM_001";\n  |                 ^^^^^^^^');
    expect(r.err).toMatch(/2 errors\n$/);
  });

  it('without a config, source columns are not known and any name resolves', async () => {
    const r = await run(['check', path.join(here, 'apps/02-console-aggregate-10s.sql')]);
    expect(r.code).toBe(0);
  });

  it('exits 2 on bad usage, a missing file or a bad config', async () => {
    expect((await run(['check'])).code).toBe(2);
    expect((await run(['check', '/nonexistent/app.sql'])).code).toBe(2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-check-'));
    try {
      const bad = path.join(dir, 'bad.json');
      fs.writeFileSync(bad, JSON.stringify({ Inputs: [{ NamePrefix: 'X', InputSchema: { RecordColumns: [{ Name: 'a', SqlType: 'WIBBLE' }] } }] }));
      const r = await run(['check', path.join(here, 'apps/01-console-continuous-filter.sql'), '--config', bad]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/unknown SqlType 'WIBBLE'/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('sluice bench sql-parse', () => {
  it('reports lines/s for the typical application and node-sql-parser beside Sluice on plain SQL', async () => {
    const r = await run(['bench', 'sql-parse', '--quick', '--json']);
    expect(r.code).toBe(0);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => x.case)).toEqual(['kda-app-30-lines', 'kda-app-30-lines+bind', 'plain-sql']);
    for (const row of rows) expect(row.records_per_s).toBeGreaterThan(0);
    expect(rows[0]!.lines).toBeGreaterThanOrEqual(25);
    expect(rows[2]!.peer).toBe('node-sql-parser');
    expect(rows[2]!.peer_records_per_s).toBeGreaterThan(0);
  });
});
