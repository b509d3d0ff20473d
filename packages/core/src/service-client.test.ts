import { createMockKeyway, type MockKeyway } from '@keyway/mocks';
import { operations } from '@keyway/openapi';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { rejection as rejectionOf } from '../test/oauth/fake-op.js';
import {
  AuthenticationError,
  BadRequestError,
  ConfigurationError,
  ConflictError,
  InternalServerError,
  InvalidResponseError,
  KeywayAbortError,
  KeywayApiError,
  KeywayConnectionError,
  KeywayError,
  KeywayTimeoutError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from './errors.js';
import type { FetchLike } from './internal/http.js';
import { VERSION } from './internal/version.js';
import { createKeywayClient, type KeywayClient, type KeywayClientOptions } from './service-client.js';

// Runs under Node and edge-runtime: only `mock.fetch`, no sockets, no Node built-ins.

/** Retries without real waiting (the mock's Retry-After is set to 0 where a test retries). */
const fast = { initialDelay: 1, maxDelay: 4 };

function setup(options: KeywayClientOptions = {}): { mock: MockKeyway; client: KeywayClient } {
  const mock = createMockKeyway();
  const client = createKeywayClient({
    baseUrl: mock.issuer,
    token: mock.apiToken,
    fetch: mock.fetch,
    retry: fast,
    ...options,
  });
  return { mock, client };
}

const rejection = (promise: Promise<unknown>) => rejectionOf<KeywayError>(promise);

function jwtPayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  const b64 = part.replaceAll('-', '+').replaceAll('_', '/');
  return JSON.parse(atob(b64.padEnd(Math.ceil(b64.length / 4) * 4, '=')));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createKeywayClient resources', () => {
  it('access.retrieve returns a signed access token for a persistent token id', async () => {
    const { mock, client } = setup();
    const id = mock.seed.persistentToken({ sub: 'usr_42', scope: 'api:read' });
    const result = await client.access.retrieve({ id });
    expect(result).toMatchObject({ expires_in: 3600, token_type: 'Bearer', scope: 'api:read' });
    expect(jwtPayload(result.access_token)).toMatchObject({ sub: 'usr_42', iss: mock.issuer, scope: 'api:read' });
    const [call] = mock.calls;
    expect(call).toMatchObject({ route: 'retrieveAccessToken', method: 'GET', params: { id }, status: 200 });
    expect(call?.headers.authorization).toBe(`Bearer ${mock.apiToken}`);
  });

  it('access.retrieve percent-encodes the id, so it cannot reach another route', async () => {
    const { mock, client } = setup();
    const error = await rejection(client.access.retrieve({ id: 'ptk/../../validate' }));
    expect(NotFoundError.is(error)).toBe(true);
    expect(mock.calls[0]?.path).toBe('/api/v1/access/ptk%2F..%2F..%2Fvalidate');
    expect(mock.calls[0]?.route).toBe('retrieveAccessToken');
  });

  it.each(['', '.', '..'])('refuses the path parameter %j before sending anything', async (bad) => {
    const { mock, client } = setup();
    for (const call of [
      () => client.access.retrieve({ id: bad }),
      () => client.offline.revoke({ id: bad }),
      () => client.externalTokens.retrieve({ provider: bad }),
    ]) {
      const error = await rejection(call());
      expect(ConfigurationError.is(error)).toBe(true);
      expect(error.code).toBe('invalid_parameter');
    }
    expect(mock.calls).toHaveLength(0);
  });

  it('access.retrieve of an unknown id is a NotFoundError with the problem detail and request id', async () => {
    const { mock, client } = setup();
    const error = await rejection(client.access.retrieve({ id: 'ptk_missing' }));
    expect(error).toBeInstanceOf(NotFoundError);
    const api = error as NotFoundError;
    expect(api.status).toBe(404);
    expect(api.code).toBe('not_found');
    expect(api.body).toMatchObject({ status: 404, detail: 'No persistent token ptk_missing' });
    expect(api.requestId).toBe(mock.calls[0]?.requestId);
    expect(api.requestId).toMatch(/^req_/);
    expect(api.message).toBe(
      `404 Not found: No persistent token ptk_missing (GET ${mock.issuer}/api/v1/access/ptk_missing)`,
    );
  });

  it('refresh.store sends the refresh token as JSON and the returned id retrieves access tokens', async () => {
    const { mock, client } = setup();
    const { id } = await client.refresh.store({ refresh_token: 'rt_external_1' });
    expect(id).toMatch(/^ptk_/);
    const [call] = mock.calls;
    expect(call).toMatchObject({ route: 'storeRefreshToken', method: 'POST', status: 201 });
    expect(call?.body).toEqual({ refresh_token: 'rt_external_1' });
    expect(call?.headers['content-type']).toBe('application/json');
    const access = await client.access.retrieve({ id });
    expect(jwtPayload(access.access_token).sub).toBe('usr_test');
  });

  it('refresh.store without a refresh token is a BadRequestError', async () => {
    const { client } = setup();
    const error = await rejection(client.refresh.store({} as { refresh_token: string }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.code).toBe('validation_error');
    expect((error as BadRequestError).body).toMatchObject({ detail: 'refresh_token: required' });
  });

  it('offline.requestConsent returns the consent URL and its state', async () => {
    const { mock, client } = setup();
    const result = await client.offline.requestConsent({
      client_id: 'test-client',
      user_id: 'usr_9',
      scope: 'api:read',
      redirect_uri: 'https://app.example.com/cb',
    });
    const url = new URL(result.consent_url);
    expect(`${url.origin}${url.pathname}`).toBe(`${mock.issuer}/oauth/authorize`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'test-client',
      login_hint: 'usr_9',
      state: result.state,
      scope: 'api:read offline_access',
      redirect_uri: 'https://app.example.com/cb',
    });
    expect(mock.calls[0]).toMatchObject({ route: 'requestOfflineConsent', method: 'POST' });
    expect(mock.calls[0]?.body).toEqual({
      client_id: 'test-client',
      user_id: 'usr_9',
      scope: 'api:read',
      redirect_uri: 'https://app.example.com/cb',
    });
  });

  it('offline.callback redeems the consent once; a replayed state is a BadRequestError invalid_state', async () => {
    const { mock, client } = setup();
    const { state } = await client.offline.requestConsent({ client_id: 'test-client', user_id: 'usr_9' });
    const { persistent_token_id } = await client.offline.callback({ code: 'code_1', state });
    expect(persistent_token_id).toMatch(/^ptk_/);
    const access = await client.access.retrieve({ id: persistent_token_id });
    expect(jwtPayload(access.access_token).sub).toBe('usr_9');

    const replay = await rejection(client.offline.callback({ code: 'code_1', state }));
    expect(replay).toBeInstanceOf(BadRequestError);
    expect(replay.code).toBe('invalid_state');
    expect(replay.message).toBe(
      `400 Invalid state: The state is unknown, expired or already used (POST ${mock.issuer}/api/v1/offline/callback)`,
    );
  });

  it('offline.callback with the redirect error is a BadRequestError consent_denied', async () => {
    const { client } = setup();
    const { state } = await client.offline.requestConsent({ client_id: 'test-client', user_id: 'usr_9' });
    const error = await rejection(
      client.offline.callback({ state, error: 'access_denied', error_description: 'The user said no' }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.code).toBe('consent_denied');
    expect((error as BadRequestError).body).toMatchObject({ detail: 'access_denied: The user said no' });
  });

  it('offline.revoke revokes once, reports an already revoked token, and 404s an unknown id', async () => {
    const { mock, client } = setup();
    const id = mock.seed.persistentToken();
    expect(await client.offline.revoke({ id })).toEqual({ revoked: true });
    expect(await client.offline.revoke({ id })).toEqual({ revoked: false });
    expect(mock.calls[0]).toMatchObject({ route: 'revokeOfflineToken', method: 'DELETE', params: { id } });
    await expect(client.access.retrieve({ id })).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.offline.revoke({ id: 'ptk_nope' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('validation.verify reports the bearer token, and valid: false for an unknown one', async () => {
    const { mock, client } = setup();
    expect(await client.validation.verify()).toMatchObject({
      valid: true,
      sub: 'usr_test',
      client_id: 'test-client',
      iss: mock.issuer,
    });
    client.setToken('kw_unknown_token');
    expect(await client.validation.verify()).toEqual({ valid: false });
  });

  it('validation.verify without a token is an AuthenticationError invalid_token', async () => {
    const { mock, client } = setup({ token: undefined });
    client.setToken(undefined);
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.code).toBe('invalid_token');
    expect((error as AuthenticationError).headers['www-authenticate']).toBe('Bearer realm="keyway"');
    expect(mock.calls[0]?.headers.authorization).toBeUndefined();
  });

  it('externalTokens.list returns the user’s connected providers', async () => {
    const { mock, client } = setup();
    expect(await client.externalTokens.list()).toEqual({ data: [] });
    mock.seed.externalToken('usr_test', 'github', { access_token: 'gho_1', scope: 'repo' });
    mock.seed.externalToken('usr_test', 'google', { access_token: 'ya29_1', reconsent: true });
    mock.seed.externalToken('usr_other', 'slack', { access_token: 'xoxp' });
    const { data } = await client.externalTokens.list();
    expect(data).toEqual([expect.objectContaining({ provider: 'github', access_token: 'gho_1', scope: 'repo' })]);
    expect(mock.calls.map((call) => call.route)).toEqual(['listExternalTokens', 'listExternalTokens']);
  });

  it('externalTokens.retrieve returns one provider’s token and 404s an unknown provider', async () => {
    const { mock, client } = setup();
    mock.seed.externalToken('usr_test', 'github', { access_token: 'gho_2', token_type: 'bearer' });
    expect(await client.externalTokens.retrieve({ provider: 'github' })).toMatchObject({
      provider: 'github',
      access_token: 'gho_2',
      token_type: 'bearer',
    });
    const error = await rejection(client.externalTokens.retrieve({ provider: 'gitlab' }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.code).toBe('not_found');
  });

  it('externalTokens.retrieve of a provider needing consent again is AuthenticationError reconsent_required', async () => {
    const { mock, client } = setup();
    mock.seed.externalToken('usr_test', 'google', { access_token: 'ya29_2', reconsent: true });
    const error = await rejection(client.externalTokens.retrieve({ provider: 'google' }));
    expect(AuthenticationError.is(error)).toBe(true);
    const api = error as AuthenticationError;
    expect(api.status).toBe(401);
    // Distinct from a bad bearer token (`invalid_token`): the caller must send the user to consent.
    expect(api.code).toBe('reconsent_required');
    expect(api.body).toMatchObject({
      code: 'reconsent_required',
      consent_url: `${mock.issuer}/connections/google/consent`,
    });
    // A 401 is never retried.
    expect(mock.calls).toHaveLength(1);

    client.setToken('kw_unknown');
    const badToken = await rejection(client.externalTokens.retrieve({ provider: 'google' }));
    expect(badToken).toBeInstanceOf(AuthenticationError);
    expect(badToken.code).toBe('invalid_token');
  });

  it('setToken changes the Authorization header of the calls that follow', async () => {
    const { mock, client } = setup();
    const other = mock.seed.accessToken({ sub: 'usr_other' });
    await client.validation.verify();
    client.setToken(other);
    expect(await client.validation.verify()).toMatchObject({ valid: true, sub: 'usr_other' });
    client.setToken(undefined);
    await expect(client.validation.verify()).rejects.toBeInstanceOf(AuthenticationError);
    expect(mock.calls.map((call) => call.headers.authorization)).toEqual([
      `Bearer ${mock.apiToken}`,
      `Bearer ${other}`,
      undefined,
    ]);
  });

  it('setToken refuses a token that cannot be a header value, without quoting it', () => {
    const { client } = setup();
    let error: unknown;
    try {
      client.setToken('kw_secret_part1\nkw_secret_part2');
    } catch (caught) {
      error = caught;
    }
    expect(ConfigurationError.is(error)).toBe(true);
    expect(String(error)).not.toContain('kw_secret_part');
    expect(JSON.stringify(error)).not.toContain('kw_secret_part');
    expect(() => createKeywayClient({ baseUrl: 'https://k.test', token: 'tök€n_secret' })).toThrow(
      expect.objectContaining({ code: 'invalid_token', message: expect.not.stringContaining('secret') }),
    );
  });

  it('sends per-call headers and keeps a base URL path', async () => {
    const mock = createMockKeyway({ issuer: 'https://keyway.test/tenants/acme' });
    const client = createKeywayClient({ baseUrl: `${mock.issuer}/`, token: mock.apiToken, fetch: mock.fetch });
    expect(client.baseUrl).toBe('https://keyway.test/tenants/acme');
    await client.validation.verify({ headers: { 'x-trace-id': 'trace-1' } });
    expect(mock.calls[0]?.url).toBe('https://keyway.test/tenants/acme/api/v1/validate');
    expect(mock.calls[0]?.headers['x-trace-id']).toBe('trace-1');
  });

  it('names the package and version in User-Agent and x-keyway-client, plus the caller’s userAgent', async () => {
    const { mock, client } = setup();
    await client.validation.verify();
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
    expect(mock.calls[0]?.headers['x-keyway-client']).toBe(`keyway-core/${VERSION}`);
    expect(mock.calls[0]?.headers['user-agent']).toBe(`keyway-core/${VERSION}`);

    const withApp = setup({ userAgent: 'my-app/2.1' });
    await withApp.client.validation.verify();
    expect(withApp.mock.calls[0]?.headers['x-keyway-client']).toBe(`keyway-core/${VERSION} my-app/2.1`);
    expect(withApp.mock.calls[0]?.headers['user-agent']).toBe(`keyway-core/${VERSION} my-app/2.1`);
  });
});

describe('configuration', () => {
  it('refuses a relative, non-http or plain-http non-loopback base URL', () => {
    expect(() => createKeywayClient({ baseUrl: '/api' })).toThrow(expect.objectContaining({ code: 'invalid_url' }));
    expect(() => createKeywayClient({ baseUrl: 'ftp://keyway.test' })).toThrow(ConfigurationError);
    expect(() => createKeywayClient({ baseUrl: 'http://keyway.example.com' })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', code: 'insecure_request' }),
    );
    expect(createKeywayClient({ baseUrl: 'http://keyway.example.com', allowInsecureRequests: true }).baseUrl).toBe(
      'http://keyway.example.com',
    );
    expect(createKeywayClient({ baseUrl: 'http://127.0.0.1:8080/' }).baseUrl).toBe('http://127.0.0.1:8080');
  });

  it('refuses credentials in the base URL without quoting them', () => {
    let error: unknown;
    try {
      createKeywayClient({ baseUrl: 'https://user:hunter2@keyway.test' });
    } catch (caught) {
      error = caught;
    }
    expect(ConfigurationError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_url' });
    expect(`${String(error)} ${JSON.stringify(error)}`).not.toContain('hunter2');
  });

  it.each(['https://keyway.test/?tenant=acme', 'https://keyway.test/#top'])(
    'refuses a base URL with a query or fragment (%s), which would garble every path',
    (baseUrl) => {
      expect(() => createKeywayClient({ baseUrl })).toThrow(
        expect.objectContaining({ name: 'ConfigurationError', code: 'invalid_url' }),
      );
    },
  );

  it.each([
    [{ timeout: 0 }],
    [{ timeout: -5 }],
    [{ timeout: Number.NaN }],
    [{ retry: { maxRetries: -1 } }],
    [{ retry: { maxRetries: 1.5 } }],
    [{ retry: { maxRetries: Number.NaN } }],
  ])('refuses the option %j with a ConfigurationError', (options) => {
    expect(() => createKeywayClient({ baseUrl: 'https://keyway.test', ...options })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', code: 'invalid_option' }),
    );
  });

  it('refuses a per-call timeout that is not positive, before sending', async () => {
    const { mock, client } = setup();
    const error = await rejection(client.validation.verify({ timeout: 0 }));
    expect(ConfigurationError.is(error)).toBe(true);
    expect(mock.calls).toHaveLength(0);
  });

  it('timeout: Infinity means no timeout (a timer that large would fire after 1 ms)', async () => {
    const { mock, client } = setup({ timeout: Number.POSITIVE_INFINITY, retry: false });
    mock.fail('validateToken', { delay: 30, times: 1 });
    expect(await client.validation.verify()).toMatchObject({ valid: true });
    expect(await client.validation.verify({ timeout: 2 ** 40 })).toMatchObject({ valid: true });
  });

  it('refuses an answer larger than maxResponseBytes', async () => {
    const { mock, client } = setup({ maxResponseBytes: 64 });
    mock.seed.externalToken('usr_test', 'github', { access_token: 'g'.repeat(200) });
    const error = await rejection(client.externalTokens.list());
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.code).toBe('response_too_large');
    expect(error.message).not.toContain('ggg');
  });
});

describe('API errors: one subclass per status (KeywayApiError.generate)', () => {
  const cases = [
    [400, BadRequestError, 'validation_error'],
    [401, AuthenticationError, 'invalid_token'],
    [403, PermissionDeniedError, 'insufficient_scope'],
    [404, NotFoundError, 'not_found'],
    [409, ConflictError, 'conflict'],
    [422, UnprocessableEntityError, undefined],
    [429, RateLimitError, 'rate_limited'],
    [500, InternalServerError, 'internal_error'],
    [502, InternalServerError, 'bad_gateway'],
    [503, InternalServerError, 'service_unavailable'],
    [504, InternalServerError, 'gateway_timeout'],
  ] as const;

  it.each(cases)('%i is %O with status, problem body, headers and requestId', async (status, Class, problemCode) => {
    const { mock, client } = setup({ retry: false });
    mock.fail('validateToken', { status, times: 1 });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(Class);
    expect(Class.is(error)).toBe(true);
    expect(KeywayApiError.is(error)).toBe(true);
    expect(KeywayError.is(error)).toBe(true);
    expect(error.name).toBe(Class.brand);
    const api = error as KeywayApiError;
    expect(api.status).toBe(status);
    expect(api.body).toMatchObject({ status, request_id: mock.calls[0]?.requestId });
    expect(api.headers['content-type']).toBe('application/problem+json');
    expect(api.requestId).toBe(mock.calls[0]?.requestId);
    expect(api.code).toBe((api.body as { code: string }).code);
    if (problemCode) {
      expect(api.code).toBe(problemCode);
    }
    expect(api.toJSON()).toEqual({
      name: Class.brand,
      code: api.code,
      message: api.message,
      status,
      requestId: api.requestId,
      method: 'GET',
      url: `${mock.issuer}/api/v1/validate`,
    });
    expect(mock.calls).toHaveLength(1);
  });

  it('a status without its own class is a plain KeywayApiError (4xx) or InternalServerError (5xx)', async () => {
    const { mock, client } = setup({ retry: false });
    mock.fail('validateToken', { status: 418, times: 1 });
    mock.fail('validateToken', { status: 507, times: 1 });
    const teapot = await rejection(client.validation.verify());
    expect(teapot.constructor).toBe(KeywayApiError);
    expect(BadRequestError.is(teapot)).toBe(false);
    expect((teapot as KeywayApiError).status).toBe(418);
    const storage = await rejection(client.validation.verify());
    expect(storage).toBeInstanceOf(InternalServerError);
    expect((storage as KeywayApiError).status).toBe(507);
  });

  it('uses the problem title and detail in the message and the problem code as code', async () => {
    const { mock, client } = setup({ retry: false });
    mock.fail('retrieveAccessToken', {
      status: 409,
      body: { type: 'about:blank', title: 'Conflict', status: 409, detail: 'Token is being rotated', code: 'busy' },
      headers: { 'x-request-id': 'req_fixed' },
    });
    const error = await rejection(client.access.retrieve({ id: 'ptk_1' }));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe(`409 Conflict: Token is being rotated (GET ${mock.issuer}/api/v1/access/ptk_1)`);
    expect(error.code).toBe('busy');
    expect((error as ConflictError).requestId).toBe('req_fixed');
  });

  it('generate() builds the subclass directly, with http_<status> when the body has no code', () => {
    const error = KeywayApiError.generate(429, 'slow down', { 'retry-after': '7', 'x-request-id': 'req_9' });
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.code).toBe('http_429');
    expect(error.message).toBe('429 slow down');
    expect(error.body).toBe('slow down');
    expect(error.requestId).toBe('req_9');
    expect((error as RateLimitError).retryAfter).toBe(7);
    expect(KeywayApiError.generate(400, undefined, {}).requestId).toBeUndefined();
  });

  it('an HTML error page (502 text/html) is an InternalServerError carrying the text, not a SyntaxError', async () => {
    const { mock, client } = setup({ retry: { ...fast, maxRetries: 1 } });
    const page = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    mock.fail('validateToken', { status: 502, body: page });
    const error = await rejection(client.validation.verify());
    expect(error).not.toBeInstanceOf(SyntaxError);
    expect(error).toBeInstanceOf(InternalServerError);
    const api = error as InternalServerError;
    expect(api.status).toBe(502);
    expect(api.body).toBe(page);
    expect(api.headers['content-type']).toMatch(/^text\/html/);
    expect(api.code).toBe('http_502');
    expect(api.message).toBe(`502 status code (GET ${mock.issuer}/api/v1/validate)`);
    // 502 is retried for a safe call, then the last answer is reported.
    expect(mock.calls).toHaveLength(2);
  });
});

describe('invalid responses', () => {
  it('a 200 with malformed JSON is an InvalidResponseError that does not echo the body', async () => {
    const { mock, client } = setup();
    mock.fail('retrieveAccessToken', {
      status: 200,
      body: '{"access_token": "eyJ_half_a_token',
      headers: { 'content-type': 'application/json' },
    });
    const error = await rejection(client.access.retrieve({ id: 'ptk_1' }));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.code).toBe('invalid_json');
    expect((error as InvalidResponseError).status).toBe(200);
    expect(error.message).toBe(
      `Expected JSON from the Keyway service, got application/json (GET ${mock.issuer}/api/v1/access/ptk_1).`,
    );
    expect(JSON.stringify(error)).not.toContain('eyJ_half');
    // A 200 is an answer: not retried.
    expect(mock.calls).toHaveLength(1);
  });

  it('a 200 HTML page (a captive portal) is an InvalidResponseError naming the content type', async () => {
    const { mock, client } = setup();
    mock.fail('validateToken', { status: 200, body: '<html>Sign in to the Wi-Fi</html>' });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toContain('text/html');
  });

  it.each([
    ['an empty body', undefined, 'access.retrieve: expected a JSON object.'],
    ['an array', [1, 2], 'access.retrieve: expected a JSON object.'],
    ['a missing field', { expires_in: 60 }, 'access.retrieve: field "access_token" should be string, got undefined.'],
    [
      'a mistyped field',
      { access_token: 'x', expires_in: '60' },
      'access.retrieve: field "expires_in" should be number, got string.',
    ],
  ])('a 200 with %s is an InvalidResponseError invalid_body', async (_, body, message) => {
    const { mock, client } = setup();
    mock.fail('retrieveAccessToken', { status: 200, ...(body === undefined ? {} : { body }) });
    const error = await rejection(client.access.retrieve({ id: 'ptk_1' }));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.code).toBe('invalid_body');
    expect(error.message).toBe(message);
  });

  it('checks the shape of every method’s answer', async () => {
    const { mock, client } = setup();
    mock.fail('*', { status: 200, body: { unexpected: true } });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['refresh.store', () => client.refresh.store({ refresh_token: 'rt' })],
      ['offline.requestConsent', () => client.offline.requestConsent({ client_id: 'c', user_id: 'u' })],
      ['offline.callback', () => client.offline.callback({ code: 'c', state: 's' })],
      ['offline.revoke', () => client.offline.revoke({ id: 'ptk_1' })],
      ['validation.verify', () => client.validation.verify()],
      ['externalTokens.list', () => client.externalTokens.list()],
      ['externalTokens.retrieve', () => client.externalTokens.retrieve({ provider: 'github' })],
    ];
    for (const [what, call] of calls) {
      const error = await rejection(call());
      expect(InvalidResponseError.is(error)).toBe(true);
      expect(error.message.startsWith(`${what}: field "`)).toBe(true);
    }
  });

  it('a redirect is an InvalidResponseError and is not followed', async () => {
    const { mock, client } = setup();
    mock.fail('validateToken', { status: 302, headers: { location: 'https://evil.example/steal' } });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.code).toBe('unexpected_redirect');
    expect(mock.calls).toHaveLength(1);
  });
});

describe('connection failures, timeouts and aborts', () => {
  it('a dropped connection is a KeywayConnectionError (not a timeout)', async () => {
    const { mock, client } = setup({ retry: false });
    mock.fail('validateToken', { network: true });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(KeywayConnectionError);
    expect(KeywayTimeoutError.is(error)).toBe(false);
    expect(error.code).toBe('connection_error');
    expect(error.message).toMatch(/^Connection error: fetch failed/);
    expect(error.message).toContain(`(GET ${mock.issuer}/api/v1/validate)`);
    expect(error).toMatchObject({ method: 'GET', url: `${mock.issuer}/api/v1/validate` });
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('a dropped connection is retried for a safe call', async () => {
    const { mock, client } = setup();
    mock.fail('validateToken', { network: true, times: 1 });
    expect(await client.validation.verify()).toMatchObject({ valid: true });
    expect(mock.calls.map((call) => call.status)).toEqual([0, 200]);
  });

  it('a slow answer is a KeywayTimeoutError after the client timeout', async () => {
    const { mock, client } = setup({ retry: false, timeout: 20 });
    mock.fail('validateToken', { delay: 60_000 });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(KeywayTimeoutError);
    expect(KeywayConnectionError.is(error)).toBe(true);
    expect(error.code).toBe('timeout');
    expect((error as KeywayTimeoutError).timeout).toBe(20);
    expect(error.message).toBe(`Request timed out after 20 ms (GET ${mock.issuer}/api/v1/validate).`);
  });

  it('a per-call timeout overrides the client timeout', async () => {
    const { mock, client } = setup({ retry: false, timeout: 60_000 });
    mock.fail('retrieveAccessToken', { delay: 60_000 });
    const error = await rejection(client.access.retrieve({ id: 'ptk_1' }, { timeout: 15 }));
    expect(error).toBeInstanceOf(KeywayTimeoutError);
    expect((error as KeywayTimeoutError).timeout).toBe(15);
  });

  it('a timed-out safe call is retried and the retry’s answer returned', async () => {
    // The first attempt stalls for a minute; the retry answers at once, far inside the timeout.
    const { mock, client } = setup({ timeout: 2_000 });
    mock.fail('validateToken', { delay: 60_000, times: 1 });
    expect(await client.validation.verify()).toMatchObject({ valid: true });
    expect(mock.calls).toHaveLength(2);
    expect(mock.calls[0]?.status).toBe(0);
  });

  it('an already aborted signal is a KeywayAbortError and sends nothing', async () => {
    const { mock, client } = setup();
    const controller = new AbortController();
    controller.abort(new Error('user left'));
    const error = await rejection(client.validation.verify({ signal: controller.signal }));
    expect(error).toBeInstanceOf(KeywayAbortError);
    expect(error.code).toBe('aborted');
    expect((error.cause as Error).message).toBe('user left');
    expect(mock.calls).toHaveLength(0);
  });

  it('aborting during a slow answer is a KeywayAbortError, not a timeout', async () => {
    const { mock, client } = setup();
    mock.fail('validateToken', { delay: 60_000 });
    const controller = new AbortController();
    const pending = rejection(client.validation.verify({ signal: controller.signal }));
    await vi.waitFor(() => expect(mock.calls).toHaveLength(1));
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(KeywayAbortError);
    expect(KeywayConnectionError.is(error)).toBe(false);
    expect(mock.calls).toHaveLength(1);
  });

  it('aborting during the backoff before a retry stops the retries', async () => {
    const { mock, client } = setup({ retry: { maxRetries: 5 } });
    mock.fail('validateToken', { status: 503, retryAfter: 30 });
    const controller = new AbortController();
    const pending = rejection(client.validation.verify({ signal: controller.signal }));
    await vi.waitFor(() => expect(mock.calls[0]?.status).toBe(503));
    controller.abort();
    expect(await pending).toBeInstanceOf(KeywayAbortError);
    expect(mock.calls).toHaveLength(1);
  });
});

describe('retries', () => {
  it('retries a 503 until it succeeds and returns the result', async () => {
    const { mock, client } = setup();
    mock.fail('retrieveAccessToken', { status: 503, times: 2, retryAfter: 0 });
    const id = mock.seed.persistentToken();
    const result = await client.access.retrieve({ id });
    expect(result.token_type).toBe('Bearer');
    expect(mock.calls.map((call) => call.status)).toEqual([503, 503, 200]);
  });

  it('retries a DELETE (idempotent revoke)', async () => {
    const { mock, client } = setup();
    const id = mock.seed.persistentToken();
    mock.fail('revokeOfflineToken', { status: 500, times: 1 });
    expect(await client.offline.revoke({ id })).toEqual({ revoked: true });
    expect(mock.calls.map((call) => call.status)).toEqual([500, 200]);
  });

  it('retries POST /api/v1/refresh (idempotent in the spec) on 503 and on a dropped connection', async () => {
    const { mock, client } = setup();
    const first = await client.refresh.store({ refresh_token: 'rt_retry' });
    mock.fail('storeRefreshToken', { status: 503, retryAfter: 0, times: 1 });
    expect(await client.refresh.store({ refresh_token: 'rt_retry' })).toEqual(first);
    mock.fail('storeRefreshToken', { network: true, times: 1 });
    expect(await client.refresh.store({ refresh_token: 'rt_retry' })).toEqual(first);
    expect(mock.calls.map((call) => `${call.route} ${call.status}`)).toEqual([
      'storeRefreshToken 201',
      'storeRefreshToken 503',
      'storeRefreshToken 201',
      'storeRefreshToken 0',
      'storeRefreshToken 201',
    ]);
  });

  it('a refresh.store whose answer was lost is re-sent, and the service answers the same id', async () => {
    // The first attempt reaches the mock and is stored, then the connection drops before the answer:
    // the retry must not leave a second persistent token behind, so it gets the first one's id.
    const mock = createMockKeyway();
    const ids: string[] = [];
    let dropped = false;
    const lossy: FetchLike = async (input, init) => {
      const response = await mock.fetch(input, init);
      ids.push(((await response.clone().json()) as { id: string }).id);
      if (!dropped) {
        dropped = true;
        throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
      }
      return response;
    };
    const client = createKeywayClient({ baseUrl: mock.issuer, token: mock.apiToken, fetch: lossy, retry: fast });
    const { id } = await client.refresh.store({ refresh_token: 'rt_lost' });
    expect(ids).toEqual([id, id]);
    expect(mock.calls.map((call) => call.status)).toEqual([201, 201]);
    expect(await client.access.retrieve({ id })).toMatchObject({ token_type: 'Bearer' });
  });

  it.each([
    [
      'offline.requestConsent',
      'requestOfflineConsent',
      (c: KeywayClient) => c.offline.requestConsent({ client_id: 'test-client', user_id: 'u' }),
    ],
    ['offline.callback', 'offlineCallback', (c: KeywayClient) => c.offline.callback({ code: 'c', state: 's' })],
  ] as const)(
    'never retries the POST %s (single-use state or code), on 503 or on a dropped connection',
    async (_, route, call) => {
      const { mock, client } = setup();
      mock.fail(route, { status: 503, retryAfter: 0, times: 1 });
      await expect(call(client)).rejects.toBeInstanceOf(InternalServerError);
      expect(mock.calls).toHaveLength(1);
      mock.fail(route, { network: true, times: 1 });
      await expect(call(client)).rejects.toBeInstanceOf(KeywayConnectionError);
      expect(mock.calls).toHaveLength(2);
    },
  );

  it.each<[keyof typeof operations, (c: KeywayClient, id: string) => Promise<unknown>]>([
    ['retrieveAccessToken', (c, id) => c.access.retrieve({ id })],
    ['storeRefreshToken', (c) => c.refresh.store({ refresh_token: 'rt' })],
    ['requestOfflineConsent', (c) => c.offline.requestConsent({ client_id: 'test-client', user_id: 'u' })],
    ['offlineCallback', (c) => c.offline.callback({ code: 'c', state: 's' })],
    ['revokeOfflineToken', (c, id) => c.offline.revoke({ id })],
    ['validateToken', (c) => c.validation.verify()],
    ['listExternalTokens', (c) => c.externalTokens.list()],
    ['retrieveExternalToken', (c) => c.externalTokens.retrieve({ provider: 'github' })],
  ])('%s retries a 503 exactly when the spec marks it x-keyway-idempotent', async (route, call) => {
    const { mock, client } = setup();
    const id = mock.seed.persistentToken();
    mock.seed.externalToken('usr_test', 'github');
    mock.fail(route, { status: 503, retryAfter: 0, times: 1 });
    const idempotent = operations[route].idempotent;
    const outcome = await call(client, id).then(
      () => 'answered',
      (error: unknown) => (InternalServerError.is(error) ? '503' : String(error)),
    );
    expect(outcome).toBe(idempotent ? 'answered' : '503');
    expect(mock.calls.map((c) => c.status)[0]).toBe(503);
    expect(mock.calls).toHaveLength(idempotent ? 2 : 1);
  });

  it.each([0, 1, 3])('stops after maxRetries = %i and reports the last answer', async (maxRetries) => {
    const { mock, client } = setup({ retry: { ...fast, maxRetries } });
    mock.fail('validateToken', { status: 503, retryAfter: 0 });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(InternalServerError);
    expect(mock.calls).toHaveLength(maxRetries + 1);
  });

  it('defaults to two retries', async () => {
    const mock = createMockKeyway();
    const client = createKeywayClient({ baseUrl: mock.issuer, token: mock.apiToken, fetch: mock.fetch });
    mock.fail('validateToken', { status: 503, retryAfter: 0 });
    await expect(client.validation.verify()).rejects.toBeInstanceOf(InternalServerError);
    expect(mock.calls).toHaveLength(3);
  });

  it('retry: false sends once, whatever the status', async () => {
    const { mock, client } = setup({ retry: false });
    mock.fail('validateToken', { status: 503, retryAfter: 0 });
    mock.fail('retrieveAccessToken', { network: true });
    await expect(client.validation.verify()).rejects.toBeInstanceOf(InternalServerError);
    await expect(client.access.retrieve({ id: 'ptk_1' })).rejects.toBeInstanceOf(KeywayConnectionError);
    expect(mock.calls).toHaveLength(2);
  });

  it('does not retry other 4xx answers', async () => {
    const { mock, client } = setup();
    mock.fail('validateToken', { status: 403 });
    await expect(client.validation.verify()).rejects.toBeInstanceOf(PermissionDeniedError);
    expect(mock.calls).toHaveLength(1);
  });

  it('waits for the Retry-After of a 429 before retrying', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { mock, client } = setup();
    mock.fail('validateToken', { status: 429, retryAfter: 2, times: 1 });
    const pending = client.validation.verify();
    // The backoff alone would retry within 4 ms; Retry-After: 2 holds the retry for 2 s.
    await vi.advanceTimersByTimeAsync(1_999);
    expect(mock.calls.map((call) => call.status)).toEqual([429]);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ valid: true });
    expect(mock.calls.map((call) => call.status)).toEqual([429, 200]);
  });

  it('gives up at once on a Retry-After beyond 60 s and reports it on RateLimitError', async () => {
    const { mock, client } = setup();
    mock.fail('validateToken', { status: 429, retryAfter: 3_600 });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfter).toBe(3_600);
    expect(mock.calls).toHaveLength(1);
  });

  it('a 429 that outlasts the retries is a RateLimitError with retryAfter', async () => {
    const { mock, client } = setup({ retry: { ...fast, maxRetries: 1 } });
    mock.fail('listExternalTokens', { status: 429, retryAfter: 0 });
    const error = await rejection(client.externalTokens.list());
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfter).toBe(0);
    expect(error.code).toBe('rate_limited');
    expect(mock.calls).toHaveLength(2);
  });

  it('retries through an injected fetch that throws synchronously-shaped network errors', async () => {
    const mock = createMockKeyway();
    let failures = 1;
    const flaky: FetchLike = (input, init) => {
      if (failures-- > 0) {
        return Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
      }
      return mock.fetch(input, init);
    };
    const client = createKeywayClient({ baseUrl: mock.issuer, token: mock.apiToken, fetch: flaky, retry: fast });
    expect(await client.validation.verify()).toMatchObject({ valid: true });
    expect(mock.calls).toHaveLength(1);
  });
});

describe('no secret in errors', () => {
  const secret = 'kw_live_S3CRET_do_not_leak_0123456789';

  it.each([
    ['401', 'AuthenticationError', (mock: MockKeyway) => mock.fail('validateToken', { status: 401 })],
    ['500', 'InternalServerError', (mock: MockKeyway) => mock.fail('validateToken', { status: 500 })],
    [
      'HTML 502',
      'InternalServerError',
      (mock: MockKeyway) => mock.fail('validateToken', { status: 502, body: '<html>x</html>' }),
    ],
    [
      'malformed JSON',
      'InvalidResponseError',
      (mock: MockKeyway) => mock.fail('validateToken', { status: 200, body: '{"valid":' }),
    ],
    [
      'dropped connection',
      'KeywayConnectionError',
      (mock: MockKeyway) => mock.fail('validateToken', { network: true }),
    ],
    ['timeout', 'KeywayTimeoutError', (mock: MockKeyway) => mock.fail('validateToken', { delay: 60_000 })],
  ] as const)('%s (%s) carries no bearer token in message, toString, JSON or stack', async (_, name, inject) => {
    const { mock, client } = setup({ retry: false });
    client.setToken(secret);
    inject(mock);
    const error = await rejection(client.validation.verify(name === 'KeywayTimeoutError' ? { timeout: 20 } : {}));
    expect(error.name).toBe(name);
    expect(KeywayError.is(error)).toBe(true);
    expect(mock.calls[0]?.headers.authorization).toBe(`Bearer ${secret}`);
    for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
      const text = [String(e), JSON.stringify(e), (e as Error).stack ?? '', (e as Error).message ?? ''].join('\n');
      expect(text).not.toContain('S3CRET');
    }
    if (KeywayApiError.is(error)) {
      expect(JSON.stringify(error.body)).not.toContain('S3CRET');
      expect(JSON.stringify(error.headers)).not.toContain('S3CRET');
    }
  });
});
