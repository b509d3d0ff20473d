import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: reporters(),
    // Two suites share two cores in CI; a loaded machine must not turn a slow test into a failure.
    testTimeout: 15_000,
    projects: [
      // test/** runs Workers in workerd through miniflare: driven from Node only.
      {
        extends: true,
        test: { name: 'node', environment: 'node', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'edge', environment: 'edge-runtime', include: ['src/**/*.test.ts'] } },
    ],
  },
});
