/**
 * `sluice explain APP.sql [--config app.json] [--unoptimized]`: the logical plan of each pump, after the rewrite rules
 * (or before them). Exit 1 when the code has errors or asks for something the engine does not run.
 */
import { parseArgs } from 'node:util';
import { PlanError } from '../plan/errors.js';
import { explainPump } from '../plan/explain.js';
import { compileProgram } from '../exec/program.js';
import { ConfigError } from '../sql/index.js';
import { readAppFiles } from './app-files.js';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string' }, unoptimized: { type: 'boolean' } } });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    console.error('usage: sluice explain APP.sql [--config app.json] [--unoptimized]');
    return 2;
  }
  const files = readAppFiles('explain', file, values.config);
  if (!files) return 2;
  try {
    const program = compileProgram(files.code, files.config, { optimize: !values.unoptimized });
    for (const p of program.pumps) console.log(explainPump(p, program.relations.get(p.target)!.schema.map((c) => c.name)) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof PlanError || e instanceof ConfigError) {
      console.error(`${file}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
