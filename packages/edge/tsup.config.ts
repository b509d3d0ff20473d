import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', hono: 'src/hono.ts' },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
});
