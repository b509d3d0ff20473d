import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';
import pkg from './package.json' with { type: 'json' };

export default defineConfig({
  // The same define as tsup.config.ts, for tests that run the sources (src/internal/version.ts).
  define: { __KEYWAY_CORE_VERSION__: JSON.stringify(pkg.version) },
  test: {
    reporters: reporters(),
    // Two suites share two cores in CI; a loaded machine must not turn a slow test into a failure.
    testTimeout: 15_000,
    projects: [
      // test/** spawns processes, a redis-server and real sockets: Node only.
      {
        extends: true,
        test: { name: 'node', environment: 'node', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'edge', environment: 'edge-runtime', include: ['src/**/*.test.ts'] } },
    ],
  },
});
