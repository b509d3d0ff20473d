/** Parameter and option types of the `OAuthClient` methods. */

/**
 * Options of `OAuthClient.exchangeCode()`: what the authorization request that produced the code
 * used, for a server that parsed the callback itself.
 */
export interface ExchangeCodeOptions {
  /** The PKCE code verifier of the authorization request. */
  codeVerifier: string;
  /** The nonce sent; when omitted, the ID token must carry none. */
  nonce?: string;
  /**
   * The `redirect_uri` the authorization request used (default: the client's `redirectUri` option).
   * It must be the same value (RFC 6749 §4.1.3).
   */
  redirectUri?: string;
  /**
   * The scope requested. With `openid` in it the token response must carry an ID token
   * (`InvalidResponseError` `id_token_missing`); when omitted, a given `nonce` means the same.
   */
  scope?: string;
  /** The `max_age` sent (seconds): the ID token's `auth_time` must be recent enough. */
  maxAge?: number;
  signal?: AbortSignal;
}

/**
 * What `handleCallback()` checks a callback against: the values `createAuthorizationUrl()` returned
 * (pass that object as is).
 */
export interface CallbackChecks extends ExchangeCodeOptions {
  state: string;
}

/**
 * Options of `OAuthClient.refresh()`.
 */
export interface RefreshOptions {
  /** The subject a refreshed ID token must be about (default: the given TokenSet's `claims.sub`). */
  expectedSubject?: string;
  /** Ask for a narrower scope. */
  scope?: string;
  resource?: string | string[];
  /**
   * Further parameters of the refresh request (e.g. Auth0's `audience`). They can never replace the
   * request's own parameters (`grant_type`, `refresh_token`, client authentication, `scope`,
   * `resource`…): such a name is refused with `ConfigurationError` `invalid_argument`.
   */
  extraParams?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Parameters of `OAuthClient.clientCredentials()` and `OAuthClient.deviceAuthorization()`.
 */
export interface GrantParams {
  scope?: string;
  /** RFC 8707 resource indicator(s). */
  resource?: string | string[];
  /**
   * Further request parameters (e.g. Auth0's `audience`). They can never replace the request's own
   * parameters (`grant_type`, client authentication, `scope`, `resource`…): such a name is refused
   * with `ConfigurationError` `invalid_argument`.
   */
  extraParams?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Parameters of `OAuthClient.tokenExchange()` (RFC 8693).
 */
export interface TokenExchangeParams {
  subjectToken: string;
  subjectTokenType: string;
  audience?: string;
  resource?: string | string[];
  scope?: string;
  requestedTokenType?: string;
  actorToken?: string;
  actorTokenType?: string;
  signal?: AbortSignal;
}

/**
 * Parameters of `OAuthClient.endSessionUrl()` (OpenID Connect RP-Initiated Logout).
 */
export interface EndSessionParams {
  idTokenHint?: string;
  postLogoutRedirectUri?: string;
  state?: string;
  extraParams?: Record<string, string>;
}
