import { describe, expect, it } from 'vitest';
import { defaultExclude } from 'vitest/config';
import { reporters } from './reporters.ts';
import { packageTestConfig } from './vitest-config.ts';

describe('packageTestConfig', () => {
  it('without edge: one Node run of src/ and test/, the reporters, 15 s per test', () => {
    expect(packageTestConfig()).toEqual({
      test: {
        reporters: reporters(),
        testTimeout: 15_000,
        environment: 'node',
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        exclude: defaultExclude,
      },
    });
  });

  it('with edge: a Node project and an edge-runtime project of the src/ suites', () => {
    const config = packageTestConfig({ edge: true });
    expect(config.test?.projects).toEqual([
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: defaultExclude,
        },
      },
      {
        extends: true,
        test: { name: 'edge', environment: 'edge-runtime', include: ['src/**/*.test.ts'], exclude: defaultExclude },
      },
    ]);
    expect(config.test).toMatchObject({ reporters: reporters(), testTimeout: 15_000 });
  });

  it('gives each runtime its own suites, exclusions and aliases', () => {
    const [node, edge] = packageTestConfig({
      node: { exclude: ['**/*.edge.test.ts'], alias: { '#server': '/src/server/node.ts' } },
      edge: { include: ['src/**/*.test.ts', 'test/**/*.test.ts'], alias: { '#server': '/src/server/none.ts' } },
    }).test!.projects as Array<Record<string, { include?: string[]; exclude?: string[]; alias?: unknown }>>;
    expect(node!.resolve).toEqual({ alias: { '#server': '/src/server/node.ts' } });
    expect(node!.test!.exclude).toEqual([...defaultExclude, '**/*.edge.test.ts']);
    expect(edge!.resolve).toEqual({ alias: { '#server': '/src/server/none.ts' } });
    expect(edge!.test!.include).toEqual(['src/**/*.test.ts', 'test/**/*.test.ts']);
    expect(edge!.test!.exclude).toEqual(defaultExclude);
  });

  it('merges the package’s own settings over the defaults', () => {
    const config = packageTestConfig({
      config: { define: { __VERSION__: '"1.2.3"' }, test: { testTimeout: 30_000, globalSetup: ['./setup.ts'] } },
    });
    expect(config.define).toEqual({ __VERSION__: '"1.2.3"' });
    expect(config.test).toMatchObject({ testTimeout: 30_000, globalSetup: ['./setup.ts'], environment: 'node' });
  });
});
