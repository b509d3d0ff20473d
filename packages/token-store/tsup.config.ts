import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    file: 'src/file.ts',
    redis: 'src/redis.ts',
    kv: 'src/kv.ts',
    web: 'src/web.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  // Only the Node-only `/file` entry imports these; every other entry stays runtime-agnostic.
  external: [/^node:/],
});
