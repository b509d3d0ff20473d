import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { type PackedWorkspace, packWorkspace, withWorkspaceDependencies, workspacePackages } from './packed.ts';

let packed: PackedWorkspace | undefined;
afterEach(() => {
  packed?.remove();
  packed = undefined;
});

it('packs a workspace package into a temporary directory as a file: specifier, and removes it', () => {
  // @keyway/tsconfig: nothing to build, so this suite needs no other package built first.
  packed = packWorkspace(['@keyway/tsconfig']);
  const spec = packed.tarballs['@keyway/tsconfig'] ?? '';
  expect(spec).toMatch(/^file:.*\/tarballs\/keyway-tsconfig-.+\.tgz$/);
  const file = spec.slice('file:'.length);
  expect(file.startsWith(packed.dir)).toBe(true);
  // What npm publish would ship: the manifest and the package's `files`.
  const manifest = execFileSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' });
  expect(JSON.parse(manifest).name).toBe('@keyway/tsconfig');
  const files = execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  expect(files).toEqual(['package/base.json', 'package/package.json']); // its `files`, nothing else
  packed.remove();
  expect(existsSync(packed.dir)).toBe(false);
});

it('refuses a name that is not a workspace package, naming it', () => {
  expect(() => packWorkspace(['@keyway/no-such-package'])).toThrow(
    /@keyway\/no-such-package is not a package of this workspace/,
  );
});

it('packs the workspace packages a package depends on too, never its dev dependencies', () => {
  const all = workspacePackages();
  const closure = withWorkspaceDependencies(['@keyway/edge'], all);
  // @keyway/edge depends on @keyway/core and @keyway/token-store, and core on @keyway/openapi.
  expect(closure[0]).toBe('@keyway/edge');
  expect(closure).toEqual(expect.arrayContaining(['@keyway/core', '@keyway/token-store', '@keyway/openapi']));
  expect(closure).not.toContain('@keyway/mocks'); // a dev dependency of @keyway/edge
  expect(new Set(closure).size).toBe(closure.length);
  // A name given twice, or reached twice, is packed once.
  const twice = withWorkspaceDependencies(['@keyway/core', '@keyway/edge', '@keyway/core'], all);
  expect(twice.filter((name) => name === '@keyway/core')).toHaveLength(1);
});
