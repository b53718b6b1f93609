/** docs/grammar.html is generated from the grammar; this keeps the committed copy in step with the parser. */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { grammarHtml } from '../../scripts/gen-grammar-html.js';
import { here } from './helpers.js';

it('docs/grammar.html is current (regenerate with npm run grammar:html)', () => {
  const committed = fs.readFileSync(path.resolve(here, '../../docs/grammar.html'), 'utf8');
  const fresh = grammarHtml();
  expect(fresh).toContain('"name": "functionCall"');
  expect(fresh).not.toContain('unpkg.com');
  expect(committed === fresh, 'docs/grammar.html is stale').toBe(true);
});
