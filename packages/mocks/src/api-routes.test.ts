import type {
  AccessTokenResult,
  ExternalTokenList,
  OfflineConsentResult,
  Problem,
  TokenValidationResult,
} from '@keyway/openapi';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMockKeyway, type MockKeyway } from './index.js';

let mock: MockKeyway;

function api(path: string, init: RequestInit & { json?: unknown; token?: string | null } = {}) {
  const { json, token = mock.apiToken, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (token !== null) {
    headers.set('authorization', `Bearer ${token}`);
  }
  if (json !== undefined) {
    headers.set('content-type', 'application/json');
  }
  return mock.fetch(`${mock.issuer}${path}`, {
    ...rest,
    headers,
    body: json === undefined ? rest.body : JSON.stringify(json),
  });
}

async function expectProblem(res: Response, status: number, code: string): Promise<Problem> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  const body = (await res.json()) as Problem;
  expect(body).toMatchObject({ status, code });
  expect(body.request_id).toBe(res.headers.get('x-request-id'));
  return body;
}

beforeEach(() => {
  mock = createMockKeyway();
});

describe('bearer authentication', () => {
  it('refuses a request without a token with 401 invalid_token and a challenge', async () => {
    const res = await api('/api/v1/external-tokens', { token: null });
    await expectProblem(res, 401, 'invalid_token');
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="keyway"');
  });

  it('refuses an unknown token', async () => {
    const res = await api('/api/v1/external-tokens', { token: 'nope' });
    await expectProblem(res, 401, 'invalid_token');
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses a seeded token once it expired on the mock clock', async () => {
    const token = mock.seed.accessToken({ expiresIn: 60 });
    expect((await api('/api/v1/external-tokens', { token })).status).toBe(200);
    mock.clock.advance(61);
    await expectProblem(await api('/api/v1/external-tokens', { token }), 401, 'invalid_token');
  });

  it('puts an x-request-id header on every API answer', async () => {
    const ok = await api('/api/v1/validate');
    const notFound = await api('/api/v1/nowhere');
    expect(ok.headers.get('x-request-id')).toMatch(/^req_/);
    await expectProblem(notFound, 404, 'not_found');
  });
});

describe('persistent tokens', () => {
  it('retrieves a signed at+jwt access token for a seeded persistent token', async () => {
    const id = mock.seed.persistentToken({ sub: 'usr_1', scope: 'api:read' });
    const res = await api(`/api/v1/access/${id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as AccessTokenResult;
    expect(body).toMatchObject({ expires_in: 3600, token_type: 'Bearer', scope: 'api:read' });
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    expect(decodeJwt(body.access_token)).toMatchObject({ sub: 'usr_1', iss: mock.issuer, scope: 'api:read' });
  });

  it('answers 404 for an unknown id', async () => {
    const body = await expectProblem(await api('/api/v1/access/ptk_missing'), 404, 'not_found');
    expect(body.instance).toBe('/api/v1/access/ptk_missing');
  });

  it('stores a refresh token and serves access tokens for the returned id', async () => {
    const stored = await api('/api/v1/refresh', { method: 'POST', json: { refresh_token: 'rt_1' } });
    expect(stored.status).toBe(201);
    const { id } = (await stored.json()) as { id: string };
    expect(id).toMatch(/^ptk_/);
    expect((await api(`/api/v1/access/${id}`)).status).toBe(200);
  });

  describe('storing a refresh token is idempotent (x-keyway-idempotent: true)', () => {
    async function store(refreshToken: string, token?: string): Promise<{ status: number; id: string }> {
      const res = await api('/api/v1/refresh', { method: 'POST', json: { refresh_token: refreshToken }, token });
      return { status: res.status, id: ((await res.json()) as { id: string }).id };
    }

    it('answers the same id, with the same 201, for the same refresh token and user', async () => {
      const first = await store('rt_same');
      const again = await store('rt_same');
      expect(again).toEqual(first);
      expect(first.status).toBe(201);
      expect(mock.callsTo('storeRefreshToken').map((call) => call.status)).toEqual([201, 201]);
      expect((await api(`/api/v1/access/${first.id}`)).status).toBe(200);
    });

    it('answers a new id for another refresh token', async () => {
      const a = await store('rt_a');
      const b = await store('rt_b');
      expect(b.id).not.toBe(a.id);
    });

    it('answers a new id for the same refresh token stored by another user', async () => {
      const mine = await store('rt_shared');
      const other = mock.seed.accessToken({ sub: 'usr_other' });
      const theirs = await store('rt_shared', other);
      expect(theirs.id).not.toBe(mine.id);
      expect(await store('rt_shared', other)).toEqual(theirs);
      expect(
        decodeJwt(((await (await api(`/api/v1/access/${theirs.id}`)).json()) as AccessTokenResult).access_token).sub,
      ).toBe('usr_other');
    });

    it('answers a new id once the first one is revoked', async () => {
      const first = await store('rt_revoked');
      expect(await (await api(`/api/v1/offline/${first.id}`, { method: 'DELETE' })).json()).toEqual({ revoked: true });
      const again = await store('rt_revoked');
      expect(again.id).not.toBe(first.id);
      expect((await api(`/api/v1/access/${again.id}`)).status).toBe(200);
    });
  });

  it.each([
    [{}, 'refresh_token: required'],
    [{ refresh_token: '' }, 'refresh_token: required'],
    [{ refresh_token: 42 }, 'refresh_token: required'],
  ])('refuses %j with a validation_error', async (json, detail) => {
    const body = await expectProblem(await api('/api/v1/refresh', { method: 'POST', json }), 400, 'validation_error');
    expect(body.detail).toBe(detail);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await api('/api/v1/refresh', {
      method: 'POST',
      body: '{oops',
      headers: { 'content-type': 'application/json' },
    });
    await expectProblem(res, 400, 'validation_error');
  });

  it('revokes once: revoked true, then false, then the id no longer serves tokens', async () => {
    const id = mock.seed.persistentToken();
    expect(await (await api(`/api/v1/offline/${id}`, { method: 'DELETE' })).json()).toEqual({ revoked: true });
    expect(await (await api(`/api/v1/offline/${id}`, { method: 'DELETE' })).json()).toEqual({ revoked: false });
    await expectProblem(await api(`/api/v1/access/${id}`), 404, 'not_found');
    await expectProblem(await api('/api/v1/offline/ptk_missing', { method: 'DELETE' }), 404, 'not_found');
  });
});

describe('offline consent', () => {
  const start = async () => {
    const res = await api('/api/v1/offline/consent', {
      method: 'POST',
      json: { client_id: 'test-client', user_id: 'usr_9', scope: 'api:read', redirect_uri: 'https://app.test/cb' },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as OfflineConsentResult;
  };

  it('answers a consent URL on the issuer carrying the state', async () => {
    const { consent_url, state } = await start();
    const url = new URL(consent_url);
    expect(`${url.origin}${url.pathname}`).toBe(`${mock.issuer}/oauth/authorize`);
    expect(url.searchParams.get('state')).toBe(state);
    expect(url.searchParams.get('scope')).toBe('api:read offline_access');
  });

  it('completes with a code into a persistent token for the consenting user', async () => {
    const { state } = await start();
    const res = await api('/api/v1/offline/callback', { method: 'POST', json: { code: 'c1', state } });
    const { persistent_token_id } = (await res.json()) as { persistent_token_id: string };
    const token = (await (await api(`/api/v1/access/${persistent_token_id}`)).json()) as AccessTokenResult;
    expect(decodeJwt(token.access_token)).toMatchObject({ sub: 'usr_9', client_id: 'test-client' });
  });

  it('uses a state once: a replay is invalid_state', async () => {
    const { state } = await start();
    await api('/api/v1/offline/callback', { method: 'POST', json: { code: 'c1', state } });
    const replay = await api('/api/v1/offline/callback', { method: 'POST', json: { code: 'c1', state } });
    await expectProblem(replay, 400, 'invalid_state');
  });

  it('turns an error callback into consent_denied', async () => {
    const { state } = await start();
    const res = await api('/api/v1/offline/callback', {
      method: 'POST',
      json: { state, error: 'access_denied', error_description: 'The user denied the request' },
    });
    const body = await expectProblem(res, 400, 'consent_denied');
    expect(body.detail).toBe('access_denied: The user denied the request');
  });

  it('refuses an unknown state and a missing user_id', async () => {
    await expectProblem(
      await api('/api/v1/offline/callback', { method: 'POST', json: { code: 'c', state: 'st_x' } }),
      400,
      'invalid_state',
    );
    await expectProblem(
      await api('/api/v1/offline/consent', { method: 'POST', json: { client_id: 'test-client' } }),
      400,
      'validation_error',
    );
  });

  it('refuses a redirect_uri the client did not register', async () => {
    mock.seed.client({ clientId: 'strict', redirectUris: ['https://app.test/cb'] });
    const res = await api('/api/v1/offline/consent', {
      method: 'POST',
      json: { client_id: 'strict', user_id: 'u', redirect_uri: 'https://evil.test/cb' },
    });
    await expectProblem(res, 400, 'validation_error');
  });
});

describe('validateToken', () => {
  it('describes a valid token', async () => {
    const token = mock.seed.accessToken({ sub: 'usr_2', scope: 'a b', aud: 'https://api.test', expiresIn: 100 });
    const body = (await (await api('/api/v1/validate', { token })).json()) as TokenValidationResult;
    expect(body).toEqual({
      valid: true,
      sub: 'usr_2',
      client_id: 'test-client',
      scope: 'a b',
      exp: mock.clock.now() + 100,
      iat: mock.clock.now(),
      aud: 'https://api.test',
      iss: mock.issuer,
    });
  });

  it('answers { valid: false } alone for an unknown token, and 401 without one', async () => {
    expect(await (await api('/api/v1/validate', { token: 'bogus' })).json()).toEqual({ valid: false });
    await expectProblem(await api('/api/v1/validate', { token: null }), 401, 'invalid_token');
  });

  it('accepts the access tokens the mock hands out', async () => {
    const id = mock.seed.persistentToken({ sub: 'usr_3' });
    const { access_token } = (await (await api(`/api/v1/access/${id}`)).json()) as AccessTokenResult;
    const body = (await (await api('/api/v1/validate', { token: access_token })).json()) as TokenValidationResult;
    expect(body).toMatchObject({ valid: true, sub: 'usr_3' });
  });
});

describe('external tokens', () => {
  it("lists the bearer user's providers, leaving out those needing re-consent", async () => {
    mock.seed.externalToken('usr_test', 'github', { access_token: 'gho_1', scope: 'repo' });
    mock.seed.externalToken('usr_test', 'google', { reconsent: true });
    mock.seed.externalToken('someone_else', 'gitlab');
    const body = (await (await api('/api/v1/external-tokens')).json()) as ExternalTokenList;
    expect(body).toEqual({
      data: [{ provider: 'github', access_token: 'gho_1', token_type: 'Bearer', scope: 'repo' }],
    });
  });

  it('retrieves one provider', async () => {
    mock.seed.externalToken('usr_test', 'github', { access_token: 'gho_1', expires_at: 2_000_000_000 });
    const res = await api('/api/v1/external-tokens/github');
    expect(await res.json()).toEqual({
      provider: 'github',
      access_token: 'gho_1',
      token_type: 'Bearer',
      expires_at: 2_000_000_000,
    });
  });

  it('answers 401 reconsent_required with a consent_url', async () => {
    mock.seed.externalToken('usr_test', 'google', { reconsent: true });
    const body = await expectProblem(await api('/api/v1/external-tokens/google'), 401, 'reconsent_required');
    expect((body as Problem & { consent_url: string }).consent_url).toMatch(/^https:\/\/keyway\.test\//);
  });

  it('answers 404 for a provider the user has not connected', async () => {
    await expectProblem(await api('/api/v1/external-tokens/gitlab'), 404, 'not_found');
  });
});

describe('routing', () => {
  it('answers 405 with Allow for a wrong method', async () => {
    const res = await api('/api/v1/validate', { method: 'POST', json: {} });
    await expectProblem(res, 405, 'method_not_allowed');
    expect(res.headers.get('allow')).toBe('GET');
  });

  it('mock.fetch refuses URLs outside the issuer', async () => {
    await expect(mock.fetch('https://elsewhere.test/api/v1/validate')).rejects.toThrow(TypeError);
  });

  it('serves an issuer with a path', async () => {
    const tenant = createMockKeyway({ issuer: 'https://auth.test/tenants/acme/' });
    expect(tenant.issuer).toBe('https://auth.test/tenants/acme');
    const res = await tenant.fetch(`${tenant.issuer}/api/v1/validate`, {
      headers: { authorization: `Bearer ${tenant.apiToken}` },
    });
    expect(await res.json()).toMatchObject({ valid: true, iss: 'https://auth.test/tenants/acme' });
  });
});

describe('calls and reset', () => {
  it('records route, method, url, headers and parsed body', async () => {
    await api('/api/v1/refresh', { method: 'POST', json: { refresh_token: 'rt' } });
    const [call] = mock.calls;
    expect(call).toMatchObject({
      route: 'storeRefreshToken',
      method: 'POST',
      url: `${mock.issuer}/api/v1/refresh`,
      path: '/api/v1/refresh',
      body: { refresh_token: 'rt' },
      status: 201,
    });
    expect(call?.headers.authorization).toBe(`Bearer ${mock.apiToken}`);
    expect(call?.requestId).toMatch(/^req_/);
    expect(mock.callsTo('storeRefreshToken')).toHaveLength(1);
  });

  it('reset() forgets state and calls but keeps apiToken valid', async () => {
    const id = mock.seed.persistentToken();
    await api(`/api/v1/access/${id}`);
    mock.reset();
    expect(mock.calls).toEqual([]);
    await expectProblem(await api(`/api/v1/access/${id}`), 404, 'not_found');
    expect(await (await api('/api/v1/validate')).json()).toMatchObject({ valid: true });
  });
});
