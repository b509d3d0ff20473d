import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    reporters: reporters(),
    // Packing four packages and an npm install into a fresh project come first.
    hookTimeout: 180_000,
    testTimeout: 60_000,
  },
});
