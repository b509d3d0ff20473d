/*
 * TokenCoordinator and a token source's `coordinator` option, in one process: a fake namespace hands
 * each object name to a TokenCoordinator over a Map standing for `ctx.storage`. The object makes its
 * token requests with the global fetch (a Durable Object has no other), stubbed with the mock for each
 * test and restored after it. workerd runs the same code in test/coordinator.test.ts.
 */
import { type FetchLike, KeywayApiError, OAuthError } from '@keyway/core';
import { createMockKeyway } from '@keyway/mocks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isolateFetch } from '../test/helpers.js';
import { TokenCoordinator, type TokenCoordinatorNamespace, type TokenCoordinatorState } from './coordinator.js';
import { createEdgeTokenSource, type EdgeTokenSourceOptions } from './token-source.js';

const SECRET = 'test-secret';

/** A Durable Object's state whose storage is `data`. */
function stateOver(data: Map<string, unknown>): TokenCoordinatorState {
  return {
    storage: {
      get: async (key) => data.get(key),
      put: async (key, value) => {
        data.set(key, value);
      },
      delete: async (key) => data.delete(key),
    },
  };
}

/**
 * A namespace of TokenCoordinators over one storage Map per name. `binding()` is one isolate's binding
 * object (each isolate has its own `env`); `evict()` forgets the objects, not their storage; `requests`
 * counts what reached the objects.
 */
function fakeNamespace() {
  const storages = new Map<string, Map<string, unknown>>();
  const objects = new Map<string, TokenCoordinator>();
  const names: string[] = [];
  let requests = 0;
  const state = (name: string): TokenCoordinatorState => {
    let storage = storages.get(name);
    if (!storage) {
      storage = new Map();
      storages.set(name, storage);
    }
    return stateOver(storage);
  };
  const binding = (): TokenCoordinatorNamespace => ({
    idFromName: (name) => {
      names.push(name);
      return `id:${name}`;
    },
    get: (id) => ({
      fetch: async (request) => {
        requests++;
        const name = String(id);
        let object = objects.get(name);
        if (!object) {
          object = new TokenCoordinator(state(name));
          objects.set(name, object);
        }
        return object.fetch(request);
      },
    }),
  });
  return { binding, storages, names, evict: () => objects.clear(), requests: () => requests };
}

/** The mock answers the global fetch (the object's) and each isolate's own fetch. */
function setup(extra: Partial<EdgeTokenSourceOptions> = {}) {
  const mock = createMockKeyway({ ttl: 600 });
  vi.stubGlobal('fetch', isolateFetch(mock));
  const coordinator = fakeNamespace();
  const logs: string[] = [];
  const options = (more: Partial<EdgeTokenSourceOptions> = {}): EdgeTokenSourceOptions => ({
    issuer: mock.issuer,
    clientId: 'test-client',
    clientSecret: SECRET,
    scope: 'things:read',
    // Each source stands for another isolate: a binding and a fetch of its own mean caches of its own.
    coordinator: coordinator.binding(),
    fetch: isolateFetch(mock),
    log: (line) => logs.push(line),
    ...extra,
    ...more,
  });
  return { mock, coordinator, logs, options };
}

/** `perIsolate` concurrent getToken() calls in each of `isolates` fresh sources. */
async function burst(options: () => EdgeTokenSourceOptions, isolates = 3, perIsolate = 10): Promise<string[]> {
  const calls = Array.from({ length: isolates * perIsolate }, () => createEdgeTokenSource(options()).getToken());
  return (await Promise.all(calls)).map((tokens) => tokens.access_token);
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('TokenCoordinator through createEdgeTokenSource({ coordinator })', () => {
  it('serves 30 concurrent callers of three isolates with one token request, and one more per expiry', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { mock, options, logs } = setup();
    const first = await burst(() => options());
    expect(new Set(first).size).toBe(1);
    expect(mock.callsTo('token')).toHaveLength(1);

    // Within the skew (30 s) of expiry: every isolate asks the object, which renews once.
    vi.setSystemTime(Date.now() + 575_000);
    const second = await burst(() => options());
    expect(new Set(second).size).toBe(1);
    expect(second[0]).not.toBe(first[0]);
    expect(mock.callsTo('token')).toHaveLength(2);

    // Past the expiry itself, the same.
    vi.setSystemTime(Date.now() + 700_000);
    await burst(() => options());
    expect(mock.callsTo('token')).toHaveLength(3);
    expect(logs).toEqual([]);
  });

  it('sources made per request in one isolate ask the object once per expiry, not once per request', async () => {
    const { mock, coordinator, options } = setup();
    const isolate = options();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => createEdgeTokenSource(isolate).getToken()));
    await createEdgeTokenSource(isolate).getToken();
    expect(new Set(tokens.map((set) => set.access_token)).size).toBe(1);
    expect(coordinator.requests()).toBe(1);
    expect(mock.callsTo('token')).toHaveLength(1);
    // Another secret in the same isolate has a cache of its own (and is refused by the issuer).
    await expect(createEdgeTokenSource({ ...isolate, clientSecret: 'wrong' }).getToken()).rejects.toMatchObject({
      error: 'invalid_client',
    });
    expect(coordinator.requests()).toBe(2);
  });

  it('names the object after the source key: other clients, scopes or audiences get other objects', async () => {
    const { coordinator, options } = setup();
    const one = createEdgeTokenSource(options());
    const other = createEdgeTokenSource(options({ scope: 'admin' }));
    await one.getToken();
    await other.getToken();
    expect(coordinator.names).toEqual([one.key, other.key]);
    expect(one.key).not.toBe(other.key);
  });

  it('after eviction serves the stored token with no request; storage holds neither the secret nor its name', async () => {
    const { mock, coordinator, options } = setup();
    const before = await createEdgeTokenSource(options()).getToken();
    coordinator.evict();
    const after = await createEdgeTokenSource(options()).getToken();
    expect(after.access_token).toBe(before.access_token);
    expect(mock.callsTo('token')).toHaveLength(1);
    const [storage] = [...coordinator.storages.values()];
    const dump = JSON.stringify([...storage!.entries()]);
    expect(dump).toContain(before.access_token);
    expect(dump).not.toContain(SECRET);
    expect([...storage!.keys()]).toEqual([expect.stringMatching(/^tokens:[0-9a-f]{64}$/)]);
  });

  it('a caller with another secret is not handed the token obtained with the right one', async () => {
    const { mock, options } = setup();
    await createEdgeTokenSource(options()).getToken();
    const wrong = createEdgeTokenSource(options({ clientSecret: 'wrong' }));
    const refusal = await wrong.getToken().catch((error: unknown) => error);
    expect(mock.callsTo('token')).toHaveLength(2);

    // The same error class and fields as the direct path's.
    const { coordinator: _, ...withoutCoordinator } = options({ clientSecret: 'wrong' });
    const direct = await createEdgeTokenSource(withoutCoordinator)
      .getToken()
      .catch((error: unknown) => error);
    expect(OAuthError.is(refusal)).toBe(true);
    expect(refusal).toBeInstanceOf(OAuthError);
    expect((refusal as OAuthError).toJSON()).toEqual((direct as OAuthError).toJSON());
    expect(refusal).toMatchObject({ error: 'invalid_client', status: 401 });
    expect(JSON.stringify(refusal) + String(refusal)).not.toContain('wrong');
  });

  it('an HTTP failure of the token endpoint is the KeywayApiError subclass of the direct path', async () => {
    const { mock, options, logs } = setup({ retry: false });
    mock.fail('token', { status: 503, body: 'down', times: 1 });
    const refusal = await createEdgeTokenSource(options())
      .getToken()
      .catch((error: unknown) => error);
    expect(KeywayApiError.is(refusal)).toBe(true);
    expect(refusal).toMatchObject({ name: 'InternalServerError', status: 503 });
    expect(logs).toEqual([]); // the object answered: no fallback, no second request
    expect(mock.callsTo('token')).toHaveLength(1);
  });

  it('an API refusing the token: the object renews once for every isolate that saw the refusal', async () => {
    const { mock, options } = setup();
    const refused = (await createEdgeTokenSource(options()).getToken()).access_token;
    const sources = Array.from({ length: 5 }, () => createEdgeTokenSource(options()));
    const renewed = await Promise.all(sources.map((source) => source.getToken({ rejectedToken: refused })));
    expect(new Set(renewed.map((tokens) => tokens.access_token)).size).toBe(1);
    expect(renewed[0]!.access_token).not.toBe(refused);
    expect(mock.callsTo('token')).toHaveLength(2);
    // A late refusal of the old token gets the new one, with no request.
    const late = await createEdgeTokenSource(options()).getToken({ rejectedToken: refused });
    expect(late.access_token).toBe(renewed[0]!.access_token);
    expect(mock.callsTo('token')).toHaveLength(2);
    // forceRefresh renews whatever the object holds.
    const forced = await createEdgeTokenSource(options()).getToken({ forceRefresh: true });
    expect(forced.access_token).not.toBe(renewed[0]!.access_token);
    expect(mock.callsTo('token')).toHaveLength(3);
  });

  it('authFetch: a 401 from the API renews through the object and retries once', async () => {
    const { mock, options } = setup();
    const stale = (await createEdgeTokenSource(options()).getToken()).access_token;
    const api: FetchLike = async (input, init) => {
      const request = new Request(input, init);
      if (request.url.startsWith(mock.issuer)) {
        return mock.fetch(request);
      }
      const sent = request.headers.get('authorization');
      return new Response(sent, { status: sent === `Bearer ${stale}` ? 401 : 200 });
    };
    const response = await createEdgeTokenSource(options({ fetch: api })).authFetch('https://api.example.com/x');
    expect(response.status).toBe(200);
    expect(await response.text()).not.toBe(`Bearer ${stale}`);
    expect(mock.callsTo('token')).toHaveLength(2);
  });

  describe('falls back to a direct token request with one log line', () => {
    const broken: Array<[string, (namespace: TokenCoordinatorNamespace) => TokenCoordinatorNamespace, RegExp]> = [
      [
        'unreachable',
        (namespace) => ({
          ...namespace,
          get: () => ({
            fetch: () => Promise.reject(new TypeError(`Network connection lost (${SECRET})`)),
          }),
        }),
        /could not be reached \("TypeError: Network connection lost \(\[redacted\]\)"\)/,
      ],
      [
        'a binding that throws',
        () => ({
          idFromName: () => undefined,
          get: () => {
            throw new Error('no such class');
          },
        }),
        /could not be reached \("Error: no such class"\)/,
      ],
      [
        'a 500',
        (namespace) => ({ ...namespace, get: () => ({ fetch: async () => new Response('boom', { status: 500 }) }) }),
        /answered 500 without a token/,
      ],
      [
        'a 200 that holds no token',
        (namespace) => ({
          ...namespace,
          get: () => ({ fetch: async () => Response.json({ tokens: { access_token: 7 } }) }),
        }),
        /answered 200 without a token/,
      ],
      [
        'a 502 that holds no error',
        (namespace) => ({
          ...namespace,
          get: () => ({ fetch: async () => Response.json({ failure: { brands: 'x' } }, { status: 502 }) }),
        }),
        /answered 502 without a token/,
      ],
    ];
    it.each(broken)('%s', async (_label, breakIt, reason) => {
      const { mock, coordinator, options, logs } = setup();
      const source = createEdgeTokenSource(options({ coordinator: breakIt(coordinator.binding()) }));
      const tokens = await source.getToken();
      expect(tokens.token_type).toBe('Bearer');
      expect(mock.callsTo('token')).toHaveLength(1);
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatch(reason);
      expect(logs[0]).toContain(`requesting the token for client "test-client" directly from "${mock.issuer}"`);
      expect(logs[0]).not.toContain(SECRET);
      expect(logs[0]).not.toContain(tokens.access_token);
      // Cached in the isolate: no second line, no second request.
      await source.getToken();
      expect(logs).toHaveLength(1);
      expect(mock.callsTo('token')).toHaveLength(1);
    });

    it('an object that never answers: after three times the timeout (fake clock)', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const { mock, coordinator, options, logs } = setup({ timeout: 2000 });
      const silent = { ...coordinator.binding(), get: () => ({ fetch: () => new Promise<Response>(() => undefined) }) };
      const pending = createEdgeTokenSource(options({ coordinator: silent })).getToken();
      await vi.advanceTimersByTimeAsync(5999);
      expect(logs).toEqual([]);
      expect(mock.callsTo('token')).toHaveLength(0);
      await vi.advanceTimersByTimeAsync(1);
      expect((await pending).token_type).toBe('Bearer');
      expect(mock.callsTo('token')).toHaveLength(1);
      expect(logs).toEqual([
        expect.stringMatching(/^@keyway\/edge: the TokenCoordinator did not answer within 6000 ms;/),
      ]);
    });

    it('the default log is console.warn', async () => {
      const { coordinator, options } = setup();
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        const namespace = {
          ...coordinator.binding(),
          get: () => ({ fetch: async () => new Response(null, { status: 503 }) }),
        };
        await createEdgeTokenSource({ ...options({ coordinator: namespace }), log: undefined }).getToken();
        expect(warn).toHaveBeenCalledTimes(1);
        expect(warn.mock.calls[0]![0]).toMatch(/^@keyway\/edge: the TokenCoordinator answered 503 without a token;/);
      } finally {
        warn.mockRestore();
      }
    });
  });

  it('private_key_jwt with a JWK: the object signs the assertion; neither storage nor a log line holds the key', async () => {
    const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    const privateKey = { ...(await crypto.subtle.exportKey('jwk', pair.privateKey)), alg: 'ES256', kid: 'k1' };
    const publicKey = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), alg: 'ES256', kid: 'k1' };
    const mock = createMockKeyway({ clients: [{ clientId: 'jwt-client', jwks: { keys: [publicKey] } }] });
    vi.stubGlobal('fetch', isolateFetch(mock));
    const coordinator = fakeNamespace();
    const options: EdgeTokenSourceOptions = {
      issuer: mock.issuer,
      clientId: 'jwt-client',
      privateKey,
      coordinator: coordinator.binding(),
      fetch: isolateFetch(mock),
    };
    const tokens = await createEdgeTokenSource(options).getToken();
    expect(coordinator.requests()).toBe(1);
    expect(mock.callsTo('token')[0]?.body).toMatchObject({
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    });
    const stored = JSON.stringify([...coordinator.storages.values()].flatMap((storage) => [...storage.entries()]));
    expect(stored).toContain(tokens.access_token);
    expect(stored).not.toContain(privateKey.d!);

    const logs: string[] = [];
    const leaky = {
      ...coordinator.binding(),
      get: () => ({ fetch: () => Promise.reject(new Error(`bad key ${privateKey.d}`)) }),
    };
    await createEdgeTokenSource({ ...options, coordinator: leaky, log: (line) => logs.push(line) }).getToken();
    expect(logs).toEqual([expect.stringContaining('bad key [redacted]')]);
  });

  it('refuses a CryptoKey private key with a coordinator (it cannot travel to the object)', async () => {
    const { options } = setup();
    const { privateKey } = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ])) as CryptoKeyPair;
    for (const key of [privateKey, { key: privateKey, kid: 'k1' }]) {
      expect(() => createEdgeTokenSource(options({ clientSecret: undefined, privateKey: key }))).toThrow(
        expect.objectContaining({ name: 'ConfigurationError', code: 'invalid_options' }),
      );
    }
  });

  it('a missing binding (undefined), a KV namespace, a non-function log or an unsendable timeout: ConfigurationError', () => {
    const { options } = setup();
    const careless: Array<Record<string, unknown>> = [
      { coordinator: undefined },
      { coordinator: null },
      { coordinator: { get: () => undefined, put: () => undefined } },
      { log: 'console' },
      // JSON has no NaN or Infinity, and the wait for the object needs a bound.
      { timeout: Number.NaN },
      { timeout: Number.POSITIVE_INFINITY },
      { timeout: 0 },
      { timeout: 2 ** 31 },
      { timeout: '1000' },
    ];
    for (const extra of careless) {
      expect(() => createEdgeTokenSource({ ...options(), ...extra } as EdgeTokenSourceOptions)).toThrow(
        expect.objectContaining({ name: 'ConfigurationError', code: 'invalid_options' }),
      );
    }
  });

  it('a careless skew is core ConfigurationError before anything is sent', () => {
    const { coordinator, options } = setup();
    for (const skew of [Number.NaN, -1, Number.POSITIVE_INFINITY, 1e12]) {
      expect(() => createEdgeTokenSource(options({ skew }))).toThrow(
        expect.objectContaining({ name: 'ConfigurationError' }),
      );
    }
    expect(coordinator.names).toEqual([]);
  });
});

describe('TokenCoordinator.fetch with hostile input', () => {
  const post = (body: BodyInit | null, init: RequestInit = {}) =>
    new Request('https://coordinator.test/v1/token', { method: 'POST', body, ...init });
  const valid = (issuer: string) => ({ issuer, clientId: 'test-client', clientSecret: SECRET, skew: 30 });

  function object() {
    const mock = createMockKeyway();
    vi.stubGlobal('fetch', isolateFetch(mock));
    const data = new Map<string, unknown>();
    const coordinator = new TokenCoordinator(stateOver(data));
    return { mock, data, coordinator };
  }

  it.each([
    ['not JSON', '{"issuer":', 'The body is not a token request.'],
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'The body is not a token request.'],
    ['empty', null, 'The body is not a token request.'],
    ['an array', '[]', 'The body must be a JSON object.'],
    ['no issuer', JSON.stringify({ clientId: 'c', skew: 1 }), '`issuer` must be a non-empty string.'],
    [
      'a numeric client id',
      JSON.stringify({ issuer: 'https://a.test', clientId: 5, skew: 1 }),
      '`clientId` must be a non-empty string.',
    ],
    [
      'skew null (NaN in JSON)',
      JSON.stringify({ issuer: 'https://a.test', clientId: 'c', skew: Number.NaN }),
      '`skew` must be a number of seconds from 0 to 86400.',
    ],
    [
      'a huge skew',
      JSON.stringify({ issuer: 'https://a.test', clientId: 'c', skew: 1e300 }),
      '`skew` must be a number of seconds from 0 to 86400.',
    ],
    [
      'a secret that is an object',
      JSON.stringify({ issuer: 'https://a.test', clientId: 'c', skew: 1, clientSecret: {} }),
      '`clientSecret` must be a string.',
    ],
    [
      'a string for a boolean',
      JSON.stringify({ issuer: 'https://a.test', clientId: 'c', skew: 1, forceRefresh: 'yes' }),
      '`forceRefresh` must be a boolean.',
    ],
    [
      'a string private key',
      JSON.stringify({ issuer: 'https://a.test', clientId: 'c', skew: 1, privateKey: 'pem' }),
      '`privateKey` must be a JWK object.',
    ],
    [
      'retry: true',
      JSON.stringify({ issuer: 'https://a.test', clientId: 'c', skew: 1, retry: true }),
      '`retry` must be false or an object.',
    ],
    [
      'an issuer of slashes',
      JSON.stringify({ issuer: '///', clientId: 'c', skew: 1 }),
      'The body is not a token request.',
    ],
  ])('%s: 400 with what is wrong', async (_label, body, description) => {
    const { coordinator, mock } = object();
    const response = await coordinator.fetch(post(body as BodyInit | null));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'invalid_request', error_description: description });
    expect(mock.calls).toEqual([]);
  });

  it('another method: 405; a body past 32 KiB: 413; then it still serves', async () => {
    const { coordinator, mock } = object();
    const get = await coordinator.fetch(new Request('https://coordinator.test/v1/token'));
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    const huge = await coordinator.fetch(post(JSON.stringify({ ...valid(mock.issuer), pad: 'x'.repeat(40_000) })));
    expect(huge.status).toBe(413);
    const ok = await coordinator.fetch(post(JSON.stringify(valid(mock.issuer))));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(((await ok.json()) as { tokens: { token_type: string } }).tokens.token_type).toBe('Bearer');
  });

  it('an issuer it must not call (plain http to another host) is the ConfigurationError of the direct path', async () => {
    const { coordinator } = object();
    const response = await coordinator.fetch(post(JSON.stringify(valid('http://auth.example.com'))));
    expect(response.status).toBe(502);
    const { failure } = (await response.json()) as { failure: Record<string, unknown> };
    expect(failure).toMatchObject({ name: 'ConfigurationError', brands: ['ConfigurationError', 'KeywayError'] });
    expect(JSON.stringify(failure)).not.toContain(SECRET);
  });

  it('damaged storage counts as no token: it asks the issuer again', async () => {
    const { coordinator, data, mock } = object();
    const first = await coordinator.fetch(post(JSON.stringify(valid(mock.issuer))));
    expect(first.status).toBe(200);
    for (const key of data.keys()) {
      data.set(key, '{"access_token":');
    }
    const fresh = new TokenCoordinator(stateOver(data));
    const second = await fresh.fetch(post(JSON.stringify(valid(mock.issuer))));
    expect(second.status).toBe(200);
    expect(mock.callsTo('token')).toHaveLength(2);
  });
});
