// Runs this example's suite against @keyway/mocks as users get it: the packed tarball installed
// into a fresh copy of the app (not the workspace link). Steps: pack @keyway/mocks and the workspace
// packages it depends on (@keyway/openapi, @keyway/token-store), copy the app into a temp dir,
// install the tarballs plus the registry deps (pnpm's store makes this offline-fast), run vitest there.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packWorkspace } from '@keyway/test-support';

const here = dirname(fileURLToPath(import.meta.url));
const app = resolve(here, '..');
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'inherit', env: { ...process.env, CI: '1' } });

// Packed (built first if need be) into a temporary directory, removed at the end unless KEEP_TMP=1.
const packed = packWorkspace(['@keyway/mocks'], 'keyway-example-');
try {
  // The same versions the workspace resolved, so the install is served from pnpm's store.
  const require = createRequire(join(app, 'package.json'));
  const version = (name) => JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;

  const copy = join(packed.dir, 'app');
  mkdirSync(copy);
  cpSync(join(app, 'src'), join(copy, 'src'), { recursive: true });
  cpSync(join(app, 'vitest.config.ts'), join(copy, 'vitest.config.ts'));
  writeFileSync(
    join(copy, 'package.json'),
    JSON.stringify(
      {
        name: 'keyway-example-packed',
        private: true,
        type: 'module',
        dependencies: { jose: version('jose') },
        // @keyway/openapi is imported for types; the others are there for the overrides to point at.
        devDependencies: { ...packed.tarballs, vitest: version('vitest') },
        // Nothing is published: the packages' dependencies on each other resolve to the tarballs too.
        pnpm: { overrides: packed.tarballs },
      },
      null,
      2,
    ),
  );
  run(
    'pnpm',
    ['install', '--prefer-offline', '--ignore-workspace', '--config.node-linker=isolated', '--reporter=append-only'],
    copy,
  );

  const installed = join(copy, 'node_modules/@keyway/mocks/package.json');
  if (!existsSync(installed) || existsSync(join(copy, 'node_modules/@keyway/mocks/src'))) {
    throw new Error('@keyway/mocks was not installed from its tarball');
  }
  const results = join(app, '.test-results/vitest.json');
  mkdirSync(dirname(results), { recursive: true });
  execFileSync('pnpm', ['exec', 'vitest', 'run'], {
    cwd: copy,
    stdio: 'inherit',
    env: { ...process.env, KEYWAY_TEST_RESULTS: results },
  });
} finally {
  packed.remove();
}
