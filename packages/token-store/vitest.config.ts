import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: reporters(),
    // Two suites share two cores in CI; a loaded machine must not turn a slow test into a failure.
    testTimeout: 15_000,
    // The suites mostly wait (child processes, redis-server, workerd, Chromium, expiry sleeps): two files
    // at a time even on a two-core machine, where vitest's default would run one.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        // test/: suites that need processes, files, redis-server, workerd or Chromium.
        test: { name: 'node', environment: 'node', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      {
        extends: true,
        // Pure suites beside the code: the runtime-agnostic entries under Vercel's edge-runtime.
        test: { name: 'edge', environment: 'edge-runtime', include: ['src/**/*.test.ts'] },
      },
    ],
  },
});
