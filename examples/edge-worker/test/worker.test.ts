/*
 * The Worker bundled as wrangler would (esbuild, conditions workerd/worker/browser) and run in workerd by
 * miniflare. Its outbound requests (discovery, JWKS) are answered in this process by @keyway/mocks.
 */
import { createMockKeyway } from '@keyway/mocks';
import { build } from 'esbuild';
import { type Request as MfRequest, Response as MfResponse, Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, it } from 'vitest';

const AUDIENCE = 'https://things.example.com';
const mock = createMockKeyway();
let mf: Miniflare;

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    write: false,
    logLevel: 'silent',
  });
  mf = new Miniflare({
    modules: true,
    script: bundle.outputFiles[0]!.text,
    compatibilityDate: '2025-06-01',
    kvNamespaces: ['CACHE'],
    bindings: { KEYWAY_ISSUER: mock.issuer, API_AUDIENCE: AUDIENCE },
    outboundService: async (request: MfRequest) => {
      const answer = await mock.handle(new Request(request.url, { headers: Object.fromEntries(request.headers) }));
      return new MfResponse(await answer.arrayBuffer(), {
        status: answer.status,
        headers: Object.fromEntries(answer.headers),
      });
    },
  });
  await mf.ready;
}, 60_000);

afterAll(async () => {
  await mf?.dispose();
});

const call = (path: string, token?: string) =>
  mf.dispatchFetch(`${AUDIENCE}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

it('answers a caller with a valid token', async () => {
  const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read', sub: 'usr_ann' });
  const response = await call('/me', token);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ sub: 'usr_ann', client_id: 'test-client', scopes: ['things:read'] });
  expect(await (await call('/things', token)).json()).toEqual([{ id: 1, owner: 'usr_ann' }]);
});

it('refuses a request without a token with a bare Bearer challenge', async () => {
  const response = await call('/me');
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="https:\/\/things\.example\.com"/);
});

it('refuses a token without the scope a route needs: 403 insufficient_scope', async () => {
  const response = await call('/things', await mock.mintAccessToken({ aud: AUDIENCE, scope: 'profile' }));
  expect(response.status).toBe(403);
  expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  expect(response.headers.get('www-authenticate')).toContain('scope="things:read"');
});

it('refuses a token for another API', async () => {
  const response = await call('/me', await mock.mintAccessToken({ aud: 'https://elsewhere.example.com' }));
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
});
