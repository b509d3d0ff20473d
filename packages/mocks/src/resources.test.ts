import { describe, expect, it } from 'vitest';
import { completeAuthorization, createMockKeyway } from './index.js';

// RFC 8707 / RFC 8693 targets: the service refuses a resource it does not know with invalid_target
// (as oidc-provider does in the interop suite); `resources` makes the mock do the same.
const API = 'https://api.example.test/';
const basic = `Basic ${btoa('test-client:test-secret')}`;

async function post(mock: ReturnType<typeof createMockKeyway>, path: string, fields: string[][]) {
  const res = await mock.fetch(`${mock.issuer}${path}`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

describe('registered resources', () => {
  it('issues tokens for a registered resource and refuses any other with invalid_target', async () => {
    const mock = createMockKeyway({ resources: [API] });
    const grant = ['grant_type', 'client_credentials'];

    expect((await post(mock, '/oauth/token', [grant, ['resource', API]])).status).toBe(200);
    expect(await post(mock, '/oauth/token', [grant, ['resource', 'https://other.example.test/']])).toEqual({
      status: 400,
      body: { error: 'invalid_target', error_description: 'https://other.example.test/ is not a registered resource' },
    });
    expect(
      (await post(mock, '/oauth/token', [grant, ['resource', API], ['resource', 'https://x.test/']])).body,
    ).toEqual(expect.objectContaining({ error: 'invalid_target' }));
    expect((await post(mock, '/oauth/device/code', [['resource', 'https://x.test/']])).body.error).toBe(
      'invalid_target',
    );
  });

  it('refuses a token exchange for an unregistered audience', async () => {
    const mock = createMockKeyway({ resources: [API] });
    const subject = await mock.mintAccessToken();
    const exchange = (audience: string) =>
      post(mock, '/oauth/token', [
        ['grant_type', 'urn:ietf:params:oauth:grant-type:token-exchange'],
        ['subject_token', subject],
        ['subject_token_type', 'urn:ietf:params:oauth:token-type:access_token'],
        ['audience', audience],
      ]);

    expect((await exchange(API)).status).toBe(200);
    expect((await exchange('https://unknown.example.test/')).body.error).toBe('invalid_target');
  });

  it('redirects an authorization request for an unregistered resource back with invalid_target', async () => {
    const mock = createMockKeyway({ resources: [API] });
    const url = new URL(`${mock.issuer}/oauth/authorize`);
    url.search = new URLSearchParams({
      client_id: 'test-client',
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1/cb',
      state: 's',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      resource: 'https://other.example.test/',
    }).toString();

    const location = await completeAuthorization(url, { fetch: mock.fetch });

    expect(location.searchParams.get('error')).toBe('invalid_target');
    expect(location.searchParams.get('state')).toBe('s');
  });

  it('refuses a resource that is no absolute URI, or has a fragment, even without registered resources', async () => {
    const mock = createMockKeyway();
    const grant = ['grant_type', 'client_credentials'];

    expect((await post(mock, '/oauth/token', [grant, ['resource', 'api']])).body.error).toBe('invalid_target');
    expect((await post(mock, '/oauth/token', [grant, ['resource', `${API}#x`]])).body.error).toBe('invalid_target');
    expect((await post(mock, '/oauth/token', [grant, ['resource', API]])).status).toBe(200);
  });
});
