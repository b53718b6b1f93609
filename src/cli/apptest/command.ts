/**
 * `sluice test CASE_DIR... [--update]`: run golden application cases (see cases.ts for the format) and print a diff
 * per failing case; `--update` rewrites the expected files from the run. Exit 1 when any case fails, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { findCases, renderResult, runCase } from './cases.js';
import { loadReplay } from './engine.js';

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { update: { type: 'boolean', default: false } } });
  } catch (e) {
    console.error(`sluice test: ${(e as Error).message}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) {
    console.error('usage: sluice test CASE_DIR... [--update]');
    return 2;
  }
  const replay = await loadReplay();
  const dirs = findCases(positionals);
  let failed = 0;
  for (const dir of dirs) {
    const r = await runCase(dir, { replay, update: values.update === true });
    if (values.update && r.result) {
      process.stdout.write(`${r.ok ? 'same' : 'UPDATED'} ${r.name}\n`);
      continue;
    }
    if (!r.ok) failed++;
    process.stdout.write(renderResult(r));
  }
  const passed = dirs.length - failed;
  if (!values.update) console.log(`\n${passed} passed, ${failed} failed (${dirs.length} case${dirs.length === 1 ? '' : 's'})`);
  return failed > 0 ? 1 : 0;
}
