// End to end, as a release and a user see it: a real registry (verdaccio 6.8, in-process on 127.0.0.1, port 0,
// storage in a temp dir), every package published to it by `keyway-release publish` (pnpm publish), then
// installed with npm into a fresh project (`@keyway:registry` points at verdaccio; third-party deps come
// from the public registry) and used: every root entry imported, a mock discovered and a client-credentials
// token fetched through `mock.fetch`, both bins run. Then a prerelease goes out under `beta` and `latest`
// stays where it was.
//
// The registry is new on each run, so the workspace's own versions are published as they are; the
// prerelease is published from a temporary copy of one package with its version rewritten (never in the repo).
// It needs the packages built (`pnpm build`; turbo's `^build` does it for `pnpm test`).
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPackages } from '../src/packages.mjs';
import { releaseTagOf } from '../src/tags.mjs';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('../src/release.mjs', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const packages = loadPackages();
const version = (name: string) => packages.find((p) => p.name === name)?.version ?? 'missing';

let work: string;
let registry: string;
let server: Server | undefined;
let env: NodeJS.ProcessEnv;

/** Runs a command in the background (the registry shares this event loop), failing with its output. */
async function sh(cmd: string, args: string[], cwd: string) {
  try {
    return await run(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`, { cause: error });
  }
}

async function packument(name: string) {
  const res = await fetch(`${registry}${name.replace('/', '%2f')}`);
  expect(res.status, `${name} in the registry`).toBe(200);
  return (await res.json()) as {
    'dist-tags': Record<string, string>;
    versions: Record<string, { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> }>;
  };
}

beforeAll(async () => {
  expect(packages.map((p) => p.name)).toEqual([
    '@keyway/core',
    '@keyway/edge',
    '@keyway/mocks',
    '@keyway/node',
    '@keyway/openapi',
    '@keyway/token-store',
  ]);
  const unbuilt = packages.filter((p) => !existsSync(join(p.dir ?? '', 'dist/index.js')));
  if (unbuilt.length > 0) {
    throw new Error(`Not built: ${unbuilt.map((p) => p.name).join(', ')}. Run \`pnpm build\` first.`);
  }

  work = mkdtempSync(join(tmpdir(), 'keyway-release-'));
  const require = createRequire(import.meta.url);
  const { runServer } = require('verdaccio') as {
    runServer(config: Record<string, unknown>): Promise<Server>;
  };
  server = await runServer({
    self_path: join(work, 'verdaccio.yaml'),
    storage: join(work, 'storage'),
    auth: { htpasswd: { file: join(work, 'htpasswd'), max_users: 10 } },
    uplinks: {},
    packages: { '@keyway/*': { access: '$all', publish: '$authenticated' } },
    log: { type: 'stdout', format: 'pretty', level: 'error' },
    web: { enable: false },
  });
  const listening = server;
  await new Promise<void>((resolve, reject) => {
    listening.once('error', reject);
    listening.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  registry = `http://127.0.0.1:${port}/`;

  // A registry user, the way `npm adduser` makes one; its token goes in a user config of our own.
  const res = await fetch(`${registry}-/user/org.couchdb.user:release`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'release', password: 'release-e2e-password' }),
  });
  expect(res.status).toBe(201);
  const { token } = (await res.json()) as { token: string };
  const userconfig = join(work, 'user.npmrc');
  writeFileSync(userconfig, `//127.0.0.1:${port}/:_authToken=${token}\n`);
  env = {
    ...process.env,
    NPM_CONFIG_USERCONFIG: userconfig,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (work) {
    rmSync(work, { recursive: true, force: true });
  }
});

describe('keyway-release against a local registry', () => {
  it('publishes every package under latest, with workspace: and catalog: ranges rewritten', async () => {
    await Promise.all(
      packages.map(async (pkg) => {
        const tag = releaseTagOf(pkg);
        const { stdout } = await sh('node', [cli, 'publish', tag, '--registry', registry], work);
        expect(JSON.parse(stdout.trim().split('\n').at(-1) ?? '')).toMatchObject({
          package: pkg.name,
          version: pkg.version,
          distTag: 'latest',
          dryRun: false,
        });
      }),
    );
    for (const pkg of packages) {
      const doc = await packument(pkg.name);
      expect(doc['dist-tags']).toEqual({ latest: pkg.version });
      const manifest = doc.versions[pkg.version];
      const ranges = { ...manifest?.dependencies, ...manifest?.peerDependencies };
      for (const [dep, range] of Object.entries(ranges)) {
        expect(range, `${pkg.name} -> ${dep}`).not.toMatch(/^(workspace|catalog|link|file):/);
        if (dep.startsWith('@keyway/')) {
          expect(range, `${pkg.name} -> ${dep}`).toBe(`^${version(dep)}`);
        }
      }
    }
    expect((await packument('@keyway/core')).versions[version('@keyway/core')]?.dependencies).toMatchObject({
      '@keyway/openapi': `^${version('@keyway/openapi')}`,
      '@keyway/token-store': `^${version('@keyway/token-store')}`,
    });
  }, 180_000);

  it('installs with npm into a fresh project, imports, runs a flow and both bins', async () => {
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module' }));
    writeFileSync(join(app, '.npmrc'), `@keyway:registry=${registry}\n`);
    await sh(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', ...packages.map((p) => `${p.name}@latest`)],
      app,
    );
    for (const pkg of packages) {
      const installed = JSON.parse(readFileSync(join(app, 'node_modules', pkg.name, 'package.json'), 'utf8'));
      expect(installed.version).toBe(pkg.version);
      expect(JSON.stringify(installed)).not.toMatch(/"(workspace|catalog):/);
      expect(existsSync(join(app, 'node_modules', pkg.name, 'src'))).toBe(false);
    }

    writeFileSync(
      join(app, 'smoke.mjs'),
      `
import * as openapi from '@keyway/openapi';
import * as core from '@keyway/core';
import * as tokenStore from '@keyway/token-store';
import * as node from '@keyway/node';
import * as edge from '@keyway/edge';
import * as mocks from '@keyway/mocks';

const mock = mocks.createMockKeyway();
const client = await core.discover(mock.issuer, { clientId: 'test-client', clientSecret: 'test-secret', fetch: mock.fetch });
const tokens = await client.clientCredentials({});
const store = new tokenStore.MemoryTokenStore();
await store.set('k', tokens);
console.log(JSON.stringify({
  openapi: typeof openapi.operations,
  createKeywayClient: typeof core.createKeywayClient,
  authenticate: typeof node.authenticate,
  createVerifier: typeof edge.createVerifier,
  tokenType: tokens.token_type,
  jwt: tokens.access_token.split('.').length,
  stored: (await store.get('k'))?.access_token === tokens.access_token,
}));
`,
    );
    const smoke = await sh('node', ['smoke.mjs'], app);
    expect(JSON.parse(smoke.stdout)).toEqual({
      openapi: 'object',
      createKeywayClient: 'function',
      authenticate: 'function',
      createVerifier: 'function',
      tokenType: expect.stringMatching(/^bearer$/i),
      jwt: 3,
      stored: true,
    });

    const help = await sh('npx', ['--no-install', 'keyway', '--help'], app);
    expect(help.stdout).toContain('Usage: keyway <command>');

    const url = await new Promise<string>((resolve, reject) => {
      const child = spawn(join(app, 'node_modules/.bin/keyway-mock-server'), ['--port', '0', '--quiet'], {
        cwd: app,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let done = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`keyway-mock-server printed no URL:\n${out}`));
      }, 15_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)\r?\n/.exec(out);
        if (match?.[1] && !done) {
          done = true;
          clearTimeout(timer);
          const found = match[1];
          fetch(`${found}/.well-known/openid-configuration`)
            .then(async (res) => {
              expect(((await res.json()) as { issuer: string }).issuer).toBe(found);
              child.once('exit', () => resolve(found));
              child.kill('SIGTERM');
            })
            .catch((error) => {
              child.kill('SIGKILL');
              reject(error);
            });
        }
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
      });
      child.once('error', reject);
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  }, 90_000);

  // Each package ALONE: only its own name on npm's command line, so a dependency it forgot to declare (or a
  // type it borrows from a sibling) shows here. Every public entry (read from its package.json `exports`) is
  // type-checked by a strict consumer under bundler, node16 and nodenext resolution with skipLibCheck off; an
  // entry may fail only for want of a peer the package declares optional, and must pass once that peer is added.
  // Then every entry Node can load is imported.
  it.each(packages.map((p) => p.name))(
    'installs %s alone, type-checks every entry under bundler/node16/nodenext and imports it',
    async (name) => {
      const pkg = packages.find((p) => p.name === name);
      const manifest = JSON.parse(readFileSync(join(pkg?.dir ?? '', 'package.json'), 'utf8')) as {
        exports: Record<string, unknown>;
        peerDependenciesMeta?: Record<string, { optional?: boolean }>;
      };
      const optionalPeers = Object.entries(manifest.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional)
        .map(([peer]) => peer);
      const entries = Object.keys(manifest.exports)
        .filter((key) => key !== './package.json')
        .map((key) => (key === '.' ? name : `${name}/${key.slice(2)}`));

      const app = join(work, `alone-${name.replace('@keyway/', '')}`);
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'alone', private: true, type: 'module' }));
      writeFileSync(join(app, '.npmrc'), `@keyway:registry=${registry}\n`);
      await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', `${name}@latest`], app);
      const installed = (await sh('npm', ['ls', '--json', '--depth=0'], app)).stdout;
      expect(Object.keys((JSON.parse(installed) as { dependencies: object }).dependencies)).toEqual([name]);
      // The consumer's Node types, installed after the package so they cannot satisfy its dependencies; the
      // compiler is the workspace's own TypeScript (the version Keyway supports), run against the project.
      await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', '@types/node@20'], app);

      writeFileSync(
        join(app, 'entries.ts'),
        entries.map((entry, i) => `import * as entry${i} from '${entry}';\nexport { entry${i} };\n`).join(''),
      );
      const modes = {
        bundler: ['esnext', 'bundler'],
        node16: ['node16', 'node16'],
        nodenext: ['nodenext', 'nodenext'],
      };
      const typecheck = async (mode: keyof typeof modes) => {
        const [module, moduleResolution] = modes[mode];
        const config = join(app, `tsconfig.${mode}.json`);
        writeFileSync(
          config,
          JSON.stringify({
            compilerOptions: {
              strict: true,
              noEmit: true,
              skipLibCheck: false,
              target: 'es2022',
              lib: ['es2022', 'dom', 'dom.iterable'],
              types: ['node'],
              module,
              moduleResolution,
            },
            files: ['entries.ts'],
          }),
        );
        try {
          await run(process.execPath, [tsc, '-p', config], { cwd: app, env, maxBuffer: 16 * 1024 * 1024 });
          return '';
        } catch (error) {
          return String((error as { stdout?: string }).stdout ?? error);
        }
      };
      const missingModule = (output: string) =>
        [...output.matchAll(/Cannot find module '([^']+)'/g)].map((m) => m[1] ?? '');
      const failures = Object.fromEntries(
        await Promise.all((Object.keys(modes) as (keyof typeof modes)[]).map(async (m) => [m, await typecheck(m)])),
      ) as Record<keyof typeof modes, string>;
      const needed = new Set<string>();
      for (const [mode, output] of Object.entries(failures)) {
        if (output === '') {
          continue;
        }
        const missing = missingModule(output);
        const otherErrors = output
          .split('\n')
          .filter((line) => /error TS/.test(line) && !/Cannot find module/.test(line));
        expect({ mode, otherErrors }).toEqual({ mode, otherErrors: [] });
        for (const module of missing) {
          const peer = optionalPeers.find((p) => module === p || module.startsWith(`${p}/`));
          expect(peer, `${name} under ${mode}: '${module}' is not an optional peer of ${name}`).toBeDefined();
          needed.add(peer ?? '');
        }
      }
      if (needed.size > 0) {
        await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', ...needed], app);
        for (const mode of Object.keys(modes) as (keyof typeof modes)[]) {
          expect(await typecheck(mode), `${name} under ${mode} with ${[...needed].join(', ')}`).toBe('');
        }
      }

      // Every entry imported by Node. One that fails may fail only for an optional peer it names, and then loads
      // once that peer is installed.
      const importAll = async () =>
        JSON.parse(
          (
            await sh(
              'node',
              [
                '--input-type=module',
                '-e',
                `const out = {};
for (const entry of ${JSON.stringify(entries)}) {
  try { out[entry] = Object.keys(await import(entry)).length > 0 ? 'ok' : 'exports nothing'; }
  catch (error) { out[entry] = String(error.message); }
}
console.log(JSON.stringify(out));`,
              ],
              app,
            )
          ).stdout,
        ) as Record<string, string>;
      const firstTry = await importAll();
      const peersForImport = new Set<string>();
      for (const [entry, outcome] of Object.entries(firstTry)) {
        if (outcome === 'ok') {
          continue;
        }
        const missing = /Cannot find (?:package|module) '([^']+)'/.exec(outcome)?.[1] ?? '';
        const peer = optionalPeers.find((p) => missing === p || missing.startsWith(`${p}/`));
        expect(peer, `${entry} failed to import: ${outcome}`).toBeDefined();
        peersForImport.add(peer ?? '');
      }
      if (peersForImport.size > 0) {
        await sh(
          'npm',
          ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', ...peersForImport],
          app,
        );
      }
      const imported = peersForImport.size > 0 ? await importAll() : firstTry;
      expect(imported).toEqual(Object.fromEntries(entries.map((entry) => [entry, 'ok'])));
    },
    600_000,
  );

  it('publishes a prerelease under its identifier and leaves latest alone', async () => {
    const openapi = packages.find((p) => p.name === '@keyway/openapi');
    expect(openapi?.dir).toBeDefined();
    const [major, minor, patch] = version('@keyway/openapi').split('.').map(Number);
    const beta = `${major}.${minor}.${(patch ?? 0) + 1}-beta.1`;

    // A monorepo of one package: a copy of @keyway/openapi at the beta version, its dev-only fields dropped
    // (catalog: and workspace: ranges resolve only inside the real workspace).
    const root = join(work, 'prerelease');
    const dir = join(root, 'packages/openapi');
    mkdirSync(dir, { recursive: true });
    cpSync(join(openapi?.dir ?? '', 'dist'), join(dir, 'dist'), { recursive: true });
    cpSync(join(openapi?.dir ?? '', 'README.md'), join(dir, 'README.md'));
    const {
      devDependencies: _dev,
      scripts: _scripts,
      ...manifest
    } = JSON.parse(readFileSync(join(openapi?.dir ?? '', 'package.json'), 'utf8'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...manifest, version: beta }, null, 2));

    const check = await sh('node', [cli, 'tag-check', `openapi/v${beta}`, '--root', root], work);
    expect(JSON.parse(check.stdout)).toMatchObject({ package: '@keyway/openapi', version: beta, distTag: 'beta' });
    await sh('node', [cli, 'publish', `openapi/v${beta}`, '--registry', registry, '--root', root], work);

    const view = await sh('npm', ['view', '@keyway/openapi', 'dist-tags', '--json', '--registry', registry], work);
    expect(JSON.parse(view.stdout)).toEqual({ latest: version('@keyway/openapi'), beta });
    // What `npm install @keyway/openapi` picks is still the release.
    const resolved = await sh('npm', ['view', '@keyway/openapi', 'version', '--registry', registry], work);
    expect(resolved.stdout.trim()).toBe(version('@keyway/openapi'));
  }, 30_000);

  it('refuses a tag that is not the package.json version, publishing nothing', async () => {
    const refused = sh('node', [cli, 'publish', 'core/v99.0.0', '--registry', registry], work);
    await expect(refused).rejects.toThrow(/refused \[VERSION_MISMATCH\]/);
    await expect(refused).rejects.toMatchObject({ cause: { code: 1 } });
    const ignored = sh('node', [cli, 'publish', 'v99.0.0', '--registry', registry], work);
    await expect(ignored).rejects.toMatchObject({ cause: { code: 2 } });
    expect(Object.keys((await packument('@keyway/core')).versions)).toEqual([version('@keyway/core')]);
  });
});
