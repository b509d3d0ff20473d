import { defineConfig } from 'vitest/config';

// A standalone project: the JSON report (summed by the monorepo's CI) is configured here, not imported.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    reporters: ['default', ['json', { outputFile: '.test-results/vitest.json' }]],
  },
});
