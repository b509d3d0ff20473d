import { reporters } from '@keyway/test-support';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: reporters(),
    projects: [
      // test/** runs Workers in workerd through miniflare: driven from Node only.
      {
        extends: true,
        test: { name: 'node', environment: 'node', include: ['src/**/*.test.ts', 'test/**/*.test.ts'] },
      },
      { extends: true, test: { name: 'edge', environment: 'edge-runtime', include: ['src/**/*.test.ts'] } },
    ],
  },
});
