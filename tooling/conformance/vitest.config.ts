import { defineConfig } from 'vitest/config';
import { reporters } from '../../tooling/scripts/vitest-reporters.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    reporters: reporters(),
    environment: 'node',
    fileParallelism: false,
    testTimeout: 20_000,
  },
});
