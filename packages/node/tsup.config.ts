import { defineConfig } from 'tsup';

export default defineConfig({
  // `sync/worker`: the worker thread of the synchronous API, loaded by path (src/sync/internal/worker-url.ts).
  entry: { index: 'src/index.ts', cli: 'src/cli/index.ts', 'sync/worker': 'src/sync/worker.ts' },
  format: ['esm'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'node',
});
