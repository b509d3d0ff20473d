import { TokenValidationError } from '../errors.js';
import { isRecord } from '../internal/is-record.js';
import { numericClaim } from './id-token.js';

/** The event a back-channel logout token carries (OpenID Connect Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

/**
 * A logout token older than this (seconds, by its `iat`) is refused: its `jti` is remembered this long
 * (plus twice the clock tolerance), so every token still accepted has its replay caught.
 */
export const LOGOUT_TOKEN_MAX_AGE = 600;

/**
 * The verified claims of an OpenID Connect back-channel logout token: who is logged out (`sub`, the
 * user at the provider, and/or `sid`, one session of theirs).
 */
export interface LogoutTokenClaims {
  iss: string;
  aud: string | string[];
  iat: number;
  exp: number;
  jti: string;
  events: { [BACKCHANNEL_LOGOUT_EVENT]: Record<string, unknown>; [event: string]: unknown };
  /** The subject logged out; absent when the provider names only the session. */
  sub?: string;
  /** The session logged out (the ID token's `sid`); absent when the provider names only the subject. */
  sid?: string;
  [claim: string]: unknown;
}

/** What a logout token must satisfy besides its signature. */
interface LogoutTokenExpectations {
  issuer: string;
  clientId: string;
  /** Epoch seconds. */
  now: number;
  /** Seconds. */
  clockTolerance: number;
}

function fail(code: string, message: string): never {
  throw new TokenValidationError(message, { code });
}

/** `typ` (§2.4): explicitly typed `logout+jwt`, or the untyped/`JWT` forms earlier providers send. */
export function checkLogoutTokenType(typ: unknown): void {
  if (typ === undefined) {
    return;
  }
  const type = typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : undefined;
  if (type !== 'logout+jwt' && type !== 'jwt') {
    fail('invalid_typ', 'Not a logout token (typ must be logout+jwt).');
  }
}

/** An optional claim that, when present, must be a non-empty string. */
function optionalString(claims: Record<string, unknown>, name: 'sub' | 'sid'): string | undefined {
  const value = claims[name];
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || value.length === 0) {
    fail(`${name}_invalid`, `The logout token's "${name}" claim is not a non-empty string.`);
  }
  return value;
}

/**
 * Checks a logout token's claims (OpenID Connect Back-Channel Logout 1.0 §2.6, steps 3-7). Pure: no
 * I/O, time passed in. The `jti` replay check is the caller's (it needs the store).
 *
 * Error codes (`TokenValidationError`): `events_missing`, `events_invalid`, `nonce_present`,
 * `iss_mismatch`, `aud_mismatch`, `iat_missing`, `iat_invalid`, `iat_in_future`, `iat_too_old`,
 * `exp_missing`, `exp_invalid`, `token_expired`, `nbf_in_future`, `jti_missing`, `sub_invalid`,
 * `sid_invalid`, `sub_and_sid_missing`.
 */
export function validateLogoutTokenClaims(
  claims: Record<string, unknown>,
  expected: LogoutTokenExpectations,
): LogoutTokenClaims {
  const { now, clockTolerance: tolerance } = expected;
  // First what tells a logout token from any other JWT of the issuer (an ID token above all).
  if (claims.events === undefined) {
    fail('events_missing', 'The token has no "events" claim: it is no logout token.');
  }
  if (!isRecord(claims.events) || !isRecord(claims.events[BACKCHANNEL_LOGOUT_EVENT])) {
    fail('events_invalid', `The logout token's "events" claim lacks the ${BACKCHANNEL_LOGOUT_EVENT} event object.`);
  }
  if (claims.nonce !== undefined) {
    // §2.4: a logout token never carries a nonce, so that it cannot pass for an ID token (or one for it).
    fail('nonce_present', 'The logout token carries a "nonce": it may be an ID token.');
  }
  if (claims.iss !== expected.issuer) {
    fail('iss_mismatch', 'The logout token was issued by another issuer.');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.every((value) => typeof value === 'string') || !audiences.includes(expected.clientId)) {
    fail('aud_mismatch', 'The logout token is not meant for this client (aud).');
  }
  const iat = numericClaim(claims, 'iat', true, 'logout token') as number;
  if (iat - tolerance > now) {
    fail('iat_in_future', 'The logout token was issued in the future (iat).');
  }
  if (iat + LOGOUT_TOKEN_MAX_AGE + tolerance < now) {
    fail('iat_too_old', `The logout token was issued more than ${LOGOUT_TOKEN_MAX_AGE} s ago (iat).`);
  }
  const exp = numericClaim(claims, 'exp', true, 'logout token') as number;
  if (exp + tolerance <= now) {
    fail('token_expired', 'The logout token has expired.');
  }
  const nbf = numericClaim(claims, 'nbf', false, 'logout token');
  if (nbf !== undefined && nbf - tolerance > now) {
    fail('nbf_in_future', 'The logout token is not valid yet (nbf).');
  }
  if (typeof claims.jti !== 'string' || claims.jti.length === 0) {
    fail('jti_missing', 'The logout token has no "jti" (its replays could not be refused).');
  }
  const sub = optionalString(claims, 'sub');
  const sid = optionalString(claims, 'sid');
  if (sub === undefined && sid === undefined) {
    fail('sub_and_sid_missing', 'The logout token names neither a subject (sub) nor a session (sid).');
  }
  return claims as LogoutTokenClaims;
}
