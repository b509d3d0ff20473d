import { TokenValidationError } from '../errors.js';
import type { IdTokenClaims } from '../token-set.js';
import { DEFAULT_ALGORITHMS, type JwtVerification, verifyJwt } from './jwt-verify.js';

/** What an ID token must satisfy besides its signature. */
export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  /** Epoch seconds. */
  now: number;
  /** Seconds. */
  clockTolerance: number;
  /**
   * The nonce sent in the authorization request; `null` when none was sent (the token must then
   * carry none); `undefined` skips the check (refresh, device flow).
   */
  nonce?: string | null | undefined;
  /** The `max_age` sent in the authorization request (seconds); makes `auth_time` required. */
  maxAge?: number | undefined;
  /** The subject the token must be about (refresh: the previous ID token's `sub`). */
  expectedSubject?: string | undefined;
}

function fail(code: string, message: string): never {
  throw new TokenValidationError(message, { code });
}

function numeric(claims: Record<string, unknown>, name: string, required: boolean): number | undefined {
  const value = claims[name];
  if (value === undefined && !required) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fail(`${name}_missing`, `The ID token's "${name}" claim is missing or not a number.`);
  }
  return value;
}

/**
 * Checks ID token claims (OpenID Connect Core §3.1.3.7, §12.2). Pure: no I/O, time passed in.
 *
 * Error codes: `iss_mismatch`, `aud_mismatch`, `azp_mismatch`, `exp_missing`, `token_expired`,
 * `iat_missing`, `iat_in_future`, `nbf_in_future`, `sub_missing`, `sub_mismatch`, `nonce_mismatch`,
 * `auth_time_missing`, `auth_time_too_old`.
 */
export function validateIdTokenClaims(claims: Record<string, unknown>, expected: IdTokenExpectations): IdTokenClaims {
  const { now, clockTolerance: tolerance } = expected;
  if (claims.iss !== expected.issuer) {
    fail('iss_mismatch', 'The ID token was issued by another issuer.');
  }
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.every((value) => typeof value === 'string') || !audiences.includes(expected.clientId)) {
    fail('aud_mismatch', 'The ID token is not meant for this client (aud).');
  }
  if ((audiences.length > 1 || claims.azp !== undefined) && claims.azp !== expected.clientId) {
    fail('azp_mismatch', 'The ID token names another authorized party (azp).');
  }
  const exp = numeric(claims, 'exp', true) as number;
  if (exp + tolerance <= now) {
    fail('token_expired', 'The ID token has expired.');
  }
  const iat = numeric(claims, 'iat', true) as number;
  if (iat - tolerance > now) {
    fail('iat_in_future', 'The ID token was issued in the future (iat).');
  }
  const nbf = numeric(claims, 'nbf', false);
  if (nbf !== undefined && nbf - tolerance > now) {
    fail('nbf_in_future', 'The ID token is not valid yet (nbf).');
  }
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) {
    fail('sub_missing', 'The ID token has no subject (sub).');
  }
  if (expected.expectedSubject !== undefined && claims.sub !== expected.expectedSubject) {
    fail('sub_mismatch', 'The ID token is about another subject than expected (sub).');
  }
  if (expected.nonce !== undefined && claims.nonce !== (expected.nonce ?? undefined)) {
    fail('nonce_mismatch', 'The ID token nonce does not match the one sent.');
  }
  if (expected.maxAge !== undefined) {
    const authTime = claims.auth_time;
    if (typeof authTime !== 'number' || !Number.isFinite(authTime)) {
      fail('auth_time_missing', 'max_age was requested but the ID token has no auth_time.');
    }
    if (authTime + expected.maxAge + tolerance < now) {
      fail('auth_time_too_old', 'The end-user authenticated longer ago than max_age allows.');
    }
  } else if (claims.auth_time !== undefined) {
    numeric(claims, 'auth_time', false);
  }
  return claims as IdTokenClaims;
}

/** Settings an ID token is verified with, from the client's options. */
export interface IdTokenSettings {
  /** The registered ID token signing algorithm. */
  signedResponseAlg: string;
}

/**
 * Verifies an ID token's signature against the issuer's JWKS (always) and then its claims.
 *
 * @returns the validated claims
 */
export async function verifyIdToken(
  idToken: string,
  settings: IdTokenSettings,
  verification: Omit<JwtVerification, 'algorithms' | 'allowNone'>,
  expected: IdTokenExpectations,
): Promise<IdTokenClaims> {
  const alg = settings.signedResponseAlg;
  const algorithms =
    alg === 'none' || DEFAULT_ALGORITHMS.includes(alg) ? DEFAULT_ALGORITHMS : [...DEFAULT_ALGORITHMS, alg];
  const { payload } = await verifyJwt(idToken, {
    algorithms,
    allowNone: alg === 'none',
    hmacSecret: verification.hmacSecret,
    jwksUri: verification.jwksUri,
    http: verification.http,
    scope: verification.scope,
    clock: verification.clock,
  });
  return validateIdTokenClaims(payload, expected);
}
