import { createFakeKv } from '@keyway/mocks';
import { Hono } from 'hono';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AUDIENCE, bearer, DPOP_CHALLENGE, freshMock, REALM, URL_THINGS } from '../test/helpers.js';
import { type KeywayVariables, keywayAuth } from './hono.js';
import type { AuthContext } from './verifier.js';
import { withAuth } from './with-auth.js';

const RESOURCE = 'https://api.example.com/things';
const METADATA_URL = 'https://api.example.com/.well-known/oauth-protected-resource/things';

/** The parts of a response a client sees. */
async function seen(response: Response) {
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    type: response.headers.get('content-type'),
    body: await response.text(),
  };
}

describe('keywayAuth (Hono)', () => {
  it('puts the AuthContext on the context: c.get("auth"), typed', async () => {
    const { mock, fetch } = freshMock();
    const app = new Hono()
      .use('/things', keywayAuth({ verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch } }))
      .get('/things', (c) => {
        const auth = c.get('auth');
        expectTypeOf(auth).toEqualTypeOf<AuthContext>();
        return c.json({ sub: auth.claims.sub, scopes: auth.scopes, scheme: auth.scheme });
      });
    const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' });
    const response = await app.request(bearer(token));
    expect([response.status, await response.json()]).toEqual([
      200,
      { sub: 'usr_test', scopes: ['things:read'], scheme: 'Bearer' },
    ]);
    const typed = new Hono<{ Variables: KeywayVariables }>();
    typed.get('/', (c) => {
      expectTypeOf(c.get('auth')).toEqualTypeOf<AuthContext>();
      return c.text('');
    });
  });

  it('refuses exactly as withAuth does (401, 403, 400), with resource_metadata in the challenges', async () => {
    const { mock, fetch } = freshMock();
    const options = {
      verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch },
      requiredScopes: ['things:write'],
      resourceMetadata: { resource: RESOURCE },
    };
    let reached = 0;
    const app = new Hono();
    app.use('*', keywayAuth(options));
    app.all('*', (c) => {
      reached += 1;
      return c.text('secret');
    });
    const worker = withAuth(() => new Response('secret'), options);
    const ctx = { waitUntil: () => undefined };
    const readOnly = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' });
    const requests = [
      () => new Request(URL_THINGS),
      () => bearer(readOnly),
      () => bearer(readOnly, `${URL_THINGS}?access_token=x`),
      () => new Request(URL_THINGS, { headers: { authorization: 'Bearer' } }),
    ];
    const statuses: number[] = [];
    for (const request of requests) {
      const fromHono = await seen(await app.request(request()));
      expect(fromHono).toEqual(await seen(await worker(request(), {}, ctx)));
      statuses.push(fromHono.status);
    }
    expect(statuses).toEqual([401, 403, 400, 400]);
    const rm = `resource_metadata="${METADATA_URL}"`;
    expect((await app.request(new Request(URL_THINGS))).headers.get('www-authenticate')).toBe(
      `Bearer ${REALM}, ${rm}, ${DPOP_CHALLENGE}, ${rm}`,
    );
    expect(reached).toBe(0);
    const metadata = await app.request(new Request(METADATA_URL));
    expect(await metadata.json()).toMatchObject({ resource: RESOURCE, authorization_servers: [mock.issuer] });
    expect(reached).toBe(0);
  });

  it('onError gets the refusal and the Hono context; a verifier from c.env is made once per env', async () => {
    const { mock, fetch } = freshMock();
    type Bindings = { ISSUER: string };
    let built = 0;
    const app = new Hono<{ Bindings: Bindings }>().get(
      '/things',
      keywayAuth<{ Bindings: Bindings }>({
        verifier: (env) => {
          built += 1;
          return { issuer: env.ISSUER, audience: AUDIENCE, fetch };
        },
        onError: (error, c) => c.json({ reason: error.reason, path: c.req.path }, 418),
      }),
      (c) => c.text(c.get('auth').claims.sub),
    );
    const env = { ISSUER: mock.issuer };
    const refused = await app.request(new Request(URL_THINGS), undefined, env);
    expect([refused.status, await refused.json()]).toEqual([418, { reason: 'no_authorization', path: '/things' }]);
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    expect(await (await app.request(bearer(token), undefined, env)).text()).toBe('usr_test');
    expect(built).toBe(1);
  });

  it('hands the KV write-back to c.executionCtx.waitUntil, and awaits it where Hono has no execution context', async () => {
    const { mock, fetch } = freshMock();
    const kv = createFakeKv();
    const app = new Hono();
    app.use('*', keywayAuth({ verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch, kv } }));
    app.get('*', (c) => c.text('ok'));
    const waited: Promise<unknown>[] = [];
    const executionCtx = {
      waitUntil(this: unknown, promise: Promise<unknown>) {
        expect(this).toBe(executionCtx); // called on the context, as workerd requires
        waited.push(promise);
      },
      passThroughOnException: () => undefined,
      props: {},
    };
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    expect((await app.fetch(bearer(token), {}, executionCtx)).status).toBe(200);
    expect(waited).toHaveLength(1);
    await Promise.all(waited);
    expect(kv.puts).toHaveLength(1);

    const { mock: other, fetch: otherFetch } = freshMock();
    const kv2 = createFakeKv();
    const plain = new Hono();
    plain.use('*', keywayAuth({ verifier: { issuer: other.issuer, audience: AUDIENCE, fetch: otherFetch, kv: kv2 } }));
    plain.get('*', (c) => c.text('ok'));
    expect((await plain.request(bearer(await other.mintAccessToken({ aud: AUDIENCE })))).status).toBe(200);
    expect(kv2.puts).toHaveLength(1); // written before the response, no context to defer it to
  });

  it('refuses a bad resourceMetadata when the middleware is made', () => {
    const { mock, fetch } = freshMock();
    expect(() =>
      keywayAuth({
        verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch },
        resourceMetadata: { resource: 'http://api.example.com/' },
      }),
    ).toThrow(expect.objectContaining({ name: 'ConfigurationError', code: 'invalid_option' }));
  });
});
