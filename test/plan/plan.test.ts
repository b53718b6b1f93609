/**
 * Planner tests as plain files (after Arroyo's): each `cases/NAME.sql` is application code over config.json. A file
 * whose first line is `-- error: MESSAGE` must fail planning with that message; any other must plan, and its EXPLAIN
 * (after the rewrite rules) must equal `cases/NAME.plan`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileProgram } from '../../src/exec/program.js';
import { explainPump } from '../../src/plan/explain.js';
import { PlanError } from '../../src/plan/errors.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(fs.readFileSync(path.join(here, 'config.json'), 'utf8'));
const cases = fs.readdirSync(path.join(here, 'cases')).filter((f) => f.endsWith('.sql')).sort();

function explainAll(code: string): string {
  const program = compileProgram(code, config);
  return program.pumps.map((p) => explainPump(p, program.relations.get(p.target)!.schema.map((c) => c.name))).join('\n\n') + '\n';
}

describe('planner cases', () => {
  it('has cases of both kinds', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });
  for (const file of cases) {
    const code = fs.readFileSync(path.join(here, 'cases', file), 'utf8');
    const expected = /^-- error: (.*)$/m.exec(code.split('\n')[0]!)?.[1];
    it(file, () => {
      if (expected) {
        expect(() => compileProgram(code, config)).toThrow(PlanError);
        expect(() => compileProgram(code, config)).toThrow(expected);
        return;
      }
      const golden = path.join(here, 'cases', file.replace(/\.sql$/, '.plan'));
      expect(explainAll(code)).toBe(fs.readFileSync(golden, 'utf8'));
    });
  }
});
