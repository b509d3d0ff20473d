import { discover, type OAuthClient, OAuthError, TokenValidationError } from '@keyway/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InteropBrowser, launchBrowser } from '../src/browser.ts';
import { expectError } from '../src/expect-error.ts';
import { API_RESOURCE, startProvider, type TestProvider } from '../src/provider.ts';
import { signIn } from '../src/sign-in.ts';
import { ACCESS_TOKEN_TYPE } from '../src/token-exchange.ts';

let op: TestProvider;
let browser: InteropBrowser;
let client: OAuthClient;

beforeAll(async () => {
  [op, browser] = await Promise.all([startProvider(), launchBrowser()]);
  client = await discover(op.issuer, op.clients.basic);
});
afterAll(async () => {
  await Promise.all([op?.close(), browser?.close()]);
});

/** `offline_access` is granted only with `prompt=consent`: then the provider issues a refresh token. */
const offline = { user: 'alice', scope: 'openid email offline_access', prompt: 'consent' } as const;

describe('the token lifecycle after a code flow', () => {
  it('refreshes with rotation, and the provider refuses the rotated-out refresh token', async () => {
    const { tokens } = await signIn(client, browser, offline);
    expect(tokens.refresh_token).toEqual(expect.any(String));

    const refreshed = await client.refresh(tokens);

    expect(refreshed.refresh_token).toEqual(expect.any(String));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    expect(refreshed.claims?.sub).toBe('alice');
    await expectError(client.refresh(tokens.refresh_token ?? ''), OAuthError, 'invalid_grant');
  });

  it('refuses a refreshed ID token about another subject than expected', async () => {
    const { tokens } = await signIn(client, browser, { ...offline, user: 'bob' });

    await expectError(
      client.refresh(tokens.refresh_token ?? '', { expectedSubject: 'alice' }),
      TokenValidationError,
      'sub_mismatch',
    );
  });

  it('refuses a revoked refresh token with invalid_grant', async () => {
    const { tokens } = await signIn(client, browser, offline);

    await client.revoke(tokens.refresh_token ?? '');

    await expectError(client.refresh(tokens.refresh_token ?? ''), OAuthError, 'invalid_grant');
  });

  it('introspects an access token as active, then as inactive once revoked', async () => {
    const { tokens } = await signIn(client, browser, { user: 'bob' });

    const active = await client.introspect(tokens.access_token);
    expect(active).toMatchObject({ active: true, sub: 'bob', client_id: op.clients.basic.clientId, iss: op.issuer });
    expect(active.scope?.split(' ')).toContain('openid');

    await client.revoke(tokens.access_token);

    expect(await client.introspect(tokens.access_token)).toEqual({ active: false });
  });

  it('exchanges the access token for a JWT access token for the API (RFC 8693 + RFC 9068)', async () => {
    const { tokens } = await signIn(client, browser, { user: 'alice' });

    const exchanged = await client.tokenExchange({
      subjectToken: tokens.access_token,
      subjectTokenType: ACCESS_TOKEN_TYPE,
      audience: API_RESOURCE,
    });

    expect(exchanged.issued_token_type).toBe(ACCESS_TOKEN_TYPE);
    expect(exchanged.token_type.toLowerCase()).toBe('bearer');
    const claims = await client.verifyAccessToken(exchanged.access_token, { audience: API_RESOURCE });
    expect(claims).toMatchObject({ iss: op.issuer, sub: 'alice', aud: API_RESOURCE, client_id: 'basic-client' });

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

  it('builds an end-session URL the provider accepts: Chromium confirms the logout and comes back', async () => {
    const session = await browser.newSession();
    try {
      const { tokens } = await signIn(client, browser, { user: 'bob', session });

      const url = client.endSessionUrl({
        idTokenHint: tokens.id_token ?? '',
        postLogoutRedirectUri: op.postLogoutRedirectUri,
        state: 'bye',
      });
      const landed = await session.logout(url);

      expect(new URL(url).origin + new URL(url).pathname).toBe(`${op.issuer}/session/end`);
      expect(landed.origin + landed.pathname).toBe(op.postLogoutRedirectUri);
      expect(landed.searchParams.get('state')).toBe('bye');
    } finally {
      await session.close();
    }
  });
});
