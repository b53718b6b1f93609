/**
 * One file per error class in errors/: plain SQL whose leading comment lines state every diagnostic expected, as
 * `-- CODE at LINE:COL-LINE:COL: message` (Arroyo-style). Line and column count from the top of the file, comment
 * included. The test fails on any missing, extra or different diagnostic.
 */
import { describe, expect, it } from 'vitest';
import { checkApplication, type Diagnostic } from '../../src/sql/index.js';
import { config, read, sqlFiles } from './helpers.js';

/** `CODE at L:C-L:C: message` for a diagnostic. */
export function describeDiagnostic(d: Diagnostic, code: string): string {
  return `${d.code} at ${d.span.line}:${d.span.column}-${position(code, d.span.end)}: ${d.message}`;
}

function position(code: string, offset: number): string {
  const before = code.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}

describe('error classes', () => {
  const files = sqlFiles('errors');
  it('has a file per error class', () => expect(files.length).toBeGreaterThanOrEqual(35));
  for (const file of files) {
    it(file, () => {
      const code = read('errors', file);
      const expected = [...code.matchAll(/^-- (SQL\d{3} at .*)$/gm)].map((m) => m[1]!);
      expect(expected.length, 'the file states at least one expected diagnostic').toBeGreaterThan(0);
      const result = checkApplication(code, config);
      expect(result.ok).toBe(false);
      expect(result.diagnostics.map((d) => describeDiagnostic(d, code))).toEqual(expected);
    });
  }
});
