import { DPOP_ALGORITHMS } from '@keyway/core';
import { describe, expect, it } from 'vitest';
import { AUDIENCE, bearer, DPOP_CHALLENGE, freshMock, REALM, URL_THINGS } from '../test/helpers.js';
import { EdgeAuthError } from './errors.js';
import { keywayMiddleware } from './middleware.js';
import type { VerifierOptions } from './options.js';
import type { ResourceMetadataOptions } from './resource-metadata.js';
import { createVerifier, type Verifier } from './verifier.js';
import { withAuth } from './with-auth.js';

const RESOURCE = 'https://api.example.com/mcp';
const METADATA_URL = 'https://api.example.com/.well-known/oauth-protected-resource/mcp';
const RM = `resource_metadata="${METADATA_URL}"`;
const ctx = { waitUntil: () => undefined };
const URL_RULE =
  /^resourceMetadata: `resource` must be an absolute https: URL \(http: only for a loopback host such as 127\.0\.0\.1\) without query, fragment or credentials/;

function protectedHandler(
  resourceMetadata: ResourceMetadataOptions = { resource: RESOURCE },
  verifierOptions: Partial<VerifierOptions> = {},
) {
  const { mock, fetch } = freshMock();
  let calls = 0;
  const handler = withAuth(
    () => {
      calls += 1;
      return new Response('ok');
    },
    {
      verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch, requiredScopes: ['mcp'], ...verifierOptions },
      requiredScopes: ['things:read'],
      resourceMetadata,
    },
  );
  return { mock, handler, calls: () => calls };
}

async function document(response: Response) {
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    cors: response.headers.get('access-control-allow-origin'),
    body: await response.json(),
  };
}

describe('withAuth({ resourceMetadata }) (RFC 9728)', () => {
  it('serves the metadata at the path-suffixed and the bare well-known URL, without a token', async () => {
    const { mock, handler, calls } = protectedHandler({
      resource: RESOURCE,
      resourceName: 'Things MCP',
      extra: { resource_policy_uri: 'https://api.example.com/policy', resource: 'https://evil.example.com' },
    });
    const expected = {
      status: 200,
      type: 'application/json',
      cors: '*',
      body: {
        resource: RESOURCE,
        authorization_servers: [mock.issuer],
        scopes_supported: ['mcp', 'things:read'],
        bearer_methods_supported: ['header'],
        dpop_signing_alg_values_supported: [...DPOP_ALGORITHMS],
        resource_name: 'Things MCP',
        resource_policy_uri: 'https://api.example.com/policy',
      },
    };
    expect(await document(await handler(new Request(METADATA_URL), {}, ctx))).toEqual(expected);
    const bare = await handler(new Request('https://api.example.com/.well-known/oauth-protected-resource'), {}, ctx);
    expect(await document(bare)).toEqual(expected);
    expect(calls()).toBe(0);
  });

  it('answers HEAD and a CORS preflight; refuses other methods with 405; other paths are guarded', async () => {
    const { handler, calls } = protectedHandler();
    const head = await handler(new Request(METADATA_URL, { method: 'HEAD' }), {}, ctx);
    expect([head.status, await head.text()]).toEqual([200, '']);
    const preflight = await handler(new Request(METADATA_URL, { method: 'OPTIONS' }), {}, ctx);
    expect([preflight.status, preflight.headers.get('access-control-allow-methods')]).toEqual([
      204,
      'GET, HEAD, OPTIONS',
    ]);
    const post = await handler(new Request(METADATA_URL, { method: 'POST' }), {}, ctx);
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD, OPTIONS']);
    const near = await handler(new Request(`${METADATA_URL}/x`), {}, ctx);
    expect(near.status).toBe(401);
    expect(calls()).toBe(0);
  });

  it('adds resource_metadata to every challenge of a 401 and a 403; a 503 has none', async () => {
    const { mock, handler } = protectedHandler();
    const missing = await handler(new Request(URL_THINGS), {}, ctx);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe(`Bearer ${REALM}, ${RM}, ${DPOP_CHALLENGE}, ${RM}`);
    const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'mcp' });
    const forbidden = await handler(bearer(token), {}, ctx);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get('www-authenticate')).toBe(
      `Bearer ${REALM}, error="insufficient_scope", error_description="The access token lacks a scope this request needs.", scope="mcp things:read", ${RM}, ${DPOP_CHALLENGE}, ${RM}`,
    );
    const { handler: other, mock: down } = protectedHandler(undefined, { retry: false });
    down.fail('getJwks', { status: 500, times: 10 });
    const unavailable = await other(bearer(await down.mintAccessToken({ aud: AUDIENCE })), {}, ctx);
    expect([unavailable.status, unavailable.headers.get('www-authenticate')]).toEqual([503, null]);
  });

  it('hands onError the refusal with resource_metadata in its challenge', async () => {
    const { mock, fetch } = freshMock();
    const seen: EdgeAuthError[] = [];
    const handler = withAuth(() => new Response('ok'), {
      verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch, dpop: false },
      resourceMetadata: { resource: 'https://api.example.com' },
      onError: (error) => {
        seen.push(error);
        return error.response;
      },
    });
    await handler(new Request(URL_THINGS), {}, ctx);
    expect(seen.map((error) => [error.code, error.challenge])).toEqual([
      [
        'missing_token',
        `Bearer ${REALM}, resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"`,
      ],
    ]);
  });

  it('a DPoP-only verifier says dpop_bound_access_tokens_required; a verifier of your own gives no DPoP members', async () => {
    const { mock, fetch } = freshMock();
    const dpopOnly = withAuth(() => new Response('ok'), {
      verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch, dpop: { required: true, algorithms: ['ES256'] } },
      resourceMetadata: { resource: RESOURCE, scopesSupported: ['a', 'b'] },
    });
    expect((await document(await dpopOnly(new Request(METADATA_URL), {}, ctx))).body).toEqual({
      resource: RESOURCE,
      authorization_servers: [mock.issuer],
      scopes_supported: ['a', 'b'],
      bearer_methods_supported: ['header'],
      dpop_signing_alg_values_supported: ['ES256'],
      dpop_bound_access_tokens_required: true,
    });
    const inner = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch });
    const own: Verifier = {
      issuer: 'https://own.example.com',
      audience: AUDIENCE,
      verify: inner.verify,
      authenticate: inner.authenticate,
    };
    const custom = withAuth(() => new Response('ok'), {
      verifier: own,
      resourceMetadata: { resource: new URL(RESOURCE) },
    });
    expect((await document(await custom(new Request(METADATA_URL), {}, ctx))).body).toEqual({
      resource: RESOURCE,
      authorization_servers: ['https://own.example.com'],
      bearer_methods_supported: ['header'],
    });
  });

  it('a verifier made per env names that env issuer', async () => {
    const { mock, fetch } = freshMock();
    const handler = withAuth<{ ISSUER: string }>(() => new Response('ok'), {
      verifier: (env) => ({ issuer: env.ISSUER, audience: AUDIENCE, fetch }),
      resourceMetadata: { resource: RESOURCE },
    });
    const body = (await document(await handler(new Request(METADATA_URL), { ISSUER: mock.issuer }, ctx))).body;
    expect(body.authorization_servers).toEqual([mock.issuer]);
  });

  it('refuses a bad option when the handler is made, with ConfigurationError invalid_option', () => {
    const { mock, fetch } = freshMock();
    const make = (resourceMetadata: unknown) => () =>
      withAuth(() => new Response('ok'), {
        verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch },
        resourceMetadata: resourceMetadata as ResourceMetadataOptions,
      });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: [unknown, RegExp][] = [
      [null, /expected \{ resource/],
      [{}, URL_RULE],
      [{ resource: Number.NaN }, URL_RULE],
      [{ resource: '/mcp' }, URL_RULE],
      [{ resource: 'http://api.example.com/mcp' }, URL_RULE],
      [{ resource: 'ftp://api.example.com/' }, URL_RULE],
      [{ resource: 'https://api.example.com/mcp#x' }, URL_RULE],
      [{ resource: 'https://api.example.com/mcp#' }, URL_RULE],
      [{ resource: 'https://api.example.com/mcp?tenant=1' }, URL_RULE],
      [{ resource: 'https://user:hunter2@api.example.com/' }, URL_RULE],
      [{ resource: RESOURCE, scopesSupported: ['a b'] }, /scopesSupported/],
      [{ resource: RESOURCE, scopesSupported: 'a' }, /scopesSupported/],
      [{ resource: RESOURCE, resourceName: 42 }, /resourceName/],
      [{ resource: RESOURCE, extra: cyclic }, /`extra` must be JSON/],
      [{ resource: RESOURCE, extra: { n: 10n } }, /`extra` must be JSON/],
      [{ resource: RESOURCE, extra: ['x'] }, /`extra` must be an object/],
    ];
    for (const [option, message] of bad) {
      let error: unknown;
      try {
        make(option)();
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(String(option))).toMatchObject({
        name: 'ConfigurationError',
        code: 'invalid_option',
      });
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toContain('hunter2');
    }
    for (const resource of [
      'http://127.0.0.1:8787/mcp',
      'http://localhost:3000',
      'http://[::1]:1/',
      'https://x.example',
    ]) {
      expect(make({ resource })).not.toThrow();
    }
  });
});

describe('keywayMiddleware({ resourceMetadata })', () => {
  it('serves the document even for a skipped path, and adds resource_metadata to its refusals', async () => {
    const { mock, fetch } = freshMock();
    const middleware = keywayMiddleware({
      verifier: { issuer: mock.issuer, audience: AUDIENCE, fetch, dpop: false },
      resourceMetadata: { resource: RESOURCE },
      skip: (request) => new URL(request.url).pathname.startsWith('/.well-known/'),
    });
    const served = await middleware(new Request(METADATA_URL));
    expect((await document(served!)).body.authorization_servers).toEqual([mock.issuer]);
    expect(await middleware(new Request('https://api.example.com/.well-known/other'))).toBeUndefined();
    const refused = await middleware(new Request(URL_THINGS));
    expect(refused?.headers.get('www-authenticate')).toBe(`Bearer ${REALM}, ${RM}`);
  });
});

describe('a verifier of your own', () => {
  it('keeps the challenge of a refusal it made itself (only refusals of this package are re-rendered)', async () => {
    const own: Verifier = {
      issuer: 'https://own.example.com',
      audience: AUDIENCE,
      verify: () => Promise.reject(new Error('unused')),
      authenticate: () =>
        Promise.reject(
          new EdgeAuthError('no', { code: 'invalid_token', reason: 'mine', status: 401, challenge: 'Bearer' }),
        ),
    };
    const handler = withAuth(() => new Response('ok'), { verifier: own, resourceMetadata: { resource: RESOURCE } });
    expect((await handler(new Request(URL_THINGS), {}, ctx)).headers.get('www-authenticate')).toBe('Bearer');
  });
});
