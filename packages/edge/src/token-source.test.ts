import type { FetchLike } from '@keyway/core';
import { createFakeKv } from '@keyway/mocks';
import { describe, expect, it } from 'vitest';
import { freshMock } from '../test/helpers.js';
import { snapshot } from './snapshot.js';
import { createEdgeTokenSource, type EdgeTokenSourceOptions } from './token-source.js';

const API = 'https://api.example.com';

/** The mock for the issuer; an API that echoes the Authorization header (and says 401 to `stale`) elsewhere. */
function network(mockFetch: FetchLike, issuer: string): FetchLike {
  return async (input, init) => {
    const request = new Request(input, init);
    if (request.url.startsWith(issuer)) {
      return mockFetch(request);
    }
    const authorization = request.headers.get('authorization');
    return new Response(authorization, { status: authorization === 'Bearer stale' ? 401 : 200 });
  };
}

function options(extra: Partial<EdgeTokenSourceOptions> = {}) {
  const { mock, fetch } = freshMock();
  const kv = createFakeKv();
  const base: EdgeTokenSourceOptions = {
    issuer: mock.issuer,
    clientId: 'test-client',
    clientSecret: 'test-secret',
    scope: 'things:read',
    resource: `${API}/`,
    kv,
    fetch: network(fetch, mock.issuer),
    ...extra,
  };
  return { mock, kv, base };
}

describe('createEdgeTokenSource', () => {
  it('gets a client-credentials token once and shares it through KV with sources of later requests', async () => {
    const { mock, kv, base } = options();
    const first = createEdgeTokenSource(base);
    const tokens = await first.getToken();
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: 'things:read' });
    expect(mock.callsTo('token')).toHaveLength(1);
    expect(mock.callsTo('token')[0]?.body).toMatchObject({ grant_type: 'client_credentials', scope: 'things:read' });
    const [key] = [...kv.data.keys()];
    expect(key?.startsWith('keyway:tokens:keyway:v1:')).toBe(true);
    expect(first.key).toBe(key?.slice('keyway:tokens:'.length));
    expect(kv.puts[0]?.expirationTtl).toBeGreaterThanOrEqual(60);

    for (let i = 0; i < 3; i++) {
      const perRequest = createEdgeTokenSource(base);
      expect((await perRequest.getToken()).access_token).toBe(tokens.access_token);
    }
    expect(mock.callsTo('token')).toHaveLength(1);
  });

  it('authFetch sends the token and retries once with a new one after a 401', async () => {
    const { mock, base } = options();
    const source = createEdgeTokenSource(base);
    const response = await source.authFetch(`${API}/things`);
    expect(await response.text()).toBe(`Bearer ${(await source.getToken()).access_token}`);
    await source.set({ access_token: 'stale', token_type: 'Bearer', expires_at: Math.floor(Date.now() / 1000) + 600 });
    const retried = await source.authFetch(`${API}/things`);
    expect(retried.status).toBe(200);
    expect(mock.callsTo('token')).toHaveLength(2);
  });

  it('a wrong secret is the OAuthError of the token endpoint; the next call discovers nothing new', async () => {
    const { mock, base } = options({ clientSecret: 'wrong' });
    const source = createEdgeTokenSource(base);
    await expect(source.getToken()).rejects.toMatchObject({ name: 'OAuthError', error: 'invalid_client' });
    await expect(source.getToken()).rejects.toMatchObject({ error: 'invalid_client' });
    expect(mock.callsTo('getOpenIdConfiguration').length + mock.callsTo('getAuthorizationServerMetadata').length).toBe(
      1,
    );
  });

  it('works without KV (in this isolate) and its tokens go into a snapshot only when asked', async () => {
    const { base } = options({ kv: undefined });
    const source = createEdgeTokenSource(base);
    const tokens = await source.getToken();
    expect((await snapshot({ fetch: base.fetch })).tokens).toEqual([]);
    expect((await snapshot({ fetch: base.fetch, tokens: [source] })).tokens).toEqual([
      { key: source.key, value: tokens },
    ]);
  });

  it('refuses options without issuer or client id', () => {
    expect(() => createEdgeTokenSource({ issuer: '', clientId: 'x' })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', code: 'invalid_options' }),
    );
  });
});
