/**
 * Golden cases for applications (`sluice test`), one directory each:
 *
 *   app.sql                      the application code
 *   app.json                     the AWS-shaped configuration (Inputs, ReferenceDataSources, Outputs); a reference
 *                                data source's S3ReferenceDataSource.FileKey is a file relative to the case
 *   input.jsonl                  one source record per line: {"arrival", "partitionKey"?, "data"}
 *   expected/<OUTPUT>.jsonl      the rows each output must deliver, in order: ROWTIME plus the output's columns
 *   expected/<STREAM>.jsonl      (optional) the same for any other in-application stream
 *   expected/error_stream.jsonl  (optional) error_stream rows; ERROR_NAME and DATA_ROWTIME are compared
 *
 * The replay runs to the end of input with time then advancing to infinity, so every window closes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ApplicationShape } from '../../analytics/config.js';
import type { ReplayRecord, ReplayResult } from '../../analytics/replay.js';
import type { ColumnDef, Row } from '../../exec/arrow.js';
import { compareRows, type Comparison } from './compare.js';
import { loadReplay, streamSchemas, type ReplayFn } from './engine.js';
import { parseInputLines } from './input.js';
import { formatRow } from './values.js';

export const ERROR_FILE = 'error_stream';

export class CaseFileError extends Error {}

export interface GoldenCase {
  name: string;
  dir: string;
  code: string;
  config: ApplicationShape;
  records: ReplayRecord[];
  /** Expected rows by stream name (output names first), from expected/<NAME>.jsonl. */
  expected: Map<string, Record<string, unknown>[]>;
  /** Expected error_stream rows, when expected/error_stream.jsonl exists. */
  expectedErrors?: Record<string, unknown>[];
}

export interface SectionResult {
  /** Output or stream name, or 'error_stream'. */
  name: string;
  comparison: Comparison;
}

export interface CaseResult {
  name: string;
  dir: string;
  ok: boolean;
  /** Set when the case could not run (bad files, code that does not compile, an engine failure). */
  error?: string;
  sections: SectionResult[];
  /** Engine output, for --update. */
  result?: ReplayResult;
  schemas?: Map<string, ColumnDef[]>;
}

export function isCaseDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'app.sql')) && fs.existsSync(path.join(dir, 'app.json'));
}

/** Case directories named on the command line; a directory without app.sql stands for its case subdirectories. */
export function findCases(dirs: string[]): string[] {
  const out: string[] = [];
  for (const d of dirs) {
    if (isCaseDir(d) || !fs.existsSync(d) || !fs.statSync(d).isDirectory()) {
      out.push(d);
      continue;
    }
    const subs = fs.readdirSync(d, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(d, e.name)).filter(isCaseDir).sort();
    out.push(...(subs.length > 0 ? subs : [d]));
  }
  return out;
}

function read(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CaseFileError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** Rows of an expected `.jsonl` file (objects, one per line; blank lines skipped). */
export function parseExpectedLines(text: string, file: string): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('//')) return;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new CaseFileError(`${file}:${i + 1}: not JSON: ${(e as Error).message}`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CaseFileError(`${file}:${i + 1}: expected a JSON object (one row)`);
    rows.push(v as Record<string, unknown>);
  });
  return rows;
}

export function loadCase(dir: string): GoldenCase {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new CaseFileError(`${dir}: not a directory`);
  const code = read(path.join(dir, 'app.sql'));
  const configFile = path.join(dir, 'app.json');
  let config: ApplicationShape;
  try {
    config = JSON.parse(read(configFile)) as ApplicationShape;
  } catch (e) {
    if (e instanceof CaseFileError) throw e;
    throw new CaseFileError(`${configFile}: not JSON: ${(e as Error).message}`);
  }
  const inputFile = path.join(dir, 'input.jsonl');
  const records = parseInputLines(read(inputFile), inputFile);
  const expected = new Map<string, Record<string, unknown>[]>();
  let expectedErrors: Record<string, unknown>[] | undefined;
  const expDir = path.join(dir, 'expected');
  const files = fs.existsSync(expDir) ? fs.readdirSync(expDir).filter((f) => f.endsWith('.jsonl')).sort() : [];
  const outputNames = (config.Outputs ?? []).map((o) => o.Name);
  const byOutputOrder = (a: string, b: string) => {
    const ia = outputNames.indexOf(a), ib = outputNames.indexOf(b);
    return (ia < 0 ? 1e9 : ia) - (ib < 0 ? 1e9 : ib) || (a < b ? -1 : a > b ? 1 : 0);
  };
  for (const f of files.map((f) => f.slice(0, -'.jsonl'.length)).sort(byOutputOrder)) {
    const file = path.join(expDir, `${f}.jsonl`);
    const rows = parseExpectedLines(read(file), file);
    if (f === ERROR_FILE) expectedErrors = rows;
    else expected.set(f, rows);
  }
  return { name: path.basename(path.resolve(dir)), dir, code, config, records, expected, ...(expectedErrors ? { expectedErrors } : {}) };
}

/** Load and run one case; never throws (problems become `error`). */
export async function runCase(dir: string, options: { replay?: ReplayFn; update?: boolean } = {}): Promise<CaseResult> {
  const base = { name: path.basename(path.resolve(dir)), dir, sections: [] as SectionResult[] };
  let c: GoldenCase;
  try {
    c = loadCase(dir);
  } catch (e) {
    return { ...base, ok: false, error: (e as Error).message };
  }
  let result: ReplayResult;
  let schemas: Map<string, ColumnDef[]>;
  try {
    schemas = streamSchemas(c.code, c.config);
    const replay = options.replay ?? (await loadReplay());
    result = await replay(c.code, c.config, c.records, { referenceRoot: path.resolve(dir) });
  } catch (e) {
    return { ...base, ok: false, error: `${(e as Error).message}` };
  }
  const outcome = checkCase(c, result, schemas);
  if (options.update) writeExpected(c, result, schemas);
  return { ...outcome, result, schemas };
}

/** Compare a replay's result with a case's expected files. */
export function checkCase(c: GoldenCase, result: ReplayResult, schemas: Map<string, ColumnDef[]>): CaseResult {
  const sections: SectionResult[] = [];
  const problems: string[] = [];
  const outputNames = (c.config.Outputs ?? []).map((o) => o.Name);
  if (c.expected.size === 0 && c.expectedErrors === undefined) problems.push(`no expected/*.jsonl files (write them with --update)`);
  for (const name of outputNames) {
    if (name.toLowerCase() === ERROR_FILE) {
      if (!c.expectedErrors) problems.push(`missing expected/${ERROR_FILE}.jsonl for output ${name}`);
    } else if (!c.expected.has(name)) problems.push(`missing expected/${name}.jsonl for output ${name}`);
  }
  for (const [name, rows] of c.expected) {
    const actual = actualRows(result, name);
    if (!actual) {
      problems.push(`expected/${name}.jsonl names neither an output nor an in-application stream (outputs: ${outputNames.join(', ') || 'none'})`);
      continue;
    }
    sections.push({ name, comparison: compareRows(rows, actual, schemas.get(name)) });
  }
  if (c.expectedErrors) {
    sections.push({ name: ERROR_FILE, comparison: compareRows(c.expectedErrors, result.errors, schemas.get(ERROR_FILE), { key: 'DATA_ROWTIME', only: ['ERROR_NAME', 'DATA_ROWTIME'], ordered: false }) });
  }
  const ok = problems.length === 0 && sections.every((s) => s.comparison.ok);
  return { name: c.name, dir: c.dir, ok, sections, ...(problems.length ? { error: problems.join('\n') } : {}) };
}

function actualRows(result: ReplayResult, name: string): Row[] | undefined {
  return result.outputs[name] ?? result.streams[name];
}

export function toJsonl(rows: Row[], columns: ColumnDef[] | undefined): string {
  return rows.map((r) => JSON.stringify(formatRow(r, columns)) + '\n').join('');
}

/** error_stream rows as the expected file keeps them (only ERROR_NAME and DATA_ROWTIME are compared). */
export function errorsToJsonl(rows: Row[], columns: ColumnDef[] | undefined): string {
  return rows
    .map((r) => {
      const f = formatRow(r, columns);
      return JSON.stringify({ ERROR_NAME: f.ERROR_NAME, DATA_ROWTIME: f.DATA_ROWTIME, MESSAGE: f.MESSAGE, PUMP_NAME: f.PUMP_NAME }) + '\n';
    })
    .join('');
}

/** `--update`: rewrite expected/ from the run: every output, any other stream already expected, error_stream when non-empty. */
export function writeExpected(c: GoldenCase, result: ReplayResult, schemas: Map<string, ColumnDef[]>): string[] {
  const expDir = path.join(c.dir, 'expected');
  fs.mkdirSync(expDir, { recursive: true });
  const written: string[] = [];
  const names = [...new Set([...(c.config.Outputs ?? []).map((o) => o.Name), ...c.expected.keys()])].filter((n) => n.toLowerCase() !== ERROR_FILE);
  for (const name of names) {
    const rows = actualRows(result, name);
    if (!rows) continue;
    fs.writeFileSync(path.join(expDir, `${name}.jsonl`), toJsonl(rows, schemas.get(name)));
    written.push(`${name}.jsonl`);
  }
  const errFile = path.join(expDir, `${ERROR_FILE}.jsonl`);
  if (result.errors.length > 0) {
    fs.writeFileSync(errFile, errorsToJsonl(result.errors, schemas.get(ERROR_FILE)));
    written.push(`${ERROR_FILE}.jsonl`);
  } else if (fs.existsSync(errFile)) fs.rmSync(errFile);
  return written;
}

/** A case's result as text: `PASS name` or `FAIL name` with the differences. */
export function renderResult(r: CaseResult): string {
  if (r.ok) {
    const rows = r.sections.reduce((n, s) => n + s.comparison.actualCount, 0);
    return `PASS ${r.name} (${rows} row${rows === 1 ? '' : 's'})\n`;
  }
  let out = `FAIL ${r.name} (${r.dir})\n`;
  if (r.error) out += r.error.split('\n').map((l) => `  ${l}\n`).join('');
  for (const s of r.sections) {
    if (s.comparison.ok) continue;
    const { expectedCount: e, actualCount: a } = s.comparison;
    out += `  ${s.name}: expected ${e} row${e === 1 ? '' : 's'}, got ${a}; differences (- expected, + actual):\n`;
    const shown = s.comparison.diff.slice(0, 40);
    for (const line of shown) out += `    ${line}\n`;
    if (s.comparison.diff.length > shown.length) out += `    … ${s.comparison.diff.length - shown.length} more\n`;
  }
  return out;
}
