import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveFromStderr, cliRunner } from './cli-helpers.js';
import { type RegisteringMock, startRegisteringMock } from './registering-mock.js';

// The provider issues a secret even to a native client (some do): it must be stored, used and never shown.
const SECRET = 'test-secret';
let provider: RegisteringMock;
let cache: string;

beforeAll(async () => {
  [provider, cache] = await Promise.all([
    startRegisteringMock({
      client_id: 'test-client',
      client_secret: SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
    }),
    mkdtemp(join(tmpdir(), 'keyway-cli-register-')),
  ]);
});
afterAll(async () => {
  await provider?.close();
  await rm(cache, { recursive: true, force: true });
});

const { start, run } = cliRunner(() => ({ HOME: cache, XDG_CACHE_HOME: cache, CI: '' }));

async function deviceLogin(args: string[]) {
  const login = start(['login', '--issuer', provider.issuer, '--device', ...args]);
  await approveFromStderr(login.child, provider.mock);
  return login.done;
}

describe('keyway login --issuer <url> without a client id', () => {
  it('registers once, stores the registration beside the logins, and never shows its secret', async () => {
    const first = await deviceLogin(['--json']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ issuer: provider.issuer, clientId: 'test-client' });
    expect(first.stderr).toContain('(client test-client)');
    expect(provider.registrations).toHaveLength(1);
    expect(provider.registrations[0]).toMatchObject({ application_type: 'native', token_endpoint_auth_method: 'none' });

    // A second run (another process: nothing remembered in memory) reuses the stored registration.
    const second = await deviceLogin([]);
    expect(second.code).toBe(0);
    expect(provider.registrations).toHaveLength(1);

    const list = await run(['list', '--json']);
    expect(list.code).toBe(0);
    const logins = JSON.parse(list.stdout) as { clientId: string }[];
    expect(logins.map((login) => login.clientId)).toEqual(['test-client']); // the registration is no login
    const token = await run(['token', '--issuer', provider.issuer]);
    expect(token.code).toBe(0);
    for (const output of [first, second, list, token]) {
      expect(output.stdout + output.stderr).not.toContain(SECRET);
    }
    const file = await readFile(join(cache, 'keyway/tokens.json'), 'utf8');
    expect(file).toContain('keyway-registration:v1:');

    // Logged out, the registration stays (the next login reuses it) and counts as no login.
    expect((await run(['logout'])).code).toBe(0);
    expect(await run(['token'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'keyway: not logged in — run `keyway login --issuer <url> --client-id <id>`\n',
    });
    expect(await readFile(join(cache, 'keyway/tokens.json'), 'utf8')).toContain('keyway-registration:v1:');
  }, 60_000); // two device logins, each polling after the RFC 8628 minimum interval
});
