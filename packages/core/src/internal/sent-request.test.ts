import { describe, expect, it } from 'vitest';
import { basicCredentials, CLIENT_SECRET, FakeOP, json, rejection } from '../../test/oauth/fake-op.js';
import {
  InternalServerError,
  InvalidResponseError,
  KeywayApiError,
  KeywayConnectionError,
  KeywayTimeoutError,
  NotFoundError,
  OAuthError,
} from '../errors.js';
import { mapLibraryError, statusError } from '../oauth/errors-map.js';
import { createKeywayClient } from '../service-client.js';
import type { FetchLike } from './http.js';
import { HttpClient } from './http.js';

// Runs under Node and edge-runtime: injected fetch only. Real sockets: test/error-messages.test.ts.

const TOKEN = 'kw_live_service_token_0123456789';
const BASE = 'https://api.example.test';

/** A service client whose every request gets `answer(request)`. */
function serviceClient(answer: (request: Request) => Response | Promise<Response>) {
  const fetch: FetchLike = async (input, init) => answer(new Request(input, init));
  return createKeywayClient({ baseUrl: BASE, token: TOKEN, fetch, retry: false });
}

/** Everything an error exposes: message, JSON form, every own field. */
function everything(error: unknown): string {
  const fields = Object.fromEntries(Object.entries(error as object));
  return `${(error as Error).message}\n${JSON.stringify(error)}\n${JSON.stringify(fields)}`;
}

describe('service client errors name the request and quote the server', () => {
  it('a wrong base URL: method, origin and path, and the server’s problem detail', async () => {
    const client = serviceClient(() =>
      Response.json({ title: 'Not Found', detail: 'no route /api/v1/validate' }, { status: 404 }),
    );
    const error = await rejection(client.validation.verify());
    expect(NotFoundError.is(error)).toBe(true);
    expect(error.message).toBe(`404 Not Found: no route /api/v1/validate (GET ${BASE}/api/v1/validate)`);
    expect(error).toMatchObject({ method: 'GET', url: `${BASE}/api/v1/validate`, status: 404 });
    expect((error as unknown as NotFoundError).toJSON()).toMatchObject({
      method: 'GET',
      url: `${BASE}/api/v1/validate`,
    });
  });

  it('a short plain-text body is quoted; an HTML page is not', async () => {
    const text = await rejection(
      serviceClient(() => new Response('no such tenant', { status: 404 })).validation.verify(),
    );
    expect(text.message).toBe(`404 no such tenant (GET ${BASE}/api/v1/validate)`);
    const page = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    const html = await rejection(serviceClient(() => new Response(page, { status: 502 })).validation.verify());
    expect(InternalServerError.is(html)).toBe(true);
    expect(html.message).toBe(`502 status code (GET ${BASE}/api/v1/validate)`);
  });

  it('control characters and bidi overrides from the server are escaped', async () => {
    const client = serviceClient(() =>
      Response.json({ title: 'Bad\u001b[2J', detail: 'look \u202eelif\u0007' }, { status: 400 }),
    );
    const error = await rejection(client.validation.verify());
    expect(error.message).toBe(`400 Bad\\u001b[2J: look \\u202eelif\\u0007 (GET ${BASE}/api/v1/validate)`);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence.
    expect(error.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it('a huge body is cut: the message stays a sentence', async () => {
    const huge = 'x'.repeat(1_000_000);
    const problem = await rejection(
      serviceClient(() => Response.json({ detail: huge }, { status: 500 })).validation.verify(),
    );
    expect(problem.message.length).toBeLessThan(400);
    expect(problem.message).toMatch(/^500 x+… \(GET /);
    const text = await rejection(serviceClient(() => new Response(huge, { status: 500 })).validation.verify());
    expect(text.message).toBe(`500 status code (GET ${BASE}/api/v1/validate)`);
    expect(((text as unknown as KeywayApiError).body as string).length).toBeLessThanOrEqual(2_001);
  });

  it('a server echoing the Authorization header leaks it nowhere: message, body, headers, JSON', async () => {
    const client = serviceClient((request) => {
      const echoed = request.headers.get('authorization') ?? '';
      return Response.json(
        { title: 'Unauthorized', detail: `bad credentials: ${echoed}`, echo: { header: echoed, raw: TOKEN } },
        { status: 401, headers: { 'x-echo': echoed } },
      );
    });
    const error = (await rejection(client.validation.verify())) as unknown as KeywayApiError;
    expect(error.message).toBe(`401 Unauthorized: bad credentials: [redacted] (GET ${BASE}/api/v1/validate)`);
    expect(everything(error)).not.toContain(TOKEN);
    expect(error.headers['x-echo']).toBe('[redacted]');
    expect(error.body).toMatchObject({ echo: { header: '[redacted]', raw: '[redacted]' } });
  });

  it('a refresh token sent in the JSON body is redacted from the echo', async () => {
    const refreshToken = 'rt_secret_value_abcdef';
    const client = serviceClient(async (request) => {
      const sent = await request.text();
      return Response.json({ detail: `could not parse ${sent}` }, { status: 422 });
    });
    const error = await rejection(client.refresh.store({ refresh_token: refreshToken }));
    expect(error.message).toContain('[redacted]');
    expect(everything(error)).not.toContain(refreshToken);
  });
});

describe('OAuth endpoint errors name the request', () => {
  it('an OAuthError says which endpoint refused, and not the credentials it was sent', async () => {
    const op = await FakeOP.create();
    op.on('/token', (call) => {
      const [, secret] = basicCredentials(call.headers.get('authorization')) ?? [];
      return json(
        {
          error: 'invalid_grant',
          error_description: `refused ${call.headers.get('authorization')} ${secret} rt-echo-123456`,
        },
        400,
      );
    });
    const error = await rejection(op.client().refresh('rt-echo-123456'));
    expect(OAuthError.is(error)).toBe(true);
    expect(error.message).toBe(
      `OAuth error invalid_grant: refused [redacted] [redacted] [redacted] (POST ${op.issuer}/token)`,
    );
    expect(error).toMatchObject({ method: 'POST', url: `${op.issuer}/token`, status: 400 });
    expect(everything(error)).not.toContain(CLIENT_SECRET);
    expect(everything(error)).not.toContain('rt-echo-123456');
  });

  it('a status error quotes the server’s words (bounded, escaped) and names the endpoint', async () => {
    const op = await FakeOP.create();
    op.on('/userinfo', () => new Response('upstream\u001b]8;;evil\u0007 down', { status: 503 }));
    const error = await rejection(op.client({ retry: false }).userinfo('at-0123456789'));
    expect(InternalServerError.is(error)).toBe(true);
    expect(error.message).toBe(
      `The userinfo endpoint answered with status 503: upstream\\u001b]8;;evil\\u0007 down (GET ${op.issuer}/userinfo).`,
    );
    expect((error as unknown as KeywayApiError).body).toBeUndefined();
  });

  it('an endpoint URL with a query: the query is not shown', async () => {
    const op = await FakeOP.create();
    op.metadata.introspection_endpoint = `${op.issuer}/introspect?api_key=query-secret-987`;
    op.on('/introspect', () => new Response(null, { status: 500 }));
    const error = await rejection(op.client({ retry: false }).introspect('at-0123456789'));
    expect(error.message).toBe(`The introspection endpoint answered with status 500 (POST ${op.issuer}/introspect).`);
    expect(everything(error)).not.toContain('query-secret');
  });
});

describe('HttpClient: failures without an answer name the request', () => {
  const at = 'https://op.example.test/token?code=query-code-123';

  it.each([
    ['ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:443'],
    ['ENOTFOUND', 'getaddrinfo ENOTFOUND op.example.test'],
    ['CERT_HAS_EXPIRED', 'certificate has expired'],
  ])('%s: the host and the system code, never the query', async (code, cause) => {
    const fetch: FetchLike = () =>
      Promise.reject(new TypeError('fetch failed', { cause: Object.assign(new Error(cause), { code }) }));
    const error = await new HttpClient({ fetch, retry: false })
      .send({ url: at, method: 'post' })
      .catch((e: unknown) => e);
    expect(KeywayConnectionError.is(error)).toBe(true);
    expect((error as Error).message).toBe(
      `Connection error: fetch failed (${code}) (POST https://op.example.test/token)`,
    );
    expect(error).toMatchObject({ method: 'POST', url: 'https://op.example.test/token' });
    expect(everything(error)).not.toContain('query-code');
  });

  it('a cause without a system code is named by its words (undici: fetch failed: bad port)', async () => {
    const fetch: FetchLike = () => Promise.reject(new TypeError('fetch failed', { cause: new Error('bad port') }));
    const error = await new HttpClient({ fetch, retry: false }).send({ url: at }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'Connection error: fetch failed: bad port (GET https://op.example.test/token)',
    );
  });

  it('a custom fetch that throws a hostile message: escaped, cut, and free of the credentials sent', async () => {
    const fetch: FetchLike = async (_input, init) => {
      throw new Error(`proxy said \u001b[31m${new Headers(init?.headers).get('authorization')}${'!'.repeat(5_000)}`);
    };
    const error = (await new HttpClient({ fetch, retry: false })
      .send({ url: at, headers: { authorization: `Bearer ${TOKEN}` } })
      .catch((e: unknown) => e)) as KeywayConnectionError;
    expect(error.message).toMatch(
      /^Connection error: proxy said \\u001b\[31m\[redacted\]!+… \(GET https:\/\/op\.example\.test\/token\)$/,
    );
    expect(error.message.length).toBeLessThan(300);
    expect(everything(error)).not.toContain(TOKEN);
  });

  it('a timeout names the request', async () => {
    const fetch: FetchLike = (_input, init) =>
      new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    const error = await new HttpClient({ fetch, retry: false, timeout: 5 }).send({ url: at }).catch((e: unknown) => e);
    expect(KeywayTimeoutError.is(error)).toBe(true);
    expect((error as Error).message).toBe('Request timed out after 5 ms (GET https://op.example.test/token).');
    expect(error).toMatchObject({ timeout: 5, method: 'GET', url: 'https://op.example.test/token' });
  });

  it('an oversized body and a redirect name the request', async () => {
    const big: FetchLike = async () => new Response('x'.repeat(100));
    const tooLarge = await new HttpClient({ fetch: big, maxResponseBytes: 10 })
      .send({ url: at })
      .catch((e: unknown) => e);
    expect(InvalidResponseError.is(tooLarge)).toBe(true);
    expect((tooLarge as Error).message).toBe('Response body exceeds 10 bytes (GET https://op.example.test/token).');
    const moved: FetchLike = async () => new Response(null, { status: 302, headers: { location: 'https://x.test/' } });
    const redirect = await new HttpClient({ fetch: moved }).send({ url: at }).catch((e: unknown) => e);
    expect((redirect as Error).message).toBe('Unexpected redirect (GET https://op.example.test/token).');
    expect(redirect).toMatchObject({ method: 'GET', url: 'https://op.example.test/token', status: 302 });
  });
});

describe('KeywayApiError.generate', () => {
  it('takes the request as options; without them the message is as before', () => {
    const named = KeywayApiError.generate(404, undefined, {}, undefined, { method: 'GET', url: 'https://x.test/a' });
    expect(named.message).toBe('404 status code (GET https://x.test/a)');
    expect(named).toMatchObject({ method: 'GET', url: 'https://x.test/a' });
    const bare = KeywayApiError.generate(404, undefined, {});
    expect(bare.message).toBe('404 status code');
    expect(bare).toMatchObject({ method: undefined, url: undefined });
  });
});

describe('errors-map on the transport’s answers', () => {
  const jwks = 'https://op.example.test/jwks?tenant=query-secret-1';

  async function answer(response: () => Response): Promise<Response> {
    return new HttpClient({ fetch: async () => response(), retry: false }).send({ url: jwks });
  }

  it('statusError quotes a problem detail, bounded, and names the request without its query', async () => {
    const response = await answer(() => Response.json({ detail: `gone ${'z'.repeat(10_000)}` }, { status: 410 }));
    const error = statusError(response, 'The JWKS endpoint');
    expect(error.message).toMatch(
      /^The JWKS endpoint answered with status 410: gone z+… \(GET https:\/\/op\.example\.test\/jwks\)\.$/,
    );
    expect(error.message.length).toBeLessThan(400);
    expect(everything(error)).not.toContain('query-secret');
  });

  it('mapLibraryError names the request of the answer oauth4webapi refused', async () => {
    const response = await answer(() => new Response('nope', { status: 500 }));
    const refused = Object.assign(new Error('unexpected HTTP response status code'), {
      code: 'OAUTH_RESPONSE_IS_NOT_CONFORM',
      cause: response,
    });
    const error = mapLibraryError(refused);
    expect(InvalidResponseError.is(error)).toBe(true);
    expect((error as Error).message).toBe('unexpected HTTP response status code (GET https://op.example.test/jwks)');
    expect(error).toMatchObject({ method: 'GET', url: 'https://op.example.test/jwks' });
    const unknown = mapLibraryError(new Error('something else'));
    expect((unknown as Error).message).toBe('something else');
  });
});
