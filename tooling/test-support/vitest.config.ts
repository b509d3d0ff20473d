import { defineConfig } from 'vitest/config';
// Relative, not the package name: the package's own tests run before (and without) its build.
import { packageTestConfig } from './src/vitest-config.ts';

export default defineConfig(
  packageTestConfig({ node: { include: ['src/**/*.test.ts'] }, config: { test: { testTimeout: 30_000 } } }),
);
