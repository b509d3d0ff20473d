import { inspect } from 'node:util';
import { CallbackError, DeviceFlowError, LoginRequiredError } from '@keyway/core';
import { MemoryTokenStore, tokenKey } from '@keyway/token-store';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_ID, followRedirect, useMockServer } from '../test/helpers.js';
import { authenticate, authenticateIn, login, loginIn, loginKey } from './authenticate.js';
import { InteractionRequiredError } from './errors.js';
import { loginInfoKey, readLoginInfo } from './internal/login-info.js';
import type { SessionProbe } from './internal/session.js';

const ctx = useMockServer();

afterEach(() => {
  vi.unstubAllEnvs();
});

const options = (store = new MemoryTokenStore()) => ({ issuer: ctx.issuer, clientId: CLIENT_ID, store });

describe('authenticate', () => {
  it('returns a cached token with zero requests', async () => {
    const store = new MemoryTokenStore();
    const expires_at = Math.floor(Date.now() / 1000) + 3600;
    await store.set(loginKey(options(store)), { access_token: 'cached-at', token_type: 'Bearer', expires_at });

    const token = await authenticate({ ...options(store), interactive: false });

    expect(token.access_token).toBe('cached-at');
    expect(token.headers).toEqual({ Authorization: 'Bearer cached-at' });
    expect(ctx.mock.calls).toHaveLength(0);
  });

  it('refreshes an expired token with one token request', async () => {
    const store = new MemoryTokenStore();
    const first = await login({
      ...options(store),
      interactive: true, // a person is here, even when the suite runs in CI
      flow: 'browser',
      openBrowser: async (url) => void followRedirect(url),
    });
    expect(first.refresh_token).toEqual(expect.any(String));
    const key = loginKey(options(store));
    await store.set(key, { ...(await store.get(key))!, expires_at: Math.floor(Date.now() / 1000) - 10 });
    const before = ctx.mock.callsTo('token').length;
    const callsBefore = ctx.mock.calls.length;

    const token = await authenticate({ ...options(store), interactive: false });

    expect(ctx.mock.callsTo('token').length - before).toBe(1);
    expect(ctx.mock.calls.length - callsBefore).toBe(1); // discovery and JWKS are cached from the login
    expect(ctx.mock.calls.at(-1)!.body).toMatchObject({ grant_type: 'refresh_token' });
    expect(token.access_token).not.toBe(first.access_token);
    expect(token.headers.Authorization).toBe(`Bearer ${token.access_token}`);
    expect((await store.get(key))!.access_token).toBe(token.access_token);
  });

  it('logs in through the browser (code flow, loopback redirect) and stores the tokens', async () => {
    const store = new MemoryTokenStore();
    let page: Awaited<ReturnType<typeof followRedirect>> | undefined;
    const token = await authenticate({
      ...options(store),
      interactive: true,
      flow: 'browser',
      openBrowser: async (url) => {
        const authorize = new URL(url);
        expect(authorize.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
        expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
        page = await followRedirect(url);
      },
    });

    expect(page!.status).toBe(200);
    expect(page!.html).toContain('Signed in');
    expect(page!.html).not.toContain(token.access_token);
    expect(token.claims?.sub).toBe('usr_test');
    expect(token.headers.Authorization).toBe(`Bearer ${token.access_token}`);
    expect((await store.get(loginKey(options(store))))!.access_token).toBe(token.access_token);
    // The loopback server is gone.
    await expect(fetch(page!.location)).rejects.toThrow();
  });

  it('logs in with the device flow (approved through the mock)', async () => {
    const store = new MemoryTokenStore();
    const shown: string[] = [];
    const token = await authenticate({
      ...options(store),
      interactive: true,
      flow: 'device',
      interval: 1, // the provider's is held at 5 s or more
      onDeviceCode: (info) => {
        shown.push(info.verificationUri);
        ctx.mock.approveDevice(info.userCode);
      },
    });
    expect(shown).toEqual([`${ctx.issuer}/device`]);
    expect(token.claims?.sub).toBe('usr_test');
    expect(token.refresh_token).toEqual(expect.any(String));
    expect(await store.get(loginKey(options(store)))).toMatchObject({ access_token: token.access_token });
  });

  it('rejects a denied device login with DeviceFlowError access_denied', async () => {
    const error = await authenticate({
      ...options(),
      interactive: true,
      flow: 'device',
      interval: 1,
      onDeviceCode: (info) => ctx.mock.denyDevice(info.userCode),
    }).catch((e: unknown) => e);
    expect(DeviceFlowError.is(error) && error.code).toBe('access_denied');
  });

  it('refuses to ask a person in a non-interactive session: InteractionRequiredError, no request', async () => {
    const error = await authenticate({ ...options(), interactive: false }).catch((e: unknown) => e);

    expect(InteractionRequiredError.is(error)).toBe(true);
    const e = error as InteractionRequiredError;
    expect(e.code).toBe('interaction_required');
    expect(e.name).toBe('InteractionRequiredError');
    expect(e.message).toContain(`keyway login --issuer ${ctx.issuer} --client-id ${CLIENT_ID}`);
    expect(e.message).toContain('KEYWAY_TOKEN');
    expect(e.message).toContain('client credentials');
    expect(LoginRequiredError.is(e.cause)).toBe(true);
    expect(ctx.mock.calls).toHaveLength(0);
  });

  it('is non-interactive by default without a TTY or with CI set', async () => {
    vi.stubEnv('CI', 'true');
    const error = await authenticate(options()).catch((e: unknown) => e);
    expect(InteractionRequiredError.is(error)).toBe(true);
  });

  it('turns a refused refresh token into InteractionRequiredError when nobody can log in', async () => {
    const store = new MemoryTokenStore();
    await store.set(loginKey(options(store)), {
      access_token: 'old',
      token_type: 'Bearer',
      expires_at: Math.floor(Date.now() / 1000) - 60,
      refresh_token: 'unknown-refresh-token',
    });
    const error = await authenticate({ ...options(store), interactive: false }).catch((e: unknown) => e);
    expect(InteractionRequiredError.is(error)).toBe(true);
    expect(await store.get(loginKey(options(store)))).toBeUndefined();
  });

  it('returns KEYWAY_TOKEN as is, without store or network', async () => {
    vi.stubEnv('KEYWAY_TOKEN', 'env-token');
    const token = await authenticate({ ...options(), interactive: false });
    expect(token).toMatchObject({ access_token: 'env-token', headers: { Authorization: 'Bearer env-token' } });
    expect(ctx.mock.calls).toHaveLength(0);
    const ignored = await authenticate({ ...options(), interactive: false, ignoreEnvToken: true }).catch((e) => e);
    expect(InteractionRequiredError.is(ignored)).toBe(true);
  });

  it('rejects an error callback with CallbackError and shows a failure page', async () => {
    ctx.mock.denyAuthorization();
    let page: Awaited<ReturnType<typeof followRedirect>> | undefined;
    const error = await authenticate({
      ...options(),
      interactive: true,
      flow: 'browser',
      openBrowser: async (url) => {
        page = await followRedirect(url);
      },
    }).catch((e: unknown) => e);

    expect(CallbackError.is(error)).toBe(true);
    expect((error as CallbackError).error).toBe('access_denied');
    expect(page!.status).toBe(400);
    expect(page!.html).toContain('Sign-in failed');
    expect(page!.html).toContain('access_denied');
  });

  it.each([
    { timeout: Number.NaN },
    { timeout: 2 ** 31 },
    { timeout: -1 },
    { interval: 0 },
    { skew: -30 },
    { redirectPort: 70_000 },
  ])('refuses %o with ConfigurationError invalid_option before the store or the network', async (bad) => {
    const store = new MemoryTokenStore();
    const get = vi.spyOn(store, 'get');
    for (const run of [authenticate, login]) {
      const error = await run({ ...options(store), ...bad, flow: 'device' }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'ConfigurationError', code: 'invalid_option' });
      expect((error as Error).message).toMatch(new RegExp(`^${Object.keys(bad)[0]} must be `));
    }
    expect(get).not.toHaveBeenCalled();
    expect(ctx.mock.calls).toHaveLength(0);
  });

  it.each(['nonsense', '', 'ftp://auth.example.com', 'javascript:alert(1)', 'auth.example.com'])(
    'refuses the issuer %j with ConfigurationError invalid_url, not a login-required error, in CI',
    async (issuer) => {
      vi.stubEnv('CI', '1');
      const store = new MemoryTokenStore();
      const get = vi.spyOn(store, 'get');
      for (const run of [authenticate, login]) {
        for (const clientId of [CLIENT_ID, undefined]) {
          const error = await run({ issuer, clientId, store, interactive: false }).catch((e: unknown) => e);
          expect(error).toMatchObject({ name: 'ConfigurationError', code: 'invalid_url' });
          expect((error as Error).message).toMatch(/^issuer must be an absolute https: URL/);
        }
      }
      expect(get).not.toHaveBeenCalled();
      expect(ctx.mock.calls).toHaveLength(0);
    },
  );

  it('never shows the client secret or a token in what it throws', async () => {
    const store = new MemoryTokenStore();
    const confidential = { issuer: ctx.issuer, clientId: 'test-client', clientSecret: 'test-secret', store };
    await store.set(loginKey(confidential), {
      access_token: 'at_expired_secret_value',
      token_type: 'Bearer',
      expires_at: Math.floor(Date.now() / 1000) - 60,
      refresh_token: 'rt_refused_secret_value',
    });
    ctx.mock.fail('token', {
      status: 400,
      body: { error: 'invalid_grant', error_description: 'refresh token refused' },
    });
    const error = await authenticate({ ...confidential, interactive: false }).catch((e: unknown) => e);
    expect(InteractionRequiredError.is(error)).toBe(true);
    const refresh = ctx.mock.callsTo('token').at(-1)!;
    expect(JSON.stringify(refresh)).toContain('rt_refused_secret_value'); // it was sent...
    for (const shown of [String(error), JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })]) {
      // ...and is nowhere in the error, nor is the secret that authenticated the request.
      for (const secret of ['test-secret', 'rt_refused_secret_value', 'at_expired_secret_value']) {
        expect(shown).not.toContain(secret);
      }
    }
  });

  it('prints token sets with the tokens and the header redacted', async () => {
    vi.stubEnv('KEYWAY_TOKEN', 'secret-env-token');
    const token = await authenticate(options());
    expect(inspect(token)).not.toContain('secret-env-token');
    expect(JSON.stringify(token)).toContain('secret-env-token');
  });
});

describe('audience', () => {
  const AUDIENCE = 'https://api.example.com/';

  it('goes in the authorization request and keys the stored login apart from a no-audience login', async () => {
    const store = new MemoryTokenStore();
    const token = await login({
      ...options(store),
      interactive: true, // a person is here, even when the suite runs in CI
      audience: AUDIENCE,
      flow: 'browser',
      openBrowser: async (url) => void (await followRedirect(url)),
    });

    const [authorize] = ctx.mock.callsTo('authorize');
    expect(authorize!.query).toMatchObject({ audience: AUDIENCE });
    const key = loginKey({ ...options(store), audience: AUDIENCE });
    expect(key).not.toBe(loginKey(options(store)));
    expect(await store.get(key)).toMatchObject({ access_token: token.access_token });
    expect(await readLoginInfo(store, key, undefined)).toEqual({ issuer: ctx.issuer, audience: AUDIENCE });
    expect(await store.get(loginKey(options(store)))).toBeUndefined();
    // A later authenticate() with the same audience finds it; without one it does not.
    expect((await authenticate({ ...options(store), audience: AUDIENCE, interactive: false })).access_token).toBe(
      token.access_token,
    );
    const other = await authenticate({ ...options(store), interactive: false }).catch((e: unknown) => e);
    expect(InteractionRequiredError.is(other)).toBe(true);
  });

  it('goes in the device authorization request and in refreshes', async () => {
    const store = new MemoryTokenStore();
    await login({
      ...options(store),
      interactive: true, // a person is here, even when the suite runs in CI
      audience: AUDIENCE,
      flow: 'device',
      interval: 1,
      onDeviceCode: (info) => ctx.mock.approveDevice(info.userCode),
    });
    expect(ctx.mock.callsTo('deviceAuthorization')[0]!.body).toMatchObject({ audience: AUDIENCE });
    const key = loginKey({ ...options(store), audience: AUDIENCE });
    await store.set(key, { ...(await store.get(key))!, expires_at: Math.floor(Date.now() / 1000) - 10 });

    const refreshed = await authenticate({ ...options(store), audience: AUDIENCE, interactive: false });

    const refresh = ctx.mock.callsTo('token').at(-1)!;
    expect(refresh.body).toMatchObject({ grant_type: 'refresh_token', audience: AUDIENCE });
    // The device-code polls do not carry it: only the requests Auth0 reads it from.
    const polls = ctx.mock.callsTo('token').filter((call) => (call.body as Record<string, string>).device_code);
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.every((call) => (call.body as Record<string, string>).audience === undefined)).toBe(true);
    expect(await store.get(key)).toMatchObject({ access_token: refreshed.access_token });
    // A refresh rewrites the token set only; the login's info stays beside it.
    expect(await store.get(key)).not.toHaveProperty('keyway_audience');
    expect(await readLoginInfo(store, key, undefined)).toEqual({ issuer: ctx.issuer, audience: AUDIENCE });
  });

  it('keeps the key of resource-only logins; with both, audience is the key part', () => {
    const base = { issuer: 'https://auth.example.com', clientId: CLIENT_ID };
    const resourceKey = tokenKey({ ...base, audience: 'https://r.example.com', scope: 'openid offline_access' });
    expect(loginKey({ ...base, resource: 'https://r.example.com' })).toBe(resourceKey);
    expect(loginKey({ ...base, resource: 'https://r.example.com', audience: AUDIENCE })).toBe(
      loginKey({ ...base, audience: AUDIENCE }),
    );
  });

  it('stores the exact issuer beside the tokens, but never returns it', async () => {
    const store = new MemoryTokenStore();
    const token = await login({
      ...options(store),
      interactive: true, // a person is here, even when the suite runs in CI
      flow: 'device',
      interval: 1,
      onDeviceCode: (info) => ctx.mock.approveDevice(info.userCode),
    });
    const key = loginKey(options(store));
    // Beside, not inside: the stored token set is the provider's, the login's info under its own key.
    expect(await store.get(key)).not.toHaveProperty('keyway_issuer');
    expect(await store.get(loginInfoKey(key))).toMatchObject({ keyway_issuer: ctx.issuer, access_token: '' });
    expect(await readLoginInfo(store, key, await store.get(key))).toEqual({ issuer: ctx.issuer });
    expect(token).not.toHaveProperty('keyway_issuer');
    expect(await authenticate({ ...options(store), interactive: false })).not.toHaveProperty('keyway_issuer');
  });
});

describe('the session decides: who can answer a login, and which flow can reach them', () => {
  /** A machine described by its signals: variables, terminals, platform (no marker files, no /proc). */
  const machine = (
    vars: Record<string, string>,
    terminal: boolean,
    platform: NodeJS.Platform = 'linux',
  ): SessionProbe => ({
    env: { PATH: '/usr/bin:/bin', ...vars },
    platform,
    tty: { stdin: terminal, stdout: terminal, stderr: terminal },
    root: '/nonexistent/keyway-test-root',
    ppid: 1,
  });
  const approve = (shown: string[]) => (info: { userCode: string; verificationUri: string }) => {
    shown.push(info.verificationUri);
    ctx.mock.approveDevice(info.userCode);
  };

  it('login() in CI refuses at once, even with a terminal and flow: device: no request, the three ways named', async () => {
    const started = Date.now();
    const error = await loginIn(machine({ CI: '1' }, true), { ...options(), flow: 'device' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(InteractionRequiredError.is(error)).toBe(true);
    expect((error as Error).message).toBe(
      `A login is required for client "${CLIENT_ID}" at ${ctx.issuer}, but nobody can answer one here: a CI job (CI is set). ` +
        `Provide a token in one of these ways: run \`keyway login --issuer ${ctx.issuer} --client-id ${CLIENT_ID}\` beforehand in a terminal; ` +
        'or set KEYWAY_TOKEN to an access token (e.g. a CI secret); ' +
        'or use client credentials (clientSecret with createTokenSource({ grant: { type: "client_credentials" } }) from @keyway/core).',
    );
    expect(ctx.mock.calls).toHaveLength(0);
  });

  it('authenticate() in a SLURM batch job says so, and asks nobody', async () => {
    const error = await authenticateIn(machine({ SLURM_JOB_ID: '4711' }, false), options()).catch((e: unknown) => e);
    expect(InteractionRequiredError.is(error)).toBe(true);
    expect((error as Error).message).toContain(
      'nobody can answer one here: a SLURM batch job (SLURM_JOB_ID is set, no terminal).',
    );
    expect(ctx.mock.calls).toHaveLength(0);
  });

  it('authenticate() without a terminal is refused (implicit); login() runs there (explicit), with the device flow', async () => {
    const headless = machine({}, false);
    const refused = await authenticateIn(headless, options()).catch((e: unknown) => e);
    expect((refused as Error).message).toContain(
      'nobody can answer one here: no terminal (stderr, or stdin and stdout both, are not terminals).',
    );
    const shown: string[] = [];
    const token = await loginIn(headless, { ...options(), interval: 1, onDeviceCode: approve(shown) });
    expect(shown).toEqual([`${ctx.issuer}/device`]);
    expect(token.claims?.sub).toBe('usr_test');
  });

  it('the chooser reads the machine, not whether openBrowser was passed: headless Linux gets the device flow', async () => {
    const openBrowser = vi.fn(async () => {});
    const shown: string[] = [];
    await loginIn(machine({ SSH_CONNECTION: '10.0.0.2 50000 10.0.0.1 22' }, true), {
      ...options(),
      interval: 1,
      openBrowser,
      onDeviceCode: approve(shown),
    });
    expect(openBrowser).not.toHaveBeenCalled();
    expect(shown).toHaveLength(1);
  });

  it('a desktop gets the browser flow', async () => {
    const opened: string[] = [];
    const token = await loginIn(machine({ DISPLAY: ':0' }, true), {
      ...options(),
      openBrowser: async (url) => {
        opened.push(url);
        await followRedirect(url);
      },
    });
    expect(opened).toHaveLength(1);
    expect(ctx.mock.callsTo('deviceAuthorization')).toHaveLength(0);
    expect(token.claims?.sub).toBe('usr_test');
  });

  it('authenticate() in a Jupyter kernel (no terminal) logs in with the device flow', async () => {
    const shown: string[] = [];
    const token = await authenticateIn(machine({ JPY_PARENT_PID: '100', DISPLAY: ':0' }, false, 'darwin'), {
      ...options(),
      interval: 1,
      onDeviceCode: approve(shown),
    });
    expect(shown).toEqual([`${ctx.issuer}/device`]);
    expect(token.claims?.sub).toBe('usr_test');
  });

  it('interactive: true is the caller saying a person is there, whatever the signals', async () => {
    const shown: string[] = [];
    await loginIn(machine({ CI: 'true' }, false), {
      ...options(),
      interactive: true,
      interval: 1,
      onDeviceCode: approve(shown),
    });
    expect(shown).toHaveLength(1);
    const refused = await loginIn(machine({}, true), { ...options(), interactive: false }).catch((e: unknown) => e);
    expect((refused as Error).message).toContain('nobody can answer one here: the caller passed interactive: false.');
  });
});
