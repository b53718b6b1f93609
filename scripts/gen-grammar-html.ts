/**
 * Writes docs/grammar.html: railroad diagrams of the KDA SQL grammar, drawn from the parser's own definition
 * (chevrotain's createSyntaxDiagramsCode). The diagram scripts and CSS that chevrotain would load from a CDN are
 * inlined from the installed package, so the page works offline and matches the pinned chevrotain version.
 *
 *   npm run build && node dist/scripts/gen-grammar-html.js      (or: npm run grammar:html)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSyntaxDiagramsCode } from 'chevrotain';
import { sqlParser } from '../grammar/parser.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The project root, whether this runs from scripts/ or compiled from dist/scripts/. */
const root = path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '../..') : path.resolve(here, '..');

/** The installed chevrotain package's folder (its exports map hides package.json, so walk up from the entry). */
function chevrotainDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.resolve('chevrotain')));
  while (!fs.existsSync(path.join(dir, 'diagrams', 'diagrams.css')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

export function grammarHtml(): string {
  const diagrams = path.join(chevrotainDir(), 'diagrams');
  const html = createSyntaxDiagramsCode(sqlParser().getSerializedGastProductions(), { resourceBase: 'DIAGRAMS/', css: 'DIAGRAMS/diagrams.css' });
  const inline = (file: string) => fs.readFileSync(path.join(diagrams, file), 'utf8');
  return html
    .replace("<link rel='stylesheet' href='DIAGRAMS/diagrams.css'>", () => `<style>\n${inline('diagrams.css')}\n</style>`)
    .replace(/<script src='DIAGRAMS\/([^']+)'><\/script>/g, (_m, file: string) => `<script>\n${inline(file)}\n</script>`)
    .replace('<!DOCTYPE html>', '<!DOCTYPE html>\n<title>Sluice: the KDA SQL grammar</title>');
}

// Run as a script (not when imported by the test that checks the committed file is current).
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const out = path.join(root, 'docs', 'grammar.html');
  fs.writeFileSync(out, grammarHtml());
  console.log(`wrote ${out}`);
}
