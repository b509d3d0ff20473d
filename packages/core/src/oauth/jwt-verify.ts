import {
  base64url,
  compactVerify,
  decodeProtectedHeader,
  errors as joseErrors,
  type ProtectedHeaderParameters,
} from 'jose';
import { ConfigurationError, TokenValidationError } from '../errors.js';
import type { HttpClient } from '../internal/http.js';
import type { Clock } from './clock.js';
import { getJwks, importPublicKey, refreshJwks, selectKeys } from './jwks-cache.js';

/** Asymmetric algorithms accepted for ID tokens and JWT access tokens unless configured otherwise. */
export const DEFAULT_ALGORITHMS: readonly string[] = ['RS256', 'PS256', 'ES256', 'EdDSA', 'Ed25519'];

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

function parsePayload(bytes: Uint8Array): Record<string, unknown> {
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    payload = undefined;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    fail('malformed_jwt', 'The JWT payload is not a JSON object.');
  }
  return payload as Record<string, unknown>;
}

async function tryKey(token: string, key: CryptoKey | Uint8Array, alg: string): Promise<Uint8Array | undefined> {
  try {
    return (await compactVerify(token, key, { algorithms: [alg] })).payload;
  } catch (error) {
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      return undefined;
    }
    if (error instanceof joseErrors.JOSENotSupported || error instanceof TypeError) {
      // The key cannot do this algorithm after all (e.g. an RSA key too short): not our key.
      return undefined;
    }
    return fail('malformed_jwt', 'The JWT is malformed.');
  }
}

/**
 * Verifies a compact JWS against the issuer's JWKS: the `alg` must be on the allow-list, candidate
 * keys are chosen by `kid` and bound to the algorithm, an unknown `kid` refetches the JWKS once per
 * cooldown. Claims are NOT checked here (see id-token.ts and access-token.ts).
 *
 * Error codes: `malformed_jwt`, `alg_not_allowed`, `unknown_kid`, `invalid_signature`.
 */
export async function verifyJwt(token: string, options: JwtVerification): Promise<VerifiedJwt> {
  if (typeof token !== 'string' || token.split('.').length !== 3) {
    fail('malformed_jwt', 'The token is not a compact JWS.');
  }
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return fail('malformed_jwt', 'The JWT header cannot be decoded.');
  }
  const alg = header.alg;
  if (typeof alg !== 'string') {
    return fail('malformed_jwt', 'The JWT header has no "alg".');
  }
  const [, body, signature] = token.split('.') as [string, string, string];
  if (alg === 'none') {
    if (!options.allowNone || signature !== '') {
      fail('alg_not_allowed', 'Unsigned JWTs (alg "none") are not accepted.');
    }
    try {
      return { header, payload: parsePayload(base64url.decode(body)) };
    } catch (error) {
      if (TokenValidationError.is(error)) {
        throw error;
      }
      return fail('malformed_jwt', 'The JWT payload cannot be decoded.');
    }
  }
  if (!options.algorithms.includes(alg)) {
    fail('alg_not_allowed', `JWT algorithm ${alg} is not allowed.`);
  }
  if (alg.startsWith('HS')) {
    if (!options.hmacSecret) {
      fail('alg_not_allowed', `JWT algorithm ${alg} needs a client secret.`);
    }
    const payload = await tryKey(token, new TextEncoder().encode(options.hmacSecret), alg);
    return payload ? { header, payload: parsePayload(payload) } : fail('invalid_signature', 'Invalid JWT signature.');
  }
  if (!options.jwksUri) {
    throw new ConfigurationError('The provider publishes no jwks_uri: JWT signatures cannot be verified.', {
      code: 'missing_endpoint',
    });
  }
  const wanted = { alg, kid: typeof header.kid === 'string' ? header.kid : undefined };
  let candidates = selectKeys(await getJwks(options.jwksUri, options.http, options.clock), wanted);
  let keys = await importAll(candidates, alg);
  if (keys.length === 0) {
    const refreshed = await refreshJwks(options.jwksUri, options.http, options.clock);
    candidates = refreshed ? selectKeys(refreshed, wanted) : [];
    keys = await importAll(candidates, alg);
  }
  if (keys.length === 0) {
    fail('unknown_kid', `No key in the issuer's JWKS matches kid ${wanted.kid ?? '(none)'} and alg ${alg}.`);
  }
  for (const key of keys) {
    const payload = await tryKey(token, key, alg);
    if (payload) {
      return { header, payload: parsePayload(payload) };
    }
  }
  return fail('invalid_signature', 'Invalid JWT signature.');
}

async function importAll(candidates: Parameters<typeof importPublicKey>[0][], alg: string): Promise<CryptoKey[]> {
  const keys = await Promise.all(candidates.map((jwk) => importPublicKey(jwk, alg)));
  return keys.filter((key): key is CryptoKey => key !== undefined);
}
