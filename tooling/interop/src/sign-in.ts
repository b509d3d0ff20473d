import type { OAuthClient, TokenSet } from '@keyway/core';
import type { UserName } from './browser.ts';
import type { InteropTarget, TargetSession } from './target.ts';

export interface SignInOptions {
  user: UserName;
  /** Default `openid email profile`. */
  scope?: string;
  /** `consent` is what makes oidc-provider grant `offline_access` (a refresh token). */
  prompt?: string;
  par?: boolean;
  /** Reuse a user agent (for logout); a fresh one otherwise. */
  session?: TargetSession;
}

/** A completed code flow: the tokens, and what the callback looked like. */
export interface SignedIn {
  tokens: TokenSet;
  callbackUrl: URL;
  authorizationUrl: URL;
}

/** The whole authorization code flow: the client builds the URL, the target's user agent signs in, the client redeems. */
export async function signIn(client: OAuthClient, target: InteropTarget, options: SignInOptions): Promise<SignedIn> {
  const request = await client.createAuthorizationUrl({
    scope: options.scope ?? 'openid email profile',
    ...(options.prompt === undefined ? {} : { prompt: options.prompt }),
    ...(options.par === undefined ? {} : { par: options.par }),
  });
  const authorizationUrl = new URL(request.url);
  const callbackUrl = await (options.session ?? target).login(authorizationUrl, { user: options.user });
  const tokens = await client.handleCallback(callbackUrl, {
    state: request.state,
    nonce: request.nonce,
    codeVerifier: request.codeVerifier,
  });
  return { tokens, callbackUrl, authorizationUrl };
}
