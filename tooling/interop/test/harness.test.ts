import type { DeviceAuthorization } from '@keyway/core';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InteropBrowser, launchBrowser } from '../src/browser.ts';
import { API_RESOURCE, startProvider, type TestProvider } from '../src/provider.ts';
import { type InteropTarget, startTarget } from '../src/target.ts';
import { ACCESS_TOKEN_TYPE } from '../src/token-exchange.ts';
import {
  ADVERTISED_FEATURES,
  authorizationUrl,
  expectEndpointsBelow,
  pollDevice,
  type RawClient,
  redeemCode,
  startDevice,
  tokenRequest,
} from './raw-protocol.ts';

let op: TestProvider;
let browser: InteropBrowser;
let opClient: RawClient;

beforeAll(async () => {
  [op, browser] = await Promise.all([startProvider(), launchBrowser()]);
  opClient = {
    issuer: op.issuer,
    clientId: op.clients.public.clientId,
    redirectUri: op.redirectUri,
    paths: { authorization: '/auth', token: '/token', device: '/device/auth' },
  };
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
      ...ADVERTISED_FEATURES,
      id_token_signing_alg_values_supported: expect.arrayContaining(['RS256', 'ES256']),
    });
    expectEndpointsBelow(metadata, op.issuer, ['end_session_endpoint']);
    const jwks = await (await fetch(metadata.jwks_uri)).json();
    expect(jwks.keys.map((key: { kty: string; d?: string }) => [key.kty, key.d])).toEqual([
      ['RSA', undefined],
      ['EC', undefined],
    ]);
  });

  it('logs a user in with Chromium, lands on the redirect URI with code, state and iss; exchanges the token', async () => {
    const { url, verifier } = authorizationUrl(opClient);

    const callback = await browser.login(url, { user: 'alice' });

    expect(callback.origin + callback.pathname).toBe(op.redirectUri);
    expect(callback.searchParams.get('state')).toBe('xyz');
    expect(callback.searchParams.get('iss')).toBe(op.issuer);
    expect(callback.searchParams.get('code')).toMatch(/\S{20,}/);
    expect(op.callbacks.hits.at(-1)?.href).toBe(callback.href);

    // Redeemed by hand, the code's access token is a valid subject for the token-exchange grant.
    const { access_token: subjectToken = '' } = await redeemCode(opClient, callback, verifier);
    const basic = { authorization: `Basic ${btoa(`basic-client:${op.clients.basic.clientSecret}`)}` };
    const exchange = {
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: subjectToken,
      subject_token_type: ACCESS_TOKEN_TYPE,
      audience: API_RESOURCE,
    };
    const exchanged = await tokenRequest(opClient, exchange, basic);
    expect(exchanged).toMatchObject({ issued_token_type: ACCESS_TOKEN_TYPE, token_type: 'Bearer' });
    expect(decodeJwt(exchanged.access_token ?? '')).toMatchObject({ sub: 'alice', aud: API_RESOURCE });
    expect(
      await tokenRequest(opClient, { ...exchange, audience: 'https://unknown.example.test/' }, basic),
    ).toMatchObject({ error: 'invalid_target' });
    expect(await tokenRequest(opClient, { ...exchange, subject_token: 'forged' }, basic)).toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('completes a device authorization approved, and one aborted, in Chromium', async () => {
    const approved = await startDevice(opClient);
    expect(await pollDevice(opClient, approved.device_code)).toMatchObject({ error: 'authorization_pending' });
    await browser.approveDevice(approved.verification_uri ?? '', 'bob', 'approve', approved.user_code);
    expect(await pollDevice(opClient, approved.device_code)).toMatchObject({
      token_type: 'Bearer',
      id_token: expect.any(String),
    });

    const denied = await startDevice(opClient);
    await browser.approveDevice(denied.verification_uri_complete ?? '', 'bob', 'deny');
    expect(await pollDevice(opClient, denied.device_code)).toMatchObject({ error: 'access_denied' });
  });
});

describe('the interop harness itself (mock target)', () => {
  let mock: InteropTarget;
  let mockClient: RawClient;

  beforeAll(async () => {
    mock = await startTarget('mock');
    mockClient = {
      issuer: mock.issuer,
      clientId: mock.clients.public.clientId,
      redirectUri: mock.redirectUri,
      paths: { authorization: mock.paths.authorization, token: mock.paths.token, device: '/oauth/device/code' },
    };
  });
  afterAll(async () => {
    await mock?.close();
  });

  it('signs the named user in, or denies, landing on the redirect URI with state and iss', async () => {
    const { url, verifier } = authorizationUrl(mockClient);

    const callback = await mock.login(url, { user: 'bob' });
    const denied = await mock.login(url, { user: 'bob', consent: 'deny' });

    expect(callback.origin + callback.pathname).toBe(mock.redirectUri);
    expect(callback.searchParams.get('state')).toBe('xyz');
    expect(callback.searchParams.get('iss')).toBe(mock.issuer);
    expect(denied.searchParams.get('error')).toBe('access_denied');
    const { id_token: idToken = '' } = await redeemCode(mockClient, callback, verifier);
    expect(decodeJwt(idToken)).toMatchObject({ sub: 'bob', iss: mock.issuer });
  });

  it('approves and denies device authorizations on its device page', async () => {
    const start = async () => (await startDevice(mockClient)) as unknown as DeviceAuthorization;

    const approved = await start();
    expect(await pollDevice(mockClient, approved.device_code)).toMatchObject({ error: 'authorization_pending' });
    await mock.approveDevice(approved, 'alice', 'approve');
    const tokens = await pollDevice(mockClient, approved.device_code);
    expect(decodeJwt(tokens.id_token ?? '')).toMatchObject({ sub: 'alice' });

    const denied = await start();
    await mock.approveDevice(denied, 'alice', 'deny');
    expect(await pollDevice(mockClient, denied.device_code)).toMatchObject({ error: 'access_denied' });
  });
});
