import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { type PackedWorkspace, packWorkspace } from './packed.ts';

let packed: PackedWorkspace | undefined;
afterEach(() => {
  packed?.remove();
  packed = undefined;
});

it('packs a workspace package into a temporary directory as a file: specifier, and removes it', () => {
  packed = packWorkspace(['@keyway/openapi']);
  const spec = packed.tarballs['@keyway/openapi'] ?? '';
  expect(spec).toMatch(/^file:.*\/tarballs\/keyway-openapi-.+\.tgz$/);
  const file = spec.slice('file:'.length);
  expect(file.startsWith(packed.dir)).toBe(true);
  // What npm publish would ship: the manifest inside says the package's name, and no workspace: range.
  const manifest = execFileSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' });
  expect(JSON.parse(manifest).name).toBe('@keyway/openapi');
  expect(manifest).not.toContain('workspace:');
  packed.remove();
  expect(existsSync(packed.dir)).toBe(false);
});

it('refuses a name that is not a workspace package, naming it', () => {
  expect(() => packWorkspace(['@keyway/no-such-package'])).toThrow(
    /@keyway\/no-such-package is not a package of this workspace/,
  );
});
