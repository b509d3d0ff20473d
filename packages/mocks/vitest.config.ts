import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { reporters } from '../../tooling/scripts/vitest-reporters.ts';

const server = (file: string) => fileURLToPath(new URL(`./src/server/${file}`, import.meta.url));

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    reporters: reporters(),
    projects: [
      {
        extends: true,
        resolve: { alias: { '#server': server('node.ts') } },
        test: { name: 'node', environment: 'node', exclude: ['**/*.edge.test.ts', '**/node_modules/**'] },
      },
      {
        extends: true,
        resolve: { alias: { '#server': server('unsupported.ts') } },
        test: {
          name: 'edge',
          environment: 'edge-runtime',
          exclude: ['**/*.node.test.ts', '**/exports.test.ts', '**/node_modules/**'],
        },
      },
    ],
  },
});
