import { createHash, randomBytes } from 'node:crypto';
import type { DeviceAuthorization } from '@keyway/core';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InteropBrowser, launchBrowser } from '../src/browser.ts';
import { API_RESOURCE, startProvider, type TestProvider } from '../src/provider.ts';
import { type InteropTarget, startTarget } from '../src/target.ts';
import { ACCESS_TOKEN_TYPE } from '../src/token-exchange.ts';

let op: TestProvider;
let browser: InteropBrowser;

beforeAll(async () => {
  [op, browser] = await Promise.all([startProvider(), launchBrowser()]);
});
afterAll(async () => {
  await Promise.all([op?.close(), browser?.close()]);
});

describe('the interop harness itself (oidc-provider and Chromium only)', () => {
  it('serves discovery with every feature the client is tested against', async () => {
    const response = await fetch(`${op.issuer}/.well-known/openid-configuration`);
    const metadata = await response.json();
    expect(metadata.issuer).toBe(op.issuer);
    expect(metadata).toMatchObject({
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: expect.arrayContaining([
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'none',
      ]),
      grant_types_supported: expect.arrayContaining([
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ]),
      dpop_signing_alg_values_supported: expect.arrayContaining(['ES256']),
      id_token_signing_alg_values_supported: expect.arrayContaining(['RS256', 'ES256']),
    });
    for (const endpoint of [
      'device_authorization_endpoint',
      'introspection_endpoint',
      'revocation_endpoint',
      'pushed_authorization_request_endpoint',
      'end_session_endpoint',
      'userinfo_endpoint',
    ]) {
      expect(metadata[endpoint], endpoint).toMatch(new RegExp(`^${op.issuer}/`));
    }
    const jwks = await (await fetch(metadata.jwks_uri)).json();
    expect(jwks.keys.map((key: { kty: string; d?: string }) => [key.kty, key.d])).toEqual([
      ['RSA', undefined],
      ['EC', undefined],
    ]);
  });

  it('logs a user in with Chromium, lands on the redirect URI with code, state and iss; exchanges the token', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${op.issuer}/auth`);
    url.search = new URLSearchParams({
      client_id: op.clients.public.clientId,
      redirect_uri: op.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'xyz',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();

    const callback = await browser.login(url, { user: 'alice' });

    expect(callback.origin + callback.pathname).toBe(op.redirectUri);
    expect(callback.searchParams.get('state')).toBe('xyz');
    expect(callback.searchParams.get('iss')).toBe(op.issuer);
    expect(callback.searchParams.get('code')).toMatch(/\S{20,}/);
    expect(op.callbacks.hits.at(-1)?.href).toBe(callback.href);

    // Redeemed by hand, the code's access token is a valid subject for the token-exchange grant.
    const token = async (params: Record<string, string>) => {
      const response = await fetch(`${op.issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${btoa(`basic-client:${op.clients.basic.clientSecret}`)}` },
        body: new URLSearchParams(params),
      });
      return (await response.json()) as Record<string, string>;
    };
    const redeemed = await fetch(`${op.issuer}/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: op.clients.public.clientId,
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: op.redirectUri,
        code_verifier: verifier,
      }),
    });
    const { access_token: subjectToken = '' } = (await redeemed.json()) as Record<string, string>;
    const exchange = {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: API_RESOURCE,
    };
    const exchanged = await token(exchange);
    expect(exchanged).toMatchObject({ issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer' });
    expect(decodeJwt(exchanged.access_token ?? '')).toMatchObject({ sub: 'alice', aud: API_RESOURCE });
    expect(await token({ ...exchange, audience: 'https://unknown.example.test/' })).toMatchObject({
      error: 'invalid_target',
    });
    expect(await token({ ...exchange, subject_token: 'forged' })).toMatchObject({ error: 'invalid_grant' });
  });

  it('completes a device authorization approved, and one aborted, in Chromium', async () => {
    const start = async () => {
      const response = await fetch(`${op.issuer}/device/auth`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: op.clients.public.clientId, scope: 'openid' }),
      });
      return (await response.json()) as Record<string, string>;
    };
    const poll = async (deviceCode: string | undefined) => {
      const response = await fetch(`${op.issuer}/token`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: op.clients.public.clientId,
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          device_code: deviceCode ?? '',
        }),
      });
      return (await response.json()) as Record<string, string>;
    };

    const approved = await start();
    expect(await poll(approved.device_code)).toMatchObject({ error: 'authorization_pending' });
    await browser.approveDevice(approved.verification_uri ?? '', 'bob', 'approve', approved.user_code);
    expect(await poll(approved.device_code)).toMatchObject({ token_type: 'Bearer', id_token: expect.any(String) });

    const denied = await start();
    await browser.approveDevice(denied.verification_uri_complete ?? '', 'bob', 'deny');
    expect(await poll(denied.device_code)).toMatchObject({ error: 'access_denied' });
  });
});

describe('the interop harness itself (mock target)', () => {
  let mock: InteropTarget;

  beforeAll(async () => {
    mock = await startTarget('mock');
  });
  afterAll(async () => {
    await mock?.close();
  });

  it('signs the named user in, or denies, landing on the redirect URI with state and iss', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const url = new URL(`${mock.issuer}${mock.paths.authorization}`);
    url.search = new URLSearchParams({
      client_id: mock.clients.public.clientId,
      redirect_uri: mock.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: 'xyz',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();

    const callback = await mock.login(url, { user: 'bob' });
    const denied = await mock.login(url, { user: 'bob', consent: 'deny' });

    expect(callback.origin + callback.pathname).toBe(mock.redirectUri);
    expect(callback.searchParams.get('state')).toBe('xyz');
    expect(callback.searchParams.get('iss')).toBe(mock.issuer);
    expect(denied.searchParams.get('error')).toBe('access_denied');
    const redeemed = await fetch(`${mock.issuer}${mock.paths.token}`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: mock.clients.public.clientId,
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        redirect_uri: mock.redirectUri,
        code_verifier: verifier,
      }),
    });
    const { id_token: idToken = '' } = (await redeemed.json()) as Record<string, string>;
    expect(decodeJwt(idToken)).toMatchObject({ sub: 'bob', iss: mock.issuer });
  });

  it('approves and denies device authorizations on its device page', async () => {
    const start = async () => {
      const response = await fetch(`${mock.issuer}/oauth/device/code`, {
        method: 'POST',
        body: new URLSearchParams({ client_id: mock.clients.public.clientId, scope: 'openid' }),
      });
      return (await response.json()) as DeviceAuthorization;
    };
    const poll = async (deviceCode: string) => {
      const response = await fetch(`${mock.issuer}${mock.paths.token}`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: mock.clients.public.clientId,
          grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
          device_code: deviceCode,
        }),
      });
      return (await response.json()) as Record<string, string>;
    };

    const approved = await start();
    expect(await poll(approved.device_code)).toMatchObject({ error: 'authorization_pending' });
    await mock.approveDevice(approved, 'alice', 'approve');
    const tokens = await poll(approved.device_code);
    expect(decodeJwt(tokens.id_token ?? '')).toMatchObject({ sub: 'alice' });

    const denied = await start();
    await mock.approveDevice(denied, 'alice', 'deny');
    expect(await poll(denied.device_code)).toMatchObject({ error: 'access_denied' });
  });
});
