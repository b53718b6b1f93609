/**
 * The project's application tests: every golden case under test/apps run by the same runner `sluice test` uses (one
 * test per case), and the real CLI on a passing case and a deliberately failing one (test/cli/fixtures/failing-case).
 * How each case's expected files were derived is in its README.md; reference.test.ts re-derives them independently.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { replay } from '../../src/analytics/replay.js';
import { findCases, loadCase, renderResult, runCase } from '../../src/cli/apptest/cases.js';
import { runCli } from '../cli/run-cli.js';

const root = path.dirname(new URL(import.meta.url).pathname);
const cases = findCases([root]);

describe('golden application cases (test/apps)', () => {
  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });
  for (const dir of cases) {
    it(path.basename(dir), async () => {
      const r = await runCase(dir);
      expect(r.ok, renderResult(r)).toBe(true);
    });
  }
});

describe('what the row comparison cannot see', () => {
  it('outputs-csv-lambda: the function receives one CSV record per row (no ROWTIME; RFC 4180 quoting)', async () => {
    const c = loadCase(path.join(root, 'outputs-csv-lambda'));
    const arn = c.config.Outputs![0]!.LambdaOutput!.ResourceARN;
    const delivered: string[] = [];
    const fn = async (request: unknown) => {
      const records = (request as { records: { recordId: string; data: string }[] }).records;
      for (const r of records) delivered.push(Buffer.from(r.data, 'base64').toString('utf8'));
      return { records: records.map((r) => ({ recordId: r.recordId, result: 'Ok' })) };
    };
    await replay(c.code, c.config, c.records, { referenceRoot: c.dir, functions: { [arn]: fn } });
    // by hand from expected/DESTINATION_SQL_STREAM.jsonl: TICKER_SYMBOL, NOTE (quoted: it holds a comma and quotes), PRICE
    const note = (t: string) => `"say ""hi"", ${t}"`;
    expect(delivered).toEqual([
      `AMZN,${note('AMZN')},50.25\n`,
      `AMZN,${note('AMZN')},50.25\n`,
      `AMZN,${note('AMZN')},51.5\n`,
      `AMZN,${note('AMZN')},12.0\n`,
      `AAPL,${note('AAPL')},20.5\n`,
    ]);
  });

  it('order-by-within-bucket: rows of one bucket come sorted, in the order the expected file lists them', async () => {
    const r = await runCase(path.join(root, 'order-by-within-bucket'));
    expect(r.ok, renderResult(r)).toBe(true);
    const c = loadCase(path.join(root, 'order-by-within-bucket'));
    const order = (rows: { TICKER_SYMBOL?: unknown; PRICE?: unknown }[]) => rows.map((x) => `${String(x.TICKER_SYMBOL)} ${Number(x.PRICE)}`);
    expect(order(r.result!.outputs.DESTINATION_SQL_STREAM!)).toEqual(order(c.expected.get('DESTINATION_SQL_STREAM')!));
  });

  it('parallel-inputs: the input is really split over SOURCE_SQL_STREAM_001…_003', async () => {
    const r = await runCase(path.join(root, 'parallel-inputs'));
    expect(r.ok, renderResult(r)).toBe(true);
    const sizes = ['001', '002', '003'].map((n) => r.result!.streams[`SOURCE_SQL_STREAM_${n}`]?.length ?? 0);
    expect(sizes.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(40);
  });
});

describe('sluice test (the CLI)', () => {
  it('passes a good case, prints a diff for a failing one and exits 1', async () => {
    const failing = path.join(root, '../cli/fixtures/failing-case');
    const { code, out } = await runCli(['test', path.join(root, 'stagger-worked-example'), failing]);
    expect(code).toBe(1);
    expect(out).toMatch(/^PASS stagger-worked-example \(2 rows\)$/m);
    expect(out).toMatch(/^FAIL failing-case /m);
    expect(out).toMatch(/DESTINATION_SQL_STREAM: expected 2 rows, got 3; differences \(- expected, \+ actual\):/);
    // the wrong count: expected 3, the run gives 2; and the row the file left out
    expect(out).toContain('- {"ROWTIME":"2026-01-01T11:01:00Z","EVENT_TIME":"2026-01-01T11:00:00Z","TICKER":"AMZN","TICKER_COUNT":3}');
    expect(out).toContain('+ {"ROWTIME":"2026-01-01 11:01:00.000","EVENT_TIME":"2026-01-01 11:00:00.000","TICKER":"AMZN","TICKER_COUNT":2}');
    expect(out).toContain('+ {"ROWTIME":"2026-01-01 11:02:00.000","EVENT_TIME":"2026-01-01 11:01:00.000","TICKER":"AMZN","TICKER_COUNT":1}');
    expect(out).toMatch(/1 passed, 1 failed \(2 cases\)/);
  });
});
