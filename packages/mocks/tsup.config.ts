import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    vitest: 'src/vitest.ts',
    jest: 'src/jest.ts',
    node: 'src/node.ts',
    'bin/keyway-mock-server': 'src/bin/keyway-mock-server.ts',
    'server/node': 'src/server/node.ts',
    'server/unsupported': 'src/server/unsupported.ts',
    'msw/handlers': 'src/msw/handlers.ts',
    'msw/unsupported': 'src/msw/unsupported.ts',
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  // `#server` and `#msw` are resolved by the consumer's runtime through package.json `imports`
  // (node vs default; workerd, edge-light and worker vs default).
  external: ['#server', '#msw', /^node:/, 'vitest', 'msw', /^msw\//],
});
