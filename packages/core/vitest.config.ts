import { packageTestConfig } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';
import pkg from './package.json' with { type: 'json' };

export default defineConfig(
  packageTestConfig({
    edge: true,
    // The same define as tsup.config.ts, for tests that run the sources (src/internal/version.ts).
    config: { define: { __KEYWAY_CORE_VERSION__: JSON.stringify(pkg.version) } },
  }),
);
