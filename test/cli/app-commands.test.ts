/** `sluice run`, `sluice test --update`, the live demo and the bench's registration, through the CLI entry point. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareRows } from '../../src/cli/apptest/compare.js';
import { loadCase, parseExpectedLines } from '../../src/cli/apptest/cases.js';
import { streamSchemas } from '../../src/cli/apptest/engine.js';
import { DEMO_CODE } from '../../src/cli/demo-app.js';
import { runCli } from './run-cli.js';

const apps = path.resolve(__dirname, '../apps');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-app-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const caseArgs = (name: string) => {
  const dir = path.join(apps, name);
  return [path.join(dir, 'app.sql'), '--config', path.join(dir, 'app.json'), '--input', path.join(dir, 'input.jsonl')];
};

describe('sluice run', () => {
  it('writes each output to DIR/<NAME>.jsonl, equal to the golden case', async () => {
    const out = path.join(tmp, 'run-tumbling');
    const r = await runCli(['run', ...caseArgs('tumbling-worked-example'), '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/4 records replayed/);
    const file = path.join(out, 'DESTINATION_SQL_STREAM.jsonl');
    const rows = parseExpectedLines(fs.readFileSync(file, 'utf8'), file);
    expect(rows).toEqual([
      { ROWTIME: '2026-01-01 11:01:00.000', EVENT_TIME: '2026-01-01 11:00:00.000', TICKER: 'AMZN', TICKER_COUNT: 2 },
      { ROWTIME: '2026-01-01 11:02:00.000', EVENT_TIME: '2026-01-01 11:00:00.000', TICKER: 'AMZN', TICKER_COUNT: 1 },
      { ROWTIME: '2026-01-01 11:02:00.000', EVENT_TIME: '2026-01-01 11:01:00.000', TICKER: 'AMZN', TICKER_COUNT: 1 },
    ]);
    expect(fs.existsSync(path.join(out, 'error_stream.jsonl'))).toBe(false);
  });

  it('finds reference files beside the configuration and writes error_stream when it has rows', async () => {
    const out = path.join(tmp, 'run-join');
    expect((await runCli(['run', ...caseArgs('join-reference-csv'), '--out', out])).code).toBe(0);
    const c = loadCase(path.join(apps, 'join-reference-csv'));
    const file = path.join(out, 'DESTINATION_SQL_STREAM.jsonl');
    const actual = parseExpectedLines(fs.readFileSync(file, 'utf8'), file);
    expect(actual).toEqual(c.expected.get('DESTINATION_SQL_STREAM'));

    const errOut = path.join(tmp, 'run-errors');
    expect((await runCli(['run', ...caseArgs('error-division-by-zero'), '--out', errOut])).code).toBe(0);
    const errors = fs.readFileSync(path.join(errOut, 'error_stream.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(errors.map((e) => [e.ERROR_NAME, e.DATA_ROWTIME, e.PUMP_NAME])).toEqual([
      ['DIVISION_BY_ZERO', '2026-01-01 11:00:02.000', 'DIV_PUMP'],
      ['DIVISION_BY_ZERO', '2026-01-01 11:00:04.000', 'DIV_PUMP'],
    ]);
    expect(Object.keys(errors[0]!)).toEqual(['ERROR_TIME', 'ERROR_LEVEL', 'ERROR_NAME', 'MESSAGE', 'DATA_ROWTIME', 'DATA_ROW', 'PUMP_NAME']);
  });

  it('reports a bad input line by its number, and bad usage with exit code 2', async () => {
    const input = path.join(tmp, 'bad.jsonl');
    fs.writeFileSync(input, '{"arrival": 0, "data": {"TICKER": "AMZN"}}\n\n{"arrival": "yesterday", "data": 1}\n');
    const [sql, , config] = caseArgs('stagger-worked-example');
    const bad = await runCli(['run', sql!, '--config', config!, '--input', input, '--out', path.join(tmp, 'unused')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`${input}:3: "arrival" must be an ISO-8601 time or epoch milliseconds, not "yesterday"`);
    fs.writeFileSync(input, '{"arrival": 0, "data": 1}\n{"arrival": 0, "data": \n');
    expect((await runCli(['run', sql!, '--config', config!, '--input', input])).err).toMatch(/bad\.jsonl:2: not JSON/);
    fs.writeFileSync(input, '{"arrival": 0}\n');
    expect((await runCli(['run', sql!, '--config', config!, '--input', input])).err).toMatch(/bad\.jsonl:1: "data" is missing/);
    expect((await runCli(['run', sql!])).code).toBe(2);
    const missing = await runCli(['run', sql!, '--config', config!, '--input', path.join(tmp, 'nope.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/nope\.jsonl/);
  });

  it('reports application code that does not compile with exit code 1', async () => {
    const sql = path.join(tmp, 'broken.sql');
    fs.writeFileSync(sql, 'CREATE OR REPLACE PUMP "P" AS INSERT INTO "NOWHERE" SELECT STREAM * FROM "SOURCE_SQL_STREAM_001";\n');
    const [, , config, , input] = caseArgs('stagger-worked-example');
    const r = await runCli(['run', sql, '--config', config!, '--input', input!, '--out', path.join(tmp, 'unused')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/NOWHERE/);
  });
});

describe('sluice test --update', () => {
  it('writes the expected files of a case from a run, after which the case passes', async () => {
    const dir = path.join(tmp, 'update-case');
    fs.cpSync(path.join(apps, 'error-division-by-zero'), dir, { recursive: true });
    fs.rmSync(path.join(dir, 'expected'), { recursive: true });
    const before = await runCli(['test', dir]);
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/missing expected\/DESTINATION_SQL_STREAM\.jsonl/);
    const update = await runCli(['test', '--update', dir]);
    expect(update.code).toBe(0);
    expect(update.out).toMatch(/UPDATED update-case/);
    const after = await runCli(['test', dir]);
    expect(after.code).toBe(0);
    // what --update wrote is what the golden case holds (derived by hand)
    const c = loadCase(dir);
    const golden = loadCase(path.join(apps, 'error-division-by-zero'));
    const schemas = streamSchemas(c.code, c.config);
    expect(c.expected.get('DESTINATION_SQL_STREAM')).toEqual(golden.expected.get('DESTINATION_SQL_STREAM'));
    expect(compareRows(golden.expectedErrors!, c.expectedErrors!.map((e) => ({ ...e, DATA_ROWTIME: Date.parse(String(e.DATA_ROWTIME).replace(' ', 'T') + 'Z') })), schemas.get('error_stream'), { key: 'DATA_ROWTIME', only: ['ERROR_NAME', 'DATA_ROWTIME'] }).diff).toEqual([]);
  });

  it('exits 2 without a case directory, and fails a directory that is not a case', async () => {
    expect((await runCli(['test'])).code).toBe(2);
    const r = await runCli(['test', path.join(tmp, 'no-such-case')]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL no-such-case/);
  });
});

describe('sluice demo', () => {
  it('runs the live demo for --duration seconds and prints output rows', async () => {
    const r = await runCli(['demo', '--duration', '2']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/kinesis-analytics-demo-stream/);
    expect(r.out).toMatch(/PRICE_AVERAGES {2}[A-Z]+ +price +\d+\.\d\d {2}avg\(30 s\) +\d+\.\d\d/);
    const m = /stopped: (\d+) ticks sent, (\d+) rows printed/.exec(r.out);
    expect(Number(m![1])).toBeGreaterThan(3);
    expect(Number(m![2])).toBeGreaterThan(3);
  });

  it('the demo application is the one test/apps/demo-application checks', () => {
    expect(fs.readFileSync(path.join(apps, 'demo-application/app.sql'), 'utf8')).toBe(DEMO_CODE);
  });

  it('bench lists the app suite', async () => {
    expect((await runCli(['bench'])).err).toMatch(/app/);
  });
});
