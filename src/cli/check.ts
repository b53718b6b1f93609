/**
 * `sluice check APP.sql [--config app.json]`: parse and bind application code, print each diagnostic with the source
 * line and a caret, and exit 1 when there is an error (2 for bad usage or an unreadable config).
 */
import { parseArgs } from 'node:util';
import { ConfigError, checkApplication, render } from '../sql/index.js';
import { readAppFiles } from './app-files.js';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    console.error('usage: sluice check APP.sql [--config app.json]');
    return 2;
  }
  const files = readAppFiles('check', file, values.config);
  if (!files) return 2;
  const { code, config } = files;
  let result;
  try {
    result = checkApplication(code, config);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`sluice check: ${values.config}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  for (const d of result.diagnostics) process.stderr.write(render(d, code, file));
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  if (result.ok) {
    const pumps = result.program?.pumps.length ?? 0;
    console.log(`${file}: ok (${result.script?.statements.length ?? 0} statements, ${pumps} pump${pumps === 1 ? '' : 's'})`);
    return 0;
  }
  console.error(`${file}: ${errors} error${errors === 1 ? '' : 's'}`);
  return 1;
}
