import { randomBytes } from 'node:crypto';
import { CallbackError, discover, OAuthError, registerClient, TokenValidationError } from '@keyway/core';
import { expectError } from '@keyway/test-support';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { API_RESOURCE } from '../src/provider.ts';
import { signIn } from '../src/sign-in.ts';
import { TARGETS } from '../src/target.ts';
import { useTarget } from './use-target.ts';

/** A random value as an application would make its own state or nonce. */
const random = (bytes = 24) => randomBytes(bytes).toString('base64url');

// Issue 11's OAuthClient additions: exchangeCode, handleCallback(Request), caller-supplied request values,
// per-endpoint client authentication, client_secret_jwt, form_post, back-channel logout, plain OAuth 2.0.
describe.each(TARGETS)('protocol reach against %s', (name) => {
  const op = useTarget(name);

  it('exchangeCode redeems a code the server parsed itself, once', async () => {
    const client = await discover(op.issuer, op.clients.basic);
    const request = await client.createAuthorizationUrl({ scope: 'openid email' });
    const callbackUrl = await op.login(request.url, { user: 'alice' });
    // The application's own callback parsing.
    expect(callbackUrl.searchParams.get('state')).toBe(request.state);
    const code = callbackUrl.searchParams.get('code') ?? '';

    const tokens = await client.exchangeCode(code, {
      codeVerifier: request.codeVerifier,
      nonce: request.nonce,
      scope: 'openid email',
    });

    expect(tokens.claims).toMatchObject({ iss: op.issuer, sub: 'alice', nonce: request.nonce });
    // The client never sends it again, through either method...
    await expectError(client.exchangeCode(code, { codeVerifier: request.codeVerifier }), CallbackError, 'code_reused');
    await expectError(client.handleCallback(callbackUrl, request), CallbackError, 'code_reused');
    // ...and the server refuses it from a process with a store of its own.
    const another = await discover(op.issuer, { ...op.clients.basic, stateStore: { consume: async () => true } });
    await expectError(another.exchangeCode(code, { codeVerifier: request.codeVerifier }), OAuthError, 'invalid_grant');
  });

  it('exchangeCode without the nonce refuses the ID token that carries one', async () => {
    const client = await discover(op.issuer, op.clients.basic);
    const request = await client.createAuthorizationUrl({ scope: 'openid' });
    const callbackUrl = await op.login(request.url, { user: 'bob' });
    await expectError(
      client.exchangeCode(callbackUrl.searchParams.get('code') ?? '', { codeVerifier: request.codeVerifier }),
      TokenValidationError,
      'nonce_mismatch',
    );
  });

  it("sends the caller's own state, nonce and code verifier, and the ID token carries that nonce", async () => {
    const client = await discover(op.issuer, op.clients.post);
    const mine = { state: random(), nonce: random(), codeVerifier: random(48) };
    const request = await client.createAuthorizationUrl({ scope: 'openid', ...mine });
    expect(request.url.searchParams.get('state')).toBe(mine.state);

    const callbackUrl = await op.login(request.url, { user: 'alice' });
    expect(callbackUrl.searchParams.get('state')).toBe(mine.state);
    const tokens = await client.handleCallback(callbackUrl, request);

    expect(tokens.claims).toMatchObject({ sub: 'alice', nonce: mine.nonce });
    // The same values are never sent again by this process.
    const reused = await client.createAuthorizationUrl({ state: mine.state }).catch((error: Error) => error);
    expect(reused).toMatchObject({ name: 'ConfigurationError', code: 'reused_value' });
  });

  it('handleCallback takes the incoming GET Request', async () => {
    const client = await discover(op.issuer, op.clients.basic);
    const request = await client.createAuthorizationUrl({ scope: 'openid' });
    const callbackUrl = await op.login(request.url, { user: 'bob' });

    const tokens = await client.handleCallback(new Request(callbackUrl), request);

    expect(tokens.claims?.sub).toBe('bob');
  });

  it('plain OAuth 2.0: a code flow without openid gets an access token and no ID token', async () => {
    const client = await discover(op.issuer, op.clients.basic);
    const request = await client.createAuthorizationUrl({ scope: 'api:read', resource: API_RESOURCE });
    expect(request.nonce).toBeUndefined();
    expect(request.url.searchParams.has('nonce')).toBe(false);

    const callbackUrl = await op.login(request.url, { user: 'alice' });
    const tokens = await client.handleCallback(callbackUrl, request);

    expect(tokens.id_token).toBeUndefined();
    expect(tokens.claims).toBeUndefined();
    const claims = await client.verifyAccessToken(tokens.access_token, { audience: API_RESOURCE });
    expect(claims).toMatchObject({ sub: 'alice', scope: 'api:read' });
  });

  it('introspection and revocation authenticate with their own method, apart from the token endpoint', async () => {
    const { access_token } = await (await discover(op.issuer, op.clients.basic)).clientCredentials({
      scope: 'api:read',
    });
    // basic-client registered client_secret_basic: a client_secret_jwt assertion at the token endpoint is refused...
    const client = await discover(op.issuer, {
      ...op.clients.basic,
      tokenEndpointAuthMethod: 'client_secret_jwt',
      introspectionEndpointAuthMethod: 'client_secret_basic',
      revocationEndpointAuthMethod: 'client_secret_basic',
    });
    await expectError(client.clientCredentials({ scope: 'api:read' }), OAuthError, 'invalid_client');

    // ...while introspection and revocation, each with the registered method, go through.
    expect(await client.introspect(access_token)).toMatchObject({ active: true, client_id: 'basic-client' });
    await client.revoke(access_token);
    expect(await client.introspect(access_token)).toEqual({ active: false });

    // And the other way round: the token endpoint fine, revocation with a method the client did not register.
    const wrong = await discover(op.issuer, { ...op.clients.basic, revocationEndpointAuthMethod: 'client_secret_jwt' });
    const fresh = await wrong.clientCredentials({ scope: 'api:read' });
    await expectError(wrong.revoke(fresh.access_token), OAuthError, 'invalid_client');
    expect(await wrong.introspect(fresh.access_token)).toMatchObject({ active: true });
  });

  it('form_post: handleCallback reads the POSTed form', async () => {
    const client = await discover(op.issuer, op.clients.basic);
    const request = await client.createAuthorizationUrl({
      scope: 'openid',
      extraParams: { response_mode: 'form_post' },
    });
    const before = op.callbacks.posts.length;

    const landed = await op.login(request.url, { user: 'alice' });

    expect(landed.origin + landed.pathname).toBe(op.redirectUri);
    expect(landed.search).toBe('');
    const post = op.callbacks.posts.slice(before).find((p) => p.url.pathname === landed.pathname);
    expect(post?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(new URLSearchParams(post?.body).get('state')).toBe(request.state);
    const tokens = await client.handleCallback(post!.request(), request);
    expect(tokens.claims).toMatchObject({ sub: 'alice', nonce: request.nonce });
    await expectError(client.handleCallback(post!.request(), request), CallbackError, 'state_reused');
  });

  it('client_secret_jwt: token, code flow, introspection', async () => {
    const registered = op.clients.secretJwt!;
    const client = await discover(op.issuer, registered);
    const { access_token } = await client.clientCredentials({ scope: 'api:read' });
    expect(await client.introspect(access_token)).toMatchObject({ active: true, client_id: registered.clientId });
    const { tokens } = await signIn(client, op, { user: 'bob' });
    expect(tokens.claims?.sub).toBe('bob');

    const wrong = await discover(op.issuer, { ...registered, clientSecret: random() });
    const error = await expectError<OAuthError>(wrong.clientCredentials(), OAuthError, 'invalid_client');
    expect(JSON.stringify(error)).not.toContain(registered.clientSecret);
  });

  it('back-channel logout: the logout token verifies once, for the session signed out', async () => {
    const registered = op.clients.backchannelLogout!;
    const client = await discover(op.issuer, registered);
    const session = await op.newSession();
    let tokens: Awaited<ReturnType<typeof signIn>>['tokens'];
    try {
      ({ tokens } = await signIn(client, op, { user: 'alice', session }));
      expect(tokens.claims?.sid).toEqual(expect.any(String));
      const before = op.callbacks.posts.length;
      await session.logout(
        client.endSessionUrl({ idTokenHint: tokens.id_token ?? '', postLogoutRedirectUri: op.postLogoutRedirectUri }),
      );
      const post = op.callbacks.posts.slice(before).find((p) => p.url.pathname === '/backchannel-logout');
      const logoutToken = new URLSearchParams(post?.body).get('logout_token') ?? '';
      expect(decodeJwt(logoutToken).events).toBeDefined();

      const claims = await client.verifyLogoutToken(logoutToken);

      expect(claims).toMatchObject({
        iss: op.issuer,
        aud: registered.clientId,
        sub: 'alice',
        sid: tokens.claims?.sid,
      });
      await expectError(client.verifyLogoutToken(logoutToken), TokenValidationError, 'jti_reused');
      // Another client of the provider is not its audience.
      await expectError(
        (await discover(op.issuer, op.clients.basic)).verifyLogoutToken(logoutToken),
        TokenValidationError,
        'aud_mismatch',
      );
      // An ID token is no logout token.
      await expectError(client.verifyLogoutToken(tokens.id_token ?? ''), TokenValidationError, 'events_missing');
    } finally {
      await session.close();
    }
  });

  it('registerClient: a native public client registers, then signs in (RFC 7591)', async () => {
    const metadata = {
      application_type: 'native' as const,
      client_name: 'keyway interop',
      redirect_uris: [op.redirectUri],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    };
    const registration = await registerClient(op.issuer, metadata);
    expect(registration.client_id).toEqual(expect.any(String));
    expect(registration.client_secret).toBeUndefined();
    expect(registration).toMatchObject({ token_endpoint_auth_method: 'none', redirect_uris: [op.redirectUri] });

    const client = await discover(op.issuer, { clientId: registration.client_id, redirectUri: op.redirectUri });
    const { tokens } = await signIn(client, op, { user: 'alice', scope: 'openid' });
    expect(tokens.claims).toMatchObject({ sub: 'alice', aud: registration.client_id });
  });

  it('registerClient: a confidential client gets a secret it authenticates with; a refusal is OAuthError', async () => {
    const registration = await registerClient(op.issuer, {
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    expect(registration.client_secret).toEqual(expect.any(String));
    const client = await discover(op.issuer, {
      clientId: registration.client_id,
      clientSecret: registration.client_secret,
      tokenEndpointAuthMethod: 'client_secret_post',
    });
    expect((await client.clientCredentials()).access_token).toEqual(expect.any(String));

    await expectError(
      registerClient(op.issuer, { token_endpoint_auth_method: 'not-a-method', redirect_uris: [op.redirectUri] }),
      OAuthError,
      'invalid_client_metadata',
    );
  });
});
