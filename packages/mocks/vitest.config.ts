import { fileURLToPath } from 'node:url';
import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

const source = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: reporters(),
    // Two suites share two cores in CI; a loaded machine must not turn a slow test into a failure.
    testTimeout: 15_000,
    projects: [
      {
        extends: true,
        resolve: { alias: { '#server': source('server/node.ts'), '#msw': source('msw/node.ts') } },
        test: { name: 'node', environment: 'node', exclude: ['**/*.edge.test.ts', '**/node_modules/**'] },
      },
      {
        extends: true,
        // What package.json `imports` give Vercel Edge (`edge-light`): neither a server nor msw.
        resolve: { alias: { '#server': source('server/unsupported.ts'), '#msw': source('msw/unsupported.ts') } },
        test: {
          name: 'edge',
          environment: 'edge-runtime',
          exclude: ['**/*.node.test.ts', '**/exports.test.ts', '**/node_modules/**'],
        },
      },
    ],
  },
});
