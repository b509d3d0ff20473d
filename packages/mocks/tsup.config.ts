import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

const source = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

/** What the CommonJS builds share: Node, everything bundled but the optional msw. */
const commonJs: Options = {
  format: ['cjs'],
  dts: true,
  // Readable as it is (not minified); a map would double the package for one entry.
  sourcemap: false,
  target: 'es2022',
  platform: 'node',
  shims: true,
  noExternal: [/^(?!msw(\/|$)).*/],
  external: ['msw', /^msw\//],
  esbuildOptions(options) {
    options.alias = { '#server': source('server/node.ts'), '#msw': source('msw/node.ts') };
  },
};

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      vitest: 'src/vitest.ts',
      jest: 'src/jest.ts',
      node: 'src/node.ts',
      playwright: 'src/playwright.ts',
      msw: 'src/msw.ts',
      'bin/keyway-mock-server': 'src/bin/keyway-mock-server.ts',
      'server/node': 'src/server/node.ts',
      'server/unsupported': 'src/server/unsupported.ts',
      'msw/browser': 'src/msw/browser.ts',
      'msw/node': 'src/msw/node.ts',
      'msw/unsupported': 'src/msw/unsupported.ts',
    },
    format: ['esm'],
    dts: true,
    // No `clean`: the configs build in parallel and tsup would delete the other's declarations. The
    // build script empties dist/ first.
    sourcemap: true,
    target: 'es2022',
    platform: 'neutral',
    // `#server` and `#msw` are resolved by the consumer's runtime through package.json `imports`
    // (node vs default; workerd, edge-light and worker vs default).
    external: ['#server', '#msw', /^node:/, 'vitest', 'msw', /^msw\//],
  },
  {
    // `require('@keyway/mocks')` for jest's default (CommonJS) setup: jest's module system loads
    // neither ES modules nor `import()` without --experimental-vm-modules. So this one file holds all
    // the root runs in Node — the mock, its Node server, jose — and only the optional msw stays outside
    // (required when used). A separate copy of the mock: its errors are still recognised by their brands.
    ...commonJs,
    entry: { index: 'src/index.ts' },
  },
  {
    // `require('@keyway/mocks/jest')`: jest's hooks around the mock of index.cjs (required, not copied:
    // a suite that requires both gets one mock). tsup's CommonJS code splitting is experimental and
    // breaks jose's class fields, hence a plugin instead.
    ...commonJs,
    entry: { jest: 'src/jest.ts' },
    esbuildPlugins: [
      {
        name: 'mock-from-index-cjs',
        setup(build) {
          build.onResolve({ filter: /\/create-mock-keyway\.js$/ }, () => ({ path: './index.cjs', external: true }));
        },
      },
    ],
  },
]);
