import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { createMockKeyway, type MockKeyway, type MockServer } from '@keyway/mocks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  ConfigurationError,
  InternalServerError,
  InvalidResponseError,
  KeywayAbortError,
  KeywayConnectionError,
  type KeywayError,
  KeywayTimeoutError,
  NotFoundError,
  RateLimitError,
} from '../src/errors.js';
import type { FetchLike } from '../src/internal/http.js';
import { VERSION } from '../src/internal/version.js';
import { createKeywayClient } from '../src/service-client.js';
import { rejection as rejectionOf } from './oauth/fake-op.js';

// Node only: real sockets on 127.0.0.1, raw servers that stall, util.inspect, process.env.

const fast = { initialDelay: 1, maxDelay: 4 };
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

async function serveMock(): Promise<{ mock: MockKeyway; server: MockServer }> {
  const mock = createMockKeyway();
  const server = await mock.listen();
  cleanups.push(() => server.close());
  return { mock, server };
}

/** A raw HTTP server on 127.0.0.1:0 for answers the mock cannot give (stalls mid-body, bare pages). */
async function rawServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => closeServer(server));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

const rejection = (promise: Promise<unknown>) => rejectionOf<KeywayError>(promise);

describe('service client over real HTTP (mock.listen)', () => {
  it('runs every resource method against the served mock', async () => {
    const { mock, server } = await serveMock();
    const client = createKeywayClient({ baseUrl: server.url, token: mock.apiToken, retry: fast });
    mock.seed.externalToken('usr_test', 'github', { access_token: 'gho_http' });

    const { id } = await client.refresh.store({ refresh_token: 'rt_http' });
    expect((await client.access.retrieve({ id })).token_type).toBe('Bearer');
    const { state } = await client.offline.requestConsent({ client_id: 'test-client', user_id: 'usr_http' });
    const { persistent_token_id } = await client.offline.callback({ code: 'c', state });
    expect(await client.offline.revoke({ id: persistent_token_id })).toEqual({ revoked: true });
    expect(await client.validation.verify()).toMatchObject({ valid: true, iss: server.url });
    expect((await client.externalTokens.list()).data).toHaveLength(1);
    expect((await client.externalTokens.retrieve({ provider: 'github' })).access_token).toBe('gho_http');

    expect(mock.calls.map((call) => `${call.route} ${call.status}`)).toEqual([
      'storeRefreshToken 201',
      'retrieveAccessToken 200',
      'requestOfflineConsent 200',
      'offlineCallback 200',
      'revokeOfflineToken 200',
      'validateToken 200',
      'listExternalTokens 200',
      'retrieveExternalToken 200',
    ]);
    // Over a real socket the runtime would set its own User-Agent: ours must win.
    for (const call of mock.calls) {
      expect(call.headers['user-agent']).toBe(`keyway-core/${VERSION}`);
      expect(call.headers['x-keyway-client']).toBe(`keyway-core/${VERSION}`);
      expect(call.headers.authorization).toBe(`Bearer ${mock.apiToken}`);
    }
  });

  it('maps real HTTP errors: 404 with request id, reconsent 401', async () => {
    const { mock, server } = await serveMock();
    const client = createKeywayClient({ baseUrl: server.url, token: mock.apiToken, retry: fast });
    mock.seed.externalToken('usr_test', 'google', { reconsent: true });
    const notFound = await rejection(client.access.retrieve({ id: 'ptk_none' }));
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect((notFound as NotFoundError).requestId).toBe(mock.calls[0]?.requestId);
    const reconsent = await rejection(client.externalTokens.retrieve({ provider: 'google' }));
    expect(reconsent).toBeInstanceOf(AuthenticationError);
    expect(reconsent.code).toBe('reconsent_required');
  });

  it('retries a 503 and a reset connection over HTTP, then returns the result', async () => {
    const { mock, server } = await serveMock();
    const client = createKeywayClient({ baseUrl: server.url, token: mock.apiToken, retry: fast });
    mock.fail('validateToken', { status: 503, retryAfter: 0, times: 1 });
    mock.fail('validateToken', { network: true, times: 1 });
    expect(await client.validation.verify()).toMatchObject({ valid: true });
    expect(mock.calls.map((call) => call.status)).toEqual([503, 0, 200]);
  });

  it('retries POST /api/v1/refresh over HTTP on a 503 and a reset connection, and gets the same id', async () => {
    const { mock, server } = await serveMock();
    const client = createKeywayClient({ baseUrl: server.url, token: mock.apiToken, retry: fast });
    const { id } = await client.refresh.store({ refresh_token: 'rt_http_retry' });
    mock.fail('storeRefreshToken', { status: 503, retryAfter: 0, times: 1 });
    mock.fail('storeRefreshToken', { network: true, times: 1 });
    expect(await client.refresh.store({ refresh_token: 'rt_http_retry' })).toEqual({ id });
    expect(mock.calls.map((call) => call.status)).toEqual([201, 503, 0, 201]);
  });

  it('never re-sends the consent and callback POSTs over HTTP, on a 503 or a reset connection', async () => {
    const { mock, server } = await serveMock();
    const client = createKeywayClient({ baseUrl: server.url, token: mock.apiToken, retry: fast });
    mock.fail('requestOfflineConsent', { status: 503, retryAfter: 0, times: 1 });
    mock.fail('offlineCallback', { network: true, times: 1 });
    const consent = client.offline.requestConsent({ client_id: 'test-client', user_id: 'usr_http' });
    await expect(consent).rejects.toBeInstanceOf(InternalServerError);
    await expect(client.offline.callback({ code: 'c', state: 'st_x' })).rejects.toBeInstanceOf(KeywayConnectionError);
    expect(mock.calls.map((call) => `${call.route} ${call.status}`)).toEqual([
      'requestOfflineConsent 503',
      'offlineCallback 0',
    ]);
  });

  it('honours a Retry-After of 1 s (lower bound on the recorded call times only)', async () => {
    const { mock, server } = await serveMock();
    const sent: number[] = [];
    const timed: FetchLike = (input, init) => {
      sent.push(performance.now());
      return fetch(input, init);
    };
    const client = createKeywayClient({ baseUrl: server.url, token: mock.apiToken, fetch: timed, retry: fast });
    mock.fail('validateToken', { status: 429, retryAfter: 1, times: 1 });
    expect(await client.validation.verify()).toMatchObject({ valid: true });
    expect(mock.calls.map((call) => call.status)).toEqual([429, 200]);
    expect(sent).toHaveLength(2);
    // Without Retry-After the backoff here is at most 4 ms. No upper bound: a slow machine may wait longer.
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(950);
  });

  it('a refused connection (a closed port) is a KeywayConnectionError', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await closeServer(server);
    const client = createKeywayClient({ baseUrl: `http://127.0.0.1:${port}`, token: 't', retry: fast });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(KeywayConnectionError);
    expect(KeywayTimeoutError.is(error)).toBe(false);
    expect(error.code).toBe('connection_error');
    expect(error.message).toBe(
      `Connection error: fetch failed (ECONNREFUSED) (GET http://127.0.0.1:${port}/api/v1/validate)`,
    );
    expect(error).toMatchObject({ method: 'GET', url: `http://127.0.0.1:${port}/api/v1/validate` });
  });

  it('a server that never answers is a KeywayTimeoutError', async () => {
    const url = await rawServer(() => {
      // Holds the request open without a status line.
    });
    const client = createKeywayClient({ baseUrl: url, token: 't', timeout: 100, retry: false });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(KeywayTimeoutError);
    expect((error as KeywayTimeoutError).timeout).toBe(100);
  });

  it('a body that stalls after the headers is a KeywayTimeoutError: the timeout covers the body', async () => {
    let requests = 0;
    const url = await rawServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"valid": tr');
      // ...and never ends.
    });
    const client = createKeywayClient({ baseUrl: url, token: 't', timeout: 500, retry: { ...fast, maxRetries: 1 } });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(KeywayTimeoutError);
    expect(requests).toBe(2);
  });

  it('aborting while the body stalls is a KeywayAbortError', async () => {
    let headersSent!: () => void;
    const sentHeaders = new Promise<void>((resolve) => {
      headersSent = resolve;
    });
    const url = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{', () => headersSent());
    });
    const client = createKeywayClient({ baseUrl: url, token: 't', timeout: 60_000 });
    const controller = new AbortController();
    const pending = rejection(client.validation.verify({ signal: controller.signal }));
    await sentHeaders;
    controller.abort();
    expect(await pending).toBeInstanceOf(KeywayAbortError);
  });

  it('a bare HTML 502 from a proxy is an InternalServerError, not a SyntaxError', async () => {
    const url = await rawServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><body>nginx: 502 Bad Gateway</body></html>');
    });
    const client = createKeywayClient({ baseUrl: url, token: 't', retry: false });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).body).toContain('nginx');
    expect((error as InternalServerError).requestId).toBeUndefined();
  });

  it('a 200 with malformed JSON over HTTP is an InvalidResponseError', async () => {
    const url = await rawServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"valid": tru');
    });
    const client = createKeywayClient({ baseUrl: url, token: 't' });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.code).toBe('invalid_json');
  });

  it('a 429 with Retry-After past the limit comes back as RateLimitError at once', async () => {
    const url = await rawServer((_req, res) => {
      res.writeHead(429, { 'retry-after': '120', 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ status: 429, title: 'Too many requests', code: 'rate_limited' }));
    });
    const client = createKeywayClient({ baseUrl: url, token: 't' });
    const error = await rejection(client.validation.verify());
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfter).toBe(120);
    expect(error.message).toBe(`429 Too many requests (GET ${url}/api/v1/validate)`);
  });
});

describe('environment', () => {
  it('takes the base URL and token from KEYWAY_API_URL and KEYWAY_API_TOKEN', async () => {
    const mock = createMockKeyway();
    vi.stubEnv('KEYWAY_API_URL', ` ${mock.issuer}/ `);
    vi.stubEnv('KEYWAY_API_TOKEN', mock.apiToken);
    const client = createKeywayClient({ fetch: mock.fetch });
    expect(client.baseUrl).toBe(mock.issuer);
    expect(await client.validation.verify()).toMatchObject({ valid: true });
    expect(mock.calls[0]?.headers.authorization).toBe(`Bearer ${mock.apiToken}`);
  });

  it('prefers the explicit baseUrl over KEYWAY_API_URL', () => {
    vi.stubEnv('KEYWAY_API_URL', 'https://from-env.test');
    expect(createKeywayClient({ baseUrl: 'https://explicit.test' }).baseUrl).toBe('https://explicit.test');
  });

  it('without baseUrl or KEYWAY_API_URL it throws a clear ConfigurationError', () => {
    vi.stubEnv('KEYWAY_API_URL', '');
    let error: unknown;
    try {
      createKeywayClient({ token: 't' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({
      code: 'missing_base_url',
      message: 'No Keyway service URL: pass `baseUrl` or set KEYWAY_API_URL.',
    });
  });
});

describe('no secret in util.inspect', () => {
  it('inspecting API, connection, timeout and invalid-response errors never shows the bearer token', async () => {
    const secret = 'kw_live_INSPECT_SECRET_42';
    const { mock, server } = await serveMock();
    const client = createKeywayClient({ baseUrl: server.url, token: secret, retry: false });
    const errors: unknown[] = [];
    // Unknown to the mock yet: a 401 on a route that needs a valid token.
    errors.push(await rejection(client.access.retrieve({ id: 'ptk_1' })));
    mock.seed.accessToken({ token: secret });
    mock.fail('validateToken', { status: 403, times: 1 });
    mock.fail('validateToken', { status: 502, body: '<html>down</html>', times: 1 });
    mock.fail('validateToken', { status: 200, body: 'not json', times: 1 });
    mock.fail('validateToken', { network: true, times: 1 });
    mock.fail('validateToken', { delay: 60_000, times: 1 });
    for (let i = 0; i < 4; i++) {
      errors.push(await rejection(client.validation.verify()));
    }
    // Only the stalled call gets a short timeout: a loaded machine must not time out the others.
    errors.push(await rejection(client.validation.verify({ timeout: 50 })));
    expect(errors.map((e) => (e as Error).name)).toEqual([
      'AuthenticationError',
      'PermissionDeniedError',
      'InternalServerError',
      'InvalidResponseError',
      'KeywayConnectionError',
      'KeywayTimeoutError',
    ]);
    for (const error of errors) {
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain('INSPECT_SECRET');
    }
  });
});

describe('errors from real sockets name the request, quote the server safely and keep secrets out', () => {
  const token = 'kw_live_REAL_SOCKET_TOKEN_42';

  /** Everything an error shows: message, JSON, util.inspect with hidden fields. */
  function shown(error: unknown): string {
    return `${(error as Error).message}\n${JSON.stringify(error)}\n${inspect(error, { depth: 10, showHidden: true })}`;
  }

  it('a TLS failure (https: to a plain-HTTP server) names the host', async () => {
    const url = await rawServer((_req, res) => res.end('plain'));
    const https = url.replace('http:', 'https:');
    const client = createKeywayClient({ baseUrl: https, token, retry: false });
    const error = await rejection(client.validation.verify());
    expect(KeywayConnectionError.is(error)).toBe(true);
    expect(error.message).toMatch(/^Connection error: fetch failed \([A-Z_]+\) /);
    expect(error.message.endsWith(`(GET ${https}/api/v1/validate)`)).toBe(true);
  });

  it('a server that never answers: the timeout names the request', async () => {
    const url = await rawServer(() => {
      // Holds the request open.
    });
    const client = createKeywayClient({ baseUrl: url, token, timeout: 50, retry: false });
    const error = await rejection(client.validation.verify());
    expect(error.message).toBe(`Request timed out after 50 ms (GET ${url}/api/v1/validate).`);
  });

  it('a hostile server: echoed Authorization, terminal escapes and a huge body', async () => {
    const url = await rawServer((req, res) => {
      res.writeHead(401, { 'content-type': 'application/problem+json', 'x-echo': req.headers.authorization ?? '' });
      res.end(
        JSON.stringify({
          title: 'Unauthorized\u001b]0;pwned\u0007',
          detail: `you sent ${req.headers.authorization} ${'A'.repeat(500_000)}`,
        }),
      );
    });
    const client = createKeywayClient({ baseUrl: url, token, retry: false });
    const error = await rejection(client.validation.verify());
    expect(AuthenticationError.is(error)).toBe(true);
    expect(error.message.startsWith('401 Unauthorized\\u001b]0;pwned\\u0007: you sent [redacted] AAAA')).toBe(true);
    expect(error.message.endsWith(`… (GET ${url}/api/v1/validate)`)).toBe(true);
    expect(error.message.length).toBeLessThan(400);
    expect(shown(error)).not.toContain(token);
  });
});
