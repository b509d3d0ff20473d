import { beforeEach, describe, expect, it } from 'vitest';
import { createMockKeyway, type MockKeyway } from './index.js';

let mock: MockKeyway;
beforeEach(() => {
  mock = createMockKeyway({
    clients: [
      { clientId: 'app', clientSecret: 's3cret', redirectUris: ['https://app.test/cb', 'http://127.0.0.1/cb'] },
      { clientId: 'spa', tokenEndpointAuthMethod: 'none', redirectUris: ['https://spa.test/cb'] },
      { clientId: 'basic-only', clientSecret: 'x', tokenEndpointAuthMethod: 'client_secret_basic' },
    ],
  });
});

const basicAuth = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`;

async function post(path: string, body: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await mock.fetch(`${mock.issuer}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, string>) : {} };
}

describe('token endpoint errors', () => {
  it.each([
    ['no client authentication', {}, {}, 401, 'invalid_client'],
    ['a wrong secret', {}, { authorization: basicAuth('app', 'nope') }, 401, 'invalid_client'],
    ['an unknown client', {}, { authorization: basicAuth('ghost', 'x') }, 401, 'invalid_client'],
    ['a confidential client without its secret', { client_id: 'app' }, {}, 401, 'invalid_client'],
    [
      'client_secret_post where only basic is allowed',
      { client_id: 'basic-only', client_secret: 'x' },
      {},
      401,
      'invalid_client',
    ],
    [
      'two authentication methods',
      { client_id: 'app', client_secret: 's3cret' },
      { authorization: basicAuth('app', 's3cret') },
      400,
      'invalid_request',
    ],
    ['a malformed Basic header', {}, { authorization: 'Basic !!!' }, 401, 'invalid_client'],
  ])('refuses %s', async (_, body, headers, status, error) => {
    const res = await post('/oauth/token', { grant_type: 'client_credentials', ...body }, headers);
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(error);
    if (status === 401) {
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="keyway"');
    }
  });

  it.each([
    [{}, 'invalid_request'],
    [{ grant_type: 'password' }, 'unsupported_grant_type'],
    [{ grant_type: 'authorization_code' }, 'invalid_request'],
    [{ grant_type: 'authorization_code', code: 'nope', code_verifier: 'x'.repeat(43) }, 'invalid_grant'],
    [{ grant_type: 'refresh_token' }, 'invalid_request'],
    [{ grant_type: 'refresh_token', refresh_token: 'nope' }, 'invalid_grant'],
    [{ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: 'nope' }, 'invalid_grant'],
    [{ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange' }, 'invalid_request'],
    [
      {
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: 'nope',
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      },
      'invalid_grant',
    ],
  ])('answers 400 %j with %s', async (body, error) => {
    const res = await post('/oauth/token', body, { authorization: basicAuth('app', 's3cret') });
    expect(res).toMatchObject({ status: 400, body: { error } });
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a JSON body and a repeated parameter', async () => {
    const json = await mock.fetch(`${mock.issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"grant_type":"client_credentials"}',
    });
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ error: 'invalid_request' });
    const repeated = await mock.fetch(`${mock.issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&grant_type=password',
    });
    expect(await repeated.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a grant the client is not allowed', async () => {
    mock.seed.client({ clientId: 'm2m', clientSecret: 'x', grantTypes: ['client_credentials'] });
    const res = await post(
      '/oauth/token',
      { grant_type: 'refresh_token', refresh_token: 'r' },
      { authorization: basicAuth('m2m', 'x') },
    );
    expect(res.body.error).toBe('unauthorized_client');
  });

  it('answers an injected failure with an OAuth error body', async () => {
    mock.fail('token', { status: 503, times: 1 });
    const res = await post(
      '/oauth/token',
      { grant_type: 'client_credentials' },
      { authorization: basicAuth('app', 's3cret') },
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.body.error).toBe('temporarily_unavailable');
  });
});

describe('authorization endpoint errors', () => {
  const authorize = (params: Record<string, string>) =>
    mock.fetch(`${mock.issuer}/oauth/authorize?${new URLSearchParams(params)}`);
  const pkce = { code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' };

  it('shows an error (no redirect) for an unknown client or an unregistered redirect_uri', async () => {
    const unknown = await authorize({ client_id: 'ghost', response_type: 'code', ...pkce });
    expect(unknown.status).toBe(400);
    const evil = await authorize({
      client_id: 'app',
      response_type: 'code',
      redirect_uri: 'https://evil.test/cb',
      ...pkce,
    });
    expect(evil.status).toBe(400);
    expect(await evil.json()).toMatchObject({ error: 'invalid_request' });
    const several = await authorize({ client_id: 'app', response_type: 'code', ...pkce });
    expect(several.status).toBe(400);
  });

  it('accepts a loopback redirect_uri on any port', async () => {
    const res = await authorize({
      client_id: 'app',
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:49152/cb',
      ...pkce,
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:49152\/cb\?code=/);
  });

  it.each([
    [{ response_type: 'token', ...pkce }, 'unsupported_response_type'],
    [{ response_type: 'code' }, 'invalid_request'],
    [{ response_type: 'code', code_challenge: pkce.code_challenge, code_challenge_method: 'plain' }, 'invalid_request'],
  ])('redirects %j back with %s, state and iss', async (params, error) => {
    const res = await authorize({ client_id: 'spa', state: 'xyz', ...params });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.get('iss')).toBe(mock.issuer);
  });

  it('refuses an unknown request_uri', async () => {
    const res = await authorize({ client_id: 'spa', request_uri: 'urn:ietf:params:oauth:request_uri:nope' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request_uri' });
  });

  it('refuses PAR without PKCE', async () => {
    const res = await post('/oauth/par', {
      client_id: 'spa',
      response_type: 'code',
      redirect_uri: 'https://spa.test/cb',
    });
    expect(res).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });
});

describe('other endpoints', () => {
  it('introspection needs an authenticated confidential client', async () => {
    expect((await post('/oauth/introspect', { token: 't', client_id: 'spa' })).status).toBe(401);
    const missing = await post('/oauth/introspect', {}, { authorization: basicAuth('app', 's3cret') });
    expect(missing).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('revocation answers 200 for an unknown token', async () => {
    const res = await post('/oauth/revoke', { token: 'unknown', client_id: 'spa' });
    expect(res.status).toBe(200);
  });

  it('userinfo answers 401 without a token, 401 for a bad one, 403 without openid', async () => {
    const none = await mock.fetch(`${mock.issuer}/oauth/userinfo`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="keyway"');
    const bad = await mock.fetch(`${mock.issuer}/oauth/userinfo`, { headers: { authorization: 'Bearer nope' } });
    expect(bad.status).toBe(401);
    const token = await mock.mintAccessToken({ scope: 'api' });
    const noOpenid = await mock.fetch(`${mock.issuer}/oauth/userinfo`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(noOpenid.status).toBe(403);
    expect(await noOpenid.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('logout refuses a foreign ID token hint and an unregistered redirect', async () => {
    const other = createMockKeyway();
    await other.rotateKeys({ retire: true });
    const foreign = await other.mintIdToken();
    const res = await mock.fetch(`${mock.issuer}/oauth/logout?id_token_hint=${foreign}`);
    expect(res.status).toBe(400);
    mock.seed.client({ clientId: 'rp', postLogoutRedirectUris: ['https://rp.test/bye'] });
    const hint = await mock.mintIdToken({ aud: 'rp' });
    const wrong = await mock.fetch(
      `${mock.issuer}/oauth/logout?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: 'https://evil.test' })}`,
    );
    expect(wrong.status).toBe(400);
  });

  it('never crashes on garbage', async () => {
    const garbage = [
      mock.fetch(`${mock.issuer}/oauth/token`, { method: 'POST', body: '\u0000\u0001' }),
      mock.fetch(`${mock.issuer}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic Og==' },
        body: 'grant_type=client_credentials&client_assertion_type=x&client_assertion=a.b.c',
      }),
      mock.fetch(`${mock.issuer}/oauth/logout?id_token_hint=not.a.jwt`),
      mock.fetch(`${mock.issuer}/oauth/authorize`),
    ];
    for (const res of await Promise.all(garbage)) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
  });
});
