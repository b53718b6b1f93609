import { parseArgs } from 'node:util';
import type { BenchOptions } from '../../bench/harness.js';

const SUITES: Record<string, () => Promise<(o: BenchOptions) => Promise<void>>> = {
  log: async () => (await import('../../bench/log.js')).benchLog,
  server: async () => (await import('../../bench/server.js')).benchServer,
  'sql-parse': async () => (await import('../../bench/sql-parse.js')).benchSqlParse,
  sql: async () => (await import('../../bench/sql.js')).benchSql,
  app: async () => (await import('../../bench/app.js')).benchApp,
};

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      large: { type: 'string' },
      dir: { type: 'string' },
    },
  });
  const suite = positionals[0];
  const load = suite ? SUITES[suite] : undefined;
  if (!load) {
    console.error(`sluice bench: name a suite: ${Object.keys(SUITES).join(', ')}`);
    return 2;
  }
  // Suite-specific options travel as flags; each suite reads the ones it knows.
  const flags: Record<string, string | boolean> = {};
  for (const name of ['only', 'large', 'dir'] as const) {
    const value = values[name];
    if (value !== undefined) flags[name] = value;
  }
  await (await load())({ quick: values.quick === true, json: values.json === true, flags });
  return 0;
}
