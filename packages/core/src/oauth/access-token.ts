import type { ProtectedHeaderParameters } from 'jose';
import { TokenValidationError } from '../errors.js';
import { numericClaim } from './id-token.js';
import type { AccessTokenClaims } from './types.js';

/**
 * Options of `OAuthClient.verifyAccessToken()`.
 *
 * @example
 * ```ts
 * import type { VerifyAccessTokenOptions } from '@keyway/core';
 * const options: VerifyAccessTokenOptions = { audience: 'https://api.example.com/', requiredScopes: ['things:read'] };
 * ```
 */
export interface VerifyAccessTokenOptions {
  /** This resource server's identifier: it must be in the token's `aud`. */
  audience: string;
  /** Scopes the token must all carry (in its space-separated `scope` claim). */
  requiredScopes?: readonly string[];
}

/** What a JWT access token is checked against besides its signature. */
export interface AccessTokenExpectations extends VerifyAccessTokenOptions {
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
export function validateAccessTokenClaims(
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
