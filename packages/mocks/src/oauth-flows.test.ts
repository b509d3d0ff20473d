import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { beforeEach, describe, expect, it } from 'vitest';
import { discoveredServer, replayLastAssertion } from '../test/authorization.js';
import { createMockKeyway, type MockKeyway } from './index.js';

// The mock is driven by oauth4webapi, an OpenID-certified client: if it accepts the answers, so will
// other compliant clients.
let mock: MockKeyway;
let as: oauth.AuthorizationServer;
const client: oauth.Client = { client_id: 'test-client' };
const basic = oauth.ClientSecretBasic('test-secret');
const REDIRECT = 'http://127.0.0.1:5173/callback';

beforeEach(async () => {
  mock = createMockKeyway({ deviceInterval: 0 });
  as = await discoveredServer(mock);
});

const opts = () => ({ [oauth.customFetch]: mock.fetch });

async function codeFlow(scope = 'openid profile email offline_access', extra: Record<string, string> = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const url = new URL(as.authorization_endpoint!);
  const params = {
    client_id: 'test-client',
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope,
    state: 'st-1',
    nonce: 'n-1',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  };
  url.search = new URLSearchParams(params).toString();
  const res = await mock.fetch(url);
  expect(res.status).toBe(302);
  const callback = new URL(res.headers.get('location')!);
  return { callback, verifier };
}

async function redeem(callback: URL, verifier: string) {
  const params = oauth.validateAuthResponse(as, client, callback, 'st-1');
  const res = await oauth.authorizationCodeGrantRequest(as, client, basic, params, REDIRECT, verifier, opts());
  return oauth.processAuthorizationCodeResponse(as, client, res, { expectedNonce: 'n-1', requireIdToken: true });
}

describe('discovery', () => {
  it('serves the same metadata at both well-known URLs', async () => {
    const oidc = await (await mock.fetch(`${mock.issuer}/.well-known/openid-configuration`)).json();
    const rfc8414 = await (await mock.fetch(`${mock.issuer}/.well-known/oauth-authorization-server`)).json();
    expect(oidc).toEqual(rfc8414);
    expect(oidc).toMatchObject({
      issuer: 'https://keyway.test',
      token_endpoint: 'https://keyway.test/oauth/token',
      authorization_response_iss_parameter_supported: true,
      code_challenge_methods_supported: ['S256'],
    });
  });
});

describe('authorization code + PKCE', () => {
  it('redirects with code, state and iss (RFC 9207), and redeems into verifiable tokens', async () => {
    const { callback, verifier } = await codeFlow();
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    expect(callback.searchParams.get('iss')).toBe(mock.issuer);
    const tokens = await redeem(callback, verifier);
    expect(tokens).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      scope: 'openid profile email offline_access',
    });
    expect(tokens.refresh_token).toBeTypeOf('string');
    const jwks = createLocalJWKSet(await mock.jwks());
    const { payload } = await jwtVerify(tokens.id_token!, jwks, { issuer: mock.issuer, audience: 'test-client' });
    expect(payload).toMatchObject({ sub: 'usr_test', nonce: 'n-1', email: 'test@example.com', name: 'Test User' });
    expect(decodeProtectedHeader(tokens.access_token).typ).toBe('at+jwt');
  });

  it('signs in the programmed user', async () => {
    mock.signInAs({ sub: 'usr_alice', name: 'Alice', email: 'alice@example.com' });
    const { callback, verifier } = await codeFlow();
    const tokens = await redeem(callback, verifier);
    expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ sub: 'usr_alice', name: 'Alice' });
  });

  it('refuses a wrong code_verifier with invalid_grant', async () => {
    const { callback } = await codeFlow();
    await expect(redeem(callback, oauth.generateRandomCodeVerifier())).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('redeems a code once; a replay revokes the tokens it issued', async () => {
    const { callback, verifier } = await codeFlow();
    const tokens = await redeem(callback, verifier);
    await expect(redeem(callback, verifier)).rejects.toMatchObject({ error: 'invalid_grant' });
    const validation = await mock.fetch(`${mock.issuer}/api/v1/validate`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await validation.json()).toEqual({ valid: false });
  });

  it('checks the redirect_uri against the authorization request', async () => {
    const { callback, verifier } = await codeFlow();
    const params = oauth.validateAuthResponse(as, client, callback, 'st-1');
    const res = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      basic,
      params,
      'http://127.0.0.1/other',
      verifier,
      opts(),
    );
    await expect(oauth.processAuthorizationCodeResponse(as, client, res)).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('redirects an error when asked to deny', async () => {
    mock.denyAuthorization();
    const { callback } = await codeFlow();
    expect(() => oauth.validateAuthResponse(as, client, callback, 'st-1')).toThrow(
      expect.objectContaining({ error: 'access_denied' }),
    );
  });

  it('goes through a pushed authorization request (PAR)', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const par = await oauth.pushedAuthorizationRequest(
      as,
      client,
      basic,
      {
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: 'st-1',
        nonce: 'n-1',
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      },
      opts(),
    );
    const { request_uri, expires_in } = await oauth.processPushedAuthorizationResponse(as, client, par);
    expect(expires_in).toBe(60);
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({ client_id: 'test-client', request_uri }).toString();
    const res = await mock.fetch(url);
    const tokens = await redeem(new URL(res.headers.get('location')!), verifier);
    expect(tokens.id_token).toBeTypeOf('string');
    // The request_uri is single-use.
    expect((await mock.fetch(url)).status).toBe(400);
  });
});

describe('refresh', () => {
  it('rotates the refresh token and detects reuse by revoking the grant', async () => {
    const { callback, verifier } = await codeFlow();
    const first = await redeem(callback, verifier);
    const refresh = (token: string) =>
      oauth
        .refreshTokenGrantRequest(as, client, basic, token, opts())
        .then((res) => oauth.processRefreshTokenResponse(as, client, res));
    const second = await refresh(first.refresh_token!);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(oauth.getValidatedIdTokenClaims(second)?.sub).toBe('usr_test');
    await expect(refresh(first.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
    // Reuse ended the whole grant, the newest refresh token included.
    await expect(refresh(second.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});

describe('client credentials', () => {
  it('issues an at+jwt for the resource that validates as RFC 9068', async () => {
    const res = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      basic,
      { scope: 'api:read', resource: 'https://api.example.test/' },
      opts(),
    );
    const tokens = await oauth.processClientCredentialsResponse(as, client, res);
    expect(tokens.refresh_token).toBeUndefined();
    const request = new Request('https://api.example.test/things', {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    const claims = await oauth.validateJwtAccessToken(as, request, 'https://api.example.test/', opts());
    expect(claims).toMatchObject({ client_id: 'test-client', sub: 'test-client', scope: 'api:read' });
  });

  it('accepts client_secret_post', async () => {
    const res = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost('test-secret'),
      {},
      opts(),
    );
    expect((await oauth.processClientCredentialsResponse(as, client, res)).access_token).toBeTypeOf('string');
  });

  it('accepts private_key_jwt and refuses a replayed assertion', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    mock.seed.client({ clientId: 'jwt-client', jwks: { keys: [{ ...(await exportJWK(publicKey)), alg: 'ES256' }] } });
    const jwtClient = { client_id: 'jwt-client' };
    const res = await oauth.clientCredentialsGrantRequest(as, jwtClient, oauth.PrivateKeyJwt(privateKey), {}, opts());
    expect((await oauth.processClientCredentialsResponse(as, jwtClient, res)).access_token).toBeTypeOf('string');
    const replay = await replayLastAssertion(mock);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses a public client', async () => {
    const pub = { client_id: 'test-public-client' };
    const res = await oauth.clientCredentialsGrantRequest(as, pub, oauth.None(), {}, opts());
    await expect(oauth.processClientCredentialsResponse(as, pub, res)).rejects.toMatchObject({
      error: 'unauthorized_client',
    });
  });
});

describe('device flow', () => {
  const pub = { client_id: 'test-public-client' };
  const start = async () => {
    const res = await oauth.deviceAuthorizationRequest(
      as,
      pub,
      oauth.None(),
      { scope: 'openid offline_access' },
      opts(),
    );
    return oauth.processDeviceAuthorizationResponse(as, pub, res);
  };
  const poll = async (deviceCode: string) =>
    oauth.processDeviceCodeResponse(
      as,
      pub,
      await oauth.deviceCodeGrantRequest(as, pub, oauth.None(), deviceCode, opts()),
    );

  it('is pending until approved, then issues tokens for the approving user once', async () => {
    const device = await start();
    expect(device.verification_uri).toBe(`${mock.issuer}/device`);
    expect(device.user_code).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    await expect(poll(device.device_code)).rejects.toMatchObject({ error: 'authorization_pending' });
    mock.approveDevice(device.user_code.toLowerCase(), 'usr_bob');
    const tokens = await poll(device.device_code);
    expect(decodeJwt(tokens.access_token).sub).toBe('usr_bob');
    await expect(poll(device.device_code)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('answers access_denied after denyDevice and expired_token after expiry', async () => {
    const denied = await start();
    mock.denyDevice(denied.user_code);
    await expect(poll(denied.device_code)).rejects.toMatchObject({ error: 'access_denied' });
    const late = await start();
    mock.clock.advance(601);
    await expect(poll(late.device_code)).rejects.toMatchObject({ error: 'expired_token' });
    expect(() => mock.approveDevice('ZZZZ-ZZZZ')).toThrow(/no pending device authorization/);
  });

  it('answers slow_down when polled faster than the interval', async () => {
    const slow = createMockKeyway({ deviceInterval: 5 });
    const form = (body: Record<string, string>) => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'test-public-client', ...body }),
    });
    slow.clock.set(1_700_000_000);
    const device = (await (await slow.fetch(`${slow.issuer}/oauth/device/code`, form({}))).json()) as {
      device_code: string;
    };
    const pollOnce = async () =>
      (
        (await (
          await slow.fetch(
            `${slow.issuer}/oauth/token`,
            form({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: device.device_code }),
          )
        ).json()) as { error: string }
      ).error;
    expect(await pollOnce()).toBe('authorization_pending');
    expect(await pollOnce()).toBe('slow_down');
    slow.clock.advance(5);
    expect(await pollOnce()).toBe('authorization_pending');
  });
});

describe('token exchange', () => {
  it('exchanges an access token for one with the asked audience and issued_token_type', async () => {
    const subject = await mock.mintAccessToken({ sub: 'usr_x', scope: 'a b' });
    const res = await oauth.genericTokenEndpointRequest(
      as,
      client,
      basic,
      'urn:ietf:params:oauth:grant-type:token-exchange',
      {
        subject_token: subject,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        audience: 'https://backend.test',
        scope: 'a',
      },
      opts(),
    );
    const tokens = await oauth.processGenericTokenEndpointResponse(as, client, res);
    expect(tokens.issued_token_type).toBe('urn:ietf:params:oauth:token-type:access_token');
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'usr_x', aud: 'https://backend.test', scope: 'a' });
  });
});

describe('introspection, revocation, userinfo, logout', () => {
  it('introspects active and inactive tokens', async () => {
    const token = await mock.mintAccessToken({ scope: 'openid' });
    const look = async (t: string) =>
      oauth.processIntrospectionResponse(as, client, await oauth.introspectionRequest(as, client, basic, t, opts()));
    expect(await look(token)).toMatchObject({
      active: true,
      sub: 'usr_test',
      client_id: 'test-client',
      iss: mock.issuer,
    });
    expect(await look('unknown')).toEqual({ active: false });
  });

  it('revokes a refresh token and its whole grant', async () => {
    const { callback, verifier } = await codeFlow();
    const tokens = await redeem(callback, verifier);
    const res = await oauth.revocationRequest(as, client, basic, tokens.refresh_token!, opts());
    await oauth.processRevocationResponse(res);
    const look = await oauth.introspectionRequest(as, client, basic, tokens.access_token, opts());
    expect(await oauth.processIntrospectionResponse(as, client, look)).toEqual({ active: false });
  });

  it('serves userinfo by scope over GET and POST', async () => {
    const { callback, verifier } = await codeFlow('openid email');
    const tokens = await redeem(callback, verifier);
    const res = await oauth.userInfoRequest(as, client, tokens.access_token, opts());
    expect(await oauth.processUserInfoResponse(as, client, 'usr_test', res)).toEqual({
      sub: 'usr_test',
      email: 'test@example.com',
      email_verified: true,
    });
    const post = await mock.fetch(as.userinfo_endpoint!, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(await post.json()).toMatchObject({ sub: 'usr_test' });
  });

  it('ends the session: redirect with state for an ID token hint, a page otherwise', async () => {
    const idToken = await mock.mintIdToken();
    const url = new URL(as.end_session_endpoint!);
    url.search = new URLSearchParams({
      id_token_hint: idToken,
      post_logout_redirect_uri: 'https://app.test/bye',
      state: 's',
    }).toString();
    const res = await mock.fetch(url);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://app.test/bye?state=s');
    const page = await mock.fetch(as.end_session_endpoint!);
    expect(page.headers.get('content-type')).toContain('text/html');
  });
});
