import { createFakeKv } from '@keyway/mocks';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, bearer, DPOP_CHALLENGE, freshMock, REALM, URL_THINGS } from '../test/helpers.js';
import { EdgeAuthError } from './errors.js';
import { keywayMiddleware } from './middleware.js';
import { createVerifier } from './verifier.js';
import { withAuth } from './with-auth.js';

interface Env {
  ISSUER: string;
  GREETING: string;
}

function context() {
  const waited: Promise<unknown>[] = [];
  return { waited, ctx: { waitUntil: (promise: Promise<unknown>) => void waited.push(promise) } };
}

describe('withAuth (Workers fetch handlers)', () => {
  it('runs the handler with (request, env, ctx, auth) for a valid token', async () => {
    const { mock, fetch } = freshMock();
    const handler = withAuth<Env>(
      async (request, env, _ctx, auth) =>
        Response.json({ greeting: env.GREETING, sub: auth.claims.sub, scopes: auth.scopes, url: request.url }),
      { verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch }, requiredScopes: ['things:read'] },
    );
    const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' });
    const { ctx } = context();
    const response = await handler(bearer(token), { ISSUER: mock.issuer, GREETING: 'hi' }, ctx);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      greeting: 'hi',
      sub: 'usr_test',
      scopes: ['things:read'],
      url: URL_THINGS,
    });
  });

  it('answers refusals with the error response and never calls the handler', async () => {
    const { mock, fetch } = freshMock();
    let calls = 0;
    const handler = withAuth(
      () => {
        calls += 1;
        return new Response('secret');
      },
      { verifier: createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch }), requiredScopes: ['admin'] },
    );
    const { ctx } = context();
    const missing = await handler(new Request(URL_THINGS), {}, ctx);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe(`Bearer ${REALM}, ${DPOP_CHALLENGE}`);
    const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' });
    const forbidden = await handler(bearer(token), {}, ctx);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(forbidden.headers.get('www-authenticate')).toContain('scope="admin"');
    expect(calls).toBe(0);
  });

  it('onError shapes the refusal; errors that are no refusal are thrown', async () => {
    const { mock, fetch } = freshMock();
    const seen: string[] = [];
    const handler = withAuth<{ tag: string }>(() => new Response('ok'), {
      verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch },
      onError: (error, request, env) => {
        seen.push(`${error.code}:${new URL(request.url).pathname}:${env.tag}`);
        return new Response('nope', { status: error.status, headers: { 'x-reason': error.reason } });
      },
    });
    const response = await handler(new Request(URL_THINGS), { tag: 't' }, context().ctx);
    expect([response.status, response.headers.get('x-reason'), await response.text()]).toEqual([
      401,
      'no_authorization',
      'nope',
    ]);
    expect(seen).toEqual(['missing_token:/things:t']);
    const broken = withAuth(() => new Response('ok'), {
      verifier: { issuer: 'http://auth.example.com', audience: AUDIENCE, fetch },
    });
    await expect(broken(bearer('a.b.c'), {}, context().ctx)).rejects.toMatchObject({ name: 'ConfigurationError' });
  });

  it('builds the verifier from env once per env object, and hands the KV write-back to ctx.waitUntil', async () => {
    const { mock, fetch } = freshMock();
    const kv = createFakeKv();
    let built = 0;
    const handler = withAuth<Env & { CACHE: typeof kv }>(
      (_request, _env, _ctx, auth) => new Response(auth.claims.sub),
      {
        verifier: (env) => {
          built += 1;
          return { issuer: env.ISSUER, audience: AUDIENCE, fetch, kv: env.CACHE };
        },
      },
    );
    const env = { ISSUER: mock.issuer, GREETING: '', CACHE: kv };
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    const { ctx, waited } = context();
    expect(await (await handler(bearer(token), env, ctx)).text()).toBe('usr_test');
    expect(await (await handler(bearer(token), env, ctx)).text()).toBe('usr_test');
    expect(built).toBe(1);
    expect(waited).toHaveLength(1); // the one verification that fetched discovery and the JWKS
    await Promise.all(waited);
    expect(kv.puts).toEqual([{ key: 'keyway:edge:oauth-cache', expirationTtl: 3600 }]);
  });
});

describe('waitUntil', () => {
  it("is called on its context, as workerd's ExecutionContext requires (a detached call would throw)", async () => {
    class StrictContext {
      readonly #waited: Promise<unknown>[] = [];
      waitUntil(promise: Promise<unknown>): void {
        this.#waited.push(promise); // throws a TypeError when `this` is not the context
      }
      get waited(): Promise<unknown>[] {
        return this.#waited;
      }
    }
    const { mock, fetch } = freshMock();
    const handler = withAuth(() => new Response('ok'), {
      verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch, kv: createFakeKv() },
    });
    const ctx = new StrictContext();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    expect((await handler(bearer(token), {}, ctx)).status).toBe(200);
    expect(ctx.waited).toHaveLength(1);
    const middleware = keywayMiddleware({
      verifier: {
        issuer: mock.issuer,
        audience: AUDIENCE,
        fetch: (input, init) => mock.fetch(input, init),
        kv: createFakeKv(),
      },
    });
    const event = new StrictContext();
    expect(await middleware(bearer(token), event)).toBeUndefined();
    expect(event.waited).toHaveLength(1);
  });
});

describe('keywayMiddleware (Next.js / Vercel Edge)', () => {
  it('resolves to undefined for a valid token (go on), and to the refusal otherwise', async () => {
    const { mock, fetch } = freshMock();
    const middleware = keywayMiddleware({ verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch } });
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    expect(await middleware(bearer(token))).toBeUndefined();
    const refused = await middleware(bearer(token, `${URL_THINGS}?access_token=${token}`));
    expect(refused?.status).toBe(400);
    expect(refused?.headers.get('www-authenticate')).toContain('error="invalid_request"');
  });

  it('onAuthenticated answers for verified requests; skip lets requests through unverified; onError shapes refusals', async () => {
    const { mock, fetch } = freshMock();
    const middleware = keywayMiddleware({
      verifier: createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch }),
      requiredScopes: ['things:read'],
      skip: (request) => request.method === 'OPTIONS',
      onAuthenticated: (_request, auth) => new Response(null, { headers: { 'x-user': auth.claims.sub } }),
      onError: (error) => Response.json({ reason: error.reason }, { status: error.status }),
    });
    const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' });
    expect((await middleware(bearer(token)))?.headers.get('x-user')).toBe('usr_test');
    expect(await middleware(new Request(URL_THINGS, { method: 'OPTIONS' }))).toBeUndefined();
    const refused = await middleware(new Request(URL_THINGS));
    expect([refused?.status, await refused?.json()]).toEqual([401, { reason: 'no_authorization' }]);
  });

  it('passes the KV write-back to event.waitUntil', async () => {
    const { mock, fetch } = freshMock();
    const kv = createFakeKv();
    const middleware = keywayMiddleware({ verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch, kv } });
    const { ctx, waited } = context();
    expect(await middleware(bearer(await mock.mintAccessToken({ aud: AUDIENCE })), ctx)).toBeUndefined();
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(kv.puts).toHaveLength(1);
  });
});

describe('EdgeAuthError', () => {
  it('is a KeywayError with a brand check, a fresh response per read and a JSON form without the token', async () => {
    const { mock, fetch } = freshMock();
    const verifier = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch });
    const token = await mock.mintAccessToken({ aud: 'https://elsewhere.example.com' });
    const error = await verifier.verify(token).catch((caught: unknown) => caught);
    expect(EdgeAuthError.is(error)).toBe(true);
    expect(error).toBeInstanceOf(EdgeAuthError);
    const refusal = error as EdgeAuthError;
    expect(refusal.name).toBe('EdgeAuthError');
    expect(refusal.toJSON()).toEqual({
      name: 'EdgeAuthError',
      code: 'invalid_token',
      message: 'The access token is not meant for this resource.',
      reason: 'aud_mismatch',
      status: 401,
      challenge: `Bearer ${REALM}, error="invalid_token", error_description="The access token is not meant for this resource.", ${DPOP_CHALLENGE}`,
    });
    expect((refusal.cause as { code?: string }).code).toBe('aud_mismatch');
    expect(await refusal.response.text()).toBe(await refusal.response.text());
    expect(EdgeAuthError.is(new Error('x'))).toBe(false);
  });
});
