/*
 * The Worker as a user ships it: its src/ copied into a fresh npm project that installs @keyway/edge and
 * @keyway/token-store from their packed tarballs (not the workspace), bundled as wrangler would (esbuild,
 * conditions workerd/worker/browser) and run in workerd by miniflare. Its outbound requests (discovery,
 * JWKS) are answered in this process by @keyway/mocks.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import edgeManifest from '@keyway/edge/package.json' with { type: 'json' };
import { createMockKeyway } from '@keyway/mocks';
import { bundleWorker, npmProject, type PackedWorkspace, packWorkspace } from '@keyway/test-support';
import { type Request as MfRequest, Response as MfResponse, Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, it } from 'vitest';

const edgeVersion = edgeManifest.version;
const AUDIENCE = 'https://things.example.com';
const mock = createMockKeyway();
let mf: Miniflare;
let packed: PackedWorkspace | undefined;
let project: string;

beforeAll(async () => {
  packed = packWorkspace(['@keyway/edge', '@keyway/token-store'], 'keyway-edge-worker-');
  project = await npmProject(packed, {
    from: fileURLToPath(new URL('..', import.meta.url)),
    files: ['src'],
    keyway: ['@keyway/edge', '@keyway/token-store'],
  });
  mf = new Miniflare({
    modules: true,
    script: await bundleWorker(join(project, 'src/index.ts')),
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
}, 180_000);

afterAll(async () => {
  await mf?.dispose();
  packed?.remove();
});

const call = (path: string, token?: string) =>
  mf.dispatchFetch(`${AUDIENCE}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

it('runs on @keyway/edge installed from its tarball, not the workspace', () => {
  const installed = join(project, 'node_modules', '@keyway', 'edge');
  expect(lstatSync(installed).isSymbolicLink()).toBe(false);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string };
  expect(manifest.version).toBe(edgeVersion);
});

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
