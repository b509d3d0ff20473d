import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { useCli } from './cli-helpers.js';
import { CLIENT_ID, useMockServer } from './helpers.js';

const ctx = useMockServer();
const { start, run, cache } = useCli(ctx, 'cli');

/** A login someone runs by hand: not CI (the runner sets it), output piped, no display. */
const BY_HAND = { CI: '' };

describe('keyway CLI', () => {
  it('token exits 3 with a clear message before any login', async () => {
    const result = await run(['token']);
    expect(result).toEqual({ code: 3, stdout: '', stderr: 'keyway: not logged in — run `keyway login`\n' });
  });

  it('login --device, token, list --json, logout (revoked at the server)', async () => {
    // login: read the user code from stderr, approve it at the mock
    const login = start(['login', '--device', '--json'], BY_HAND);
    let approved = false;
    const watcher = new Promise<void>((resolve) => {
      let seen = '';
      login.child.stderr!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /enter the code: (\S+)/.exec(seen);
        if (match && !approved) {
          approved = true;
          ctx.mock.approveDevice(match[1]!);
          resolve();
        }
      });
    });
    await watcher;
    const loggedIn = await login.done;
    expect(loggedIn.code).toBe(0);
    expect(JSON.parse(loggedIn.stdout)).toMatchObject({
      issuer: ctx.issuer,
      clientId: CLIENT_ID,
      subject: 'usr_test',
      refreshable: true,
    });
    expect(loggedIn.stderr).toContain('Logged in to');
    expect(loggedIn.stderr).not.toMatch(/[▀▄█]/); // stderr is a pipe: no QR code by default

    const file = JSON.parse(await readFile(cache('keyway/tokens.json'), 'utf8'));
    const stored = Object.values(file.entries as Record<string, { value: Record<string, string> }>)[0]!.value;
    const secrets = [stored.access_token!, stored.refresh_token!, stored.id_token!];
    const noSecrets = (text: string) => {
      for (const secret of secrets) {
        expect(text).not.toContain(secret);
      }
    };
    noSecrets(loggedIn.stdout + loggedIn.stderr);

    // token: only the access token, on stdout
    const token = await run(['token']);
    expect(token.code).toBe(0);
    expect(token.stdout).toBe(`${stored.access_token}\n`);
    noSecrets(token.stderr);

    // list --json: issuer, client, scope, expiry; no token
    const list = await run(['list', '--json'], { KEYWAY_ISSUER: '', KEYWAY_CLIENT_ID: '' });
    expect(list.code).toBe(0);
    const logins = JSON.parse(list.stdout);
    expect(logins).toEqual([
      expect.objectContaining({
        issuer: ctx.issuer,
        clientId: CLIENT_ID,
        scope: 'offline_access openid',
        refreshable: true,
        expired: false,
        expiresAt: expect.any(String),
      }),
    ]);
    noSecrets(list.stdout + list.stderr);

    // logout: revokes the refresh token at the mock, removes the login
    const revokesBefore = ctx.mock.callsTo('revoke').length;
    const logout = await run(['logout', '--json'], { KEYWAY_ISSUER: '', KEYWAY_CLIENT_ID: '' });
    expect(logout.code).toBe(0);
    expect(JSON.parse(logout.stdout)).toMatchObject({ removed: true, revoked: true });
    noSecrets(logout.stdout + logout.stderr);
    const revokes = ctx.mock.callsTo('revoke').slice(revokesBefore);
    expect(revokes).toHaveLength(1);
    expect(revokes[0]!.body).toMatchObject({ token: stored.refresh_token, token_type_hint: 'refresh_token' });
    // The refresh token no longer works at the server.
    const refused = await fetch(`${ctx.issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: stored.refresh_token!,
        client_id: CLIENT_ID,
      }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
    expect(await run(['list', '--json'])).toMatchObject({ code: 0, stdout: '[]\n' });
    expect((await run(['token'])).code).toBe(3);
  }, 60_000);

  it('login --device --qr draws the verification URI as a QR code even on a pipe', async () => {
    const login = start(['login', '--device', '--qr'], { ...BY_HAND, XDG_CACHE_HOME: cache('qr') });
    let seen = '';
    await new Promise<void>((resolve) => {
      const onData = (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /enter the code: (\S+)[\s\S]*expires/.exec(seen);
        if (match) {
          login.child.stderr!.off('data', onData);
          ctx.mock.approveDevice(match[1]!);
          resolve();
        }
      };
      login.child.stderr!.on('data', onData);
    });
    const result = await login.done;
    expect(result.code).toBe(0);
    const complete = /\(or open (\S+)\)/.exec(result.stderr)?.[1] ?? /open (\S+) and enter/.exec(result.stderr)![1]!;
    const { renderTerminalQr } = await import('../src/internal/terminal-qr.js');
    expect(result.stderr).toContain(renderTerminalQr(complete).lines.join('\n'));
  }, 20_000);

  it('login --audience (or KEYWAY_AUDIENCE) sends it, list shows it, token finds the login', async () => {
    const audience = 'https://api.example.com/';
    const extra = { ...BY_HAND, XDG_CACHE_HOME: cache('audience'), KEYWAY_AUDIENCE: audience };
    const before = ctx.mock.callsTo('deviceAuthorization').length;
    const login = start(['login', '--device', '--json'], extra);
    await new Promise<void>((resolve) => {
      let seen = '';
      const onData = (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /enter the code: (\S+)/.exec(seen);
        if (match) {
          login.child.stderr!.off('data', onData);
          ctx.mock.approveDevice(match[1]!);
          resolve();
        }
      };
      login.child.stderr!.on('data', onData);
    });
    const loggedIn = await login.done;
    expect(loggedIn.code).toBe(0);
    expect(JSON.parse(loggedIn.stdout)).toMatchObject({ audience });
    expect(ctx.mock.callsTo('deviceAuthorization').slice(before)[0]!.body).toMatchObject({ audience });

    const bare = { ...extra, KEYWAY_AUDIENCE: '', KEYWAY_ISSUER: '', KEYWAY_CLIENT_ID: '' };
    const list = await run(['list', '--json'], bare);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ issuer: ctx.issuer, audience })]);
    expect(list.stdout).not.toContain('resource');
    expect((await run(['token'], bare)).code).toBe(0);
    expect((await run(['token', '--audience', audience], bare)).code).toBe(0);
    expect((await run(['token', '--audience', 'https://other.example.com/'], bare)).code).toBe(3);
  }, 20_000);

  it('token prints KEYWAY_TOKEN when set', async () => {
    expect(await run(['token'], { KEYWAY_TOKEN: 'from-env' })).toMatchObject({ code: 0, stdout: 'from-env\n' });
  });

  it('exits 2 on usage errors', async () => {
    const unknown = await run(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command');
    expect((await run(['login', '--bogus'])).code).toBe(2);
    expect((await run(['login', '--device', '--qr', '--no-qr'])).stderr).toContain('--qr and --no-qr');
    expect((await run(['login'], { KEYWAY_ISSUER: '' })).code).toBe(2);
  });
});
