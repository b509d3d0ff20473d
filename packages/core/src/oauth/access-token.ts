import type { ProtectedHeaderParameters } from 'jose';
import { TokenValidationError } from '../errors.js';
import type { HttpOptions } from '../internal/http.js';
import { numericClaim } from './id-token.js';
import { type JwtVerification, verifyJwt } from './jwt-verify.js';
import type { AccessTokenClaims, OAuthCacheUpdate } from './types.js';

/**
 * How an RFC 9068 JWT access token is verified: the one options type of every access-token verifier.
 * `createAccessTokenVerifier()` takes it whole; its `verify(jwt, options)` takes `requiredScopes`
 * per call; `OAuthClient.verifyAccessToken(jwt, options)` takes `audience` and `requiredScopes` (the
 * issuer, transport and tolerance are the client's); `@keyway/edge`'s `createVerifier()` extends it
 * with what only the edge has (`realm`, `dpop`, `kv`). A verifier sends its discovery and JWKS fetches
 * once (`retry` applies to `OAuthClient`'s own fetches only).
 */
export interface AccessTokenVerificationOptions extends HttpOptions {
  /** The issuer, exactly as in its metadata; discovered (OpenID Connect or RFC 8414 well-known URL). */
  issuer: string | URL;
  /** This resource server's identifier: it must be in the token's `aud`. */
  audience: string;
  /**
   * Scopes the token must all carry (in its space-separated `scope` claim). Given to a verifier, every
   * token needs them; given to one call, that call needs them besides the verifier's.
   */
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
 * Options of `createAccessTokenVerifier()`.
 *
 * @deprecated Use {@link AccessTokenVerificationOptions}, the same type under the name every
 * access-token verifier shares.
 */
export type AccessTokenVerifierOptions = AccessTokenVerificationOptions;

/**
 * Per-call options of `AccessTokenVerifier.verify()`.
 *
 * @deprecated Use `Pick<AccessTokenVerificationOptions, 'requiredScopes'>`.
 */
export type AccessTokenVerifyOptions = Pick<AccessTokenVerificationOptions, 'requiredScopes'>;

/**
 * Options of `OAuthClient.verifyAccessToken()`.
 *
 * @deprecated Use `Pick<AccessTokenVerificationOptions, 'audience' | 'requiredScopes'>`.
 */
export type VerifyAccessTokenOptions = Pick<AccessTokenVerificationOptions, 'audience' | 'requiredScopes'>;

/**
 * What a JWT access token is checked against besides its signature: the verification options,
 * resolved (the issuer as its metadata spells it, the tolerance validated) and the time of the check.
 */
interface AccessTokenExpectations extends Pick<AccessTokenVerificationOptions, 'audience' | 'requiredScopes'> {
  issuer: string;
  /** Epoch seconds. */
  now: number;
  /** Seconds. */
  clockTolerance: number;
}

function fail(code: string, message: string): never {
  throw new TokenValidationError(message, { code });
}

/**
 * Checks an RFC 9068 JWT access token's header and claims. Pure: no I/O.
 *
 * Error codes: `invalid_typ`, `iss_mismatch`, `aud_mismatch`, `<claim>_missing` (exp, iat, sub,
 * client_id, jti), `<claim>_invalid` (exp, iat, nbf not a number), `token_expired`, `iat_in_future`, `nbf_in_future`, `insufficient_scope`.
 */
function validateAccessTokenClaims(
  header: ProtectedHeaderParameters,
  claims: Record<string, unknown>,
  expected: AccessTokenExpectations,
): AccessTokenClaims {
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (typ !== 'at+jwt' && typ !== 'application/at+jwt') {
    fail('invalid_typ', 'Not an RFC 9068 access token (typ must be at+jwt).');
  }
  if (claims.iss !== expected.issuer) {
    fail('iss_mismatch', 'The access token was issued by another issuer.');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expected.audience)) {
    fail('aud_mismatch', 'The access token is not meant for this audience (aud).');
  }
  const exp = numericClaim(claims, 'exp', true, 'access token') as number;
  const iat = numericClaim(claims, 'iat', true, 'access token') as number;
  const nbf = numericClaim(claims, 'nbf', false, 'access token');
  for (const name of ['sub', 'client_id', 'jti'] as const) {
    if (typeof claims[name] !== 'string' || claims[name] === '') {
      fail(`${name}_missing`, `The access token's "${name}" claim is missing.`);
    }
  }
  const { now, clockTolerance: tolerance } = expected;
  if (exp + tolerance <= now) {
    fail('token_expired', 'The access token has expired.');
  }
  if (iat - tolerance > now) {
    fail('iat_in_future', 'The access token was issued in the future (iat).');
  }
  if (nbf !== undefined && nbf - tolerance > now) {
    fail('nbf_in_future', 'The access token is not valid yet (nbf).');
  }
  if (expected.requiredScopes?.length) {
    // RFC 6749 §3.3: scopes are separated by U+0020 only ("read\twrite" is one scope, not two).
    const granted = new Set(typeof claims.scope === 'string' ? claims.scope.split(' ') : []);
    const missing = expected.requiredScopes.filter((scope) => !granted.has(scope));
    if (missing.length > 0) {
      fail('insufficient_scope', `The access token lacks the scope(s) ${missing.join(', ')}.`);
    }
  }
  return claims as AccessTokenClaims;
}

/**
 * The one access-token verification, whoever asks (`OAuthClient.verifyAccessToken()`, the verifiers of
 * `createAccessTokenVerifier()` and so `@keyway/edge`): the signature against the issuer's JWKS
 * (`keys`), then the RFC 9068 header and claims (`expected`).
 */
export async function verifyAccessToken(
  jwt: string,
  keys: JwtVerification,
  expected: AccessTokenExpectations,
): Promise<AccessTokenClaims> {
  const { header, payload } = await verifyJwt(jwt, keys);
  return validateAccessTokenClaims(header, payload, expected);
}
