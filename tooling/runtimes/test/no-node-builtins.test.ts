/*
 * The runtime-agnostic entries import no Node built-in anywhere in their built graph: starting from
 * each entry's `dist` file (resolved through package.json `exports` with the browser/worker
 * conditions), every relative import is followed inside the package, and every bare specifier it meets
 * is recorded. None may be `node:*` or a bare Node module name (`fs`, `crypto`, ...), and each must be
 * a dependency the package declares. The entries come from the packages' `exports` themselves
 * (tooling/scripts/agnostic-entries.mjs, shared with tooling/size): an entry whose conditions send
 * workers and browsers to `null` is Node-only by design and not checked (@keyway/node,
 * @keyway/token-store/file, @keyway/mocks/node, /vitest, /jest).
 */
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { agnosticEntries } from '../../scripts/agnostic-entries.mjs';

const here = dirname(new URL(import.meta.url).pathname);
const require = createRequire(import.meta.url);
const nodeBuiltins = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

interface Graph {
  /** Files of the package's dist that the entry reaches. */
  files: string[];
  /** Bare specifiers the graph imports (other packages or built-ins), sorted. */
  specifiers: string[];
}

/** Walks the graph of one entry: a package specifier (`@keyway/core`) or an absolute dist file. */
async function graphOf(entry: string): Promise<Graph> {
  const specifiers = new Set<string>();
  const recordBare: Plugin = {
    name: 'record-bare-specifiers',
    setup(b) {
      // Bare specifiers (not relative, not absolute, not package.json `imports` such as #server).
      b.onResolve({ filter: /^[^./#]/ }, (args) => {
        if (args.kind === 'entry-point') {
          return undefined;
        }
        specifiers.add(args.path);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [entry],
    absWorkingDir: join(here, '..'),
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    plugins: [recordBare],
    logLevel: 'silent',
  });
  return { files: Object.keys(result.metafile.inputs).sort(), specifiers: [...specifiers].sort() };
}

/** The package name of a bare specifier: `@scope/name` or `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function declaredDependencies(pkg: string): string[] {
  const manifest = JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
  return [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
}

const entries = agnosticEntries().map(({ specifier, pkg }) => ({ entry: specifier, pkg }));

describe('no Node built-ins in the runtime-agnostic entries (built dist)', () => {
  it('reads the entries from the exports: the agnostic ones in, the Node-only ones out', () => {
    const specifiers = entries.map(({ entry }) => entry);
    expect(specifiers).toEqual(
      expect.arrayContaining(['@keyway/core', '@keyway/edge', '@keyway/mocks', '@keyway/token-store/kv']),
    );
    for (const nodeOnly of ['@keyway/node', '@keyway/token-store/file', '@keyway/mocks/node', '@keyway/mocks/vitest']) {
      expect(specifiers).not.toContain(nodeOnly);
    }
  });

  it.each(entries)('$entry', async ({ entry, pkg }) => {
    const graph = await graphOf(entry);
    const dist = `packages/${pkg.slice('@keyway/'.length)}/dist/`;
    // The walk started in the built package and stayed there (dependencies are recorded, not walked).
    expect(graph.files.length).toBeGreaterThan(0);
    for (const file of graph.files) {
      expect(file).toContain(dist);
    }
    expect(graph.specifiers.filter((specifier) => nodeBuiltins.has(specifier))).toEqual([]);
    const declared = declaredDependencies(pkg);
    expect(graph.specifiers.map(packageName).filter((name) => !declared.includes(name))).toEqual([]);
  });

  it('the scan sees Node imports where they are meant to be: token-store/file and the mock server', async () => {
    const file = await graphOf(join(dirname(require.resolve('@keyway/token-store/package.json')), 'dist/file.js'));
    const server = await graphOf(join(dirname(require.resolve('@keyway/mocks/package.json')), 'dist/server/node.js'));
    expect(file.specifiers.filter((specifier) => nodeBuiltins.has(specifier))).toEqual(
      // tsup writes them without the `node:` prefix, so bare names count as much as `node:` ones.
      expect.arrayContaining(['fs/promises', 'path']),
    );
    expect(server.specifiers.filter((specifier) => nodeBuiltins.has(specifier))).toEqual(['http']);
  });
});
