import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { OAuthError } from '@keyway/core';
import { FileTokenStore } from '@keyway/token-store/file';
import { beforeAll, describe, expect, it } from 'vitest';
import { loginKey } from '../src/authenticate.js';
import { approveFromStderr, CLI, type Run, useCli } from './cli-helpers.js';
import { BEL, CLIENT_ID, ESC, expectNoTerminalControls, HOSTILE, HOSTILE_SHOWN, useMockServer } from './helpers.js';

// The provider's only user has a subject and a name a terminal would act on.
const SUB = `usr_${HOSTILE}`;
const ctx = useMockServer({ users: [{ sub: SUB, name: HOSTILE, email: 'evil@example.com' }] });
const { start, run, env, cache } = useCli(ctx, 'cli-terminal');

/** Nothing either stream carried can act on a terminal. */
function expectPlain(result: Run): void {
  expectNoTerminalControls(result.stdout);
  expectNoTerminalControls(result.stderr);
}

/** A fresh token file for one test (and not CI, which the runner sets: a login runs). */
const fresh = (name: string) => ({ XDG_CACHE_HOME: cache(name), CI: '' });

describe('keyway shows what a hostile provider sends without letting it act on the terminal', () => {
  it('login, list and list --json: a subject with escapes, bidi controls and a line break', async () => {
    const login = start(['login', '--device', '--json'], fresh('sub'));
    await approveFromStderr(login.child, ctx.mock);
    const loggedIn = await login.done;
    expect(loggedIn.code).toBe(0);
    expectPlain(loggedIn);
    expect(loggedIn.stderr.split('\n').at(-2)).toBe(
      `Logged in to ${ctx.issuer} as usr_${HOSTILE_SHOWN} (client ${CLIENT_ID}).`,
    );
    // Machine output keeps the exact value, as valid JSON.
    expect(JSON.parse(loggedIn.stdout)).toMatchObject({ subject: SUB });

    const file = JSON.parse(await readFile(cache('sub', 'keyway/tokens.json'), 'utf8'));
    const stored = Object.values(file.entries as Record<string, { value: Record<string, string | number> }>)[0]!.value;
    const expires = new Date((stored.expires_at as number) * 1000).toISOString();

    const list = await run(['list'], { ...fresh('sub'), KEYWAY_ISSUER: '', KEYWAY_CLIENT_ID: '' });
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout).toBe(
      `${ctx.issuer}  client ${CLIENT_ID}  scope "offline_access openid"  user usr_${HOSTILE_SHOWN}  expires ${expires} (refreshable)\n`,
    );

    const json = await run(['list', '--json'], { ...fresh('sub'), KEYWAY_ISSUER: '', KEYWAY_CLIENT_ID: '' });
    expectPlain(json);
    expect(JSON.parse(json.stdout)).toEqual([expect.objectContaining({ subject: SUB })]);
    expect(json.stdout).toContain('\\u202e');

    for (const output of [loggedIn, list, json]) {
      for (const secret of [stored.access_token, stored.refresh_token, stored.id_token]) {
        expect(output.stdout + output.stderr).not.toContain(secret);
      }
    }
  }, 30_000);

  it('an error_description with escapes: shown escaped on stderr, exact in valid --json, no secret', async () => {
    ctx.mock.fail('deviceAuthorization', {
      status: 400,
      body: { error: `invalid_client${ESC}[2J`, error_description: HOSTILE },
    });
    const confidential = {
      ...fresh('oauth-error'),
      KEYWAY_CLIENT_ID: 'test-client',
      KEYWAY_CLIENT_SECRET: 'test-secret',
    };
    const result = await run(['login', '--device', '--json'], confidential);
    expect(result.code).toBe(1);
    expectPlain(result);
    // @keyway/core names the request that failed after the provider's words.
    const request = ` (POST ${ctx.issuer}/oauth/device/code)`;
    expect(result.stderr).toBe(`keyway: OAuth error invalid_client\\u001b[2J: ${HOSTILE_SHOWN}${request}\n`);
    // --json carries code and message as @keyway/core made them (it quotes a provider's words safely too).
    const expected = new OAuthError({ error: `invalid_client${ESC}[2J`, error_description: HOSTILE });
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: expected.code, message: `${expected.message}${request}` },
    });
    expect(result.stdout + result.stderr).not.toContain('test-secret');
  });

  it('a device code with escapes is refused and none of it is shown', async () => {
    ctx.mock.fail('deviceAuthorization', {
      status: 200,
      body: {
        device_code: 'dc',
        user_code: `WDJB${ESC}]0;title${BEL}`,
        verification_uri: `${ctx.issuer}/device`,
        expires_in: 600,
      },
    });
    const result = await run(['login', '--device'], fresh('device'));
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "keyway: The device authorization response's user_code is empty or holds control characters; it is not shown.\n",
    });
  });

  it('a usage error quotes the argument escaped', async () => {
    const result = await run([`${ESC}[2J\u202e`]);
    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr: 'keyway: Unknown command: \\u001b[2J\\u202e\nRun keyway --help for usage.\n',
    });
  });
});

describe('keyway and a token file someone else wrote', () => {
  const issuer = 'https://auth.example.com';
  const hostileIssuer = `https://auth.example.com/${ESC}]8;;http://evil.example${ESC}\\\u202e`;
  const shownIssuer = 'https://auth.example.com/\\u001b]8;;http://evil.example\\u001b\\\\u202e';
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;

  beforeAll(async () => {
    // One login whose exact issuer (kept beside the tokens) is hostile, one with a hostile access token.
    const plant = async (dir: string, keywayIssuer: string) =>
      new FileTokenStore({ path: cache(dir, 'keyway/tokens.json') }).set(loginKey({ issuer, clientId: CLIENT_ID }), {
        access_token: `at_${ESC}[2J`,
        token_type: 'Bearer',
        expires_at: expiresAt,
        claims: { sub: SUB },
        keyway_issuer: keywayIssuer,
      } as never);
    await plant('planted', hostileIssuer);
    await plant('planted-token', issuer);
    // An expiry past what a Date can hold (found by tooling/fuzz: `keyway list` died with a RangeError).
    await new FileTokenStore({ path: cache('planted-far', 'keyway/tokens.json') }).set(
      loginKey({ issuer, clientId: CLIENT_ID }),
      { access_token: 'at', token_type: 'Bearer', refresh_token: 'rt', expires_at: 1e308 } as never,
    );
  });

  it('list shows an expiry past the Date range as no expiry, in text and JSON', async () => {
    const list = await run(['list'], planted('planted-far'));
    expect(list.code).toBe(0);
    expect(list.stderr).toBe('');
    expect(list.stdout).toMatch(/ {2}no expiry\n$/);
    const json = await run(['list', '--json'], planted('planted-far'));
    expect(json.code).toBe(0);
    const [login] = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(login).toMatchObject({ refreshable: true, expired: false });
    expect(login).not.toHaveProperty('expiresAt');
  });

  const planted = (dir = 'planted') => ({ ...fresh(dir), KEYWAY_ISSUER: '', KEYWAY_CLIENT_ID: '' });

  it('list shows the planted issuer and subject escaped', async () => {
    const list = await run(['list'], planted());
    expect(list).toEqual({
      code: 0,
      stdout: `${shownIssuer}  client ${CLIENT_ID}  scope "offline_access openid"  user usr_${HOSTILE_SHOWN}  expires ${new Date(expiresAt * 1000).toISOString()}\n`,
      stderr: '',
    });
  });

  it('token: the login-required message quotes the planted issuer escaped', async () => {
    const token = await run(['token'], planted());
    expect(token.code).toBe(3);
    expectPlain(token);
    // The stored key names another issuer than the planted one: no login for it (quoted for a shell, too).
    expect(token.stderr).toBe(
      `keyway: not logged in to ${shownIssuer} (client ${CLIENT_ID}) — run \`keyway login --issuer '${shownIssuer}' --client-id ${CLIENT_ID}\`\n`,
    );
  });

  it('token refuses to print an access token with escapes (stdout stays empty)', async () => {
    const token = await run(['token'], planted('planted-token'));
    expect(token).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'keyway: The access token holds characters no bearer token has (RFC 6750 allows visible ASCII only); it is not printed.\n',
    });
    const json = await run(['token', '--json'], planted('planted-token'));
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'invalid_access_token' } });
    expect(json.stdout + json.stderr).not.toContain('at_');
  });

  it('list in a terminal (a pty, as a person runs it): the screen shows escapes, runs none', async () => {
    // script(1) gives the command a pty; what it records is what the terminal received.
    const command = [process.execPath, CLI, 'list'].map((part) => `'${part}'`).join(' ');
    const { stdout } = await promisify(execFile)('script', ['-q', '-e', '-c', command, '/dev/null'], {
      env: env(planted()),
    });
    const screen = stdout.replaceAll('\r\n', '\n');
    expectNoTerminalControls(screen);
    expect(screen).toBe(
      `${shownIssuer}  client ${CLIENT_ID}  scope "offline_access openid"  user usr_${HOSTILE_SHOWN}  expires ${new Date(expiresAt * 1000).toISOString()}\n`,
    );
  });
});
