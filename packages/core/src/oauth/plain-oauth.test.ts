import { describe, expect, it } from 'vitest';
import { CLIENT_ID, CLIENT_SECRET, FakeOP, json, REDIRECT_URI, rejection } from '../../test/oauth/fake-op.js';
import { setClock } from './clock.js';
import { discover } from './discover.js';

/**
 * An RFC 8414-only authorization server: no OpenID Connect discovery document, no JWKS, no ID tokens,
 * no userinfo; only `/.well-known/oauth-authorization-server`.
 */
async function oauthOnlyServer() {
  const op = await FakeOP.create();
  const { issuer } = op;
  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    revocation_endpoint: `${issuer}/revoke`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
  };
  op.on('/.well-known/openid-configuration', () => json({ error: 'not_found' }, 404));
  op.on('/.well-known/oauth-authorization-server', () => json(metadata));
  op.on('/token', (call) =>
    json({ access_token: `at-${call.body.get('code')}`, token_type: 'Bearer', expires_in: 60, scope: 'repo' }),
  );
  const client = await discover(issuer, {
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    fetch: op.fetch,
  });
  setClock(client, op.clock);
  return { op, client };
}

describe('plain OAuth 2.0 (no openid) against an RFC 8414-only server', () => {
  it('discovers through RFC 8414 and runs the code flow without nonce or ID token', async () => {
    const { op, client } = await oauthOnlyServer();
    expect(client.metadata.jwks_uri).toBeUndefined();

    const request = await client.createAuthorizationUrl({ scope: 'repo' });
    expect(request.nonce).toBeUndefined();
    expect(request.url.searchParams.has('nonce')).toBe(false);
    const tokens = await client.handleCallback(
      `${REDIRECT_URI}?code=c-1&state=${encodeURIComponent(request.state)}`,
      request,
    );

    expect(tokens).toMatchObject({ access_token: 'at-c-1', scope: 'repo', expires_at: op.now() + 60 });
    expect(tokens.id_token).toBeUndefined();
    expect(tokens.claims).toBeUndefined();
    expect(op.callsTo('/.well-known/oauth-authorization-server')).toHaveLength(1);
  });

  it('redeems a bare code the same way, and refuses a nonce an OAuth request cannot carry', async () => {
    const { client } = await oauthOnlyServer();
    const request = await client.createAuthorizationUrl({ scope: 'repo' });
    const tokens = await client.exchangeCode('c-2', { codeVerifier: request.codeVerifier, scope: 'repo' });
    expect(tokens.access_token).toBe('at-c-2');
    const error = await rejection(client.createAuthorizationUrl({ scope: 'repo', nonce: 'n-0123456789' }));
    expect(error).toMatchObject({ name: 'ConfigurationError', code: 'invalid_argument' });
  });

  it('an ID token it did not ask for is never taken unverified', async () => {
    const { op, client } = await oauthOnlyServer();
    op.on('/token', async () => json({ access_token: 'a', token_type: 'Bearer', id_token: await op.idToken() }));
    const request = await client.createAuthorizationUrl({ scope: 'repo' });
    const error = await rejection(
      client.handleCallback(`${REDIRECT_URI}?code=c-3&state=${encodeURIComponent(request.state)}`, request),
    );
    // ES256 is not the RS256 default of a provider that advertises no ID token algorithms.
    expect(error).toMatchObject({ name: 'TokenValidationError', code: 'alg_not_allowed' });

    const rs = await FakeOP.create({ algs: ['RS256'] });
    const { issuer } = rs;
    rs.metadata = { issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token` };
    rs.on('/token', async () => json({ access_token: 'a', token_type: 'Bearer', id_token: await rs.idToken() }));
    const noJwks = rs.client();
    const second = await noJwks.createAuthorizationUrl({ scope: 'repo' });
    const missing = await rejection(noJwks.exchangeCode('c-4', { codeVerifier: second.codeVerifier, scope: 'repo' }));
    expect(missing).toMatchObject({ name: 'ConfigurationError', code: 'missing_endpoint' });
  });
});
