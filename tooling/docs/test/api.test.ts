// The typedoc API reference of every public entry, warnings treated as errors.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { API_OUT, apiEntries, buildApi } from '../src/api.mjs';

const BUILD_TIMEOUT = 600_000; // typedoc over six packages; minutes only on a loaded machine

const temp = mkdtempSync(join(tmpdir(), 'keyway-api-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A one-package monorepo with the given manifest and files. */
function fixture(name: string, manifest: object, files: Record<string, string>): string {
  const root = join(temp, name);
  for (const [path, text] of Object.entries({ 'packages/a/package.json': JSON.stringify(manifest), ...files })) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('the entries', () => {
  it('are every exports key of every published package, mapped to its source', () => {
    const entries = apiEntries();
    expect(entries.map((entry) => entry.specifier)).toEqual(
      expect.arrayContaining([
        '@keyway/openapi',
        '@keyway/core',
        '@keyway/token-store',
        '@keyway/token-store/file',
        '@keyway/token-store/redis',
        '@keyway/token-store/kv',
        '@keyway/token-store/web',
        '@keyway/node',
        '@keyway/edge',
        '@keyway/mocks',
        '@keyway/mocks/vitest',
        '@keyway/mocks/jest',
        '@keyway/mocks/node',
      ]),
    );
    for (const entry of entries) {
      expect(existsSync(entry.source), entry.source).toBe(true);
    }
  });

  it('skip private packages and ./package.json, and refuse an export with no source', () => {
    const ok = fixture(
      'ok',
      { name: '@x/a', exports: { '.': { types: './dist/index.d.ts' }, './package.json': './package.json' } },
      {
        'packages/a/src/index.ts': 'export const a = 1;\n',
        'packages/b/package.json': '{"name":"@x/b","private":true}',
      },
    );
    expect(apiEntries(ok)).toEqual([
      { specifier: '@x/a', source: join(ok, 'packages/a/src/index.ts'), types: join(ok, 'packages/a/dist/index.d.ts') },
    ]);
    const missing = fixture('missing', { name: '@x/a', exports: { './sub': { types: './dist/sub.d.ts' } } }, {});
    expect(() => apiEntries(missing)).toThrow(
      '@x/a: exports["./sub"] types ./dist/sub.d.ts, but packages/a/src/sub.ts',
    );
    const untyped = fixture('untyped', { name: '@x/a', exports: { '.': { default: './dist/index.js' } } }, {});
    expect(() => apiEntries(untyped)).toThrow('@x/a: exports["."] has no ./dist/<name>.d.ts types');
  });
});

describe('typedoc', () => {
  it(
    'fails on a warning (a link to nothing) and writes nothing',
    async () => {
      const root = fixture(
        'warning',
        { name: '@x/a', exports: { '.': { types: './dist/index.d.ts' } } },
        {
          'packages/a/src/index.ts': '/** Like {@link nowhere}. */\nexport function a(): number {\n  return 1;\n}\n',
          'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true }, include: ['packages/a/src'] }),
        },
      );
      const out = join(root, 'api');
      const problems = await buildApi({ entries: apiEntries(root), tsconfig: join(root, 'tsconfig.json'), out });
      expect(problems.join('\n')).toMatch(/Failed to resolve link to "nowhere"/);
      expect(existsSync(out)).toBe(false);
    },
    BUILD_TIMEOUT,
  );

  it(
    'documents every public entry with no warning',
    async () => {
      const problems = await buildApi();
      expect(problems).toEqual([]);
      const index = readFileSync(join(API_OUT, 'index.html'), 'utf8');
      for (const { specifier } of apiEntries()) {
        expect(index).toContain(specifier);
      }
    },
    BUILD_TIMEOUT,
  );
});
