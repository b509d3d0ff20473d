// The example as a user runs it: @keyway/edge and its workspace dependencies (plus @keyway/mocks) packed
// into tarballs, the app copied into a temporary npm project with next and react, `next build` (which
// compiles middleware.ts for the edge runtime and type-checks the app), then `next start` on 127.0.0.1
// with a @keyway/mocks server as the issuer, and real HTTP requests.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MockKeyway, MockServer } from '@keyway/mocks';
import { freePort, type PackedWorkspace, packWorkspace } from '@keyway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The check tooling/docs runs on every README block, run here against this project's node_modules (real
// next types): tooling/docs cannot check @keyway/edge's Next.js block, as the workspace installs no next.
import { checkSnippets, formatFindings, markdownSnippets } from '../../../tooling/docs/src/snippets.mjs';

/** The versions the example is tested with (Next 15: its middleware runs on the edge runtime). */
const VERSIONS = {
  next: '15.5.29',
  react: '19.3.1',
  'react-dom': '19.3.1',
  '@types/react': '19.3.3',
  '@types/react-dom': '19.3.0',
};
const AUDIENCE = 'https://app.example.com';
/** What the example's files are; everything else in this directory (test/, README.md) is not the app. */
const APP_FILES = ['app', 'middleware.ts', 'next.config.mjs', 'tsconfig.json'];

const example = resolve(fileURLToPath(import.meta.url), '../..');
const repo = resolve(example, '../..');
const workspaceVersion = (name: string): string => {
  const require = createRequire(join(example, 'package.json'));
  return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
};

/**
 * Every process this suite starts, killed on every way out: afterAll, this worker's exit, and (in the same
 * process group, not detached) an interrupt in the terminal, which reaches them as it reaches vitest.
 */
const children = new Set<ChildProcess>();
const killAll = () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
    }
  }
};
process.once('exit', killAll);

function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Runs a command to its end; resolves with its output, rejects with the output when it fails. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = start(command, args, cwd, env);
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) {
        resolvePromise(output);
      } else {
        reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? code}):\n${output}`));
      }
    });
  });
}

interface NextServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * `next start` on 127.0.0.1, port 0 (the system picks one; Next prints it): resolves once it says it is
 * ready, with its URL; rejects if it exits first.
 */
async function startNext(cwd: string, env: NodeJS.ProcessEnv): Promise<NextServer> {
  const child = start(process.execPath, [nextBin(cwd), 'start', '-H', '127.0.0.1', '-p', '0'], cwd, env);
  const url = await new Promise<string>((resolvePromise, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk;
      const local = /- Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (local?.[1] && /Ready in/.test(output)) {
        resolvePromise(local[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`next start exited (${signal ?? code}):\n${output}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolvePromise) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolvePromise();
          return;
        }
        child.once('exit', () => resolvePromise());
        child.kill('SIGTERM');
      }),
  };
}

const nextBin = (app: string) => join(app, 'node_modules/next/dist/bin/next');

/** The environment of the Next processes: production, no telemetry, not vitest's NODE_ENV=test, no outside KEYWAY_*. */
function nextEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { KEYWAY_ISSUER: _issuer, KEYWAY_AUDIENCE: _audience, ...env } = process.env;
  return { ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...extra };
}

let packed: PackedWorkspace | undefined;
let app = '';
let buildOutput = '';
let mock: MockKeyway;
let issuerServer: MockServer | undefined;
let mocks: typeof import('@keyway/mocks');
let next: NextServer | undefined;

beforeAll(async () => {
  // With the workspace packages they depend on: @keyway/core, @keyway/token-store, @keyway/openapi.
  packed = packWorkspace(['@keyway/edge', '@keyway/mocks'], 'keyway-nextjs-');
  app = join(packed.dir, 'app');
  mkdirSync(app);
  for (const file of APP_FILES) {
    cpSync(join(example, file), join(app, file), { recursive: true });
  }
  const { '@keyway/mocks': mocksTarball, ...keyway } = packed.tarballs;
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify(
      {
        name: 'keyway-nextjs-middleware-packed',
        private: true,
        scripts: { build: 'next build', start: 'next start' },
        dependencies: { ...keyway, next: VERSIONS.next, react: VERSIONS.react, 'react-dom': VERSIONS['react-dom'] },
        devDependencies: {
          '@keyway/mocks': mocksTarball,
          '@types/node': workspaceVersion('@types/node'),
          '@types/react': VERSIONS['@types/react'],
          '@types/react-dom': VERSIONS['@types/react-dom'],
          typescript: workspaceVersion('typescript'),
        },
        // Nothing is published: the packages' dependencies on each other resolve to the tarballs too.
        overrides: Object.fromEntries(Object.keys(keyway).map((name) => [name, `$${name}`])),
      },
      null,
      2,
    ),
  );
  const installEnv: NodeJS.ProcessEnv = { ...process.env, npm_config_update_notifier: 'false' };
  delete installEnv.NODE_ENV; // NODE_ENV=production would make npm leave out typescript, which next build needs
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], app, installEnv);
  buildOutput = await run(process.execPath, [nextBin(app), 'build'], app, nextEnv());

  const require = createRequire(join(app, 'package.json'));
  mocks = await import(pathToFileURL(require.resolve('@keyway/mocks')).href);
  mock = mocks.createMockKeyway();
  issuerServer = await mock.listen();
  next = await startNext(app, nextEnv({ KEYWAY_ISSUER: mock.issuer, KEYWAY_AUDIENCE: AUDIENCE }));
});

afterAll(async () => {
  await next?.stop();
  await issuerServer?.close();
  killAll();
  packed?.remove();
});

const get = (path: string, token?: string, headers: Record<string, string> = {}) =>
  fetch(`${next?.url}${path}`, { headers: token ? { ...headers, authorization: `Bearer ${token}` } : headers });

/** A token from the example's issuer that the middleware accepts; `claims` override. */
const goodToken = (claims: Record<string, unknown> = {}) =>
  mock.mintAccessToken({ sub: 'usr_1', aud: AUDIENCE, scope: 'api:read', ...claims });

describe('next build', () => {
  it('installed the Keyway packages from their tarballs, not the workspace', () => {
    const names = Object.keys(packed?.tarballs ?? {}).sort();
    expect(names).toEqual(['@keyway/core', '@keyway/edge', '@keyway/mocks', '@keyway/openapi', '@keyway/token-store']);
    for (const name of names) {
      const dir = join(app, 'node_modules', name);
      expect(existsSync(join(dir, 'package.json')), name).toBe(true);
      expect(existsSync(join(dir, 'src')), `${name} has no src/ in its tarball`).toBe(false);
    }
  });

  it('compiles middleware.ts for the edge runtime, matching /api only', () => {
    // Every function in the middleware manifest runs on the edge runtime (Node middleware would be in
    // functions-config-manifest.json with runtime "nodejs").
    const manifest = JSON.parse(readFileSync(join(app, '.next/server/middleware-manifest.json'), 'utf8'));
    expect(manifest.sortedMiddleware).toEqual(['/']);
    expect(manifest.middleware['/'].name).toBe('middleware');
    expect(manifest.middleware['/'].matchers.map((m: { originalSource: string }) => m.originalSource)).toEqual([
      '/api/:path*',
    ]);
  });

  it('finds no Node.js module in the edge bundle, and no Node.js API beyond three known, harmless ones', () => {
    // What Next's edge compiler flags in the dependencies, none of it reached when verifying a token:
    // jose's JWE inflate (CompressionStream, DecompressionStream: Keyway decrypts nothing, and the edge
    // runtime has both anyway) and openapi-fetch's feature test `typeof process === "object" && process.versions…`.
    const known = ['CompressionStream', 'DecompressionStream', 'process.versions'];
    expect(buildOutput).toMatch(/ƒ Middleware/); // the build's own report lists the middleware bundle
    expect(buildOutput).not.toMatch(/A Node\.js module is loaded/);
    const apis = new Set([...buildOutput.matchAll(/A Node\.js API is used \(([\w.]+)/g)].map((match) => match[1]));
    expect([...apis].filter((api) => !known.includes(api ?? ''))).toEqual([]);
  });
  it('is built with the versions the README tells a user to install', () => {
    const readme = readFileSync(join(example, 'README.md'), 'utf8');
    const { react } = VERSIONS;
    expect(readme).toContain(`npm install next@${VERSIONS.next} react@${react} react-dom@${react} @keyway/edge`);
  });

  it('type-checks the Next.js block of the @keyway/edge README against next, strict (bundler and nodenext)', () => {
    const source = 'packages/edge/README.md';
    const blocks = markdownSnippets(readFileSync(join(repo, source), 'utf8'), source).filter((block) =>
      block.code.includes("from 'next/server'"),
    );
    expect(blocks.map((block) => block.line)).toHaveLength(1);
    // Opted out of tooling/docs (no next there); checked here, in a directory of this npm project.
    const block = { ...blocks[0]!, nocheck: false };
    const baseDir = join(app, '.readme-blocks');
    const findings = [
      ...checkSnippets([block], 'bundler', [], baseDir),
      ...checkSnippets([block], 'nodenext', [], baseDir),
    ];
    expect(formatFindings(findings)).toEqual([]);
  });
});

describe('next start', () => {
  it('serves a page outside the matcher without a token, and without running the middleware', async () => {
    const response = await get('/');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Keyway + Next.js');
    expect(response.headers.get('x-middleware-runtime')).toBeNull();
  });

  it('refuses /api without a token: 401 with a bare Bearer challenge, from the edge runtime', async () => {
    const response = await get('/api/me');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="https:\/\/app\.example\.com"/);
    expect(response.headers.get('www-authenticate')).not.toContain('error=');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-middleware-runtime')).toBe('edge');
  });

  it('lets a token for the audience through: the route (on Node) gets the verified claims', async () => {
    const token = await goodToken({ name: 'Zoë 🔑' });
    const response = await get('/api/me', token);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-middleware-runtime')).toBe('edge');
    const body = await response.json();
    expect(body.runtime).toBe('nodejs');
    expect(body.claims).toMatchObject({ iss: mock.issuer, sub: 'usr_1', aud: AUDIENCE, scope: 'api:read' });
    expect(body.claims.name).toBe('Zoë 🔑');
  });

  it('lets a token from the token endpoint of the issuer through (client credentials, as the README does)', async () => {
    const issued = await fetch(`${mock.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa('test-client:test-secret')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api:read', resource: AUDIENCE }),
    });
    expect(issued.status).toBe(200);
    const { access_token } = await issued.json();
    const response = await get('/api/me', access_token);
    expect(response.status).toBe(200);
    expect((await response.json()).claims).toMatchObject({
      sub: 'test-client',
      client_id: 'test-client',
      aud: AUDIENCE,
    });
  });

  it('replaces a claims header the client sent itself', async () => {
    const forged = encodeURIComponent(JSON.stringify({ sub: 'usr_admin' }));
    const response = await get('/api/me', await goodToken(), { 'x-keyway-claims': forged });
    expect(response.status).toBe(200);
    expect((await response.json()).claims.sub).toBe('usr_1');
  });

  it('refuses a token for another audience: 401 invalid_token, the token in no header or body', async () => {
    const token = await goodToken({ aud: 'https://other-app.example.com' });
    const response = await get('/api/me', token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    const body = await response.text();
    expect(body).toContain('invalid_token');
    expect(body).not.toContain(token);
    expect(JSON.stringify([...response.headers])).not.toContain(token);
  });

  it('refuses an expired token: 401 invalid_token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const response = await get('/api/me', await goodToken({ iat: now - 7200, exp: now - 3600 }));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/error="invalid_token", error_description="[^"]*expired/);
  });

  it('refuses a token from another issuer: 401 invalid_token', async () => {
    const other = mocks.createMockKeyway({ issuer: 'https://other-issuer.example.com' });
    const token = await other.mintAccessToken({ sub: 'usr_1', aud: AUDIENCE, scope: 'api:read' });
    const response = await get('/api/me', token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses a token with the right issuer name signed by another key: 401 invalid_token', async () => {
    const impostor = mocks.createMockKeyway({ issuer: mock.issuer });
    const token = await impostor.mintAccessToken({ sub: 'usr_1', aud: AUDIENCE, scope: 'api:read' });
    const response = await get('/api/me', token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses a token without the api:read scope: 403 insufficient_scope naming it', async () => {
    const response = await get('/api/me', await goodToken({ scope: 'profile' }));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toMatch(/error="insufficient_scope".*scope="api:read"/);
  });

  it('lets a CORS preflight through unverified (skip), to the automatic OPTIONS answer of the route', async () => {
    const response = await fetch(`${next?.url}/api/me`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('allow')).toContain('GET');
  });

  it('refuses a token in the query string: 400 invalid_request', async () => {
    const response = await get(`/api/me?access_token=${await goodToken()}`);
    expect(response.status).toBe(400);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"');
  });
});

describe('next start with a missing or unreachable issuer', () => {
  /** Another `next start` of the same build, with `env`; stopped whatever `check` does. */
  async function withServer(env: NodeJS.ProcessEnv, check: (url: string) => Promise<void>): Promise<void> {
    const server = await startNext(app, nextEnv(env));
    try {
      await check(server.url);
    } finally {
      await server.stop();
    }
  }
  const withToken = async () => ({ headers: { authorization: `Bearer ${await goodToken()}` } });

  it('without KEYWAY_ISSUER: /api answers 500, never the route, and the public page is still served', async () => {
    await withServer({}, async (url) => {
      const api = await fetch(`${url}/api/me`, await withToken());
      expect(api.status).toBe(500);
      expect(await api.text()).not.toContain('usr_1');
      expect((await fetch(`${url}/`)).status).toBe(200);
    });
  });

  it('with an issuer nothing answers at: /api answers 503 with Retry-After (the token not judged)', async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;
    await withServer({ KEYWAY_ISSUER: nobody, KEYWAY_AUDIENCE: AUDIENCE }, async (url) => {
      const api = await fetch(`${url}/api/me`, await withToken());
      expect(api.status).toBe(503);
      expect(api.headers.get('retry-after')).toBe('5');
      expect(api.headers.get('www-authenticate')).toBeNull();
      expect(api.headers.get('x-middleware-runtime')).toBe('edge');
    });
  });
});
