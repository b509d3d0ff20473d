import { fileURLToPath } from 'node:url';
import { packageTestConfig } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

const source = (file: string) => fileURLToPath(new URL(`./src/${file}`, import.meta.url));

export default defineConfig(
  packageTestConfig({
    node: {
      exclude: ['**/*.edge.test.ts'],
      alias: { '#server': source('server/node.ts'), '#msw': source('msw/node.ts') },
    },
    edge: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: ['**/*.node.test.ts', '**/exports.test.ts'],
      // What package.json `imports` give Vercel Edge (`edge-light`): neither a server nor msw.
      alias: { '#server': source('server/unsupported.ts'), '#msw': source('msw/unsupported.ts') },
    },
  }),
);
