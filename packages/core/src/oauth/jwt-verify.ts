import type { ProtectedHeaderParameters } from 'jose';
import { ConfigurationError, TokenValidationError } from '../errors.js';
import type { Transport } from '../internal/http-attempt.js';
import { printable } from '../internal/printable.js';
import { parseServiceUrl } from '../internal/url.js';
import type { Clock } from './clock.js';
import type { FetchScope } from './fetch-scope.js';
import { getJwks, refreshJwks, verificationKeys } from './jwks-cache.js';
import { decodeJws, importHmacKey, jwsAlgorithm } from './jws.js';
import type { OAuthCacheUpdate } from './types.js';

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

/**
 * An `algorithms` option: a non-empty list of asymmetric algorithms from `allowed` (never `none`
 * or HS*, which would let anyone holding the public key sign), else `ConfigurationError` `invalid_option`.
 */
export function algorithmsOption(value: unknown, allowed: readonly string[]): readonly string[] {
  if (value === undefined) {
    return allowed;
  }
  if (
    !Array.isArray(value) ||
    value.length === 0 ||
    !value.every((alg) => typeof alg === 'string' && allowed.includes(alg))
  ) {
    throw new ConfigurationError(`algorithms must be a non-empty list of: ${allowed.join(', ')}.`, {
      code: 'invalid_option',
    });
  }
  return Object.freeze([...value]);
}

/** Where and how a JWS is verified. */
export interface JwtVerification {
  /** Allowed `alg` values (never `none` here; see `allowNone`). */
  algorithms: readonly string[];
  /** Accept an unsecured (`alg: none`) JWT: only when the client registered `none` for ID tokens. */
  allowNone?: boolean;
  /** The client secret, for HS* algorithms when the client registered one. */
  hmacSecret?: string | undefined;
  jwksUri: string | undefined;
  /** Accept a plain `http:` `jwks_uri` on a non-loopback host (the client's `allowInsecureRequests`). */
  allowInsecureRequests?: boolean | undefined;
  http: Transport;
  /** The JWKS cache scope of `http` (its `fetch`). */
  scope: FetchScope;
  clock: Clock;
  /** Told when a JWKS fetch made for this verification stored new keys. */
  onCacheUpdate?: ((event: OAuthCacheUpdate) => void) | undefined;
}

/** A verified JWS: its protected header and JSON payload. */
interface VerifiedJwt {
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
    return fail('alg_not_allowed', `JWT algorithm ${printable(alg, 20)} is not allowed.`);
  }
  let keys: readonly CryptoKey[];
  if (algorithm.kty === 'oct') {
    if (!options.hmacSecret) {
      fail('alg_not_allowed', `JWT algorithm ${printable(alg, 20)} needs a client secret.`);
    }
    keys = [await importHmacKey(algorithm, options.hmacSecret)];
  } else {
    const found = issuerKeys(options, alg, typeof header.kid === 'string' ? header.kid : undefined);
    keys = isPromise(found) ? await found : found;
  }
  // One await per key on the common path: cached key sets and imported keys come back without a
  // promise, and every extra async hop showed up in the benchmark.
  for (const key of keys) {
    let valid = false;
    try {
      valid = await crypto.subtle.verify(algorithm.verifyParams, key, jws.signature, jws.signingInput);
    } catch {
      // An operation this key cannot do (a signature of the wrong shape): not a match.
    }
    if (valid) {
      return { header, payload };
    }
  }
  return fail('invalid_signature', 'Invalid JWT signature.');
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

/**
 * The issuer's keys for `alg` and `kid`: from the cached JWKS, else after one refetch (rate-limited
 * by the cooldown). Synchronous when everything is cached.
 */
function issuerKeys(
  options: JwtVerification,
  alg: string,
  kid: string | undefined,
): readonly CryptoKey[] | Promise<readonly CryptoKey[]> {
  const { jwksUri, http, scope, clock, onCacheUpdate } = options;
  if (!jwksUri) {
    throw new ConfigurationError('The provider publishes no jwks_uri: JWT signatures cannot be verified.', {
      code: 'missing_endpoint',
    });
  }
  checkJwksUri(jwksUri, options.allowInsecureRequests === true);
  const source = { uri: jwksUri, http, scope, clock, onCacheUpdate };
  const keySet = getJwks(source);
  const keys = isPromise(keySet)
    ? keySet.then((set) => verificationKeys(set, alg, kid))
    : verificationKeys(keySet, alg, kid);
  if (!isPromise(keys) && keys.length > 0) {
    return unambiguous(keys, kid);
  }
  return (async () => {
    let found = await keys;
    if (found.length > 0) {
      return unambiguous(found, kid);
    }
    const refreshed = await refreshJwks(source);
    found = refreshed ? await verificationKeys(refreshed, alg, kid) : [];
    if (found.length === 0) {
      fail(
        'unknown_kid',
        `No key in the issuer's JWKS matches kid ${kid === undefined ? '(none)' : printable(kid, 80)} and alg ${printable(alg, 20)}.`,
      );
    }
    return unambiguous(found, kid);
  })();
}

/**
 * OpenID Connect Core §10.1: a JWS must name its key (`kid`) when more than one key could verify it.
 * Trying each would let a token signed by any key of the set through, whatever key the issuer meant.
 */
function unambiguous(keys: readonly CryptoKey[], kid: string | undefined): readonly CryptoKey[] {
  if (kid === undefined && keys.length > 1) {
    fail('kid_missing', 'The JWT has no "kid" but several keys of the issuer could verify it.');
  }
  return keys;
}

/** `jwks_uri`s that passed the https check (a few per process: one per issuer). */
const secureJwksUris = /* @__PURE__ */ new Set<string>();

/**
 * Key material must come over https: (plain http: only to a loopback host, or when the client allows
 * insecure requests): whoever can change the JWKS in transit can sign any token. Checked before any
 * key is fetched or used, on every verification (a cached `Set` lookup once a URI has passed).
 */
function checkJwksUri(uri: string, allowInsecure: boolean): void {
  if (allowInsecure || secureJwksUris.has(uri)) {
    return;
  }
  parseServiceUrl(uri, "The provider's jwks_uri");
  if (secureJwksUris.size >= 256) {
    secureJwksUris.clear();
  }
  secureJwksUris.add(uri);
}
