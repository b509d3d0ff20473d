import { packageTestConfig } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';
import pkg from './package.json' with { type: 'json' };

export default defineConfig(
  packageTestConfig({
    config: {
      // The same define as tsup.config.ts, for tests that run the sources (src/internal/version.ts).
      define: { __KEYWAY_NODE_VERSION__: JSON.stringify(pkg.version) },
      // The CLI tests spawn the built bin: build it first when the sources are newer.
      test: { globalSetup: ['./test/global-setup.ts'], hookTimeout: 30_000 },
    },
  }),
);
