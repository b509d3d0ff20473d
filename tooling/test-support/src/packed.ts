import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo's root (this file is `tooling/test-support/{src,dist}/…`). */
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const GROUPS = ['packages', 'tooling', 'examples'] as const;

/** Tarballs of workspace packages, packed into a fresh temporary directory. */
export interface PackedWorkspace {
  /** The temporary directory: the tarballs are in its `tarballs/`; put the project that installs them next to it. */
  dir: string;
  /** A `file:` specifier of each packed tarball, by package name: what a `package.json` dependency takes. */
  tarballs: Record<string, string>;
  /** Deletes `dir`; with `KEEP_TMP=1` in the environment it is kept (and its path printed) to look into. */
  remove(): void;
}

/** The directory of a workspace package, by name (`@keyway/edge` → `<root>/packages/edge`). */
function packageDir(name: string): string {
  for (const group of GROUPS) {
    const base = join(REPO_ROOT, group);
    for (const dir of existsSync(base) ? readdirSync(base) : []) {
      const manifest = join(base, dir, 'package.json');
      if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name) {
        return join(base, dir);
      }
    }
  }
  throw new Error(`${name} is not a package of this workspace (looked in ${GROUPS.join(', ')}).`);
}

/**
 * Packs workspace packages with `pnpm pack` — what `npm publish` would ship, `workspace:` ranges
 * replaced by versions — into a new temporary directory, building first any package with a `build`
 * script and no `dist/` yet. For tests that install the packages as a user does, in a project outside the workspace.
 * A package's `@keyway/*` dependencies are not packed for it: list every one the install needs (and
 * point the project's overrides at their tarballs, as nothing is published).
 *
 * @example
 * ```ts
 * import { packWorkspace } from '@keyway/test-support';
 *
 * const packed = packWorkspace(['@keyway/openapi', '@keyway/mocks'], 'keyway-example-');
 * try {
 *   // write <packed.dir>/app/package.json with "@keyway/mocks": packed.tarballs['@keyway/mocks'], install, test
 * } finally {
 *   packed.remove();
 * }
 * ```
 */
export function packWorkspace(names: readonly string[], prefix = 'keyway-packed-'): PackedWorkspace {
  const dirs = names.map(packageDir);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => {
    if (process.env.KEEP_TMP === '1') {
      console.log(`kept ${dir}`);
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const unbuilt = names.filter((_, i) => {
      const manifest = JSON.parse(readFileSync(join(dirs[i] ?? '', 'package.json'), 'utf8'));
      return typeof manifest.scripts?.build === 'string' && !existsSync(join(dirs[i] ?? '', 'dist'));
    });
    if (unbuilt.length > 0) {
      execFileSync('pnpm', [...unbuilt.flatMap((name) => ['--filter', `${name}...`]), 'run', 'build'], {
        cwd: REPO_ROOT,
        stdio: 'inherit',
      });
    }
    const destination = join(dir, 'tarballs');
    mkdirSync(destination);
    const tarballs: Record<string, string> = {};
    for (const name of names) {
      const before = new Set(readdirSync(destination));
      execFileSync('pnpm', ['--filter', name, 'pack', '--pack-destination', destination], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      const file = readdirSync(destination).find((f) => f.endsWith('.tgz') && !before.has(f));
      if (!file) {
        throw new Error(`pnpm pack wrote no tarball for ${name} in ${destination}`);
      }
      tarballs[name] = `file:${join(destination, file)}`;
    }
    return { dir, tarballs, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
