import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

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
