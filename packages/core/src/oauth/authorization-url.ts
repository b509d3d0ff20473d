import { ConfigurationError, InvalidResponseError } from '../errors.js';
import { errorFromResponse } from './errors-map.js';
import { loadOAuth, type OAuthLibrary } from './oauth-lazy.js';
import {
  type CallerValue,
  checkCodeVerifier,
  checkRandomValue,
  checkRedirectUri,
  recordCallerValues,
} from './request-values.js';

/**
 * Options of `OAuthClient.createAuthorizationUrl()`.
 */
export interface AuthorizationUrlOptions {
  /** Space-separated scopes (default `openid`). */
  scope?: string;
  /** `login`, `consent`, `none`, `select_account`, ... */
  prompt?: string;
  /** Seconds since the end-user last authenticated; the ID token must then carry `auth_time`. */
  maxAge?: number;
  loginHint?: string;
  /** RFC 8707 resource indicator(s). */
  resource?: string | string[];
  /** Further parameters. They cannot replace the protocol's own (state, nonce, PKCE, client_id, ...). */
  extraParams?: Record<string, string>;
  /** Push the request first (RFC 9126). Always done when the provider requires it. */
  par?: boolean;
  /**
   * Your own `state` instead of a fresh random one: 8-512 visible ASCII characters, never one this
   * process issued in the last ten minutes (else `ConfigurationError` `weak_state` / `reused_value`).
   */
  state?: string;
  /**
   * Your own `nonce` (same rules as `state`: `weak_nonce` / `reused_value`). Only for an `openid`
   * scope: a plain OAuth request sends no nonce, so one given there is `invalid_argument`.
   */
  nonce?: string;
  /**
   * Your own PKCE code verifier: RFC 7636 §4.1, 43-128 characters of `A-Z a-z 0-9 - . _ ~`, from a
   * random source, never reused (else `invalid_code_verifier` / `reused_value`). The challenge is
   * always S256.
   */
  codeVerifier?: string;
  /**
   * The redirect URI for this request (default: the client's `redirectUri` option): an absolute
   * URI without a fragment (else `invalid_redirect_uri`). It is returned, and `handleCallback`
   * sends it again at redemption.
   */
  redirectUri?: string;
}

/**
 * What `createAuthorizationUrl()` returns: send the user to `url` and keep the rest (server-side or
 * in an encrypted cookie) for `handleCallback()`, which takes this object as is.
 */
export interface AuthorizationRequest {
  url: URL;
  state: string;
  /** The nonce sent: only when the scope holds `openid` (no ID token is expected otherwise). */
  nonce?: string;
  /** The PKCE code verifier. A secret: keep it server-side. */
  codeVerifier: string;
  /** The redirect URI sent (the redemption must send the same one). */
  redirectUri: string;
  /** The scope requested (`handleCallback` then requires an ID token when it holds `openid`). */
  scope?: string;
  /** The `max_age` sent, when one was. */
  maxAge?: number;
}

/** Parameters that the client sets itself; `extraParams` may not override them. */
const PROTECTED = new Set([
  'client_id',
  'response_type',
  'redirect_uri',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'request_uri',
  'dpop_jkt',
]);

/** The values that bind an authorization request to its callback: the caller's, checked, or fresh ones. */
interface RequestBinding {
  state: string;
  nonce: string | undefined;
  codeVerifier: string;
  redirectUri: string;
}

/**
 * Resolves the request's `state`, `nonce`, `codeVerifier` and `redirect_uri`: each the caller's
 * (checked; `supplied` lists those to record, so that this process never sends one twice) or a
 * fresh random one.
 */
function requestBinding(
  lib: OAuthLibrary,
  client: { redirectUri: string | undefined },
  options: AuthorizationUrlOptions,
  openid: boolean,
): { binding: RequestBinding; supplied: CallerValue[] } {
  const redirectUri = options.redirectUri === undefined ? client.redirectUri : checkRedirectUri(options.redirectUri);
  if (!redirectUri) {
    throw new ConfigurationError('The authorization code flow needs the `redirectUri` option.', {
      code: 'missing_redirect_uri',
    });
  }
  if (options.nonce !== undefined && !openid) {
    throw new ConfigurationError('A nonce is for OpenID Connect requests: the scope holds no "openid".', {
      code: 'invalid_argument',
    });
  }
  const supplied: CallerValue[] = [];
  if (options.state !== undefined) {
    supplied.push({ kind: 'state', value: checkRandomValue(options.state, 'state') });
  }
  if (options.nonce !== undefined) {
    supplied.push({ kind: 'nonce', value: checkRandomValue(options.nonce, 'nonce') });
  }
  if (options.codeVerifier !== undefined) {
    supplied.push({ kind: 'verifier', value: checkCodeVerifier(options.codeVerifier) });
  }
  const binding = {
    state: options.state ?? lib.generateRandomState(),
    // OpenID Connect only: a plain OAuth request gets no nonce, and its callback expects no ID token.
    nonce: openid ? (options.nonce ?? lib.generateRandomNonce()) : undefined,
    codeVerifier: options.codeVerifier ?? lib.generateRandomCodeVerifier(),
    redirectUri,
  };
  return { binding, supplied };
}

/** The authorization request parameters (always PKCE S256; state and nonce fresh unless the caller gives them). */
export async function buildAuthorizationParams(
  client: { issuer: string; clientId: string; redirectUri: string | undefined; dpopJkt?: string | undefined },
  options: AuthorizationUrlOptions,
): Promise<{ params: URLSearchParams } & RequestBinding> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(options.extraParams ?? {})) {
    if (PROTECTED.has(name)) {
      throw new ConfigurationError(`extraParams cannot set "${name}".`, { code: 'invalid_argument' });
    }
    params.set(name, String(value));
  }
  const scope = options.scope ?? 'openid';
  const lib = await loadOAuth();
  const { binding, supplied } = requestBinding(lib, client, options, scope.split(' ').includes('openid'));
  const { state, nonce, codeVerifier, redirectUri } = binding;
  params.set('client_id', client.clientId);
  params.set('response_type', 'code');
  params.set('redirect_uri', redirectUri);
  params.set('scope', scope);
  params.set('state', state);
  if (nonce !== undefined) {
    params.set('nonce', nonce);
  }
  params.set('code_challenge', await lib.calculatePKCECodeChallenge(codeVerifier));
  params.set('code_challenge_method', 'S256');
  if (options.prompt !== undefined) {
    params.set('prompt', options.prompt);
  }
  if (options.maxAge !== undefined) {
    if (!Number.isInteger(options.maxAge) || options.maxAge < 0) {
      throw new ConfigurationError('maxAge must be a non-negative integer (seconds).', { code: 'invalid_argument' });
    }
    params.set('max_age', String(options.maxAge));
  }
  if (options.loginHint !== undefined) {
    params.set('login_hint', options.loginHint);
  }
  for (const resource of [options.resource ?? []].flat()) {
    params.append('resource', resource);
  }
  if (client.dpopJkt) {
    params.set('dpop_jkt', client.dpopJkt);
  }
  // Last, once every option passed: a refused request records nothing.
  await recordCallerValues(client.issuer, client.clientId, supplied);
  return { params, ...binding };
}

/** Reads a pushed authorization response (RFC 9126 §2.2): 201 with `request_uri` and `expires_in`. */
export async function processParResponse(response: Response): Promise<{ request_uri: string; expires_in: number }> {
  if (response.status !== 201) {
    throw await errorFromResponse(response, 'The pushed authorization request endpoint');
  }
  let body: { request_uri?: unknown; expires_in?: unknown } | undefined;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = undefined;
  }
  if (typeof body?.request_uri !== 'string' || typeof body.expires_in !== 'number') {
    throw new InvalidResponseError('The PAR response lacks a "request_uri" or "expires_in".', {
      code: 'invalid_par_response',
      status: response.status,
    });
  }
  return { request_uri: body.request_uri, expires_in: body.expires_in };
}
