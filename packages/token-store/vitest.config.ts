import { packageTestConfig } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

export default defineConfig(
  packageTestConfig({
    edge: true,
    // The suites mostly wait (child processes, redis-server, workerd, Chromium, expiry sleeps): two files
    // at a time even on a two-core machine, where vitest's default would run one.
    config: { test: { maxWorkers: 2 } },
  }),
);
