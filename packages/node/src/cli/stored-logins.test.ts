import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenKey } from '@keyway/token-store';
import { FileTokenStore } from '@keyway/token-store/file';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loginKey } from '../authenticate.js';
import { writeLoginInfo } from '../internal/login-info.js';
import { readStoredLogins } from './stored-logins.js';

let dir: string;
let store: FileTokenStore;
const later = () => Math.floor(Date.now() / 1000) + 3600;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyway-stored-logins-'));
  store = new FileTokenStore({ path: join(dir, 'tokens.json') });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readStoredLogins', () => {
  it('is empty without a file', async () => {
    expect(await readStoredLogins(store)).toEqual([]);
  });

  it('gives the exact issuer stored with the tokens (the key holds it without its trailing slash)', async () => {
    const issuer = 'https://auth.example.com/tenant/';
    await store.set(loginKey({ issuer, clientId: 'cli' }), {
      access_token: 'at',
      token_type: 'Bearer',
      expires_at: later(),
      refresh_token: 'rt',
      claims: { sub: 'usr_1' },
      keyway_issuer: issuer,
    } as never);

    expect(await readStoredLogins(store)).toEqual([
      expect.objectContaining({
        issuer,
        clientId: 'cli',
        scope: 'offline_access openid',
        subject: 'usr_1',
        refreshable: true,
      }),
    ]);
  });

  it('reads the login info stored beside the tokens (login() writes it there) before any inside them', async () => {
    const issuer = 'https://auth.example.com/tenant/';
    const options = { issuer, clientId: 'cli', audience: 'api' };
    const key = loginKey(options);
    await store.set(key, {
      access_token: 'at',
      token_type: 'Bearer',
      expires_at: later(),
      keyway_issuer: 'stale',
    } as never);
    await writeLoginInfo(store, key, { issuer, audience: 'api' }, { access_token: 'at', expires_at: later() });

    const [login] = await readStoredLogins(store);
    expect(login).toMatchObject({ issuer, clientId: 'cli', audience: 'api' });
    expect(login).not.toHaveProperty('resource');
    expect(await readStoredLogins(store)).toHaveLength(1); // the info record is no login
  });

  it('falls back to the normalised issuer, and reads the audience part as resource, for older entries', async () => {
    await store.set(
      tokenKey({ issuer: 'https://auth.example.com/', clientId: 'cli', audience: 'https://r.example.com' }),
      { access_token: 'at', token_type: 'Bearer', expires_at: later() },
    );
    const [login] = await readStoredLogins(store);
    expect(login).toMatchObject({
      issuer: 'https://auth.example.com',
      resource: 'https://r.example.com',
      refreshable: false,
    });
    expect(login).not.toHaveProperty('audience');
  });

  it('tells an audience from a resource, and leaves out keys another tool wrote', async () => {
    const options = { issuer: 'https://a.example.com', clientId: 'cli', audience: 'api', resource: 'https://r' };
    await store.set(loginKey(options), {
      access_token: 'at',
      token_type: 'Bearer',
      keyway_issuer: options.issuer,
      keyway_audience: 'api',
      keyway_resource: 'https://r',
    } as never);
    await store.set('someone-else:key', { access_token: 'x', token_type: 'Bearer' });

    const logins = await readStoredLogins(store);
    expect(logins).toHaveLength(1);
    expect(logins[0]).toMatchObject({ audience: 'api', resource: 'https://r', key: loginKey(options) });
  });
});
