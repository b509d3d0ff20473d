import type { ProtectedHeaderParameters } from 'jose';
import { ConfigurationError, TokenValidationError } from '../errors.js';
import type { HttpClient } from '../internal/http.js';
import type { Clock } from './clock.js';
import { getJwks, refreshJwks, verificationKeys } from './jwks-cache.js';
import { type DecodedJws, decodeJws, importHmacKey, type JwsAlgorithm, jwsAlgorithm, verifySignature } from './jws.js';

/** Asymmetric algorithms accepted for ID tokens unless configured otherwise. */
export const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'];

/** Asymmetric algorithms accepted for JWT access tokens (RFC 9068) and signed userinfo responses. */
export const ACCESS_TOKEN_ALGORITHMS: readonly string[] = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** Where and how a JWS is verified. */
export interface JwtVerification {
  /** Allowed `alg` values (never `none` here; see `allowNone`). */
  algorithms: readonly string[];
  /** Accept an unsecured (`alg: none`) JWT: only when the client registered `none` for ID tokens. */
  allowNone?: boolean;
  /** The client secret, for HS* algorithms when the client registered one. */
  hmacSecret?: string | undefined;
  jwksUri: string | undefined;
  http: HttpClient;
  clock: Clock;
}

/** A verified JWS: its protected header and JSON payload. */
export interface VerifiedJwt {
  header: ProtectedHeaderParameters;
  payload: Record<string, unknown>;
}

function fail(code: string, message: string): never {
  throw new TokenValidationError(message, { code });
}

/**
 * Verifies a compact JWS against the issuer's JWKS: the `alg` must be on the allow-list, candidate
 * keys are chosen by `kid` and bound to the algorithm, an unknown `kid` refetches the JWKS once per
 * cooldown. Claims are NOT checked here (see id-token.ts and access-token.ts).
 *
 * The token is decoded once; the keys imported for a (JWKS, `alg`, `kid`) are reused until the JWKS
 * is refetched, so a warm call costs the decoding, a map lookup and one `crypto.subtle.verify`.
 *
 * Error codes: `malformed_jwt`, `alg_not_allowed`, `unknown_kid`, `invalid_signature`.
 */
export async function verifyJwt(token: string, options: JwtVerification): Promise<VerifiedJwt> {
  const jws = decodeJws(token);
  const { header, payload } = jws;
  const alg = header.alg;
  if (alg === 'none') {
    if (!options.allowNone || jws.signature.length !== 0) {
      fail('alg_not_allowed', 'Unsigned JWTs (alg "none") are not accepted.');
    }
    return { header, payload };
  }
  const algorithm = options.algorithms.includes(alg) ? jwsAlgorithm(alg) : undefined;
  if (!algorithm) {
    return fail('alg_not_allowed', `JWT algorithm ${alg} is not allowed.`);
  }
  if (algorithm.kty === 'oct') {
    if (!options.hmacSecret) {
      fail('alg_not_allowed', `JWT algorithm ${alg} needs a client secret.`);
    }
    const key = await importHmacKey(algorithm, options.hmacSecret);
    return (await verifySignature(algorithm, key, jws.signature, jws.signingInput))
      ? { header, payload }
      : fail('invalid_signature', 'Invalid JWT signature.');
  }
  if (!options.jwksUri) {
    throw new ConfigurationError('The provider publishes no jwks_uri: JWT signatures cannot be verified.', {
      code: 'missing_endpoint',
    });
  }
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  let keys = await verificationKeys(await getJwks(options.jwksUri, options.http, options.clock), alg, kid);
  if (keys.length === 0) {
    const refreshed = await refreshJwks(options.jwksUri, options.http, options.clock);
    keys = refreshed ? await verificationKeys(refreshed, alg, kid) : [];
  }
  if (keys.length === 0) {
    fail('unknown_kid', `No key in the issuer's JWKS matches kid ${kid ?? '(none)'} and alg ${alg}.`);
  }
  return verifyWithAny(jws, algorithm, keys);
}

async function verifyWithAny(
  jws: DecodedJws,
  algorithm: JwsAlgorithm,
  keys: readonly CryptoKey[],
): Promise<VerifiedJwt> {
  for (const key of keys) {
    if (await verifySignature(algorithm, key, jws.signature, jws.signingInput)) {
      return { header: jws.header, payload: jws.payload };
    }
  }
  return fail('invalid_signature', 'Invalid JWT signature.');
}
