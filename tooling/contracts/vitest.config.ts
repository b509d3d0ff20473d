import { defineConfig } from 'vitest/config';
import { reporters } from '../../tooling/scripts/vitest-reporters.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: reporters(),
    environment: 'node',
  },
});
