import { CallbackError, discover, OAuthError, TokenValidationError } from '@keyway/core';
import { expectError } from '@keyway/test-support';
import { describe, expect, it } from 'vitest';
import { users } from '../src/accounts.ts';
import { API_RESOURCE } from '../src/provider.ts';
import { signIn } from '../src/sign-in.ts';
import { TARGETS } from '../src/target.ts';
import { useTarget } from './use-target.ts';

describe.each(TARGETS)('authorization code flow with PKCE against %s', (name) => {
  const op = useTarget(name);

  it.each([
    ['client_secret_basic', 'basic'],
    ['client_secret_post', 'post'],
    ['private_key_jwt', 'privateKeyJwt'],
    ['none (public client)', 'public'],
  ] as const)('signs alice in with %s', async (_method, client) => {
    const oauth = await discover(op.issuer, op.clients[client]);

    const { tokens, authorizationUrl, callbackUrl } = await signIn(oauth, op, { user: 'alice' });

    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorizationUrl.searchParams.get('client_id')).toBe(op.clients[client].clientId);
    expect(callbackUrl.origin + callbackUrl.pathname).toBe(op.redirectUri);
    expect(callbackUrl.searchParams.get('iss')).toBe(op.issuer);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.id_token).toEqual(expect.any(String));
    expect(tokens.expires_at).toBeGreaterThan(Date.now() / 1000);
    expect(tokens.claims).toMatchObject({ iss: op.issuer, sub: 'alice', aud: op.clients[client].clientId });
  });

  it('asks for max_age and checks auth_time in the ID token', async () => {
    const client = await discover(op.issuer, op.clients.basic);
    const request = await client.createAuthorizationUrl({ scope: 'openid', maxAge: 300 });
    expect(request.url.searchParams.get('max_age')).toBe('300');

    const callbackUrl = await op.login(request.url, { user: 'alice' });
    const tokens = await client.handleCallback(callbackUrl, request);

    expect(tokens.claims?.auth_time).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('asks for a resource (RFC 8707) and gets a JWT access token for it (RFC 9068)', async () => {
    const client = await discover(op.issuer, op.clients.basic);
    const request = await client.createAuthorizationUrl({ scope: 'openid api:read', resource: API_RESOURCE });
    expect(request.url.searchParams.getAll('resource')).toEqual([API_RESOURCE]);

    const callbackUrl = await op.login(request.url, { user: 'bob' });
    const tokens = await client.handleCallback(callbackUrl, request);

    const claims = await client.verifyAccessToken(tokens.access_token, {
      audience: API_RESOURCE,
      requiredScopes: ['api:read'],
    });
    expect(claims).toMatchObject({ sub: 'bob', aud: API_RESOURCE, client_id: 'basic-client' });
    // Only what the resource server accepts: openid is for the ID token, not the API.
    expect(claims.scope).toBe('api:read');
    expect(tokens.scope).toBe('api:read');
    expect(tokens.claims?.sub).toBe('bob');
  });

  it('pushes the request first with PAR, leaving only client_id and request_uri in the URL', async () => {
    const client = await discover(op.issuer, op.clients.basic);

    const { tokens, authorizationUrl } = await signIn(client, op, { user: 'bob', par: true });

    expect([...authorizationUrl.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(authorizationUrl.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(tokens.claims?.sub).toBe('bob');
  });

  it('reads userinfo for the signed-in subject', async () => {
    const client = await discover(op.issuer, op.clients.post);
    const { tokens } = await signIn(client, op, { user: 'bob' });

    const info = await client.userinfo(tokens.access_token, { expectedSubject: 'bob' });

    expect(info).toMatchObject({ sub: 'bob', email: users.bob.email, email_verified: true, name: users.bob.name });
    await expectError(
      client.userinfo(tokens.access_token, { expectedSubject: 'alice' }),
      TokenValidationError,
      'sub_mismatch',
    );
  });

  it('reports denied consent as CallbackError access_denied', async () => {
    const client = await discover(op.issuer, op.clients.basic);
    const request = await client.createAuthorizationUrl({ scope: 'openid' });

    const callbackUrl = await op.login(request.url, { user: 'alice', consent: 'deny' });

    expect(callbackUrl.searchParams.get('error')).toBe('access_denied');
    expect(callbackUrl.searchParams.get('iss')).toBe(op.issuer);
    const error = await expectError<CallbackError>(
      client.handleCallback(callbackUrl, request),
      CallbackError,
      'access_denied',
    );
    expect(error.error).toBe('access_denied');
  });

  it('never redeems a code twice: the client refuses the replay, the server refuses the code', async () => {
    const client = await discover(op.issuer, op.clients.basic);
    const request = await client.createAuthorizationUrl({ scope: 'openid' });
    const callbackUrl = await op.login(request.url, { user: 'alice' });
    const tokens = await client.handleCallback(callbackUrl, request);
    expect(await client.introspect(tokens.access_token)).toMatchObject({ active: true });

    // The same client: its state was consumed, so it refuses before reaching the token endpoint.
    await expectError(client.handleCallback(callbackUrl, request), CallbackError, 'state_reused');

    // Another client instance in this process (discover() per request) shares the consumed states.
    const again = await discover(op.issuer, op.clients.basic);
    await expectError(again.handleCallback(callbackUrl, request), CallbackError, 'state_reused');

    // Another process (its own state store) tries the code: the server says invalid_grant.
    const another = await discover(op.issuer, { ...op.clients.basic, stateStore: { consume: async () => true } });
    await expectError(another.handleCallback(callbackUrl, request), OAuthError, 'invalid_grant');
    // RFC 9700 section 4.1.2: the replay revokes what the code issued.
    expect(await client.introspect(tokens.access_token)).toEqual({ active: false });
  });

  it('reports a wrong client secret at redemption as OAuthError invalid_client', async () => {
    const client = await discover(op.issuer, { ...op.clients.basic, clientSecret: 'not-the-secret' });
    const request = await client.createAuthorizationUrl({ scope: 'openid' });
    const callbackUrl = await op.login(request.url, { user: 'alice' });

    const error = await expectError<OAuthError>(
      client.handleCallback(callbackUrl, request),
      OAuthError,
      'invalid_client',
    );
    expect(error.status).toBe(401);
    expect(JSON.stringify(error)).not.toContain('not-the-secret');
  });
});
