import { packageTestConfig } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

export default defineConfig(
  packageTestConfig({
    // Type tests (`*.test-d.ts`) run through tsc and count as tests; `pnpm typecheck` checks them too.
    config: { test: { typecheck: { enabled: true, include: ['src/**/*.test-d.ts'], tsconfig: './tsconfig.json' } } },
  }),
);
