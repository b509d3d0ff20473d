/*
 * An esbuild plugin that resolves this package's own package.json `imports` (`#server`, `#msw`) the way a
 * bundler does for the published package — the first condition that matches, in the order package.json
 * lists them — but to the source file behind each dist target (`./dist/msw/unsupported.js` ->
 * `src/msw/unsupported.ts`), so tests that bundle the source need no build and still follow package.json.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

type Target = string | null | { [condition: string]: Target };

const root = new URL('../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  imports: Record<string, Target>;
};

/** The dist file package.json gives `specifier` under `conditions` (plus `import` and `default`). */
export function importTarget(specifier: string, conditions: readonly string[]): string | null {
  const active = new Set([...conditions, 'import', 'default']);
  let target: Target | undefined = manifest.imports[specifier];
  while (target !== null && typeof target === 'object') {
    const key: string | undefined = Object.keys(target).find((condition) => active.has(condition));
    target = key === undefined ? null : target[key];
  }
  return target ?? null;
}

/** Resolves `#…` imports under `conditions` to the source files behind their dist targets. */
export function packageImportsFromSource(conditions: readonly string[]): Plugin {
  return {
    name: 'keyway-mocks-package-imports',
    setup(build) {
      build.onResolve({ filter: /^#/ }, (args) => {
        const target = importTarget(args.path, conditions);
        const match = target?.match(/^\.\/dist\/(.+)\.js$/);
        if (!match) {
          return { errors: [{ text: `${args.path} has no target under [${conditions.join(', ')}]` }] };
        }
        return { path: fileURLToPath(new URL(`src/${match[1]}.ts`, root)) };
      });
    },
  };
}
