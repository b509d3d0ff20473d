import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: reporters(),
    environment: 'node',
    // One provider and one Chromium per file; two cores: run files one after another.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // oidc-provider's development-mode notices (in-memory adapter, devInteractions, Node 20) are noise here.
    onConsoleLog: (log) => !/oidc-provider (WARNING|NOTICE)/.test(log),
  },
});
