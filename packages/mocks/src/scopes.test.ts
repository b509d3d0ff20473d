import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { authorizationCode } from '../test/authorization.js';
import { createMockKeyway, type MockKeyway } from './index.js';

// RFC 8707 section 2.2: an access token for a resource carries only the scopes that resource accepts;
// the OpenID Connect scopes go to the ID token and userinfo (as oidc-provider answers in the interop suite).
const API = 'https://api.example.test/';
const basic = `Basic ${btoa('test-client:test-secret')}`;

async function token(mock: MockKeyway, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const one of [value].flat()) {
      body.append(name, one);
    }
  }
  const res = await mock.fetch(`${mock.issuer}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** A code flow of test-client for `scope` (and `resource`), redeemed. */
async function codeFlow(mock: MockKeyway, scope: string, resource?: string) {
  const code = await authorizationCode(mock, { scope, ...(resource ? { resource } : {}) });
  return token(mock, { grant_type: 'authorization_code', ...code });
}

describe('scopes of an access token for a resource (RFC 8707)', () => {
  it('keeps only the scopes the resource accepts; the ID token and refresh token keep the grant', async () => {
    const mock = createMockKeyway({ resources: [{ uri: API, scopes: ['api:read', 'api:write'] }] });

    const { status, body } = await codeFlow(mock, 'openid email offline_access api:read other', API);

    expect(status).toBe(200);
    expect(body.scope).toBe('api:read');
    expect(decodeJwt(body.access_token ?? '')).toMatchObject({ aud: API, scope: 'api:read' });
    expect(decodeJwt(body.id_token ?? '')).toMatchObject({ sub: 'usr_test', email: 'test@example.com' });
    expect(body.refresh_token).toEqual(expect.any(String));
    // The grant still holds openid: a refresh for the resource is narrowed again and brings an ID token.
    const refreshed = await token(mock, { grant_type: 'refresh_token', refresh_token: body.refresh_token ?? '' });
    expect(refreshed.body.scope).toBe('api:read');
    expect(refreshed.body.id_token).toEqual(expect.any(String));
    expect(decodeJwt(refreshed.body.access_token ?? '')).toMatchObject({ aud: API, scope: 'api:read' });
  });

  it('drops the OpenID Connect scopes for a resource given as a bare URI (the existing option form)', async () => {
    const mock = createMockKeyway({ resources: [API] });

    const { body } = await codeFlow(mock, 'openid profile email offline_access api:read', API);

    expect(body.scope).toBe('api:read');
    expect(decodeJwt(body.access_token ?? '').scope).toBe('api:read');
  });

  it('leaves the scope alone without a resource: the token is for the issuer (userinfo)', async () => {
    const mock = createMockKeyway({ resources: [{ uri: API, scopes: ['api:read'] }] });

    const { body } = await codeFlow(mock, 'openid email api:read');

    expect(body.scope).toBe('openid email api:read');
    expect(decodeJwt(body.access_token ?? '')).toMatchObject({ aud: mock.issuer, scope: 'openid email api:read' });
  });

  it('answers no scope at all when the resource accepts none of those asked', async () => {
    const mock = createMockKeyway({ resources: [{ uri: API, scopes: ['api:read'] }] });

    const { body } = await codeFlow(mock, 'openid email', API);

    expect(body.scope).toBeUndefined();
    expect(decodeJwt(body.access_token ?? '').scope).toBeUndefined();
    expect(body.id_token).toEqual(expect.any(String));
  });

  it('narrows client-credentials and token-exchange tokens the same way', async () => {
    const mock = createMockKeyway({ resources: [{ uri: API, scopes: ['api:read'] }, 'https://other.example.test/'] });

    const cc = await token(mock, {
      grant_type: 'client_credentials',
      scope: 'openid api:read api:write',
      resource: API,
    });
    expect(cc.body.scope).toBe('api:read');
    expect(decodeJwt(cc.body.access_token ?? '')).toMatchObject({ aud: API, scope: 'api:read' });
    expect(cc.body.refresh_token).toBeUndefined();

    const subject = await mock.mintAccessToken({ scope: 'openid api:read api:write' });
    const exchanged = await token(mock, {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subject,
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      audience: API,
    });
    expect(exchanged.body.scope).toBe('api:read');

    const both = await token(mock, {
      grant_type: 'client_credentials',
      scope: 'openid api:read api:write',
      resource: [API, 'https://other.example.test/'],
    });
    // One resource accepts api:read; the other, with no scopes named, any scope but openid.
    expect(both.body.scope).toBe('api:read api:write');
  });

  it('introspection reports the narrowed scope of the access token', async () => {
    const mock = createMockKeyway({ resources: [{ uri: API, scopes: ['api:read'] }] });
    const { body } = await codeFlow(mock, 'openid api:read', API);

    const res = await mock.fetch(`${mock.issuer}/oauth/introspect`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: body.access_token ?? '' }),
    });

    expect(await res.json()).toMatchObject({ active: true, scope: 'api:read', aud: API });
  });
});
