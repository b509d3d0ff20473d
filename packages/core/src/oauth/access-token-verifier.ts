import { ConfigurationError } from '../errors.js';
import { PlainTransport } from '../internal/http-attempt.js';
import { clockToleranceOption } from '../internal/options.js';
import { type AccessTokenVerificationOptions, verifyAccessToken } from './access-token.js';
import { clockOf, epochSeconds } from './clock.js';
import { fetchScope } from './fetch-scope.js';
import { ACCESS_TOKEN_ALGORITHMS, algorithmsOption } from './jwt-verify.js';
import { metadataOnDemand } from './metadata-on-demand.js';
import type { AccessTokenClaims } from './types.js';

/**
 * Verifies RFC 9068 JWT access tokens for one issuer and audience (see {@link createAccessTokenVerifier}).
 */
export interface AccessTokenVerifier {
  readonly issuer: string;
  readonly audience: string;
  /** The verified claims of `jwt`, or a `TokenValidationError` with a stable `code`. */
  verify(jwt: string, options?: Pick<AccessTokenVerificationOptions, 'requiredScopes'>): Promise<AccessTokenClaims>;
}

/**
 * Creates a verifier of RFC 9068 JWT access tokens for a resource server: no client registration
 * needed. It makes the checks of `OAuthClient.verifyAccessToken()` with the same code: `typ`
 * `at+jwt`, the signature against the issuer's JWKS (an asymmetric `alg`; an unknown `kid` refetches
 * the JWKS at most once per 30 s), `iss`, `aud`, `exp`/`iat`/`nbf` with `clockTolerance`, `sub`,
 * `client_id`, `jti`, and the required scopes. Discovery metadata and the JWKS are fetched on first use
 * and live in the same process-wide caches as `discover()`'s, keyed by `fetch`. Each fetch is sent once
 * (`retry` does not apply): a failed JWKS fetch is remembered for 30 s while the last key set keeps
 * serving for up to an hour, so a request being verified never waits out a backoff.
 *
 * Errors: `TokenValidationError` (`invalid_typ`, `invalid_signature`, `unknown_kid`, `alg_not_allowed`,
 * `malformed_jwt`, `iss_mismatch`, `aud_mismatch`, `token_expired`, `iat_in_future`, `nbf_in_future`,
 * `<claim>_missing`, `insufficient_scope`); discovery or JWKS failures as `InvalidResponseError`,
 * `KeywayConnectionError`, `KeywayTimeoutError`; `ConfigurationError` for bad options.
 *
 * @example
 * ```ts
 * import { createAccessTokenVerifier } from '@keyway/core';
 *
 * const verifier = createAccessTokenVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   requiredScopes: ['things:read'],
 * });
 * declare const bearer: string;
 * const claims = await verifier.verify(bearer);
 * console.log(claims.sub, claims.scope);
 * ```
 */
export function createAccessTokenVerifier(options: AccessTokenVerificationOptions): AccessTokenVerifier {
  const issuer = options?.issuer === undefined ? '' : String(options.issuer);
  const audience = options?.audience;
  if (issuer === '' || typeof audience !== 'string' || audience === '') {
    throw new ConfigurationError('createAccessTokenVerifier needs an `issuer` and an `audience`.', {
      code: 'invalid_options',
    });
  }
  const http = new PlainTransport(options);
  const scope = fetchScope(options.fetch);
  const clockTolerance = clockToleranceOption(options.clockTolerance);
  const algorithms = algorithmsOption(options.algorithms, ACCESS_TOKEN_ALGORITHMS);
  const metadataAt = metadataOnDemand(issuer, options, http, scope);

  const verifier: AccessTokenVerifier = {
    issuer,
    audience,
    async verify(jwt, callOptions = {}) {
      const clock = clockOf(verifier);
      const { jwks_uri, issuer: expectedIssuer } = await metadataAt(clock);
      const requiredScopes = callOptions.requiredScopes?.length
        ? [...(options.requiredScopes ?? []), ...callOptions.requiredScopes]
        : options.requiredScopes;
      // Fields listed, not spread: see OAuthClient.verifyAccessToken.
      return verifyAccessToken(
        jwt,
        {
          algorithms,
          jwksUri: jwks_uri,
          allowInsecureRequests: options.allowInsecureRequests,
          http,
          scope,
          clock,
          onCacheUpdate: options.onCacheUpdate,
        },
        { audience, requiredScopes, issuer: expectedIssuer, now: epochSeconds(clock), clockTolerance },
      );
    },
  };
  return verifier;
}
