import { defineConfig } from 'vitest/config';
// Relative, not the package name: the package's own tests run before (and without) its build.
import { reporters } from './src/reporters.ts';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: reporters(),
    environment: 'node',
    testTimeout: 30_000,
  },
});
