import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Runs every ```ts block of docs/embedding.md as a module: the examples assert what they show, so a wrong example
 * fails here.
 */
const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/embedding.md'), 'utf8');
const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const workDir = path.resolve(__dirname, '.examples');

describe('docs/embedding.md examples', () => {
  it('has examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  blocks.forEach((code, i) => {
    it(`example ${i + 1} runs`, async () => {
      fs.mkdirSync(workDir, { recursive: true });
      const file = path.join(workDir, `example-${i + 1}.ts`);
      fs.writeFileSync(file, code);
      try {
        await import(file);
      } finally {
        fs.rmSync(file);
      }
    });
  });
});
