import { defineConfig } from 'tsup';
import pkg from './package.json' with { type: 'json' };

// One public entry, split at dynamic imports: jose's signing half (src/oauth/jose-signing.ts), what
// core uses of oauth4webapi (src/oauth/oauth-library.ts) and of openapi-fetch
// (src/internal/openapi-fetch-library.ts) are chunks of their own, loaded at first use, so
// `import '@keyway/core'` in Node loads none of jose, oauth4webapi and openapi-fetch. Everything else
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
  // src/internal/version.ts: the version is package.json's, written into dist/ when it is built.
  define: { __KEYWAY_CORE_VERSION__: JSON.stringify(pkg.version) },
});
