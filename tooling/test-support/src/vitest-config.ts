import { defaultExclude, mergeConfig, type ViteUserConfig } from 'vitest/config';
import { reporters } from './reporters.ts';

/** Where one runtime's project of a package finds its suites. */
export interface RuntimeProject {
  /** Globs of the suites to run (defaults: Node `src/` and `test/`, edge-runtime `src/` only). */
  include?: string[];
  /** Globs to leave out, besides vitest's default (`node_modules`, `.git`). */
  exclude?: string[];
  /** Module aliases in this runtime only (what package.json `imports` resolve to there). */
  alias?: Record<string, string>;
}

/** What a package's vitest config says beyond the repository's defaults. */
export interface PackageTestOptions {
  /** The Node project (every package has one). */
  node?: RuntimeProject;
  /**
   * A second project running the suites again under Vercel's edge-runtime, for a runtime-agnostic package:
   * `true` for its `src/` suites, or where to find them.
   */
  edge?: boolean | RuntimeProject;
  /** Any other vitest settings (`define`, `test.globalSetup`, `test.maxWorkers`…), merged over the result. */
  config?: ViteUserConfig;
}

const NODE_INCLUDE = ['src/**/*.test.ts', 'test/**/*.test.ts'];
const EDGE_INCLUDE = ['src/**/*.test.ts'];

/** One runtime's settings as vitest's `resolve` and `test` fields. */
function project(name: string, environment: string, settings: RuntimeProject, include: string[]) {
  return {
    ...(settings.alias === undefined ? {} : { resolve: { alias: settings.alias } }),
    test: {
      name,
      environment,
      include: settings.include ?? include,
      exclude: [...defaultExclude, ...(settings.exclude ?? [])],
    },
  };
}

/**
 * The vitest config of a package in `packages/`: the repository's reporters (console plus the JSON report CI
 * sums), a 15 s test timeout (two suites share two cores in CI: a loaded machine must not turn a slow test
 * into a failure), its `src/` and `test/` suites under Node and, with `edge`, its `src/` suites again under
 * edge-runtime (`test/` suites spawn processes, servers and Workers: Node only). `config` is merged over it.
 *
 * @example
 * ```ts
 * // packages/<name>/vitest.config.ts
 * import { packageTestConfig } from '@keyway/test-support';
 * import { defineConfig } from 'vitest/config';
 *
 * export default defineConfig(packageTestConfig({ edge: true, config: { test: { maxWorkers: 2 } } }));
 * ```
 */
export function packageTestConfig(options: PackageTestOptions = {}): ViteUserConfig {
  const node = project('node', 'node', options.node ?? {}, NODE_INCLUDE);
  const base: ViteUserConfig = { test: { reporters: reporters(), testTimeout: 15_000 } };
  if (options.edge === undefined || options.edge === false) {
    const { name: _name, ...test } = node.test;
    return mergeConfig(mergeConfig(base, { ...node, test }), options.config ?? {});
  }
  const edge = project('edge', 'edge-runtime', options.edge === true ? {} : options.edge, EDGE_INCLUDE);
  const projects = [node, edge].map((runtime) => ({ extends: true, ...runtime }));
  return mergeConfig(mergeConfig(base, { test: { projects } }), options.config ?? {});
}
