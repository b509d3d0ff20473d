import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    reporters: reporters(),
    // beforeAll packs the packages, installs next with npm and runs `next build`: minutes, not seconds.
    hookTimeout: 15 * 60_000,
    testTimeout: 60_000,
  },
});
