import type { BenchOptions } from '../../bench/harness.js';
import { parseArgs } from 'node:util';

const SUITES: Record<string, () => Promise<(o: BenchOptions) => Promise<void>>> = {
  log: async () => (await import('../../bench/log.js')).benchLog,
};

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
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
  const flags: Record<string, string | boolean> = {};
  if (values.large !== undefined) flags.large = values.large;
  if (values.dir !== undefined) flags.dir = values.dir;
  await (await load())({ quick: values.quick === true, json: values.json === true, flags });
  return 0;
}
