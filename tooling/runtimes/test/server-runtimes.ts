/*
 * The server runtimes of the matrix — Node 22, Node 24, Deno, Bun — each a pinned npm package of
 * binaries/package.json (@keyway/runtime-binaries), and where each package leaves its native executable.
 *
 * binaries/ is a package of its own, a `file:` devDependency of @keyway/runtimes, because the `node`
 * package has a bin named `node`: as a direct dependency it would land in this package's node_modules/.bin,
 * where pnpm's shims (`vitest`, `tsc`) prefer it to the machine's Node.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ServerRuntimeName = 'node22' | 'node24' | 'deno' | 'bun';

/** What the driver reports about the runtime that ran it (src/driver.ts). */
export type Identity = {
  deno: string | null;
  denoGranted: string[] | null;
  bun: string | null;
  process: string | null;
};

export interface ServerRuntime {
  name: ServerRuntimeName;
  /** For test titles: `Node 22`, `Deno`. */
  title: string;
  /** The version pinned in binaries/package.json. */
  version: string;
  /** The export conditions the runtime resolves packages with, for the bundle. */
  conditions: string[];
  /** The arguments that run a module, before its path. */
  args: string[];
  /** What `navigator.userAgent` must say. */
  userAgent: string;
  /** The driver's identity of this runtime, except Deno's and Bun's `process.version` (a Node they emulate). */
  identity: Identity | Omit<Identity, 'process'>;
}

const manifestUrl = new URL('../binaries/package.json', import.meta.url);
const pins = (JSON.parse(readFileSync(manifestUrl, 'utf8')) as { dependencies: Record<ServerRuntimeName, string> })
  .dependencies;

/** `1.4.5` for `1.4.5`, `22.23.3` for `npm:node@22.23.3`. */
function pinned(name: ServerRuntimeName): string {
  const spec = pins[name];
  return spec.slice(spec.lastIndexOf('@') + 1);
}

const node = (name: 'node22' | 'node24', major: number): ServerRuntime => ({
  name,
  title: `Node ${major}`,
  version: pinned(name),
  conditions: ['node'],
  args: [],
  userAgent: `Node.js/${major}`,
  identity: { deno: null, denoGranted: null, bun: null, process: `v${pinned(name)}` },
});

export const serverRuntimes: ServerRuntime[] = [
  node('node22', 22),
  node('node24', 24),
  {
    name: 'deno',
    title: 'Deno',
    version: pinned('deno'),
    conditions: ['deno', 'node'],
    // No permission at all: the cases talk to the in-process mock, never to the network, env or disk.
    args: ['run', '--no-prompt', '--no-config', '--no-lock', '--no-remote'],
    userAgent: `Deno/${pinned('deno')}`,
    identity: { deno: pinned('deno'), denoGranted: [], bun: null },
  },
  {
    name: 'bun',
    title: 'Bun',
    version: pinned('bun'),
    conditions: ['bun', 'node'],
    args: ['run'],
    userAgent: `Bun/${pinned('bun')}`,
    identity: { deno: null, denoGranted: null, bun: pinned('bun') },
  },
];

/** ELF, Mach-O (both byte orders, universal) or PE: an executable, not a JS or shell stand-in. */
function isNativeExecutable(path: string): boolean {
  if (!existsSync(path)) {
    return false;
  }
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  const magic = head.toString('hex');
  return ['7f454c46', 'cffaedfe', 'feedfacf', 'cafebabe'].includes(magic) || magic.startsWith('4d5a');
}

/** Directory of a package as resolved from the directory of `from` (a package.json). */
function packageDir(from: string, name: string): string | undefined {
  try {
    return dirname(createRequire(from).resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

/**
 * Where the package may hold its executable, best first:
 * - `node`: its preinstall runs `npm install node-<os>-<arch>` and hard-links the binary to `bin/node`;
 * - `deno`: the binary ships in the platform's optional dependency (`@deno/linux-x64-glibc/deno`); the
 *   postinstall hard-links it to `deno/deno`;
 * - `bun`: the binary ships in the platform's optional dependency (`@oven/bun-linux-x64/bin/bun`); the
 *   postinstall MOVES it to `bun/bin/bun.exe` (a shell stub that prints an error until then).
 */
function candidates(name: ServerRuntimeName, dir: string): string[] {
  const platformDirs = () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      optionalDependencies?: Record<string, string>;
    };
    const names = Object.keys(manifest.optionalDependencies ?? {});
    return names.map((platform) => packageDir(join(dir, 'package.json'), platform)).filter((d) => d !== undefined);
  };
  switch (name) {
    case 'node22':
    case 'node24':
      return [join(dir, 'bin', 'node')];
    case 'deno':
      return [join(dir, 'deno'), ...platformDirs().map((d) => join(d, 'deno'))];
    case 'bun':
      return [join(dir, 'bin', 'bun.exe'), ...platformDirs().map((d) => join(d, 'bin', 'bun'))];
  }
}

/** The runtime's native executable; throws, saying what to do, when the install left none. */
export function executable(runtime: ServerRuntime): string {
  const fix =
    "Run `pnpm install` at the repository root; the package's install script must be allowed by " +
    "pnpm-workspace.yaml's onlyBuiltDependencies (`node`'s also needs `npm` on PATH and the registry).";
  const holder = packageDir(import.meta.url, '@keyway/runtime-binaries');
  if (!holder) {
    throw new Error(`${runtime.title}: @keyway/runtime-binaries (tooling/runtimes/binaries) is not installed. ${fix}`);
  }
  const dir = packageDir(join(holder, 'package.json'), runtime.name);
  if (!dir) {
    throw new Error(`${runtime.title}: the package ${runtime.name} (${pins[runtime.name]}) is not installed. ${fix}`);
  }
  const paths = candidates(runtime.name, dir);
  const found = paths.find(isNativeExecutable);
  if (!found) {
    throw new Error(`${runtime.title}: no ${runtime.title} executable in ${paths.join(' or ')}. ${fix}`);
  }
  return found;
}
