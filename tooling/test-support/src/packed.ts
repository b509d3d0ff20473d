import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The monorepo's root (this file is `tooling/test-support/{src,dist}/…`). */
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const GROUPS = ['packages', 'tooling', 'examples'] as const;

/** Tarballs of workspace packages, packed into a fresh temporary directory. */
export interface PackedWorkspace {
  /** The temporary directory: the tarballs are in its `tarballs/`; put the project that installs them next to it. */
  dir: string;
  /**
   * A `file:` specifier of each packed tarball, by package name — the packages asked for and the workspace
   * packages they depend on: what a `package.json` dependency (or an override) takes.
   */
  tarballs: Record<string, string>;
  /** Deletes `dir`; with `KEEP_TMP=1` in the environment it is kept (and its path printed) to look into. */
  remove(): void;
}

interface WorkspacePackage {
  dir: string;
  manifest: {
    name?: string;
    scripts?: Record<string, string>;
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
  };
}

/** Every package of the workspace, by name. */
export function workspacePackages(): Map<string, WorkspacePackage> {
  const found = new Map<string, WorkspacePackage>();
  for (const group of GROUPS) {
    const base = join(REPO_ROOT, group);
    for (const dir of existsSync(base) ? readdirSync(base) : []) {
      const file = join(base, dir, 'package.json');
      if (existsSync(file)) {
        const manifest = JSON.parse(readFileSync(file, 'utf8'));
        found.set(manifest.name, { dir: join(base, dir), manifest });
      }
    }
  }
  return found;
}

/**
 * `names` and, recursively, the workspace packages they depend on (`dependencies`, `optionalDependencies`,
 * `peerDependencies`; never `devDependencies`): everything a user's install of `names` fetches from us.
 */
export function withWorkspaceDependencies(names: readonly string[], all: Map<string, WorkspacePackage>): string[] {
  const closure: string[] = [];
  const visit = (name: string) => {
    if (closure.includes(name)) {
      return;
    }
    const pkg = all.get(name);
    if (!pkg) {
      throw new Error(`${name} is not a package of this workspace (looked in ${GROUPS.join(', ')}).`);
    }
    closure.push(name);
    const { dependencies, optionalDependencies, peerDependencies } = pkg.manifest;
    for (const dependency of Object.keys({ ...dependencies, ...optionalDependencies, ...peerDependencies })) {
      if (all.has(dependency)) {
        visit(dependency);
      }
    }
  };
  for (const name of names) {
    visit(name);
  }
  return closure;
}

/**
 * Packs workspace packages with `pnpm pack` — what `npm publish` would ship, `workspace:` ranges
 * replaced by versions — into a new temporary directory, together with the workspace packages they
 * depend on (nothing is published, so an install needs those tarballs too), building first any package
 * with a `build` script and no `dist/` yet. For tests that install the packages as a user does, in a
 * project outside the workspace: list each tarball as a dependency and point the project's overrides at
 * them, so that the packages' dependencies on each other resolve to the tarballs as well.
 *
 * @example
 * ```ts
 * import { packWorkspace } from '@keyway/test-support';
 *
 * const packed = packWorkspace(['@keyway/mocks'], 'keyway-example-'); // also packs @keyway/openapi, ...
 * try {
 *   // write <packed.dir>/app/package.json with every packed.tarballs entry as a dependency, install, test
 * } finally {
 *   packed.remove();
 * }
 * ```
 */
export function packWorkspace(names: readonly string[], prefix = 'keyway-packed-'): PackedWorkspace {
  const all = workspacePackages();
  const packages = withWorkspaceDependencies(names, all);
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = () => {
    if (process.env.KEEP_TMP === '1') {
      console.log(`kept ${dir}`);
    } else {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    const unbuilt = packages.filter((name) => {
      const pkg = all.get(name);
      return typeof pkg?.manifest.scripts?.build === 'string' && !existsSync(join(pkg.dir, 'dist'));
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
    for (const name of packages) {
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

/** What {@link npmProject} makes: which files of the example, and what the user's package.json depends on. */
export interface NpmProjectOptions {
  /** The example's directory, whose `files` are copied. */
  from: string;
  /** Files and directories of `from` to copy (`src`, `bin`, ...). */
  files: readonly string[];
  /** Keyway packages the user installs (each from its tarball in `packed`). */
  keyway: readonly string[];
  /** Other dependencies, as a user writes them (`{ hono: '4.13.19' }`), from the registry. */
  dependencies?: Record<string, string>;
  /** More package.json fields (`name`, `bin`, `scripts`, ...). */
  manifest?: Record<string, unknown>;
}

/**
 * A fresh npm project beside `packed`'s tarballs, made as a user makes one: the example's files copied, a
 * `package.json` that depends on the named Keyway packages' tarballs (their Keyway dependencies pinned to
 * the tarballs too, by `overrides`, since this version may not be on the registry), then `npm install`.
 * The `npm_*` variables pnpm sets for a test are pnpm's settings, not the user's: npm runs without them.
 * Resolves to the project's directory.
 *
 * @example
 * ```ts
 * import { npmProject, packWorkspace } from '@keyway/test-support';
 * const packed = packWorkspace(['@keyway/edge']);
 * const project = await npmProject(packed, { from: '/path/to/example', files: ['src'], keyway: ['@keyway/edge'] });
 * packed.remove();
 * ```
 */
export async function npmProject(packed: PackedWorkspace, options: NpmProjectOptions): Promise<string> {
  const project = join(packed.dir, 'project');
  mkdirSync(project);
  for (const file of options.files) {
    cpSync(join(options.from, file), join(project, file), { recursive: true });
  }
  const tarball = (name: string) => {
    const specifier = packed.tarballs[name];
    if (specifier === undefined) {
      throw new Error(`${name} was not packed: name it in packWorkspace()`);
    }
    return specifier;
  };
  const manifest = {
    name: 'keyway-user-project',
    private: true,
    type: 'module',
    dependencies: {
      ...Object.fromEntries(options.keyway.map((name) => [name, tarball(name)])),
      ...options.dependencies,
    },
    overrides: { ...packed.tarballs },
    ...options.manifest,
  };
  writeFileSync(join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('npm_')));
  await promisify(execFile)('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd: project,
    env,
  });
  return project;
}
