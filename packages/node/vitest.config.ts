import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';
import pkg from './package.json' with { type: 'json' };

export default defineConfig({
  // The same define as tsup.config.ts, for tests that run the sources (src/internal/version.ts).
  define: { __KEYWAY_NODE_VERSION__: JSON.stringify(pkg.version) },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: reporters(),
    // The CLI tests spawn the built bin: build it first when the sources are newer.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 15_000,
    hookTimeout: 30_000,
  },
});
