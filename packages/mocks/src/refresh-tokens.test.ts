import { describe, expect, it } from 'vitest';
import { authorizationCode } from '../test/authorization.js';
import { createMockKeyway, type MockClient, type MockKeyway } from './index.js';

// OpenID Connect Core section 11, as the service (and oidc-provider) answer: a refresh token only for
// a grant of offline_access; never for client credentials.
const basic = `Basic ${btoa('test-client:test-secret')}`;
const form = { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' };

async function post(mock: MockKeyway, path: string, fields: Record<string, string>) {
  const res = await mock.fetch(`${mock.issuer}${path}`, {
    method: 'POST',
    headers: form,
    body: new URLSearchParams(fields),
  });
  return (await res.json()) as Record<string, string>;
}

async function codeFlow(mock: MockKeyway, params: Record<string, string>) {
  return post(mock, '/oauth/token', { grant_type: 'authorization_code', ...(await authorizationCode(mock, params)) });
}

async function deviceFlow(mock: MockKeyway, scope: string) {
  const device = await post(mock, '/oauth/device/code', { scope });
  mock.approveDevice(device.user_code ?? '');
  return post(mock, '/oauth/token', {
    grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
    device_code: device.device_code ?? '',
  });
}

describe('refresh tokens only for offline_access (OIDC Core section 11)', () => {
  it('issues none in the code flow without offline_access', async () => {
    const mock = createMockKeyway();

    const oidc = await codeFlow(mock, { scope: 'openid email' });
    const plain = await codeFlow(mock, { scope: 'api:read' });
    const none = await codeFlow(mock, {});

    expect(oidc.id_token).toEqual(expect.any(String));
    for (const tokens of [oidc, plain, none]) {
      expect(tokens.access_token).toEqual(expect.any(String));
      expect(tokens).not.toHaveProperty('refresh_token');
    }
  });

  it('issues one with offline_access, whether or not openid was asked, and with prompt=consent', async () => {
    const mock = createMockKeyway();

    const cases: Record<string, string>[] = [
      { scope: 'openid offline_access' },
      { scope: 'offline_access api:read' },
      { scope: 'openid offline_access', prompt: 'consent' },
      { scope: 'openid offline_access', prompt: 'login consent' },
    ];
    for (const params of cases) {
      const tokens = await codeFlow(mock, params);
      expect(tokens.refresh_token, JSON.stringify(params)).toEqual(expect.any(String));
      expect(tokens.scope).toContain('offline_access');
    }
  });

  it('ignores offline_access after a prompt without consent: nobody consented to it', async () => {
    const mock = createMockKeyway();

    for (const prompt of ['none', 'login']) {
      const tokens = await codeFlow(mock, { scope: 'openid offline_access', prompt });
      expect(tokens).not.toHaveProperty('refresh_token');
      expect(tokens.scope).toBe('openid');
    }
  });

  it('ignores offline_access for a client that may not use refresh tokens', async () => {
    const client: MockClient = {
      clientId: 'test-client',
      clientSecret: 'test-secret',
      grantTypes: ['authorization_code', 'urn:ietf:params:oauth:grant-type:device_code'],
    };
    const mock = createMockKeyway({ clients: [client], deviceInterval: 0 });

    expect(await codeFlow(mock, { scope: 'openid offline_access' })).not.toHaveProperty('refresh_token');
    expect(await deviceFlow(mock, 'openid offline_access')).not.toHaveProperty('refresh_token');
  });

  it('does the same in the device flow', async () => {
    const mock = createMockKeyway({ deviceInterval: 0 });

    const online = await deviceFlow(mock, 'openid');
    const offline = await deviceFlow(mock, 'openid offline_access');

    expect(online.access_token).toEqual(expect.any(String));
    expect(online).not.toHaveProperty('refresh_token');
    expect(offline.refresh_token).toEqual(expect.any(String));
  });

  it('never issues one for client credentials, even when offline_access is asked', async () => {
    const mock = createMockKeyway();

    const tokens = await post(mock, '/oauth/token', { grant_type: 'client_credentials', scope: 'offline_access api' });

    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens).not.toHaveProperty('refresh_token');
  });

  it('rotates on refresh; a narrower scope narrows the access token, not the new refresh token', async () => {
    const mock = createMockKeyway();
    const first = await codeFlow(mock, { scope: 'openid email offline_access' });

    const narrow = await post(mock, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token ?? '',
      scope: 'openid',
    });
    expect(narrow.scope).toBe('openid');
    expect(narrow.refresh_token).toEqual(expect.any(String));

    const wide = await post(mock, '/oauth/token', {
      grant_type: 'refresh_token',
      refresh_token: narrow.refresh_token ?? '',
    });
    expect(wide.scope).toBe('openid email offline_access');
  });
});
