import * as oauth from 'oauth4webapi';
import { ConfigurationError, InvalidResponseError } from '../errors.js';
import { errorFromResponse } from './errors-map.js';

/**
 * Options of `OAuthClient.createAuthorizationUrl()`.
 *
 * @example
 * ```ts
 * import type { AuthorizationUrlOptions } from '@keyway/core';
 * const options: AuthorizationUrlOptions = { scope: 'openid email offline_access', prompt: 'consent', maxAge: 600 };
 * ```
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
}

/**
 * What `createAuthorizationUrl()` returns: send the user to `url` and keep the rest (server-side or
 * in an encrypted cookie) for `handleCallback()`, which takes this object as is.
 *
 * @example
 * ```ts
 * import type { AuthorizationRequest } from '@keyway/core';
 * declare const request: AuthorizationRequest;
 * const location = request.url.href;
 * ```
 */
export interface AuthorizationRequest {
  url: URL;
  state: string;
  /** The nonce sent: only when the scope holds `openid` (no ID token is expected otherwise). */
  nonce?: string;
  /** The PKCE code verifier. A secret: keep it server-side. */
  codeVerifier: string;
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

/** The authorization request parameters (always PKCE S256, a fresh state and nonce). */
export async function buildAuthorizationParams(
  client: { clientId: string; redirectUri: string; dpopJkt?: string | undefined },
  options: AuthorizationUrlOptions,
): Promise<{ params: URLSearchParams; state: string; nonce: string | undefined; codeVerifier: string }> {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(options.extraParams ?? {})) {
    if (PROTECTED.has(name)) {
      throw new ConfigurationError(`extraParams cannot set "${name}".`, { code: 'invalid_argument' });
    }
    params.set(name, String(value));
  }
  const state = oauth.generateRandomState();
  const scope = options.scope ?? 'openid';
  // OpenID Connect only: a plain OAuth request gets no nonce, and its callback expects no ID token.
  const nonce = scope.split(' ').includes('openid') ? oauth.generateRandomNonce() : undefined;
  const codeVerifier = oauth.generateRandomCodeVerifier();
  params.set('client_id', client.clientId);
  params.set('response_type', 'code');
  params.set('redirect_uri', client.redirectUri);
  params.set('scope', scope);
  params.set('state', state);
  if (nonce !== undefined) {
    params.set('nonce', nonce);
  }
  params.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
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
  return { params, state, nonce, codeVerifier };
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
