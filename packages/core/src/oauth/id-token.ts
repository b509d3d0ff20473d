import { TokenValidationError } from '../errors.js';
import type { IdTokenClaims } from '../token-set.js';
import { encodeBase64url } from './jws.js';
import { ACCESS_TOKEN_ALGORITHMS, type JwtVerification, verifyJwt } from './jwt-verify.js';

/** What an ID token must satisfy besides its signature. */
interface IdTokenExpectations {
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

/**
 * A NumericDate claim (RFC 7519 §2): absent is `<name>_missing` when required, anything but a finite
 * number (a string, `null`, an object) is `<name>_invalid` — never a check silently skipped.
 */
export function numericClaim(
  claims: Record<string, unknown>,
  name: string,
  required: boolean,
  what = 'ID token',
): number | undefined {
  const value = claims[name];
  if (value === undefined) {
    return required ? fail(`${name}_missing`, `The ${what}'s "${name}" claim is missing.`) : undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fail(`${name}_invalid`, `The ${what}'s "${name}" claim is not a number.`);
  }
  return value;
}

/**
 * Checks ID token claims (OpenID Connect Core §3.1.3.7, §12.2). Pure: no I/O, time passed in.
 *
 * Error codes: `iss_mismatch`, `aud_mismatch`, `azp_mismatch`, `exp_missing`, `token_expired`,
 * `iat_missing`, `iat_in_future`, `nbf_in_future`, `<claim>_invalid` (exp, iat, nbf, auth_time not
 * a number), `sub_missing`, `sub_mismatch`, `nonce_mismatch`, `auth_time_missing`, `auth_time_too_old`.
 */
function validateIdTokenClaims(claims: Record<string, unknown>, expected: IdTokenExpectations): IdTokenClaims {
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
  const exp = numericClaim(claims, 'exp', true) as number;
  if (exp + tolerance <= now) {
    fail('token_expired', 'The ID token has expired.');
  }
  const iat = numericClaim(claims, 'iat', true) as number;
  if (iat - tolerance > now) {
    fail('iat_in_future', 'The ID token was issued in the future (iat).');
  }
  const nbf = numericClaim(claims, 'nbf', false);
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
  const authTime = numericClaim(claims, 'auth_time', false);
  if (expected.maxAge !== undefined) {
    if (authTime === undefined) {
      fail('auth_time_missing', 'max_age was requested but the ID token has no auth_time.');
    }
    if (authTime + expected.maxAge + tolerance < now) {
      fail('auth_time_too_old', 'The end-user authenticated longer ago than max_age allows.');
    }
  }
  return claims as IdTokenClaims;
}

/** Settings an ID token is verified with, from the client's options. */
interface IdTokenSettings {
  /**
   * The algorithms accepted: the one the client registered (`idTokenSignedResponseAlg`), else the
   * provider's advertised asymmetric ones, else RS256 (see {@link idTokenAlgorithms}).
   */
  algorithms: readonly string[];
  /** The access token issued with the ID token: its `at_hash` is checked when the token has one. */
  accessToken?: string | undefined;
}

/**
 * The `alg`s an ID token may use (OpenID Connect Registration `id_token_signed_response_alg`): only
 * the registered one when the client says; otherwise the provider's advertised
 * `id_token_signing_alg_values_supported` that are asymmetric and implemented; otherwise RS256.
 * `none` and HS* are accepted only when registered explicitly.
 */
export function idTokenAlgorithms(registered: string | undefined, advertised: unknown): readonly string[] {
  if (registered !== undefined) {
    return [registered];
  }
  const usable = Array.isArray(advertised)
    ? advertised.filter(
        (alg): alg is string => typeof alg === 'string' && ACCESS_TOKEN_ALGORITHMS.includes(alg) && !/^HS/.test(alg),
      )
    : [];
  return usable.length > 0 ? usable : ['RS256'];
}

/** The hash `at_hash` uses for `alg` (OpenID Connect Core §3.1.3.6; EdDSA/Ed25519: SHA-512). */
function atHashDigest(alg: string): string | undefined {
  const bits = /^(?:RS|PS|ES|HS)(256|384|512)$/.exec(alg)?.[1];
  if (bits) {
    return `SHA-${bits}`;
  }
  return alg === 'EdDSA' || alg === 'Ed25519' ? 'SHA-512' : undefined;
}

/**
 * Checks `at_hash` (OpenID Connect Core §3.1.3.8): the base64url of the left half of the hash of the
 * access token, the hash chosen by the ID token's `alg`. A wrong one means the access token was swapped.
 */
async function checkAtHash(atHash: unknown, alg: string, accessToken: string): Promise<void> {
  const digest = atHashDigest(alg);
  if (typeof atHash !== 'string' || digest === undefined) {
    fail('at_hash_mismatch', "The ID token's at_hash cannot be checked.");
  }
  const hash = new Uint8Array(await crypto.subtle.digest(digest, new TextEncoder().encode(accessToken)));
  if (encodeBase64url(hash.subarray(0, hash.length / 2)) !== atHash) {
    fail('at_hash_mismatch', "The ID token's at_hash does not match the access token.");
  }
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
  const { algorithms } = settings;
  const allowNone = algorithms.length === 1 && algorithms[0] === 'none';
  const { header, payload } = await verifyJwt(idToken, {
    algorithms: allowNone ? [] : algorithms,
    allowNone,
    hmacSecret: verification.hmacSecret,
    jwksUri: verification.jwksUri,
    allowInsecureRequests: verification.allowInsecureRequests,
    http: verification.http,
    scope: verification.scope,
    clock: verification.clock,
  });
  const claims = validateIdTokenClaims(payload, expected);
  if (payload.at_hash !== undefined && settings.accessToken !== undefined) {
    await checkAtHash(payload.at_hash, header.alg as string, settings.accessToken);
  }
  return claims;
}
