import { defineConfig } from 'tsup';
import pkg from './package.json' with { type: 'json' };

export default defineConfig([
  {
    // `sync/worker`: the worker thread of the synchronous API, loaded by path (src/sync/internal/worker-url.ts).
    // `sync/bench-entry`: the bridge for tooling/bench, reached by path only (no `exports` entry).
    entry: {
      index: 'src/index.ts',
      cli: 'src/cli/index.ts',
      'sync/worker': 'src/sync/worker.ts',
      'sync/bench-entry': 'src/sync/bench-entry.ts',
    },
    format: ['esm'],
    dts: { entry: { index: 'src/index.ts' } },
    // The second build writes sync/guard.cjs at the same time: leave it alone.
    clean: ['!sync/guard.cjs', '!sync/guard.cjs.map'],
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
    // src/internal/version.ts: the version is package.json's, written into dist/ when it is built.
    define: { __KEYWAY_NODE_VERSION__: JSON.stringify(pkg.version) },
  },
  {
    // The worker's first preload (`--require`, so CommonJS): src/sync/guard.ts.
    entry: { 'sync/guard': 'src/sync/guard.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    clean: false,
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
  },
]);
