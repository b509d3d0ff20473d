import type { JWK } from 'jose';
import { InvalidResponseError } from '../errors.js';
import type { Transport } from '../internal/http-attempt.js';
import type { Clock } from './clock.js';
import { statusError } from './errors-map.js';
import { type FetchScope, reportCacheUpdate, ScopedCache } from './fetch-scope.js';
import { type JwsAlgorithm, jwsAlgorithm } from './jws.js';
import type { OAuthCacheUpdate } from './types.js';

/** An unknown `kid` refetches the JWKS at most this often (ms). */
export const JWKS_COOLDOWN = 30_000;
/** A JWKS older than this is refetched before use (ms). */
export const JWKS_MAX_AGE = 10 * 60_000;
/** After a failed JWKS fetch, no new fetch is made for this long (ms): the failure is answered from memory. */
const JWKS_FAILURE_COOLDOWN = 30_000;
/**
 * How long past its fetch a JWKS may still be used while every refetch fails (ms): one hour. An
 * outage of the JWKS endpoint does not take every resource server down with it, yet a key the issuer
 * removed stops verifying within the hour even if the endpoint never comes back.
 */
const JWKS_STALE_IF_ERROR = 60 * 60_000;

/** One fetched JWKS and the keys imported from it so far. */
export interface KeySet {
  readonly keys: readonly JWK[];
  readonly fetchedAt: number;
  /**
   * The imported keys that may verify a JWS with a given `alg` and `kid`, made once per key set:
   * a refetch makes a new `KeySet`, so rotated keys never reuse stale entries. Only a `kid` that
   * names a key in this set gets an entry, so made-up key ids cannot grow it.
   */
  readonly imported: Map<string, Map<string | undefined, CryptoKey[] | Promise<CryptoKey[]>>>;
}

/**
 * Fetched key sets per `fetch` and `jwks_uri`, shared by every client in the realm (one isolate, one
 * process) that uses the same `fetch`: clients built by `discover()` for one issuer reuse one JWKS and
 * one refetch cooldown, while a client with another `fetch` (another mock at the same issuer) never
 * sees these keys.
 */
const entries = /* @__PURE__ */ new ScopedCache<KeySet>();
const inflight = /* @__PURE__ */ new ScopedCache<Promise<KeySet>>();
/** The last failed fetch per `jwks_uri`: its error and when it happened (cleared by a success). */
const failures = /* @__PURE__ */ new ScopedCache<{ error: unknown; at: number }>();

/** Where a JWKS comes from: its URL, the transport to fetch it with, and the cache scope of that transport. */
interface JwksSource {
  uri: string;
  http: Transport;
  scope: FetchScope;
  clock: Clock;
  /** Told when a fetch started for this source stored a new key set. */
  onCacheUpdate?: ((event: OAuthCacheUpdate) => void) | undefined;
}

/** Internal (tests only): forgets every cached key set. */
export function clearJwksCache(): void {
  entries.clear();
  inflight.clear();
  failures.clear();
}

/** Parses a JWKS document; entries that are not objects are dropped, an unusable document is an error. */
function parseJwks(body: unknown, status: number): JWK[] {
  const keys = (body as { keys?: unknown } | null | undefined)?.keys;
  if (typeof body !== 'object' || body === null || !Array.isArray(keys)) {
    throw new InvalidResponseError('The JWKS is not a JSON object with a "keys" array.', {
      code: 'invalid_jwks',
      status,
    });
  }
  return keys.filter((key): key is JWK => typeof key === 'object' && key !== null && typeof key.kty === 'string');
}

async function fetchJwks(uri: string, http: Transport, clock: Clock): Promise<KeySet> {
  const response = await http.send({
    url: uri,
    headers: { accept: 'application/json, application/jwk-set+json' },
    retry: true,
  });
  if (response.status !== 200) {
    throw statusError(response, 'The JWKS endpoint');
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = undefined;
  }
  return { keys: parseJwks(body, response.status), fetchedAt: clock.now(), imported: new Map() };
}

function load({ uri, http, scope, clock, onCacheUpdate }: JwksSource): Promise<KeySet> {
  let pending = inflight.get(scope, uri);
  if (!pending) {
    pending = fetchJwks(uri, http, clock)
      .then(
        (entry) => {
          entries.set(scope, uri, entry);
          failures.delete(scope, uri);
          reportCacheUpdate(onCacheUpdate, { kind: 'jwks', url: uri });
          return entry;
        },
        (error: unknown) => {
          failures.set(scope, uri, { error, at: clock.now() });
          throw error;
        },
      )
      .finally(() => inflight.delete(scope, uri));
    inflight.set(scope, uri, pending);
  }
  return pending;
}

/** The failure of the last fetch of `source`, while it is younger than {@link JWKS_FAILURE_COOLDOWN}. */
function recentFailure(source: JwksSource): { error: unknown } | undefined {
  const failure = failures.get(source.scope, source.uri);
  return failure && source.clock.now() - failure.at < JWKS_FAILURE_COOLDOWN ? failure : undefined;
}

/** `entry` while it may stand in for a JWKS that cannot be fetched ({@link JWKS_STALE_IF_ERROR}). */
function usableStale(entry: KeySet | undefined, source: JwksSource): KeySet | undefined {
  return entry && source.clock.now() - entry.fetchedAt < JWKS_STALE_IF_ERROR ? entry : undefined;
}

/**
 * The cached key set of `source`, fetched first when absent or older than {@link JWKS_MAX_AGE}. A
 * fresh cached set is returned as is (no promise), so the common path costs no extra await.
 *
 * While the endpoint fails: the failure is remembered for {@link JWKS_FAILURE_COOLDOWN} (no fetch per
 * token; the same error again), and a key set past its max age keeps serving, for at most
 * {@link JWKS_STALE_IF_ERROR} after it was fetched (stale-if-error).
 */
export function getJwks(source: JwksSource): KeySet | Promise<KeySet> {
  const entry = entries.get(source.scope, source.uri);
  if (entry && source.clock.now() - entry.fetchedAt < JWKS_MAX_AGE) {
    return entry;
  }
  const stale = usableStale(entry, source);
  const failure = recentFailure(source);
  if (failure) {
    if (stale) {
      return stale;
    }
    return Promise.reject(failure.error);
  }
  const fetched = load(source);
  return stale ? fetched.catch(() => stale) : fetched;
}

/**
 * Refetches the keys of `source` after an unknown `kid`, unless the last fetch is younger than the
 * cooldown: a flood of tokens with made-up key ids must not become a flood of JWKS requests.
 * Resolves to `undefined` when the cooldown forbids a refetch.
 */
export async function refreshJwks(source: JwksSource): Promise<KeySet | undefined> {
  const pending = inflight.get(source.scope, source.uri);
  if (pending) {
    return pending;
  }
  const entry = entries.get(source.scope, source.uri);
  if (entry && source.clock.now() - entry.fetchedAt < JWKS_COOLDOWN) {
    return undefined;
  }
  if (recentFailure(source)) {
    // The endpoint failed moments ago: the kid stays unknown rather than costing another fetch.
    return undefined;
  }
  return load(source);
}

/** The cached key sets of `scope` (for snapshots), by `jwks_uri`. */
export function cachedJwks(scope: FetchScope): ReadonlyMap<string, KeySet> {
  return entries.map(scope) ?? new Map();
}

/**
 * Adds a key set fetched elsewhere (a snapshot) unless the cache holds a newer one for `uri`, so a
 * restore never rolls keys back.
 */
export function restoreJwks(scope: FetchScope, uri: string, keys: JWK[], fetchedAt: number): void {
  const current = entries.get(scope, uri);
  if (!current || current.fetchedAt < fetchedAt) {
    entries.set(scope, uri, { keys, fetchedAt, imported: new Map() });
  }
}

function ktyFits(jwk: JWK, algorithm: JwsAlgorithm | undefined): boolean {
  // Symmetric (oct) keys never come from a JWKS: HS* tokens are checked against the client secret.
  return (
    algorithm !== undefined &&
    algorithm.kty !== 'oct' &&
    jwk.kty === algorithm.kty &&
    (algorithm.crv === undefined || jwk.crv === algorithm.crv)
  );
}

/**
 * The keys that may verify a JWS with this header: the same `kid` (when the header has one), a
 * signing key (`use` absent or `sig`, `key_ops` absent or with `verify`), bound to `alg` (a key's
 * own `alg`, when present, must match) and of the key type that algorithm needs.
 */
export function selectKeys(keys: readonly JWK[], header: { alg: string; kid?: string | undefined }): JWK[] {
  const algorithm = jwsAlgorithm(header.alg);
  return keys.filter(
    (jwk) =>
      (header.kid === undefined || jwk.kid === header.kid) &&
      (jwk.use === undefined || jwk.use === 'sig') &&
      (jwk.key_ops === undefined || (Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) &&
      (jwk.alg === undefined || jwk.alg === header.alg) &&
      ktyFits(jwk, algorithm),
  );
}

/** RSA keys shorter than this are refused (RFC 7518 §3.3, §3.5), as jose does. */
const MIN_RSA_BITS = 2048;

/** Imports the public part of `jwk` for `algorithm`; a key that cannot be used gives `undefined` (ignored). */
async function importPublicKey(jwk: JWK, algorithm: JwsAlgorithm): Promise<CryptoKey | undefined> {
  const { kty, crv, x, y, n, e } = jwk;
  const pub: JsonWebKey = { kty };
  for (const [name, value] of [
    ['crv', crv],
    ['x', x],
    ['y', y],
    ['n', n],
    ['e', e],
  ] as const) {
    if (value !== undefined) {
      pub[name] = value;
    }
  }
  try {
    const key = await crypto.subtle.importKey('jwk', pub, algorithm.importParams, false, ['verify']);
    const bits = (key.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength;
    return bits !== undefined && bits < MIN_RSA_BITS ? undefined : key;
  } catch {
    return undefined;
  }
}

/**
 * The imported keys of `keySet` that may verify a JWS with `alg` and `kid` (see {@link selectKeys}),
 * imported once per key set. Resolves to an empty array when none fits: the caller may then refetch.
 * A cached answer is returned as is (no promise).
 */
export function verificationKeys(
  keySet: KeySet,
  alg: string,
  kid: string | undefined,
): CryptoKey[] | Promise<CryptoKey[]> {
  let byKid = keySet.imported.get(alg);
  const cached = byKid?.get(kid);
  if (cached) {
    return cached;
  }
  const algorithm = jwsAlgorithm(alg);
  const candidates = algorithm ? selectKeys(keySet.keys, { alg, kid }) : [];
  if (!algorithm || candidates.length === 0) {
    return [];
  }
  if (!byKid) {
    byKid = new Map();
    keySet.imported.set(alg, byKid);
  }
  const pending = Promise.all(candidates.map((jwk) => importPublicKey(jwk, algorithm))).then((keys) => {
    const usable = keys.filter((key): key is CryptoKey => key !== undefined);
    byKid.set(kid, usable);
    return usable;
  });
  byKid.set(kid, pending);
  return pending;
}
