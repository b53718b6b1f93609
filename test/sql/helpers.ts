import fs from 'node:fs';
import path from 'node:path';
import { checkApplication, render, type ApplicationConfig } from '../../src/sql/index.js';

export const here = path.dirname(new URL(import.meta.url).pathname);
export const config = JSON.parse(fs.readFileSync(path.join(here, 'config.json'), 'utf8')) as ApplicationConfig;

export function sqlFiles(dir: string): string[] {
  return fs.readdirSync(path.join(here, dir)).filter((f) => f.endsWith('.sql')).sort();
}

export function read(dir: string, file: string): string {
  return fs.readFileSync(path.join(here, dir, file), 'utf8');
}

/** Checks code and returns rendered diagnostics (empty when clean), so a failing test shows the carets. */
export function problems(code: string, file: string): string {
  const r = checkApplication(code, config);
  return r.diagnostics.map((d) => render(d, code, file)).join('');
}
