import { defineConfig } from 'vitest/config';

// Also run from a temporary copy by scripts/test-packed.mjs, so no import from the monorepo here:
// the JSON report path comes from the environment.
const results = process.env.KEYWAY_TEST_RESULTS ?? '.test-results/vitest.json';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', ['json', { outputFile: results }]],
  },
});
