import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Documentation examples import the package by name; tests run them against the sources.
    alias: { sluice: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests with real files can take a few seconds each on a 2-core machine.
    testTimeout: 60_000,
    pool: 'forks',
  },
});
