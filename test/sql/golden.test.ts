/**
 * Golden tests: every SQL example of the dialect document, embedded in a whole application, parses and binds with no
 * diagnostic; so do the realistic applications in apps/ (against the shared config.json).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkApplication } from '../../src/sql/index.js';
import { config, here, problems, read, sqlFiles } from './helpers.js';

const doc = fs.readFileSync(path.resolve(here, '../../../shared/docs/kda-sql.md'), 'utf8');

describe('kda-sql.md examples', () => {
  const files = sqlFiles('kda-examples');
  it('covers the examples', () => expect(files.length).toBeGreaterThanOrEqual(12));
  for (const file of files) {
    it(file, () => {
      const code = read('kda-examples', file);
      const fragments = [...code.matchAll(/^-- doc: (.*)$/gm)].map((m) => m[1]!);
      expect(fragments.length).toBeGreaterThan(0);
      for (const f of fragments) expect(doc, `kda-sql.md no longer says: ${f}`).toContain(f);
      expect(problems(code, file)).toBe('');
      expect(checkApplication(code, config).program!.pumps.length).toBeGreaterThan(0);
    });
  }
});

describe('realistic applications', () => {
  const files = sqlFiles('apps');
  it('has at least 40 of them', () => expect(files.length).toBeGreaterThanOrEqual(40));
  for (const file of files) {
    it(file, () => {
      const code = read('apps', file);
      expect(problems(code, file)).toBe('');
      expect(checkApplication(code, config).program!.pumps.length).toBeGreaterThan(0);
    });
  }
});
