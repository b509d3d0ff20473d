import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

// The JSON report in .test-results/ is what the monorepo's CI sums.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    reporters: reporters(),
  },
});
