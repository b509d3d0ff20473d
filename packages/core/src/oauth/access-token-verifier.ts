import { ConfigurationError } from '../errors.js';
import { PlainTransport, type Transport } from '../internal/http-attempt.js';
import { clockToleranceOption } from '../internal/options.js';
import { parseServiceUrl } from '../internal/url.js';
import { type AccessTokenVerificationOptions, verifyAccessToken } from './access-token.js';
import { type Clock, clockOf, epochSeconds } from './clock.js';
import { cachedMetadata, METADATA_TTL, restoreMetadata } from './discover.js';
import { fetchMetadata } from './discovery-document.js';
import { type FetchScope, fetchScope, reportCacheUpdate } from './fetch-scope.js';
import { ACCESS_TOKEN_ALGORITHMS, algorithmsOption } from './jwt-verify.js';
import type { AccessTokenClaims, ProviderMetadata } from './types.js';

/**
 * Verifies RFC 9068 JWT access tokens for one issuer and audience (see {@link createAccessTokenVerifier}).
 *
 * @example
 * ```ts
 * import { type AccessTokenVerifier, createAccessTokenVerifier } from '@keyway/core';
 * const verifier: AccessTokenVerifier = createAccessTokenVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * ```
 */
export interface AccessTokenVerifier {
  readonly issuer: string;
  readonly audience: string;
  /** The verified claims of `jwt`, or a `TokenValidationError` with a stable `code`. */
  verify(jwt: string, options?: Pick<AccessTokenVerificationOptions, 'requiredScopes'>): Promise<AccessTokenClaims>;
}

/**
 * The issuer's metadata from the cache `discover()` fills for this `fetch`, else fetched and put there
 * (so `discover()`, other verifiers and `snapshotOAuthCache()` see it). Fetched without oauth4webapi:
 * a bundle with only a verifier does not contain the OAuth client.
 */
async function sharedMetadata(
  issuer: string,
  options: AccessTokenVerificationOptions,
  http: Transport,
  scope: FetchScope,
): Promise<ProviderMetadata> {
  parseServiceUrl(issuer, 'The issuer', options.allowInsecureRequests);
  const cached = cachedMetadata(scope).find((entry) => entry.issuer === issuer);
  if (cached) {
    return cached.metadata;
  }
  const fetchedAt = Date.now();
  const metadata = await fetchMetadata(issuer, http);
  restoreMetadata(scope, issuer, metadata, fetchedAt);
  reportCacheUpdate(options.onCacheUpdate, { kind: 'metadata', url: issuer });
  return metadata;
}

/**
 * The issuer's metadata for a verifier: looked up on first use, again after {@link METADATA_TTL}, and
 * again by the next call after a failed discovery. Concurrent calls share one lookup.
 */
function metadataOnDemand(
  issuer: string,
  options: AccessTokenVerificationOptions,
  http: Transport,
  scope: FetchScope,
): (clock: Clock) => Promise<ProviderMetadata> {
  let metadata: { value: Promise<ProviderMetadata>; at: number } | undefined;
  return (clock) => {
    if (!metadata || clock.now() - metadata.at >= METADATA_TTL) {
      const current = { value: sharedMetadata(issuer, options, http, scope), at: clock.now() };
      metadata = current;
      current.value.catch(() => {
        if (metadata === current) {
          metadata = undefined;
        }
      });
    }
    return metadata.value;
  };
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
