import type * as oauth from 'oauth4webapi';
import { CallbackError, ConfigurationError, InvalidResponseError, TokenValidationError } from '../errors.js';
import { headerToken } from '../internal/headers.js';
import { HttpClient } from '../internal/http.js';
import { clockToleranceOption } from '../internal/options.js';
import { parseServiceUrl } from '../internal/url.js';
import type { TokenSet } from '../token-set.js';
import { type AccessTokenVerificationOptions, verifyAccessToken } from './access-token.js';
import {
  type AuthorizationRequest,
  type AuthorizationUrlOptions,
  buildAuthorizationParams,
  processParResponse,
} from './authorization-url.js';
import { readCallback, validateCallback } from './callback.js';
import { createClientAuth, resolveAuthMethod, resolveEndpointAuthMethods } from './client-auth.js';
import { type Clock, clockOf, epochSeconds } from './clock.js';
import { type PollDeviceTokenOptions, pollDevice, processDeviceAuthorizationResponse } from './device-flow.js';
import { DpopSigner } from './dpop.js';
import { isDpopNonceError, mapLibraryError } from './errors-map.js';
import { withExtraParams } from './extra-params.js';
import { type FetchScope, fetchScope } from './fetch-scope.js';
import { idTokenAlgorithms, verifyIdToken } from './id-token.js';
import { processIntrospectionResponse, processRevocationResponse, type TokenHintOptions } from './introspection.js';
import { jwsAlgorithm } from './jws.js';
import { ACCESS_TOKEN_ALGORITHMS, type JwtVerification, verifyJwt } from './jwt-verify.js';
import {
  checkLogoutTokenType,
  LOGOUT_TOKEN_MAX_AGE,
  type LogoutTokenClaims,
  validateLogoutTokenClaims,
} from './logout-token.js';
import { oauthFetch } from './oauth-fetch.js';
import { loadOAuth, type OAuthLibrary } from './oauth-lazy.js';
import type {
  CallbackChecks,
  EndSessionParams,
  ExchangeCodeOptions,
  GrantParams,
  RefreshOptions,
  TokenExchangeParams,
} from './params.js';
import { checkMaxAge, checkRedirectUri } from './request-values.js';
import { memoryStateStore, STATE_TTL, type StateStore, stateKey } from './state-store.js';
import { processTokenResponse } from './token-response.js';
import type {
  AccessTokenClaims,
  DeviceAuthorization,
  OAuthClientOptions,
  ProviderMetadata,
  TokenEndpointAuthMethod,
  TokenIntrospection,
  UserinfoResponse,
} from './types.js';
import { processUserinfoResponse, type UserinfoOptions } from './userinfo.js';

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

type Endpoint =
  | 'token_endpoint'
  | 'authorization_endpoint'
  | 'pushed_authorization_request_endpoint'
  | 'device_authorization_endpoint'
  | 'introspection_endpoint'
  | 'revocation_endpoint'
  | 'userinfo_endpoint'
  | 'end_session_endpoint';

type LibraryOptions = oauth.TokenEndpointRequestOptions & oauth.HttpRequestOptions<'POST' | 'GET'>;

/** What a token response is checked against. */
interface TokenChecks {
  nonce?: string | null | undefined;
  maxAge?: number | undefined;
  expectedSubject?: string | undefined;
  tokenExchange?: boolean;
  /** The request asked for `openid`: the response must carry an ID token (OpenID Connect Core §3.1.3.3). */
  idTokenRequired?: boolean;
}

/** The PKCE verifier a redemption needs (any non-empty string: the server checks it against the challenge). */
function requireCodeVerifier(value: unknown, method: string): void {
  if (typeof value !== 'string' || value === '') {
    throw new ConfigurationError(`${method} needs the PKCE codeVerifier of the authorization request.`, {
      code: 'missing_code_verifier',
    });
  }
}

/** True when a space-separated scope (RFC 6749 §3.3) holds `openid`. */
function hasOpenid(scope: string | undefined): boolean {
  return scope?.split(' ').includes('openid') === true;
}

function withResource(params: URLSearchParams, resource: string | string[] | undefined): URLSearchParams {
  for (const value of [resource ?? []].flat()) {
    params.append('resource', value);
  }
  return params;
}

/**
 * Checks the options of {@link OAuthClient} that do not depend on the provider's metadata, so that
 * `discover()` refuses a bad one before it sends anything. Throws `ConfigurationError`.
 */
export function validateClientOptions(options: OAuthClientOptions): {
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  introspectionEndpointAuthMethod: TokenEndpointAuthMethod;
  revocationEndpointAuthMethod: TokenEndpointAuthMethod;
  clockTolerance: number;
  http: HttpClient;
} {
  if (typeof options?.clientId !== 'string' || options.clientId === '') {
    throw new ConfigurationError('clientId is required.', { code: 'missing_client_id' });
  }
  const registered = options.idTokenSignedResponseAlg;
  if (
    registered !== undefined &&
    (typeof registered !== 'string' || (registered !== 'none' && !jwsAlgorithm(registered)))
  ) {
    throw new ConfigurationError('idTokenSignedResponseAlg is not a JWS algorithm Keyway implements.', {
      code: 'invalid_option',
    });
  }
  const tokenEndpointAuthMethod = resolveAuthMethod(options);
  const endpoints = resolveEndpointAuthMethods(options, tokenEndpointAuthMethod);
  return {
    tokenEndpointAuthMethod,
    introspectionEndpointAuthMethod: endpoints.introspection,
    revocationEndpointAuthMethod: endpoints.revocation,
    clockTolerance: clockToleranceOption(options.clockTolerance),
    http: new HttpClient(options),
  };
}

/**
 * An OAuth 2.1 / OpenID Connect client for one authorization server, built on oauth4webapi (protocol
 * steps) and jose (JWS verification), sending everything through Keyway's shared transport.
 * Usually made by {@link discover}; `new OAuthClient(metadata, options)` skips discovery.
 *
 * Secrets (client secret, private key, DPoP key) live in private fields: they appear in no
 * enumerable property, `JSON.stringify()` or `util.inspect()` output.
 *
 * @example
 * ```ts
 * import { OAuthClient } from '@keyway/core';
 *
 * const client = new OAuthClient(
 *   { issuer: 'https://auth.example.com', token_endpoint: 'https://auth.example.com/token', jwks_uri: 'https://auth.example.com/jwks' },
 *   { clientId: 'svc', clientSecret: 's3cr3t' },
 * );
 * const tokens = await client.clientCredentials({ scope: 'api:read' });
 * ```
 */
export class OAuthClient {
  /** The issuer identifier (exactly as in the metadata). */
  readonly issuer: string;
  readonly clientId: string;
  /** The authorization server metadata this client works from. */
  readonly metadata: ProviderMetadata;
  readonly redirectUri: string | undefined;
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  /** How the client authenticates at the introspection endpoint (default: the token endpoint's). */
  readonly introspectionEndpointAuthMethod: TokenEndpointAuthMethod;
  /** How the client authenticates at the revocation endpoint (default: the token endpoint's). */
  readonly revocationEndpointAuthMethod: TokenEndpointAuthMethod;
  /** Seconds of tolerance for time-based claims. */
  readonly clockTolerance: number;
  /** True when the client binds tokens with DPoP. */
  readonly dpop: boolean;

  readonly #http: HttpClient;
  readonly #secrets: Pick<OAuthClientOptions, 'clientSecret' | 'privateKey'>;
  readonly #idTokenAlgs: readonly string[];
  readonly #allowInsecure: boolean;
  readonly #dpop: DpopSigner | undefined;
  readonly #states: StateStore;
  readonly #scope: FetchScope;
  readonly #onCacheUpdate: OAuthClientOptions['onCacheUpdate'];
  readonly #client: oauth.Client;
  readonly #auth = new Map<TokenEndpointAuthMethod, Promise<oauth.ClientAuth>>();

  constructor(metadata: ProviderMetadata, options: OAuthClientOptions) {
    if (typeof metadata?.issuer !== 'string') {
      throw new ConfigurationError('metadata.issuer is required.', { code: 'invalid_metadata' });
    }
    const checked = validateClientOptions(options);
    this.#allowInsecure = options.allowInsecureRequests === true;
    parseServiceUrl(metadata.issuer, 'The issuer', this.#allowInsecure);
    this.metadata = metadata;
    this.issuer = metadata.issuer;
    this.clientId = options.clientId;
    this.redirectUri = options.redirectUri;
    this.tokenEndpointAuthMethod = checked.tokenEndpointAuthMethod;
    this.introspectionEndpointAuthMethod = checked.introspectionEndpointAuthMethod;
    this.revocationEndpointAuthMethod = checked.revocationEndpointAuthMethod;
    this.clockTolerance = checked.clockTolerance;
    this.#idTokenAlgs = idTokenAlgorithms(
      options.idTokenSignedResponseAlg,
      metadata.id_token_signing_alg_values_supported,
    );
    this.#secrets = { clientSecret: options.clientSecret, privateKey: options.privateKey };
    this.#http = checked.http;
    this.#scope = fetchScope(options.fetch);
    this.#onCacheUpdate = options.onCacheUpdate;
    this.#states = options.stateStore ?? memoryStateStore;
    this.#dpop = options.dpop ? new DpopSigner(options.dpop) : undefined;
    this.dpop = this.#dpop !== undefined;
    this.#client = { client_id: options.clientId };
  }

  /**
   * Builds an authorization code request: PKCE S256, a fresh `state` and `nonce` (or the caller's:
   * checked, and never sent twice by this process), pushed first (PAR, RFC 9126) when asked or when
   * the provider requires it. A bad option is a `ConfigurationError` before anything is sent.
   *
   * @example
   * ```ts
   * import type { OAuthClient } from '@keyway/core';
   * declare const client: OAuthClient;
   *
   * const { url, state, nonce, codeVerifier } = await client.createAuthorizationUrl({ scope: 'openid email' });
   * // redirect the browser to `url`; keep state, nonce and codeVerifier for handleCallback()
   * const mine = await client.createAuthorizationUrl({ state: crypto.randomUUID(), redirectUri: 'https://app.example.com/cb' });
   * ```
   */
  async createAuthorizationUrl(options: AuthorizationUrlOptions = {}): Promise<AuthorizationRequest> {
    const authorize = this.#endpoint('authorization_endpoint');
    const push = options.par === true || this.metadata.require_pushed_authorization_requests === true;
    // Checked before the caller's state/nonce/verifier are recorded as sent.
    if (push) {
      this.#endpoint('pushed_authorization_request_endpoint');
    }
    const parAuth = push ? await this.#clientAuth() : undefined;
    const built = await buildAuthorizationParams(
      {
        issuer: this.issuer,
        clientId: this.clientId,
        redirectUri: this.redirectUri,
        dpopJkt: this.#dpop ? await this.#dpop.thumbprint() : undefined,
      },
      options,
    );
    const url = new URL(authorize);
    if (parAuth) {
      const response = await this.#call(
        (lib, opts) => lib.pushedAuthorizationRequest(this.metadata, this.#client, parAuth, built.params, opts),
        { retry: false },
      );
      const { request_uri } = await processParResponse(response);
      url.searchParams.set('client_id', this.clientId);
      url.searchParams.set('request_uri', request_uri);
    } else {
      for (const [name, value] of built.params) {
        url.searchParams.append(name, value);
      }
    }
    const { state, nonce, codeVerifier, redirectUri } = built;
    const scope = built.params.get('scope') ?? undefined;
    return {
      url,
      state,
      ...(nonce === undefined ? {} : { nonce }),
      codeVerifier,
      redirectUri,
      ...(scope === undefined ? {} : { scope }),
      ...(options.maxAge === undefined ? {} : { maxAge: options.maxAge }),
    };
  }

  /**
   * Handles the redirect back from the provider: checks `state`, the RFC 9207 `iss` parameter and
   * error responses, then redeems the code (once: a replayed callback is refused with
   * `CallbackError` `state_reused`, and a redemption is never retried) and validates the ID token.
   * A consumed state is remembered for ten minutes by every client of this issuer and `client_id` in
   * the process, or in the `stateStore` option's store across instances.
   *
   * The callback is the URL the browser came back to (a `URL` or a string), or the incoming `Request`
   * itself: a GET's query, or a POST's `application/x-www-form-urlencoded` body for
   * `response_mode=form_post` (read here, at most 64 KiB; `CallbackError` `invalid_callback_method` /
   * `invalid_callback_body` otherwise).
   *
   * @example
   * ```ts
   * import type { OAuthClient } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const request: Request;
   * declare const { state, nonce, codeVerifier }: { state: string; nonce: string; codeVerifier: string }; // saved with the request
   *
   * const tokens = await client.handleCallback(request.url, { state, nonce, codeVerifier });
   * console.log(tokens.claims?.sub);
   * // response_mode=form_post: pass the incoming POST request
   * declare const incoming: Request;
   * await client.handleCallback(incoming, { state, nonce, codeVerifier });
   * ```
   */
  async handleCallback(callback: URL | string | Request, checks: CallbackChecks): Promise<TokenSet> {
    if (typeof checks?.state !== 'string' || checks.state === '') {
      // An empty expected state would accept a callback carrying `state=` (or a forged one without state).
      throw new ConfigurationError('handleCallback needs the state sent with the authorization request.', {
        code: 'missing_state',
      });
    }
    requireCodeVerifier(checks.codeVerifier, 'handleCallback');
    const params = await readCallback(callback);
    validateCallback(params, {
      state: checks.state,
      issuer: this.issuer,
      issRequired: this.metadata.authorization_response_iss_parameter_supported === true,
    });
    const lib = await loadOAuth();
    let validated: URLSearchParams;
    try {
      validated = lib.validateAuthResponse(this.metadata, this.#client, params, lib.skipStateCheck);
    } catch (error) {
      throw mapLibraryError(error);
    }
    return this.#redeem(validated.get('code') as string, checks, checks.state);
  }

  /**
   * Redeems a bare authorization code, for a server that parsed the callback itself (and checked its
   * `state`, `iss` and error). The same redemption as {@link OAuthClient.handleCallback}'s: a code is
   * redeemed once, whichever of the two methods sees it first (`CallbackError` `code_reused` after
   * that), never retried, and its ID token validated. Without `nonce`, an ID token that carries one is
   * refused (`TokenValidationError` `nonce_mismatch`).
   *
   * @example
   * ```ts
   * import type { OAuthClient } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const code: string;
   * declare const { state, nonce, codeVerifier }: { state: string; nonce: string; codeVerifier: string }; // saved with the request
   *
   * const tokens = await client.exchangeCode(code, { codeVerifier, nonce, scope: 'openid email' });
   * ```
   */
  async exchangeCode(code: string, options: ExchangeCodeOptions): Promise<TokenSet> {
    if (typeof code !== 'string' || code === '') {
      throw new ConfigurationError('exchangeCode needs the authorization code.', { code: 'missing_code' });
    }
    requireCodeVerifier(options?.codeVerifier, 'exchangeCode');
    return this.#redeem(code, options);
  }

  /**
   * Refreshes tokens. Rotation-aware: the old refresh token is kept when the server returns none;
   * the old ID token and claims are kept when no new one comes. A refreshed ID token must be about
   * the same subject (`TokenValidationError` `sub_mismatch`).
   *
   * @example
   * ```ts
   * import type { OAuthClient, TokenSet } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const tokens: TokenSet;
   *
   * const fresh = await client.refresh(tokens); // or client.refresh(refreshToken, { expectedSubject })
   * ```
   */
  async refresh(refreshToken: string | TokenSet, options: RefreshOptions = {}): Promise<TokenSet> {
    const previous = typeof refreshToken === 'string' ? undefined : refreshToken;
    const token = typeof refreshToken === 'string' ? refreshToken : refreshToken.refresh_token;
    if (!token) {
      throw new ConfigurationError('There is no refresh token to refresh with.', { code: 'missing_refresh_token' });
    }
    const extra = withResource(
      withExtraParams(new URLSearchParams(options.scope ? { scope: options.scope } : {}), options.extraParams),
      options.resource,
    );
    const auth = await this.#clientAuth();
    const response = await this.#tokenEndpoint(
      (lib, opts) =>
        lib.refreshTokenGrantRequest(this.metadata, this.#client, auth, token, {
          ...opts,
          additionalParameters: extra,
        }),
      { retry: false, signal: options.signal },
    );
    const tokens = await this.#tokens(response, {
      expectedSubject: options.expectedSubject ?? previous?.claims?.sub,
    });
    if (tokens.refresh_token === undefined) {
      tokens.refresh_token = token;
    }
    if (tokens.id_token === undefined && previous?.id_token !== undefined) {
      tokens.id_token = previous.id_token;
      if (previous.claims) {
        tokens.claims = previous.claims;
      }
    }
    return tokens;
  }

  /**
   * The client credentials grant: a token for this client itself.
   *
   * @example
   * ```ts
   * import type { OAuthClient } from '@keyway/core';
   * declare const client: OAuthClient;
   *
   * const tokens = await client.clientCredentials({ scope: 'api:read', resource: 'https://api.example.com/' });
   * ```
   */
  async clientCredentials(params: GrantParams = {}): Promise<TokenSet> {
    const body = withResource(
      withExtraParams(new URLSearchParams(params.scope ? { scope: params.scope } : {}), params.extraParams),
      params.resource,
    );
    const auth = await this.#clientAuth();
    const response = await this.#tokenEndpoint(
      (lib, opts) => lib.clientCredentialsGrantRequest(this.metadata, this.#client, auth, body, opts),
      { retry: true, signal: params.signal },
    );
    return this.#tokens(response, {});
  }

  /**
   * Starts the device authorization grant (RFC 8628); show `user_code` and `verification_uri` (or
   * `verification_uri_complete`) to the user, then call {@link OAuthClient.pollDeviceToken}.
   *
   * @example
   * ```ts
   * import type { OAuthClient } from '@keyway/core';
   * declare const client: OAuthClient;
   *
   * const device = await client.deviceAuthorization({ scope: 'openid offline_access' });
   * console.log(`Open ${device.verification_uri} and enter ${device.user_code}`);
   * ```
   */
  async deviceAuthorization(params: GrantParams = {}): Promise<DeviceAuthorization> {
    this.#endpoint('device_authorization_endpoint');
    const body = withResource(
      withExtraParams(new URLSearchParams(params.scope ? { scope: params.scope } : {}), params.extraParams),
      params.resource,
    );
    const auth = await this.#clientAuth();
    const response = await this.#call(
      (lib, opts) => lib.deviceAuthorizationRequest(this.metadata, this.#client, auth, body, opts),
      { retry: false, signal: params.signal },
    );
    return processDeviceAuthorizationResponse(response, this.#allowInsecure);
  }

  /**
   * Polls until the user approves the device (RFC 8628 §3.4–3.5). Rejects with `DeviceFlowError`
   * `access_denied` or `expired_token`, or `KeywayAbortError` when `signal` fires.
   *
   * @example
   * ```ts
   * import type { DeviceAuthorization, OAuthClient } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const device: DeviceAuthorization;
   *
   * const tokens = await client.pollDeviceToken(device, { signal: AbortSignal.timeout(600_000) });
   * ```
   */
  async pollDeviceToken(device: DeviceAuthorization, options: PollDeviceTokenOptions = {}): Promise<TokenSet> {
    const auth = await this.#clientAuth();
    return pollDevice(
      device,
      options,
      async (signal) => {
        const response = await this.#tokenEndpoint(
          (lib, opts) => lib.deviceCodeGrantRequest(this.metadata, this.#client, auth, device.device_code, opts),
          { retry: false, signal },
        );
        return this.#tokens(response, {});
      },
      this.#clock,
    );
  }

  /**
   * OAuth 2.0 Token Exchange (RFC 8693). The TokenSet carries `issued_token_type`.
   *
   * @example
   * ```ts
   * import type { OAuthClient, TokenSet } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const tokens: TokenSet;
   *
   * const exchanged = await client.tokenExchange({
   *   subjectToken: tokens.access_token,
   *   subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
   *   audience: 'https://api.example.com/',
   * });
   * ```
   */
  async tokenExchange(params: TokenExchangeParams): Promise<TokenSet> {
    const auth = await this.#clientAuth();
    const body = new URLSearchParams({
      subject_token: params.subjectToken,
      subject_token_type: params.subjectTokenType,
    });
    const optional = {
      audience: params.audience,
      scope: params.scope,
      requested_token_type: params.requestedTokenType,
      actor_token: params.actorToken,
      actor_token_type: params.actorTokenType,
    };
    for (const [name, value] of Object.entries(optional)) {
      if (value !== undefined) {
        body.set(name, value);
      }
    }
    withResource(body, params.resource);
    const response = await this.#tokenEndpoint(
      (lib, opts) => lib.genericTokenEndpointRequest(this.metadata, this.#client, auth, TOKEN_EXCHANGE, body, opts),
      { retry: false, signal: params.signal },
    );
    return this.#tokens(response, { tokenExchange: true });
  }

  /**
   * Token introspection (RFC 7662), authenticated with `introspectionEndpointAuthMethod`; retried like
   * any idempotent call.
   *
   * @example
   * ```ts
   * import type { OAuthClient } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const accessToken: string;
   *
   * const info = await client.introspect(accessToken);
   * if (!info.active) throw new Error('revoked or expired');
   * ```
   */
  async introspect(token: string, options: TokenHintOptions = {}): Promise<TokenIntrospection> {
    this.#endpoint('introspection_endpoint');
    const auth = await this.#clientAuth(this.introspectionEndpointAuthMethod);
    const extra = options.tokenTypeHint ? { token_type_hint: options.tokenTypeHint } : undefined;
    const response = await this.#call(
      (lib, opts) =>
        lib.introspectionRequest(this.metadata, this.#client, auth, token, { ...opts, additionalParameters: extra }),
      { retry: true, signal: options.signal },
    );
    return processIntrospectionResponse(response);
  }

  /**
   * Token revocation (RFC 7009), authenticated with `revocationEndpointAuthMethod`; retried like any
   * idempotent call.
   *
   * @example
   * ```ts
   * import type { OAuthClient, TokenSet } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const tokens: TokenSet;
   *
   * await client.revoke(tokens.refresh_token ?? tokens.access_token, { tokenTypeHint: 'refresh_token' });
   * ```
   */
  async revoke(token: string, options: TokenHintOptions = {}): Promise<void> {
    this.#endpoint('revocation_endpoint');
    const auth = await this.#clientAuth(this.revocationEndpointAuthMethod);
    const extra = options.tokenTypeHint ? { token_type_hint: options.tokenTypeHint } : undefined;
    const response = await this.#call(
      (lib, opts) =>
        lib.revocationRequest(this.metadata, this.#client, auth, token, { ...opts, additionalParameters: extra }),
      { retry: true, signal: options.signal },
    );
    await processRevocationResponse(response);
  }

  /**
   * Calls the UserInfo endpoint with the token in the `Authorization` header (never the query),
   * DPoP-bound when the client uses DPoP. `expectedSubject` guards against a token for another user
   * (`TokenValidationError` `sub_mismatch`).
   *
   * @example
   * ```ts
   * import type { OAuthClient, TokenSet } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const tokens: TokenSet;
   *
   * const me = await client.userinfo(tokens.access_token, { expectedSubject: tokens.claims?.sub });
   * ```
   */
  async userinfo(accessToken: string | TokenSet, options: UserinfoOptions = {}): Promise<UserinfoResponse> {
    const url = this.#endpoint('userinfo_endpoint');
    const token = headerToken(typeof accessToken === 'string' ? accessToken : accessToken?.access_token);
    const bound =
      this.#dpop !== undefined &&
      (typeof accessToken === 'string' || String(accessToken.token_type).toLowerCase() === 'dpop');
    let response: Response | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const headers: Record<string, string> = {};
      if (bound && this.#dpop) {
        headers.dpop = await this.#dpop.proof('GET', url, this.#clock, token);
      }
      response = await this.#call(
        (lib, opts) => lib.userInfoRequest(this.metadata, this.#client, token, { ...opts, headers }),
        { retry: true, signal: options.signal },
      );
      if (!bound || attempt > 0 || !(await isDpopNonceError(response))) {
        break;
      }
    }
    // Given a TokenSet, the answer must be about the user of its ID token (OpenID Connect Core §5.3.2).
    const expectedSubject =
      options.expectedSubject ?? (typeof accessToken === 'string' ? undefined : accessToken.claims?.sub);
    return processUserinfoResponse(response as Response, expectedSubject, async (jwt) => {
      const { payload } = await verifyJwt(jwt, this.#verification(ACCESS_TOKEN_ALGORITHMS));
      if (payload.iss !== undefined && payload.iss !== this.issuer) {
        throw new TokenValidationError('The signed userinfo response comes from another issuer.', {
          code: 'iss_mismatch',
        });
      }
      return payload;
    });
  }

  /**
   * The RP-Initiated Logout URL (OpenID Connect) to send the browser to.
   *
   * @example
   * ```ts
   * import type { OAuthClient, TokenSet } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const tokens: TokenSet;
   *
   * const url = client.endSessionUrl({ idTokenHint: tokens.id_token, postLogoutRedirectUri: 'https://app.example.com/' });
   * ```
   */
  endSessionUrl(params: EndSessionParams = {}): URL {
    const url = new URL(this.#endpoint('end_session_endpoint'));
    const values = {
      ...params.extraParams,
      client_id: this.clientId,
      id_token_hint: params.idTokenHint,
      post_logout_redirect_uri: params.postLogoutRedirectUri,
      state: params.state,
    };
    for (const [name, value] of Object.entries(values)) {
      if (value !== undefined && value !== '') {
        url.searchParams.set(name, value);
      }
    }
    return url;
  }

  /**
   * Verifies an RFC 9068 JWT access token (for a resource server) with this client's issuer, JWKS,
   * transport and clock tolerance: the same verification as `createAccessTokenVerifier()`'s
   * (`typ` `at+jwt`, the signature against the issuer's JWKS, `iss`, `aud`, `exp`/`iat`/`nbf`, `sub`,
   * `client_id`, `jti`, and the required scopes: `TokenValidationError` `insufficient_scope`).
   *
   * @example
   * ```ts
   * import type { OAuthClient } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const bearer: string;
   *
   * const claims = await client.verifyAccessToken(bearer, { audience: 'https://api.example.com/', requiredScopes: ['things:read'] });
   * ```
   */
  async verifyAccessToken(
    jwt: string,
    options: Pick<AccessTokenVerificationOptions, 'audience' | 'requiredScopes'>,
  ): Promise<AccessTokenClaims> {
    // Fields listed, not spread: a spread here costs more than all the claim checks (see tooling/bench).
    return verifyAccessToken(jwt, this.#verification(ACCESS_TOKEN_ALGORITHMS), {
      audience: options.audience,
      requiredScopes: options.requiredScopes,
      issuer: this.issuer,
      now: epochSeconds(this.#clock),
      clockTolerance: this.clockTolerance,
    });
  }

  /**
   * Verifies a back-channel logout token (OpenID Connect Back-Channel Logout 1.0), the `logout_token`
   * the provider POSTs to the client's `backchannel_logout_uri`: signed like this client's ID tokens
   * (never `alg: none`) and checked against the issuer's JWKS; `typ` `logout+jwt` (or untyped / `JWT`);
   * `iss`, `aud`, `iat` (not older than ten minutes), `exp`; the backchannel-logout `events` claim; no
   * `nonce`; a `sub` and/or a `sid` (one without the other is valid); and a `jti` seen once: a replay
   * is refused, across instances with a shared `stateStore`. Every refusal is a `TokenValidationError`
   * (`invalid_typ`, `events_missing`, `events_invalid`, `nonce_present`, `sub_and_sid_missing`,
   * `jti_missing`, `jti_reused`, `iat_too_old`, the signature and time codes of ID tokens).
   *
   * Answer the provider 200 once the matching login is gone, 400 when this throws.
   *
   * @example
   * ```ts
   * import type { OAuthClient } from '@keyway/core';
   * declare const client: OAuthClient;
   *
   * declare const request: Request; // POST /backchannel-logout, application/x-www-form-urlencoded
   * const form = new URLSearchParams(await request.text());
   * const { sub, sid } = await client.verifyLogoutToken(form.get('logout_token') ?? '');
   * // end the local sessions of `sid` (or every session of `sub`), delete their stored tokens
   * ```
   */
  async verifyLogoutToken(jwt: string): Promise<LogoutTokenClaims> {
    const registered = this.#idTokenAlgs.filter((alg) => alg !== 'none');
    const algorithms =
      registered.length > 0
        ? registered
        : idTokenAlgorithms(undefined, this.metadata.id_token_signing_alg_values_supported);
    const { header, payload } = await verifyJwt(jwt, this.#verification(algorithms));
    checkLogoutTokenType(header.typ);
    const claims = validateLogoutTokenClaims(payload, {
      issuer: this.issuer,
      clientId: this.clientId,
      now: epochSeconds(this.#clock),
      clockTolerance: this.clockTolerance,
    });
    // Remembered for the whole window in which the token is accepted (its iat checked both ways).
    const ttl = LOGOUT_TOKEN_MAX_AGE + 2 * this.clockTolerance;
    if (!(await this.#states.consume(await stateKey(this.issuer, this.clientId, claims.jti, 'logout'), ttl))) {
      throw new TokenValidationError('This logout token was already received (its jti was seen).', {
        code: 'jti_reused',
      });
    }
    return claims;
  }

  /**
   * Signs a DPoP proof (RFC 9449) for a resource request with this client's DPoP key, using the last
   * nonce the target origin sent. `authFetch` uses it to send DPoP-bound tokens; pass `accessToken`
   * to bind the proof to it (`ath`). Call {@link OAuthClient.rememberDpopNonce} with the response so
   * the next proof carries the server's new nonce.
   *
   * @example
   * ```ts
   * import type { OAuthClient, TokenSet } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const tokens: TokenSet;
   *
   * const proof = await client.dpopProof('GET', 'https://api.example.com/things', tokens.access_token);
   * await fetch('https://api.example.com/things', { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: proof } });
   * ```
   */
  async dpopProof(method: string, url: string | URL, accessToken?: string): Promise<string> {
    if (!this.#dpop) {
      throw new ConfigurationError('This client has no DPoP key: set the `dpop` option.', { code: 'dpop_not_enabled' });
    }
    if (accessToken !== undefined) {
      headerToken(accessToken);
    }
    return this.#dpop.proof(method, url, this.#clock, accessToken);
  }

  /**
   * Remembers the `DPoP-Nonce` a resource server sent, for the next proof to that origin.
   *
   * @example
   * ```ts
   * import type { OAuthClient } from '@keyway/core';
   * declare const client: OAuthClient;
   * declare const url: string;
   * declare const headers: Headers;
   *
   * const response = await fetch(url, { headers });
   * client.rememberDpopNonce(url, response);
   * ```
   */
  rememberDpopNonce(url: string | URL, response: Response): void {
    this.#dpop?.rememberNonce(url, response);
  }

  /** A JSON form without secrets. */
  toJSON(): Record<string, unknown> {
    return { issuer: this.issuer, clientId: this.clientId, tokenEndpointAuthMethod: this.tokenEndpointAuthMethod };
  }

  get #clock(): Clock {
    return clockOf(this);
  }

  #redirectUri(): string {
    if (!this.redirectUri) {
      throw new ConfigurationError('The authorization code flow needs the `redirectUri` option.', {
        code: 'missing_redirect_uri',
      });
    }
    return this.redirectUri;
  }

  #endpoint(name: Endpoint): URL {
    const value = this.metadata[name];
    if (typeof value !== 'string') {
      throw new ConfigurationError(`The provider advertises no ${name}.`, { code: 'missing_endpoint' });
    }
    return parseServiceUrl(value, `The provider's ${name}`, this.#allowInsecure);
  }

  /** The client authentication for `method` (default: the token endpoint's), made once per method. */
  #clientAuth(method = this.tokenEndpointAuthMethod): Promise<oauth.ClientAuth> {
    let auth = this.#auth.get(method);
    if (auth === undefined) {
      auth = createClientAuth(method, this.#secrets);
      this.#auth.set(method, auth);
    }
    return auth;
  }

  #verification(algorithms: readonly string[]): JwtVerification {
    return {
      algorithms,
      jwksUri: this.metadata.jwks_uri,
      allowInsecureRequests: this.#allowInsecure,
      http: this.#http,
      scope: this.#scope,
      clock: this.#clock,
      hmacSecret: this.#secrets.clientSecret,
      onCacheUpdate: this.#onCacheUpdate,
    };
  }

  /** One oauth4webapi request through the shared transport; its errors become Keyway errors. */
  async #call(
    send: (lib: OAuthLibrary, options: LibraryOptions) => Promise<Response>,
    how: { retry: boolean; signal?: AbortSignal | undefined },
  ): Promise<Response> {
    // The option keys are the loaded module's own symbols: oauth4webapi reads its options by them.
    const lib = await loadOAuth();
    try {
      return await send(lib, {
        [lib.customFetch]: oauthFetch(this.#http, {
          retry: how.retry,
          signal: how.signal,
          onResponse: (url, response) => this.#dpop?.rememberNonce(url, response),
        }),
        [lib.allowInsecureRequests]: true,
      });
    } catch (error) {
      throw mapLibraryError(error);
    }
  }

  /** A token endpoint request, with a DPoP proof when enabled and one retry on `use_dpop_nonce`. */
  async #tokenEndpoint(
    send: (lib: OAuthLibrary, options: LibraryOptions) => Promise<Response>,
    how: { retry: boolean; signal?: AbortSignal | undefined },
  ): Promise<Response> {
    const url = this.#endpoint('token_endpoint');
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = {};
      if (this.#dpop) {
        headers.dpop = await this.#dpop.proof('POST', url, this.#clock);
      }
      const response = await this.#call((lib, opts) => send(lib, { ...opts, headers }), how);
      // The server refused the proof before looking at the grant, so resending is safe even for a code.
      if (!this.#dpop || attempt > 0 || !(await isDpopNonceError(response))) {
        return response;
      }
    }
  }

  /**
   * The one authorization code redemption (handleCallback, exchangeCode). Everything the caller can
   * get wrong is checked first; then the callback's `state` (when there is one) and the code itself
   * are consumed in the shared store, so neither a replayed callback nor a code seen twice reaches
   * the token endpoint again; the request is never retried.
   */
  async #redeem(code: string, checks: ExchangeCodeOptions, state?: string): Promise<TokenSet> {
    // The client's own (as createAuthorizationUrl returns it by default) is taken as configured.
    const redirectUri =
      checks.redirectUri === undefined
        ? this.#redirectUri()
        : checks.redirectUri === this.redirectUri
          ? this.redirectUri
          : checkRedirectUri(checks.redirectUri);
    const maxAge = checkMaxAge(checks.maxAge);
    if (checks.nonce !== undefined && (typeof checks.nonce !== 'string' || checks.nonce === '')) {
      throw new ConfigurationError('nonce must be the non-empty nonce sent with the request.', {
        code: 'invalid_argument',
      });
    }
    const auth = await this.#clientAuth();
    // Shared by every client of this issuer and client_id (and beyond, with a `stateStore`), so a
    // replay that reaches another instance (`discover()` per request) is refused too.
    if (
      state !== undefined &&
      !(await this.#states.consume(await stateKey(this.issuer, this.clientId, state), STATE_TTL))
    ) {
      throw new CallbackError('This callback was already handled: a code is never redeemed twice.', {
        code: 'state_reused',
      });
    }
    if (!(await this.#states.consume(await stateKey(this.issuer, this.clientId, code, 'code'), STATE_TTL))) {
      throw new CallbackError('This authorization code was already redeemed: a code is never redeemed twice.', {
        code: 'code_reused',
      });
    }
    const params = new URLSearchParams({ code, redirect_uri: redirectUri, code_verifier: checks.codeVerifier });
    const response = await this.#tokenEndpoint(
      (lib, opts) =>
        lib.genericTokenEndpointRequest(this.metadata, this.#client, auth, 'authorization_code', params, opts),
      { retry: false, signal: checks.signal },
    );
    return this.#tokens(response, {
      nonce: checks.nonce ?? null,
      maxAge,
      idTokenRequired: checks.scope === undefined ? checks.nonce !== undefined : hasOpenid(checks.scope),
    });
  }

  async #tokens(response: Response, checks: TokenChecks): Promise<TokenSet> {
    const tokens = await processTokenResponse(response, {
      now: epochSeconds(this.#clock),
      dpop: this.#dpop !== undefined,
      tokenExchange: checks.tokenExchange === true,
    });
    if (tokens.id_token === undefined && checks.idTokenRequired) {
      throw new InvalidResponseError('The token response lacks the id_token an openid request must return.', {
        code: 'id_token_missing',
        status: response.status,
      });
    }
    if (tokens.id_token !== undefined && !(checks.tokenExchange && tokens.token_type.toLowerCase() === 'n_a')) {
      tokens.claims = await verifyIdToken(
        tokens.id_token,
        { algorithms: this.#idTokenAlgs, accessToken: tokens.access_token },
        this.#verification(this.#idTokenAlgs),
        {
          issuer: this.issuer,
          clientId: this.clientId,
          now: epochSeconds(this.#clock),
          clockTolerance: this.clockTolerance,
          nonce: checks.nonce,
          maxAge: checks.maxAge,
          expectedSubject: checks.expectedSubject,
        },
      );
    }
    return tokens;
  }
}
