import { discover, type OAuthClient, OAuthError, TokenValidationError } from '@keyway/core';
import { expectError } from '@keyway/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_RESOURCE } from '../src/provider.ts';
import { signIn } from '../src/sign-in.ts';
import { TARGETS } from '../src/target.ts';
import { ACCESS_TOKEN_TYPE } from '../src/token-exchange.ts';
import { useTarget } from './use-target.ts';

/** `offline_access` is granted only with `prompt=consent`: then oidc-provider issues a refresh token. */
const offline = { user: 'alice', scope: 'openid email offline_access', prompt: 'consent' } as const;

describe.each(TARGETS)('the token lifecycle after a code flow against %s', (name) => {
  const op = useTarget(name);
  let client: OAuthClient;

  beforeAll(async () => {
    client = await discover(op.issuer, op.clients.basic);
  });

  it('refreshes with rotation, and the server refuses the rotated-out refresh token', async () => {
    const { tokens } = await signIn(client, op, offline);
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const refreshed = await client.refresh(tokens);

    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.claims?.sub).toBe('alice');
    await expectError(client.refresh(tokens.refresh_token ?? ''), OAuthError, 'invalid_grant');
    // The reuse looks like theft: the whole grant is revoked, the newer refresh token with it.
    await expectError(client.refresh(refreshed.refresh_token ?? ''), OAuthError, 'invalid_grant');
  });

  it('issues no refresh token when offline_access was not asked for (OIDC Core section 11)', async () => {
    const { tokens } = await signIn(client, op, { user: 'alice', scope: 'openid email', prompt: 'consent' });

    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.id_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('ignores offline_access after a prompt without consent: no refresh token', async () => {
    const { tokens } = await signIn(client, op, { user: 'alice', scope: 'openid offline_access', prompt: 'login' });

    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('refuses a refreshed ID token about another subject than expected', async () => {
    const { tokens } = await signIn(client, op, { ...offline, user: 'bob' });

    await expectError(
      client.refresh(tokens.refresh_token ?? '', { expectedSubject: 'alice' }),
      TokenValidationError,
      'sub_mismatch',
    );
  });

  it('refuses a revoked refresh token with invalid_grant', async () => {
    const { tokens } = await signIn(client, op, offline);

    await client.revoke(tokens.refresh_token ?? '');

    await expectError(client.refresh(tokens.refresh_token ?? ''), OAuthError, 'invalid_grant');
  });

  it('introspects an access token as active, then as inactive once revoked', async () => {
    const { tokens } = await signIn(client, op, { user: 'bob' });

    const active = await client.introspect(tokens.access_token);
    expect(active).toMatchObject({ active: true, sub: 'bob', client_id: op.clients.basic.clientId, iss: op.issuer });
    expect(active.scope?.split(' ')).toContain('openid');

    await client.revoke(tokens.access_token);

    expect(await client.introspect(tokens.access_token)).toEqual({ active: false });
  });

  it('exchanges the access token for a JWT access token for the API (RFC 8693 + RFC 9068)', async () => {
    const { tokens } = await signIn(client, op, { user: 'alice' });

    const exchanged = await client.tokenExchange({
      subjectToken: tokens.access_token,
      subjectTokenType: ACCESS_TOKEN_TYPE,
      audience: API_RESOURCE,
    });

    expect(exchanged.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    expect(exchanged.token_type.toLowerCase()).toBe('bearer');
    const claims = await client.verifyAccessToken(exchanged.access_token, { audience: API_RESOURCE });
    expect(claims).toMatchObject({ iss: op.issuer, sub: 'alice', aud: API_RESOURCE, client_id: 'basic-client' });

    await expectError(
      client.tokenExchange({
        subjectToken: tokens.access_token,
        subjectTokenType: ACCESS_TOKEN_TYPE,
        audience: 'https://unknown.example.test/',
      }),
      OAuthError,
      'invalid_target',
    );
    await client.revoke(tokens.access_token);
    await expectError(
      client.tokenExchange({
        subjectToken: tokens.access_token,
        subjectTokenType: ACCESS_TOKEN_TYPE,
        audience: API_RESOURCE,
      }),
      OAuthError,
      'invalid_grant',
    );
  });

  it('builds an end-session URL the server accepts and comes back to the post-logout redirect URI', async () => {
    const session = await op.newSession();
    try {
      const { tokens } = await signIn(client, op, { user: 'bob', session });

      const url = new URL(
        client.endSessionUrl({
          idTokenHint: tokens.id_token ?? '',
          postLogoutRedirectUri: op.postLogoutRedirectUri,
          state: 'bye',
        }),
      );
      // oidc-provider asks to confirm (Chromium clicks it); the mock redirects at once.
      const landed = await session.logout(url);

      expect(url.origin + url.pathname).toBe(`${op.issuer}${op.paths.endSession}`);
      expect(url.searchParams.get('id_token_hint')).toBe(tokens.id_token);
      expect(landed.origin + landed.pathname).toBe(op.postLogoutRedirectUri);
      expect(landed.searchParams.get('state')).toBe('bye');
    } finally {
      await session.close();
    }
  });
});
