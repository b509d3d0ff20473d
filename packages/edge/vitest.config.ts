import { defineConfig } from 'vitest/config';
import { reporters } from '../../tooling/scripts/vitest-reporters.ts';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: reporters(),
    // Filled by the Node/edge target issues; until then the package has no tests to run.
    passWithNoTests: true,
    projects: [
      { extends: true, test: { name: 'node', environment: 'node' } },
      { extends: true, test: { name: 'edge', environment: 'edge-runtime' } },
    ],
  },
});
