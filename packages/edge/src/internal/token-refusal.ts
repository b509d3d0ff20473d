import { ConfigurationError, KeywayError, TokenValidationError } from '@keyway/core';
import { authError, type ChallengeSettings, type Scheme } from './challenge.js';

/** Fixed descriptions of core's `TokenValidationError` codes (never the token, never remote text). */
const DESCRIPTIONS: Record<string, string> = {
  token_expired: 'The access token expired.',
  aud_mismatch: 'The access token is not meant for this resource.',
  iss_mismatch: 'The access token was issued by another issuer.',
  nbf_in_future: 'The access token is not valid yet.',
  iat_in_future: 'The access token was issued in the future.',
  invalid_signature: 'The access token signature is invalid.',
  unknown_kid: 'The access token is signed by an unknown key.',
  alg_not_allowed: 'The access token is signed with an algorithm that is not accepted.',
  malformed_jwt: 'The access token is malformed.',
  invalid_typ: 'The access token is not a JWT access token (typ at+jwt).',
};

/**
 * What a failure of core's access-token verification becomes at the edge: a refused token is
 * `invalid_token` (401, its code as the `reason`); keys or discovery that could not be had (network,
 * 5xx, a broken JWKS) are `unavailable` (503), not the token's fault. A `ConfigurationError` (the
 * caller's mistake) and anything else are returned as they are, to be thrown.
 */
export function verificationRefusal(error: unknown, settings: ChallengeSettings, scheme: Scheme): unknown {
  if (TokenValidationError.is(error)) {
    return authError(
      settings,
      scheme,
      'invalid_token',
      error.code,
      DESCRIPTIONS[error.code] ?? 'The access token is invalid.',
      {
        cause: error,
      },
    );
  }
  if (KeywayError.is(error) && !ConfigurationError.is(error)) {
    return authError(
      settings,
      scheme,
      'unavailable',
      (error as KeywayError).code,
      "The issuer's keys could not be fetched: try again later.",
      { cause: error },
    );
  }
  return error;
}
