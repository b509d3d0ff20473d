import { ConfigurationError } from '../errors.js';
import { HttpClient, type HttpOptions } from '../internal/http.js';
import { clockToleranceOption } from '../internal/options.js';
import { type AccessTokenExpectations, validateAccessTokenClaims } from './access-token.js';
import { clockOf, epochSeconds } from './clock.js';
import { discoverMetadata, METADATA_TTL } from './discover.js';
import { fetchScope } from './fetch-scope.js';
import { ACCESS_TOKEN_ALGORITHMS, algorithmsOption, type JwtVerification, verifyJwt } from './jwt-verify.js';
import type { AccessTokenClaims, AuthorizationServerMetadata, OAuthCacheUpdate } from './types.js';

/**
 * Options of {@link createAccessTokenVerifier}.
 *
 * @example
 * ```ts
 * import type { AccessTokenVerifierOptions } from '@keyway/core';
 * const options: AccessTokenVerifierOptions = {
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   requiredScopes: ['things:read'],
 * };
 * ```
 */
export interface AccessTokenVerifierOptions extends HttpOptions {
  /** The issuer, exactly as in its metadata; discovered (OpenID Connect or RFC 8414 well-known URL). */
  issuer: string | URL;
  /** This resource server's identifier: it must be in the token's `aud`. */
  audience: string;
  /** Scopes every token must carry; `verify(jwt, { requiredScopes })` adds more. */
  requiredScopes?: readonly string[];
  /** Seconds of tolerance for `exp`, `iat` and `nbf` (default 30). */
  clockTolerance?: number;
  /** Accepted signing algorithms (default: RS/PS/ES 256-512, EdDSA, Ed25519; asymmetric only). */
  algorithms?: readonly string[];
  /** Allows a plain `http:` issuer that is not loopback. Loopback hosts are always allowed. */
  allowInsecureRequests?: boolean;
  /**
   * Called after a fetch made for this verifier stored new metadata or a new JWKS in the shared
   * caches: the moment to write a snapshot (`snapshotOAuthCache()`). What it throws is ignored.
   */
  onCacheUpdate?: (event: OAuthCacheUpdate) => void;
}

/**
 * Per-call options of {@link AccessTokenVerifier.verify}.
 *
 * @example
 * ```ts
 * import type { AccessTokenVerifyOptions } from '@keyway/core';
 * const options: AccessTokenVerifyOptions = { requiredScopes: ['things:write'] };
 * ```
 */
export interface AccessTokenVerifyOptions {
  /** Scopes this call needs besides the verifier's. */
  requiredScopes?: readonly string[];
}

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
  verify(jwt: string, options?: AccessTokenVerifyOptions): Promise<AccessTokenClaims>;
}

/**
 * Creates a verifier of RFC 9068 JWT access tokens for a resource server: no client registration
 * needed. It makes the checks of `OAuthClient.verifyAccessToken()` with the same code: `typ`
 * `at+jwt`, the signature against the issuer's JWKS (an asymmetric `alg`; an unknown `kid` refetches
 * the JWKS at most once per 30 s), `iss`, `aud`, `exp`/`iat`/`nbf` with `clockTolerance`, `sub`,
 * `client_id`, `jti`, and the required scopes. Discovery metadata and the JWKS are fetched on first use
 * and live in the same process-wide caches as `discover()`'s, keyed by `fetch`.
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
export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const issuer = options?.issuer === undefined ? '' : String(options.issuer);
  const audience = options?.audience;
  if (issuer === '' || typeof audience !== 'string' || audience === '') {
    throw new ConfigurationError('createAccessTokenVerifier needs an `issuer` and an `audience`.', {
      code: 'invalid_options',
    });
  }
  const http = new HttpClient(options);
  const scope = fetchScope(options.fetch);
  const clockTolerance = clockToleranceOption(options.clockTolerance);
  const algorithms = algorithmsOption(options.algorithms, ACCESS_TOKEN_ALGORITHMS);
  let metadata: { value: Promise<AuthorizationServerMetadata>; at: number } | undefined;

  const verifier: AccessTokenVerifier = {
    issuer,
    audience,
    async verify(jwt, callOptions = {}) {
      const clock = clockOf(verifier);
      if (!metadata || clock.now() - metadata.at >= METADATA_TTL) {
        const current = { value: discoverMetadata(issuer, options), at: clock.now() };
        metadata = current;
        current.value.catch(() => {
          if (metadata === current) {
            metadata = undefined; // a failed discovery is tried again by the next call
          }
        });
      }
      const { jwks_uri, issuer: expectedIssuer } = await metadata.value;
      const verification: JwtVerification = {
        algorithms,
        jwksUri: jwks_uri,
        allowInsecureRequests: options.allowInsecureRequests,
        http,
        scope,
        clock,
        onCacheUpdate: options.onCacheUpdate,
      };
      const { header, payload } = await verifyJwt(jwt, verification);
      const requiredScopes = callOptions.requiredScopes?.length
        ? [...(options.requiredScopes ?? []), ...callOptions.requiredScopes]
        : options.requiredScopes;
      // Fields listed, not spread: see OAuthClient.verifyAccessToken.
      const expected: AccessTokenExpectations = {
        audience,
        requiredScopes,
        issuer: expectedIssuer,
        now: epochSeconds(clock),
        clockTolerance,
      };
      return validateAccessTokenClaims(header, payload, expected);
    },
  };
  return verifier;
}
