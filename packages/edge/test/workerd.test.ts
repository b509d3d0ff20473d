/*
 * @keyway/edge in workerd: test/worker.ts (withAuth, the KV-cached JWKS, the KV token source) bundled
 * the way a Worker's build does (esbuild, ESM, conditions workerd/worker/browser, every dependency
 * inlined) and run by miniflare without nodejs_compat. The Worker uses the global fetch; miniflare's
 * outbound service hands each of its requests to this process, where @keyway/mocks answers for the
 * issuer and counts the calls.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMockKeyway } from '@keyway/mocks';
import { type Miniflare, type Request as MiniflareRequest, Response as MiniflareResponse } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker, startWorker } from './workerd.js';

const AUDIENCE = 'https://worker.example.com';
const REALM = `realm="${AUDIENCE}"`;
const DPOP = `DPoP ${REALM}, algs="ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512 EdDSA"`;
const CACHE_KEY = 'keyway:edge:oauth-cache';

const mock = createMockKeyway({ issuer: 'https://keyway.test' });
let script: string;
let persist: string;
const instances: Miniflare[] = [];

/** The Worker's outbound fetches: the issuer is the mock; https://api.example.com/echo echoes the Authorization header. */
async function outbound(request: MiniflareRequest): Promise<MiniflareResponse> {
  if (request.url.startsWith('https://api.example.com/')) {
    return new MiniflareResponse(request.headers.get('authorization') ?? '');
  }
  const body = ['GET', 'HEAD'].includes(request.method) ? undefined : await request.arrayBuffer();
  const answer = await mock.handle(
    new Request(request.url, { method: request.method, headers: Object.fromEntries(request.headers), body }),
  );
  return new MiniflareResponse(await answer.arrayBuffer(), {
    status: answer.status,
    headers: Object.fromEntries(answer.headers),
  });
}

/** A new workerd isolate running the Worker, with KV persisted under `kvPersist`. */
async function start(kvPersist: string): Promise<Miniflare> {
  const mf = await startWorker(script, {
    kvNamespaces: ['CACHE', 'TOKENS'],
    kvPersist,
    bindings: { KEYWAY_ISSUER: mock.issuer, CLIENT_SECRET: 'test-secret' },
    outboundService: outbound,
  });
  instances.push(mf);
  return mf;
}

async function get(mf: Miniflare, path: string, token?: string) {
  const response = await mf.dispatchFetch(`https://worker.example.com${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, challenge: response.headers.get('www-authenticate'), body: await response.json() };
}

/** The KV write-back runs in ctx.waitUntil, after the response: wait for it to land (no timing asserted). */
async function stored(mf: Miniflare, namespace: string, key: string): Promise<string | null> {
  const kv = (await mf.getKVNamespace(namespace)) as unknown as { get(key: string): Promise<string | null> };
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await kv.get(key);
    if (value !== null) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return null;
}

let first: Miniflare;

beforeAll(async () => {
  script = await bundleWorker('./worker.ts');
  persist = await mkdtemp(join(tmpdir(), 'keyway-edge-kv-'));
  first = await start(persist);
}, 60_000);

afterAll(async () => {
  await Promise.all(instances.map((mf) => mf.dispose()));
  if (persist) {
    await rm(persist, { recursive: true, force: true });
  }
});

describe('withAuth in workerd', () => {
  it('runs in workerd, with no Node built-in in the bundle', async () => {
    expect(script).not.toMatch(/from ["']node:/);
    const response = await first.dispatchFetch('https://worker.example.com/runtime');
    expect(await response.json()).toEqual({ userAgent: 'Cloudflare-Workers', process: 'undefined' });
  });

  it('a valid token: 200 with the claims', async () => {
    const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read', sub: 'usr_1' });
    expect(await get(first, '/things', token)).toEqual({
      status: 200,
      challenge: null,
      body: { sub: 'usr_1', scopes: ['things:read'], scheme: 'Bearer' },
    });
  });

  it('no token: 401 with a bare challenge', async () => {
    expect(await get(first, '/things')).toEqual({
      status: 401,
      challenge: `Bearer ${REALM}, ${DPOP}`,
      body: { error: 'unauthorized', error_description: 'The request carries no access token.' },
    });
  });

  it('an expired token and a token for another audience: 401 invalid_token', async () => {
    const expired = await mock.mintAccessToken({
      aud: AUDIENCE,
      scope: 'things:read',
      exp: Math.floor(Date.now() / 1000) - 120,
    });
    expect(await get(first, '/things', expired)).toEqual({
      status: 401,
      challenge: `Bearer ${REALM}, error="invalid_token", error_description="The access token expired.", ${DPOP}`,
      body: { error: 'invalid_token', error_description: 'The access token expired.' },
    });
    const elsewhere = await mock.mintAccessToken({ aud: 'https://other.example.com', scope: 'things:read' });
    const refused = await get(first, '/things', elsewhere);
    expect(refused.status).toBe(401);
    expect(refused.challenge).toBe(
      `Bearer ${REALM}, error="invalid_token", error_description="The access token is not meant for this resource.", ${DPOP}`,
    );
  });

  it('a token without the scope: 403 insufficient_scope naming it', async () => {
    const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' });
    expect(await get(first, '/admin', token)).toEqual({
      status: 403,
      challenge: `Bearer ${REALM}, error="insufficient_scope", error_description="The access token lacks a scope this request needs.", scope="admin", ${DPOP}`,
      body: { error: 'insufficient_scope', error_description: 'The access token lacks a scope this request needs.' },
    });
  });

  it('fetched discovery and the JWKS once for all of the above, and wrote them to KV', async () => {
    expect(mock.callsTo('getJwks')).toHaveLength(1);
    const value = JSON.parse((await stored(first, 'CACHE', CACHE_KEY)) ?? 'null');
    expect(value.oauth.discovery[0].issuer).toBe(mock.issuer);
  });

  it('the edge token source caches the client-credentials token in KV across requests', async () => {
    const one = (await get(first, '/call')).body as { upstream: string; key: string };
    const two = (await get(first, '/call')).body as { upstream: string; key: string };
    expect(one.upstream).toMatch(/^Bearer ey/);
    expect(two).toEqual(one);
    expect(mock.callsTo('token')).toHaveLength(1);
    expect(await stored(first, 'TOKENS', `keyway:tokens:${one.key}`)).toContain('access_token');
  });
});

describe('a second isolate', () => {
  it('sharing the KV: verifies and calls the API with no request to the issuer', async () => {
    await stored(first, 'CACHE', CACHE_KEY);
    const calls = mock.calls.length;
    const second = await start(persist);
    const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' });
    expect((await get(second, '/things', token)).status).toBe(200);
    expect(((await get(second, '/call')).body as { upstream: string }).upstream).toMatch(/^Bearer ey/);
    expect(mock.calls.slice(calls)).toEqual([]); // no discovery, no JWKS, no token request
  });

  it('with empty KV, warmed by restore(snapshot()) of the first: verifies with no request to the issuer', async () => {
    const warm = await (await first.dispatchFetch('https://worker.example.com/snapshot')).text();
    const empty = await mkdtemp(join(tmpdir(), 'keyway-edge-kv-'));
    const third = await start(empty);
    try {
      const restored = await third.dispatchFetch('https://worker.example.com/restore', { method: 'POST', body: warm });
      expect(restored.status).toBe(204);
      const calls = mock.calls.length;
      const token = await mock.mintAccessToken({ aud: AUDIENCE, scope: 'things:read' });
      expect((await get(third, '/things', token)).status).toBe(200);
      expect(mock.calls.slice(calls)).toEqual([]);
    } finally {
      instances.splice(instances.indexOf(third), 1);
      await third.dispose();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
