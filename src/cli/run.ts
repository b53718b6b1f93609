/**
 * `sluice run APP.sql --config app.json --input FILE.jsonl [--out DIR] [--reference-root DIR]`: replay a file of
 * source records through the application (virtual clock; at the end every window closes) and write each output to
 * `DIR/<NAME>.jsonl` (default ./out), plus `DIR/error_stream.jsonl` when error_stream has rows. On a terminal a
 * progress line shows each phase. Reference data files (FileKey) are found under --reference-root, by default the
 * configuration file's directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ApplicationShape } from '../analytics/config.js';
import { PlanError } from '../plan/errors.js';
import { ConfigError } from '../sql/index.js';
import { toJsonl } from './apptest/cases.js';
import { loadReplay, streamSchemas } from './apptest/engine.js';
import { InputFileError, parseInputLines } from './apptest/input.js';

const USAGE = 'usage: sluice run APP.sql --config app.json --input FILE.jsonl [--out DIR] [--reference-root DIR]';

/** A one-line progress display, drawn only when stderr is a terminal. */
class Progress {
  private readonly tty = process.stderr.isTTY === true;
  private last = 0;
  bar(label: string, done: number, total: number): void {
    if (!this.tty) return;
    const now = Date.now();
    if (done < total && now - this.last < 80) return;
    this.last = now;
    const width = 30;
    const frac = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(frac * width);
    process.stderr.write(`\r${label.padEnd(12)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}%  `);
  }
  status(text: string): void {
    if (this.tty) process.stderr.write(`\r${text.padEnd(60)}`);
  }
  done(): void {
    if (this.tty) process.stderr.write('\r' + ' '.repeat(72) + '\r');
  }
}

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { config: { type: 'string' }, input: { type: 'string' }, out: { type: 'string' }, 'reference-root': { type: 'string' } },
    });
  } catch (e) {
    console.error(`sluice run: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const file = positionals[0];
  if (!file || positionals.length > 1 || !values.config || !values.input) {
    console.error(USAGE);
    return 2;
  }
  const progress = new Progress();
  let code: string;
  let config: ApplicationShape;
  let records;
  try {
    code = fs.readFileSync(file, 'utf8');
    const configText = fs.readFileSync(values.config, 'utf8');
    try {
      config = JSON.parse(configText) as ApplicationShape;
    } catch (e) {
      throw new InputFileError(`${values.config}: not JSON: ${(e as Error).message}`);
    }
    const input = values.input;
    records = parseInputLines(fs.readFileSync(input, 'utf8'), input, (done, total) => progress.bar('reading', done, total));
  } catch (e) {
    progress.done();
    console.error(`sluice run: ${(e as Error).message}`);
    return 2;
  }
  const out = values.out ?? 'out';
  const referenceRoot = path.resolve(values['reference-root'] ?? path.dirname(values.config));
  let schemas;
  let result;
  const started = performance.now();
  try {
    schemas = streamSchemas(code, config);
    progress.status(`replaying ${records.length} records (every window closes at the end)…`);
    const replay = await loadReplay();
    result = await replay(code, config, records, { referenceRoot });
  } catch (e) {
    progress.done();
    if (e instanceof PlanError || e instanceof ConfigError) {
      console.error(`${file}: ${e.message}`);
      return 1;
    }
    console.error(`sluice run: ${(e as Error).message}`);
    return 1;
  }
  const ms = performance.now() - started;
  fs.mkdirSync(out, { recursive: true });
  const names = Object.keys(result.outputs);
  const written: string[] = [];
  names.forEach((name, i) => {
    progress.bar('writing', i, names.length);
    const target = path.join(out, `${name}.jsonl`);
    fs.writeFileSync(target, toJsonl(result.outputs[name]!, schemas.get(name)));
    written.push(`${target} (${result.outputs[name]!.length} rows)`);
  });
  if (result.errors.length > 0) {
    const target = path.join(out, 'error_stream.jsonl');
    fs.writeFileSync(target, toJsonl(result.errors, schemas.get('error_stream')));
    written.push(`${target} (${result.errors.length} rows)`);
  }
  progress.done();
  console.log(`${records.length} records replayed in ${(ms / 1000).toFixed(2)} s`);
  for (const w of written) console.log(`  wrote ${w}`);
  if (names.length === 0) console.log('  (the configuration has no Outputs)');
  return 0;
}

