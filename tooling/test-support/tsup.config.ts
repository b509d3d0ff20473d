import { defineConfig } from 'tsup';

// Built (not imported as TypeScript) because every vitest.config.ts loads it, and vitest loads a config's
// package imports with Node itself, which on Node 20 cannot read TypeScript.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'node',
  // vitest: a dev dependency here, the one the calling config already runs.
  external: ['playwright-core', 'vitest'],
});
