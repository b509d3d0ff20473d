import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: reporters(),
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
