import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SpawnedMockServer, spawnMockServer } from '@keyway/mocks/node';
import { npmProject, type PackedWorkspace, packWorkspace, Terminals } from '@keyway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The example as a user gets it: its files copied into a fresh npm project that installs @keyway/core
// and @keyway/node from their packed tarballs (not the workspace links), then the tool and the script
// run as a person runs them, against keyway-mock-server in a child process.

const example = dirname(dirname(fileURLToPath(import.meta.url)));
const USER = 'usr_ann';
const DEV_TOKEN = 'kw_dev_token_for_the_example';
/** A token whose subject would clear the screen and reverse the text after it, printed as it is. */
const HOSTILE = { token: 'kw_dev_token_hostile', sub: 'usr_\u001b[2J\u202eexe.gnp\u200b\u0085' };
/** The mock's default clients: a public one for logins, a confidential one for client credentials. */
const PUBLIC_CLIENT = 'test-public-client';
const SERVICE = { id: 'test-client', secret: 'test-secret' };

let packed: PackedWorkspace;
let project: string;
let server: SpawnedMockServer;
let terminals: Terminals;

/** The user's package.json fields beyond the dependencies: the example's bin and scripts (not its test harness). */
function userManifest(): Record<string, unknown> {
  const manifest = JSON.parse(readFileSync(join(example, 'package.json'), 'utf8'));
  const { test: _, typecheck: __, ...scripts } = manifest.scripts;
  return { name: 'my-keyway-tool', bin: manifest.bin, scripts };
}

beforeAll(async () => {
  packed = packWorkspace(['@keyway/core', '@keyway/node'], 'keyway-node-cli-');
  project = await npmProject(packed, {
    from: example,
    files: ['bin', 'lib', 'scripts'],
    keyway: ['@keyway/core', '@keyway/node'],
    manifest: userManifest(),
  });

  server = await spawnMockServer({
    config: {
      users: [{ sub: USER, email: 'ann@example.com' }],
      accessTokens: [{ token: DEV_TOKEN, sub: USER }, HOSTILE],
    },
  });
  terminals = await Terminals.start();
});

afterAll(async () => {
  await terminals?.close();
  await server?.close();
  packed?.remove();
});

/** A shell's environment: nothing inherited but PATH, a home and token file of the test's own. */
function shell(name: string, extra: Record<string, string>): Record<string, string> {
  const home = join(packed.dir, 'homes', name);
  mkdirSync(home, { recursive: true });
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_CACHE_HOME: join(home, '.cache'),
    LANG: 'C.UTF-8',
    KEYWAY_ISSUER: server.url,
    KEYWAY_CLIENT_ID: PUBLIC_CLIENT,
    ...extra,
  };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command of the project with stdin, stdout and stderr piped (no terminal), to its end. */
function run(argv: string[], env: Record<string, string>): Promise<Run> {
  const [file = '', ...args] = argv;
  return new Promise((resolve) => {
    const child = execFile(file, args, { cwd: project, env }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(child.exitCode) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

const TOOL = ['./bin/kw-whoami.js'];
const SYNC_SCRIPT = ['node', 'scripts/whoami-sync.js'];

describe('installed from the tarballs', () => {
  it('holds the packed @keyway/core and @keyway/node, not links to the workspace', () => {
    for (const name of ['core', 'node', 'token-store', 'openapi']) {
      const dir = join(project, 'node_modules/@keyway', name);
      expect(lstatSync(dir).isSymbolicLink()).toBe(false);
      expect(() => lstatSync(join(dir, 'src'))).toThrow(/ENOENT/);
    }
    const version = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    expect(version(join(project, 'node_modules/@keyway/node'))).toBe(
      version(join(example, 'node_modules/@keyway/node')),
    );
  });

  it('the synchronous script has no await, no async function and no then', () => {
    const code = readFileSync(join(project, 'scripts/whoami-sync.js'), 'utf8').replace(/^\s*\/\/.*$/gm, '');
    expect(code).toContain('authenticateSync(');
    expect(code).not.toMatch(/\bawait\b|\basync\b|\.then\(/);
  });
});

describe.each([
  ['kw-whoami (authenticate)', TOOL, 'kw-whoami'],
  ['whoami-sync (authenticateSync, createKeywaySyncClient)', SYNC_SCRIPT, 'whoami-sync'],
])('%s', (_title, command, name) => {
  it('in CI with no token and no terminal: exit 3 at once, saying how to provide a token', async () => {
    const result = await run(command, shell(`${name}-ci`, { CI: '1' }));
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^${name}: A login is required for client "${PUBLIC_CLIENT}" at ${server.url}, ` +
          'but nobody can answer one here: a CI job \\(CI is set\\)\\. Provide a token in one of these ways: ',
      ),
    );
    expect(result.stderr).toContain(`run \`keyway login --issuer ${server.url} --client-id ${PUBLIC_CLIENT}\``);
    expect(result.stderr).toContain('or set KEYWAY_TOKEN to an access token');
    expect(result.stderr).toContain('or use client credentials');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(result.code).toBe(3);
  });

  it('with KEYWAY_TOKEN: prints what the API says of that token', async () => {
    const result = await run(command, shell(`${name}-env`, { CI: '1', KEYWAY_TOKEN: DEV_TOKEN }));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, sub: USER });
  });

  it('prints what the server sent as escapes a terminal does not act on; the JSON parses back to it', async () => {
    const result = await run(command, shell(`${name}-hostile`, { CI: '1', KEYWAY_TOKEN: HOSTILE.token }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('"sub": "usr_\\u001b[2J\\u202eexe.gnp\\u200b\\u0085"');
    expect(result.stdout).not.toMatch(/[^\n\x20-\x7e]/); // nothing but printable ASCII and line breaks
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, sub: HOSTILE.sub });
  });

  it('with a settings error: exit 2 and what to set', async () => {
    const { KEYWAY_ISSUER: _, ...env } = shell(`${name}-usage`, { CI: '1' });
    expect(await run(command, env)).toEqual({
      code: 2,
      stdout: '',
      stderr: `${name}: set KEYWAY_ISSUER and KEYWAY_CLIENT_ID (and KEYWAY_API_URL when the API is elsewhere).\n`,
    });
  });
});

describe('kw-whoami', () => {
  it('with client credentials (KEYWAY_CLIENT_SECRET): a service token, the secret printed nowhere', async () => {
    const env = shell('service', { CI: '1', KEYWAY_CLIENT_ID: SERVICE.id, KEYWAY_CLIENT_SECRET: SERVICE.secret });
    const result = await run(TOOL, env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: true, client_id: SERVICE.id });
    expect(result.stdout).not.toContain(SERVICE.secret);
  });

  it('in a terminal on a headless box: a device code, approved at the mock, then the answer; the sync script reuses the login', async () => {
    const env = shell('person', { TERM: 'xterm-256color' }); // no DISPLAY, no CI
    const screen = await terminals.open([join(project, TOOL[0] ?? '')], env);
    const [, userCode] = await screen.waitFor(
      new RegExp(`To sign in, open ${server.url}/device and enter the code: (\\S+)\\n[\\s\\S]*expires in`),
    );

    // The person opens the page on a phone and approves the code.
    const approved = await fetch(`${server.url}/device`, {
      method: 'POST',
      body: new URLSearchParams({ user_code: userCode ?? '', action: 'approve' }),
    });
    expect(approved.status).toBe(200);
    expect(await approved.text()).toContain('Your device is connected.');

    expect(await screen.exitCode(30_000)).toBe(0);
    const text = await screen.text();
    const answer = text.slice(text.lastIndexOf('\n{\n') + 1);
    expect(JSON.parse(answer)).toMatchObject({ valid: true, sub: USER, client_id: PUBLIC_CLIENT });

    // The login is stored: the synchronous script, in CI and without a terminal, uses it as it is.
    const again = await run(SYNC_SCRIPT, { ...env, CI: '1' });
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(again.stdout)).toMatchObject({ valid: true, sub: USER, client_id: PUBLIC_CLIENT });
    // The same login the `keyway` CLI of the installed @keyway/node sees.
    const status = await run(['./node_modules/.bin/keyway', 'status'], { ...env, CI: '1' });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Logged in to ${server.url} as ${USER} (client ${PUBLIC_CLIENT})`);
  });
});
