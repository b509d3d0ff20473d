import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';
import { SANITY_MARKER } from './src/unhandled.ts';

// `pnpm fuzz` runs 20 000 cases per property: give each test the time that takes.
const runs = Number(process.env.FUZZ_RUNS ?? 300);

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    reporters: reporters(),
    environment: 'node',
    testTimeout: runs > 1000 ? 3_600_000 : 60_000,
    hookTimeout: 60_000,
    // The harness's own sanity checks leave marked unhandled rejections on purpose; anything else fails the run.
    onUnhandledError: (error) => !String((error as { message?: unknown })?.message ?? '').includes(SANITY_MARKER),
  },
});
