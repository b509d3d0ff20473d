import { defineConfig } from 'tsup';

// One public entry, split at dynamic imports: jose's signing half (src/oauth/jose-signing.ts) is its own
// chunk, loaded at first use, so `import '@keyway/core'` in Node does not load jose. Everything else
// stays in dist/index.js, one file for Node to load; bundlers drop what an app does not use from it
// because no module top level does work (tables are built by calls marked pure) and `sideEffects` is
// false. tooling/size pins both per entry point.
export default defineConfig({
  entry: { index: 'src/index.ts' },
  format: ['esm'],
  splitting: true,
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
});
