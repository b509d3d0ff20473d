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
  },
  format: ['esm'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  // `#server` is resolved by the consumer's runtime through package.json `imports` (node vs default).
  external: ['#server', /^node:/, 'vitest', 'msw', /^msw\//],
});
