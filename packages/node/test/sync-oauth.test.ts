import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import {
  ConfigurationError,
  KeywayError,
  KeywayTimeoutError,
  OAuthClient,
  OAuthError,
  TokenValidationError,
} from '@keyway/core';
import { completeAuthorization } from '@keyway/mocks';
import { describe, expect, it } from 'vitest';
import { runProcess, thrown, useSyncHost } from './sync-helpers.js';

// The mock answers from its own thread: these calls block the test's thread.
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const sync = useSyncHost();

const confidential = () =>
  sync.built.discoverSync(sync.host.url, { clientId: 'test-client', clientSecret: 'test-secret' });
const publicClient = () =>
  sync.built.discoverSync(sync.host.url, {
    clientId: 'test-public-client',
    redirectUri: 'http://127.0.0.1:53682/callback',
  });

/** The methods of core's OAuthClient, as its prototype has them. */
const coreMethods = Object.getOwnPropertyNames(OAuthClient.prototype).filter(
  (name) =>
    name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(OAuthClient.prototype, name)?.value === 'function',
);

describe('discoverSync: the blocking twin of OAuthClient', () => {
  it('has every method and property of OAuthClient, read from its prototype', async () => {
    const twin = confidential();
    const client = await import('@keyway/core').then(({ discover }) =>
      discover(sync.host.url, { clientId: 'test-client', clientSecret: 'test-secret' }),
    );
    expect(coreMethods).toEqual(expect.arrayContaining(['createAuthorizationUrl', 'handleCallback', 'exchangeCode']));
    for (const method of coreMethods) {
      expect(typeof (twin as unknown as Record<string, unknown>)[method], method).toBe('function');
    }
    // Nothing more: the twin is OAuthClient's own properties plus its methods.
    expect(Object.keys(twin).sort()).toEqual([...Object.keys(client), ...coreMethods].sort());
    expect(twin.issuer).toBe(sync.host.url);
    expect(twin.metadata).toEqual(client.metadata);
    expect(twin.tokenEndpointAuthMethod).toBe('client_secret_basic');
    expect(Object.isFrozen(twin)).toBe(true);
  });

  it('runs the code flow, refresh, userinfo, token exchange, introspection and revocation without a promise', async () => {
    const twin = publicClient();
    const request = twin.createAuthorizationUrl({ scope: 'openid profile offline_access' });
    expect(request).not.toBeInstanceOf(Promise);
    expect(request.url).toBeInstanceOf(URL);
    const callback = await completeAuthorization(request.url); // the person in the browser (async: the test's own step)
    const tokens = twin.handleCallback(callback, request);
    expect(tokens).toMatchObject({ token_type: expect.stringMatching(/^bearer$/i), refresh_token: expect.any(String) });
    expect(tokens.claims?.sub).toEqual(expect.any(String));
    // Redacted for people, whole for code: core's hook is put back on this thread.
    expect(inspect(tokens)).not.toContain(tokens.access_token);
    expect(inspect(tokens)).toMatch(/^TokenSet /);
    expect(JSON.stringify(tokens)).toContain(tokens.access_token);

    const fresh = twin.refresh(tokens);
    expect(fresh.access_token).not.toBe(tokens.access_token);
    expect(fresh.claims?.sub).toBe(tokens.claims?.sub);
    expect(twin.userinfo(fresh)).toMatchObject({ sub: tokens.claims?.sub });

    const service = confidential();
    const exchanged = service.tokenExchange({
      subjectToken: fresh.access_token,
      subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
    });
    expect(exchanged.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    expect(service.introspect(fresh.access_token)).toMatchObject({ active: true });
    expect(service.revoke(exchanged.access_token)).toBeUndefined();
    expect(service.introspect(exchanged.access_token)).toMatchObject({ active: false });

    // A code is redeemed once: the replay is core's CallbackError, thrown here.
    const replay = thrown(() => twin.handleCallback(callback, request));
    expect(KeywayError.is(replay)).toBe(true);
    expect((replay as KeywayError).code).toBe('state_reused');
  });

  it('exchangeCode and caller-supplied values go through as in core', async () => {
    const twin = publicClient();
    const state = 'sync-state-0123456789';
    const request = twin.createAuthorizationUrl({ scope: 'openid', state });
    expect(request.state).toBe(state);
    const callback = await completeAuthorization(request.url);
    const tokens = twin.exchangeCode(callback.searchParams.get('code')!, request);
    expect(tokens.claims?.nonce).toBe(request.nonce);
    // A reused state is refused before anything is sent, on this thread, as core's class.
    const reused = thrown(() => twin.createAuthorizationUrl({ scope: 'openid', state }));
    expect(reused).toBeInstanceOf(ConfigurationError);
    expect((reused as ConfigurationError).code).toBe('reused_value');
  });

  it('client credentials, the device flow, end-session URL and access-token verification', async () => {
    const twin = confidential();
    const service = twin.clientCredentials({ scope: 'api:read' });
    expect(service.access_token).toEqual(expect.any(String));
    expect(twin.verifyAccessToken(service.access_token, { audience: sync.host.url }).client_id).toBe('test-client');

    const device = twin.deviceAuthorization({ scope: 'openid' });
    expect(device.user_code).toEqual(expect.any(String));
    await sync.host.call('approveDevice', device.user_code);
    expect(twin.pollDeviceToken(device, { interval: 1 }).access_token).toEqual(expect.any(String));

    const logout = twin.endSessionUrl({ state: 'bye' });
    expect(logout).toBeInstanceOf(URL);
    expect(logout.searchParams.get('client_id')).toBe('test-client');
    expect(twin.toJSON()).toEqual({
      issuer: sync.host.url,
      clientId: 'test-client',
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
  });

  it('throws core’s own classes, synchronously, with their fields', () => {
    const wrong = sync.built.discoverSync(sync.host.url, { clientId: 'test-client', clientSecret: 'not-the-secret' });
    const denied = thrown(() => wrong.clientCredentials());
    expect(denied).toBeInstanceOf(OAuthError);
    expect(OAuthError.is(denied)).toBe(true);
    expect(denied).toMatchObject({ error: 'invalid_client', status: 401 });
    for (const shown of [String(denied), JSON.stringify(denied), inspect(denied, { depth: 5 })]) {
      expect(shown).not.toContain('not-the-secret');
    }

    const refused = thrown(() => confidential().refresh('no-such-refresh-token'));
    expect(refused).toBeInstanceOf(OAuthError);
    expect((refused as OAuthError).error).toBe('invalid_grant');

    const bad = thrown(() => confidential().verifyAccessToken('a.b.c', { audience: sync.host.url }));
    expect(bad).toBeInstanceOf(TokenValidationError);

    const missing = thrown(() => confidential().refresh({ access_token: 'x', token_type: 'Bearer' }));
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect((missing as ConfigurationError).code).toBe('missing_refresh_token');
  });

  it('a discovery failure is core’s error, thrown by discoverSync itself', () => {
    const error = thrown(() => sync.built.discoverSync(`${sync.host.url}/nowhere`, { clientId: 'x' }));
    expect(KeywayError.is(error)).toBe(true);
    expect((error as KeywayError).code).toBe('discovery_failed');
  });

  it('refuses what cannot cross to the worker, with a typed error, before anything is sent', () => {
    for (const option of ['fetch', 'stateStore', 'onCacheUpdate'] as const) {
      const error = thrown(() =>
        sync.built.discoverSync(sync.host.url, { clientId: 'test-client', [option]: () => undefined } as never),
      );
      expect(error, option).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).code).toBe('unsupported_option');
    }
    const twin = confidential();
    const device = {
      device_code: 'd',
      user_code: 'u',
      verification_uri: `${sync.host.url}/device`,
      expires_in: 60,
      interval: 5,
    };
    const signal = thrown(() => twin.pollDeviceToken(device, { signal: AbortSignal.timeout(1000) }));
    expect(signal).toBeInstanceOf(ConfigurationError);
    expect((signal as ConfigurationError).code).toBe('unsupported_argument');

    const posted = new Request(`${sync.host.url}/callback`, { method: 'POST', body: 'code=abc&state=abcdefgh' });
    const body = thrown(() => twin.handleCallback(posted, { state: 'abcdefgh', codeVerifier: 'v'.repeat(43) }));
    expect(body).toBeInstanceOf(ConfigurationError);
    expect((body as ConfigurationError).code).toBe('unsupported_argument');
    expect((body as Error).message).toContain("new URL('?' + formBody, callbackUrl)");
  });

  it('a body-less Request and a form_post body passed as a URL query are handled as in core', async () => {
    const twin = publicClient();
    const request = twin.createAuthorizationUrl({ scope: 'openid' });
    const callback = await completeAuthorization(request.url);
    // The Request crosses as its URL, method and headers; core reads its query.
    const tokens = twin.handleCallback(new Request(callback), request);
    expect(tokens.access_token).toEqual(expect.any(String));

    const second = twin.createAuthorizationUrl({ scope: 'openid' });
    const back = await completeAuthorization(second.url);
    const formBody = back.searchParams.toString(); // what a form_post would have POSTed
    expect(
      twin.handleCallback(new URL(`?${formBody}`, 'http://127.0.0.1:53682/callback'), second).access_token,
    ).toEqual(expect.any(String));
  });

  it('DPoP: dpop: true makes one key for the twin; proofs carry its thumbprint and remembered nonces', () => {
    const twin = sync.built.discoverSync(sync.host.url, {
      clientId: 'test-client',
      clientSecret: 'test-secret',
      dpop: true,
    });
    expect(twin.dpop).toBe(true);
    const tokens = twin.clientCredentials({ scope: 'api:read' });
    expect(tokens.token_type).toMatch(/^dpop$/i);
    const header = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString()) as { jwk: object };
    const payload = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { nonce?: string };
    const first = twin.dpopProof('GET', 'https://api.example.com/things', tokens.access_token);
    twin.rememberDpopNonce(
      'https://api.example.com/things',
      new Response(null, { status: 401, headers: { 'DPoP-Nonce': 'server-nonce-1' } }),
    );
    const second = twin.dpopProof('GET', new URL('https://api.example.com/things'), tokens.access_token);
    expect(header(second).jwk).toEqual(header(first).jwk);
    expect(payload(first).nonce).toBeUndefined();
    expect(payload(second).nonce).toBe('server-nonce-1');
  });

  it('past syncTimeout: KeywayTimeoutError sync_timeout, and the next twin works on a fresh worker', async () => {
    // Accepts connections (the kernel does, while this thread blocks) and never answers.
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const error = thrown(() =>
      sync.built.discoverSync(`http://127.0.0.1:${port}`, { clientId: 'test-client', syncTimeout: 300 }),
    );
    silent.close();
    expect(error).toBeInstanceOf(KeywayTimeoutError);
    expect((error as KeywayTimeoutError).code).toBe('sync_timeout');
    expect(confidential().clientCredentials().access_token).toEqual(expect.any(String));
  });

  it('refuses a bad syncTimeout before anything is sent', () => {
    for (const syncTimeout of [Number.NaN, 0, -5, '100' as unknown as number]) {
      const error = thrown(() => sync.built.discoverSync(sync.host.url, { clientId: 'test-client', syncTimeout }));
      expect(error, String(syncTimeout)).toBeInstanceOf(ConfigurationError);
    }
  });

  it.each([
    ['a child node follows the redirect', 'fetch'],
    ['a headless Chromium completes the login', 'chromium'],
  ])(
    'a script runs the code flow (%s), refresh and token exchange without await, then exits by itself (an idle twin holds nothing)',
    async (_how, loginWith) => {
      // A held process would never exit: it is killed (and the assertion names the signal) well past any normal run.
      const { code, signal, stderr, stdout } = await runProcess(
        process.execPath,
        [fileURLToPath(new URL('./sync-fixtures/oauth-script.mjs', import.meta.url))],
        {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
          env: { ...process.env, ISSUER: sync.host.url, LOGIN_WITH: loginWith },
          timeout: 50_000,
        },
      );
      expect({ code, signal, stderr }).toEqual({ code: 0, signal: null, stderr: '' });
      expect(JSON.parse(stdout)).toEqual({
        sub: expect.any(String),
        refreshedSameSub: true,
        rotated: true,
        exchangedType: 'urn:ietf:params:oauth:token-type:access_token',
        active: true,
      });
    },
    60_000,
  );

  it('without a clientId: registers a public native client (once per process) and the twin uses it', async () => {
    // The provider runs in a process of its own (tsx runs the TypeScript helper): this thread blocks.
    const server = spawn(
      join(packageDir, 'node_modules/.bin/tsx'),
      [join(packageDir, 'test/sync-fixtures/registering-server.ts')],
      {
        cwd: packageDir,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const lines = createInterface({ input: server.stdout! });
    const messages: Record<string, unknown>[] = [];
    const next = () =>
      new Promise<Record<string, unknown>>((resolve) => {
        lines.once('line', (line) => {
          const message = JSON.parse(line) as Record<string, unknown>;
          messages.push(message);
          resolve(message);
        });
      });
    try {
      const { issuer } = (await next()) as { issuer: string };
      const registered = next();
      const twin = sync.built.discoverSync(issuer, { redirectUri: 'http://127.0.0.1:53682/callback' });
      expect(await registered).toEqual({ registrations: 1 });
      expect(twin.clientId).toBe('test-public-client');
      expect(twin.tokenEndpointAuthMethod).toBe('none');
      const request = twin.createAuthorizationUrl({ scope: 'openid' });
      expect(request.url.searchParams.get('client_id')).toBe('test-public-client');
      const tokens = twin.handleCallback(await completeAuthorization(request.url), request);
      expect(tokens.access_token).toEqual(expect.any(String));
      // The same process (its worker) discovers again: the registration is reused, not repeated.
      expect(sync.built.discoverSync(issuer, { redirectUri: 'http://127.0.0.1:53682/callback' }).clientId).toBe(
        'test-public-client',
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(messages).toEqual([{ issuer }, { registrations: 1 }]);
    } finally {
      server.stdin!.end();
      await once(server, 'exit');
    }
  }, 60_000);
});
