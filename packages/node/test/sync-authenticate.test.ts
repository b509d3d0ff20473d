import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigurationError, discover, InvalidResponseError, OAuthError, type TokenSet } from '@keyway/core';
import { completeAuthorization } from '@keyway/mocks';
import { FileTokenStore } from '@keyway/token-store/file';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type MockHost, startMockHost, useSyncHost } from './sync-helpers.js';

const CLIENT_ID = 'test-public-client';
const saved = {
  XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
  KEYWAY_TOKEN: process.env.KEYWAY_TOKEN,
  CI: process.env.CI,
};

const sync = useSyncHost();
let cacheHome: string;

beforeEach(async () => {
  cacheHome = await mkdtemp(join(tmpdir(), 'keyway-sync-auth-'));
  // The worker shares this thread's environment (SHARE_ENV): both find the store under this cache home.
  process.env.XDG_CACHE_HOME = cacheHome;
  delete process.env.KEYWAY_TOKEN;
});
afterEach(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) {
      delete process.env[name];
    } else {
      process.env[name] = value;
    }
  }
  await rm(cacheHome, { recursive: true, force: true });
});

const options = () => ({ issuer: sync.host.url, clientId: CLIENT_ID, interactive: false });

/** Real tokens from the mock: a code flow with PKCE, the browser played by fetch. */
async function login(): Promise<TokenSet> {
  const client = await discover(sync.host.url, { clientId: CLIENT_ID, redirectUri: 'http://127.0.0.1/callback' });
  const request = await client.createAuthorizationUrl({ scope: 'openid offline_access' });
  return client.handleCallback(await completeAuthorization(request.url), request);
}

async function seed(tokens: TokenSet): Promise<FileTokenStore> {
  const store = new FileTokenStore();
  expect(store.path.startsWith(cacheHome)).toBe(true);
  await store.set(sync.built.loginKey(options()), { ...tokens });
  return store;
}

describe('authenticateSync', () => {
  it('returns the cached token from the FileTokenStore, without a request, redacted in inspect', async () => {
    const before = (await sync.host.call<unknown[]>('callsTo', 'token')).length;
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    await seed({ access_token: 'at_cached_sync', token_type: 'Bearer', expires_at: expiresAt, refresh_token: 'rt_x' });

    const token = sync.built.authenticateSync(options());
    expect(token).toMatchObject({ access_token: 'at_cached_sync', expires_at: expiresAt });
    expect(token.headers).toEqual({ Authorization: 'Bearer at_cached_sync' });
    expect(inspect(token)).not.toContain('at_cached_sync');
    expect(inspect(token)).not.toContain('rt_x');
    expect(JSON.parse(JSON.stringify(token))).toMatchObject({ access_token: 'at_cached_sync' });
    expect(await sync.host.call<unknown[]>('callsTo', 'token')).toHaveLength(before);
  });

  it('refreshes an expired token with the stored refresh token and stores the new one', async () => {
    const tokens = await login();
    const store = await seed({ ...tokens, expires_at: Math.floor(Date.now() / 1000) - 60 });

    const token = sync.built.authenticateSync(options());
    expect(token.access_token).not.toBe(tokens.access_token);
    expect(token.headers.Authorization).toBe(`Bearer ${token.access_token}`);
    expect(token.expires_at).toBeGreaterThan(Date.now() / 1000);
    const [refresh] = (await sync.host.call<Array<{ body: Record<string, string> }>>('callsTo', 'token')).slice(-1);
    expect(refresh?.body.grant_type).toBe('refresh_token');
    expect(await store.get(sync.built.loginKey(options()))).toMatchObject({ access_token: token.access_token });
  });

  it('throws InteractionRequiredError (same class, issuer and clientId) where nobody can log in', () => {
    let error: unknown;
    try {
      sync.built.authenticateSync(options());
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(sync.built.InteractionRequiredError);
    expect(sync.built.InteractionRequiredError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'interaction_required', issuer: sync.host.url, clientId: CLIENT_ID });
    expect((error as Error).message).toContain('KEYWAY_TOKEN');
  });

  it('returns KEYWAY_TOKEN from the shared environment', () => {
    process.env.KEYWAY_TOKEN = 'at_from_env';
    expect(sync.built.authenticateSync(options())).toMatchObject({
      access_token: 'at_from_env',
      headers: { Authorization: 'Bearer at_from_env' },
    });
  });

  it.each([{ timeout: Number.NaN }, { timeout: 2 ** 31 }, { interval: -1 }, { redirectPort: 1.5 }])(
    'refuses %o with ConfigurationError invalid_option at once, on this thread',
    (bad) => {
      let error: unknown;
      try {
        sync.built.authenticateSync({ ...options(), ...bad });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ code: 'invalid_option' });
      // Thrown by the check on this thread, never sent to a worker with a NaN deadline (an error the worker
      // threw would come back revived, with no frame of the check in its stack).
      expect((error as Error).stack).toContain('checkLoginNumbers');
    },
  );

  it.each(['nonsense', 'ftp://auth.example.com'])(
    'refuses the issuer %j with ConfigurationError invalid_url on this thread, also in CI',
    (issuer) => {
      process.env.CI = '1';
      let error: unknown;
      try {
        sync.built.authenticateSync({ ...options(), issuer, interactive: false });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ code: 'invalid_url' });
    },
  );

  it('a taken redirectPort comes back as ConfigurationError port_in_use', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as { port: number };
    let error: unknown;
    try {
      sync.built.authenticateSync({
        ...options(),
        interactive: true,
        flow: 'browser',
        redirectPort: port,
        timeout: 10_000,
      });
    } catch (caught) {
      error = caught;
    } finally {
      taken.close();
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: 'port_in_use' });
    expect((error as Error).message).toMatch(new RegExp(`^Port ${port} on 127\\.0\\.0\\.1 is already in use`));
  });

  it('never shows the client secret or a token in what it throws', async () => {
    const confidential = { ...options(), clientId: 'test-client', clientSecret: 'test-secret' };
    await new FileTokenStore().set(sync.built.loginKey(confidential), {
      access_token: 'at_sync_secret_value',
      token_type: 'Bearer',
      expires_at: Math.floor(Date.now() / 1000) - 60,
      refresh_token: 'rt_sync_secret_value',
    });
    await sync.host.call('fail', 'token', {
      status: 401,
      times: 1,
      body: { error: 'invalid_client', error_description: 'no' },
    });
    let error: unknown;
    try {
      sync.built.authenticateSync(confidential);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({ code: 'invalid_client' });
    for (const shown of [String(error), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })]) {
      for (const secret of ['test-secret', 'rt_sync_secret_value', 'at_sync_secret_value']) {
        expect(shown).not.toContain(secret);
      }
    }
  });

  it('a device code with control characters comes back as InvalidResponseError, before anything is shown', async () => {
    await sync.host.call('fail', 'deviceAuthorization', {
      status: 200,
      times: 1,
      body: {
        device_code: 'dc_hostile',
        user_code: 'WDJB\u001b]0;pwned\u0007',
        verification_uri: `${sync.host.url}/device`,
        expires_in: 600,
      },
    });
    let error: unknown;
    try {
      sync.built.authenticateSync({ ...options(), interactive: true, flow: 'device', qr: false, timeout: 10_000 });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({
      code: 'invalid_device_response',
      message: "The device authorization response's user_code is empty or holds control characters; it is not shown.",
    });
  });

  it('refuses options that cannot cross to the worker', () => {
    const withFunction = { ...options(), openBrowser: async () => {} } as never;
    expect(() => sync.built.authenticateSync(withFunction)).toThrow(ConfigurationError);
    const withStore = { ...options(), store: new FileTokenStore() } as never;
    expect(() => sync.built.authenticateSync(withStore)).toThrow(/tokenFile/);
  });
});

describe('authenticateSync: an interactive device login', () => {
  // The person approving the device sits on another thread: this one is blocked in authenticateSync.
  let deviceHost: MockHost;
  beforeAll(async () => {
    deviceHost = await startMockHost('device-host.mjs');
  });
  afterAll(async () => {
    await deviceHost?.close();
  });

  it('runs the device flow in the worker, returns the token synchronously and stores it', async () => {
    // interactive: true stands for a terminal: the test's stdin and stdout are not ones.
    const loginOptions = {
      issuer: deviceHost.url,
      clientId: CLIENT_ID,
      interactive: true,
      flow: 'device' as const,
      qr: false,
      timeout: 20_000,
      interval: 1, // the provider's is held at 5 s or more
    };
    let microtaskRan = false;
    queueMicrotask(() => {
      microtaskRan = true;
    });

    const token = sync.built.authenticateSync(loginOptions);

    expect(microtaskRan).toBe(false); // returned before this thread's event loop could turn: no promise
    expect(token).not.toBeInstanceOf(Promise);
    expect(token.claims?.sub).toBe('usr_test');
    expect(token.refresh_token).toEqual(expect.any(String));
    expect(token.headers).toEqual({ Authorization: `Bearer ${token.access_token}` });
    expect(await deviceHost.call<string[]>('approved')).toHaveLength(1);
    const polls = await deviceHost.call<Array<{ body: Record<string, string> }>>('callsTo', 'token');
    expect(polls.at(-1)?.body.grant_type).toBe('urn:ietf:params:oauth:grant-type:device_code');
    const stored = await new FileTokenStore().get(sync.built.loginKey(loginOptions));
    expect(stored).toMatchObject({ access_token: token.access_token, refresh_token: token.refresh_token });
    // Stored for next time: a second call answers from the store, without a request.
    const before = (await deviceHost.call<unknown[]>('callsTo', 'token')).length;
    expect(sync.built.authenticateSync({ ...loginOptions, interactive: false }).access_token).toBe(token.access_token);
    expect(await deviceHost.call<unknown[]>('callsTo', 'token')).toHaveLength(before);
  }, 30_000);
});
