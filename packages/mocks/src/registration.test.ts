import * as oauth from 'oauth4webapi';
import { beforeEach, describe, expect, it } from 'vitest';
import { discoveredServer, replayLastAssertion } from '../test/authorization.js';
import { createMockKeyway, type MockKeyway } from './index.js';

let mock: MockKeyway;
let as: oauth.AuthorizationServer;
const opts = () => ({ [oauth.customFetch]: mock.fetch });

beforeEach(async () => {
  mock = createMockKeyway();
  as = await discoveredServer(mock);
});

const register = (metadata: unknown) =>
  mock.fetch(`${mock.issuer}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  });

describe('dynamic client registration (RFC 7591)', () => {
  it('is advertised in discovery', () => {
    expect(as.registration_endpoint).toBe(`${mock.issuer}/oauth/register`);
  });

  it('registers a native public client that then redeems a code', async () => {
    const res = await register({
      application_type: 'native',
      client_name: 'cli',
      redirect_uris: ['http://127.0.0.1/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
    });
    expect(res.status).toBe(201);
    const registered = (await res.json()) as Record<string, unknown>;
    expect(registered).toMatchObject({
      client_id: expect.stringMatching(/^cl_/),
      client_name: 'cli',
      token_endpoint_auth_method: 'none',
      redirect_uris: ['http://127.0.0.1/callback'],
      client_id_issued_at: expect.any(Number),
    });
    expect(registered).not.toHaveProperty('client_secret');

    const client = { client_id: registered.client_id as string };
    const verifier = oauth.generateRandomCodeVerifier();
    const authorize = new URL(as.authorization_endpoint!);
    authorize.search = new URLSearchParams({
      client_id: client.client_id,
      response_type: 'code',
      redirect_uri: 'http://127.0.0.1:4321/callback', // a loopback URI matches on any port (RFC 8252)
      scope: 'openid',
      nonce: 'n-123456',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    }).toString();
    const redirect = new URL((await mock.fetch(authorize, { redirect: 'manual' })).headers.get('location')!);
    const params = oauth.validateAuthResponse(as, client, redirect);
    const tokens = await oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(
        as,
        client,
        oauth.None(),
        params,
        'http://127.0.0.1:4321/callback',
        verifier,
        opts(),
      ),
      { expectedNonce: 'n-123456' },
    );
    expect(oauth.getValidatedIdTokenClaims(tokens)?.aud).toBe(client.client_id);
  });

  it('gives a confidential client a secret it authenticates with; reset() forgets it', async () => {
    const registered = (await (
      await register({ token_endpoint_auth_method: 'client_secret_post', grant_types: ['client_credentials'] })
    ).json()) as { client_id: string; client_secret: string; client_secret_expires_at: number };
    expect(registered.client_secret).toEqual(expect.any(String));
    expect(registered.client_secret_expires_at).toBe(0);
    const client = { client_id: registered.client_id };
    const grant = () =>
      oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretPost(registered.client_secret), {}, opts());
    expect((await oauth.processClientCredentialsResponse(as, client, await grant())).access_token).toEqual(
      expect.any(String),
    );
    mock.reset();
    expect((await grant()).status).toBe(401);
  });

  it.each([
    [{ token_endpoint_auth_method: 'not-a-method', redirect_uris: ['https://app.test/cb'] }, 'invalid_client_metadata'],
    [{ grant_types: ['implicit'], redirect_uris: ['https://app.test/cb'] }, 'invalid_client_metadata'],
    [{ token_endpoint_auth_method: 'none', grant_types: ['client_credentials'] }, 'invalid_client_metadata'],
    [
      { token_endpoint_auth_method: 'private_key_jwt', redirect_uris: ['https://app.test/cb'] },
      'invalid_client_metadata',
    ],
    [{ redirect_uris: [] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['not a uri'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: ['https://app.test/cb#frag'] }, 'invalid_redirect_uri'],
    [{ application_type: 'native', redirect_uris: ['https://app.test/cb'] }, 'invalid_redirect_uri'],
    [{ redirect_uris: 'https://app.test/cb' }, 'invalid_redirect_uri'],
    [['not', 'an', 'object'], 'invalid_client_metadata'],
    [null, 'invalid_client_metadata'],
  ])('refuses %j with %s', async (metadata, error) => {
    const res = await register(metadata);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error });
  });

  it('refuses a body that is not JSON', async () => {
    const res = await mock.fetch(`${mock.issuer}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(await res.json()).toMatchObject({ error: 'invalid_client_metadata' });
  });
});

describe('client_secret_jwt (OpenID Connect Core 9)', () => {
  const client = { client_id: 'test-client' };

  it('accepts an HMAC assertion over the secret, advertised in discovery, and refuses its replay', async () => {
    expect(as.token_endpoint_auth_methods_supported).toContain('client_secret_jwt');
    expect(as.token_endpoint_auth_signing_alg_values_supported).toContain('HS256');
    const res = await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretJwt('test-secret'), {}, opts());
    expect((await oauth.processClientCredentialsResponse(as, client, res)).access_token).toEqual(expect.any(String));

    const replay = await replayLastAssertion(mock);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('refuses an assertion made with another secret, or for a client pinned to another method', async () => {
    const wrong = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretJwt('not-the-secret'),
      {},
      opts(),
    );
    expect(wrong.status).toBe(401);
    const body = await wrong.text();
    expect(body).toContain('invalid_client');
    expect(body).not.toContain('test-secret');

    mock.seed.client({
      clientId: 'basic-only',
      clientSecret: 's3cret-basic',
      tokenEndpointAuthMethod: 'client_secret_basic',
    });
    const pinned = { client_id: 'basic-only' };
    const res = await oauth.clientCredentialsGrantRequest(
      as,
      pinned,
      oauth.ClientSecretJwt('s3cret-basic'),
      {},
      opts(),
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error_description: 'client_secret_jwt is not allowed for this client' });
  });
});
