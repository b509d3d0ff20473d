import { importJWK, type JWK } from 'jose';
import { InvalidResponseError } from '../errors.js';
import type { HttpClient } from '../internal/http.js';
import type { Clock } from './clock.js';

/** An unknown `kid` refetches the JWKS at most this often (ms). */
export const JWKS_COOLDOWN = 30_000;
/** A JWKS older than this is refetched before use (ms). */
export const JWKS_MAX_AGE = 10 * 60_000;

interface Entry {
  keys: JWK[];
  fetchedAt: number;
}

/**
 * Fetched key sets per `jwks_uri`, shared by every client in the realm (one isolate, one process):
 * clients built by `discover()` for one issuer reuse one JWKS and one refetch cooldown.
 */
const entries = new Map<string, Entry>();
const inflight = new Map<string, Promise<Entry>>();

/** Internal (tests only): forgets every cached key set. */
export function clearJwksCache(): void {
  entries.clear();
  inflight.clear();
}

/** Parses a JWKS document; entries that are not objects are dropped, an unusable document is an error. */
export function parseJwks(body: unknown, status: number): JWK[] {
  const keys = (body as { keys?: unknown } | null | undefined)?.keys;
  if (typeof body !== 'object' || body === null || !Array.isArray(keys)) {
    throw new InvalidResponseError('The JWKS is not a JSON object with a "keys" array.', {
      code: 'invalid_jwks',
      status,
    });
  }
  return keys.filter((key): key is JWK => typeof key === 'object' && key !== null && typeof key.kty === 'string');
}

async function fetchJwks(uri: string, http: HttpClient, clock: Clock): Promise<Entry> {
  const response = await http.send({
    url: uri,
    headers: { accept: 'application/json, application/jwk-set+json' },
    retry: true,
  });
  if (response.status !== 200) {
    throw new InvalidResponseError(`The JWKS endpoint answered with status ${response.status}.`, {
      code: 'invalid_jwks',
      status: response.status,
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = undefined;
  }
  return { keys: parseJwks(body, response.status), fetchedAt: clock.now() };
}

function load(uri: string, http: HttpClient, clock: Clock): Promise<Entry> {
  let pending = inflight.get(uri);
  if (!pending) {
    pending = fetchJwks(uri, http, clock)
      .then((entry) => {
        entries.set(uri, entry);
        return entry;
      })
      .finally(() => inflight.delete(uri));
    inflight.set(uri, pending);
  }
  return pending;
}

/** The cached keys of `uri`, fetched first when absent or older than {@link JWKS_MAX_AGE}. */
export async function getJwks(uri: string, http: HttpClient, clock: Clock): Promise<JWK[]> {
  const entry = entries.get(uri);
  if (entry && clock.now() - entry.fetchedAt < JWKS_MAX_AGE) {
    return entry.keys;
  }
  return (await load(uri, http, clock)).keys;
}

/**
 * Refetches the keys of `uri` after an unknown `kid`, unless the last fetch is younger than the
 * cooldown: a flood of tokens with made-up key ids must not become a flood of JWKS requests.
 * Resolves to `undefined` when the cooldown forbids a refetch.
 */
export async function refreshJwks(uri: string, http: HttpClient, clock: Clock): Promise<JWK[] | undefined> {
  const pending = inflight.get(uri);
  if (pending) {
    return (await pending).keys;
  }
  const entry = entries.get(uri);
  if (entry && clock.now() - entry.fetchedAt < JWKS_COOLDOWN) {
    return undefined;
  }
  return (await load(uri, http, clock)).keys;
}

function ktyFits(jwk: JWK, alg: string): boolean {
  if (/^(RS|PS)(256|384|512)$/.test(alg)) {
    return jwk.kty === 'RSA';
  }
  const curve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg];
  if (curve) {
    return jwk.kty === 'EC' && jwk.crv === curve;
  }
  if (alg === 'EdDSA' || alg === 'Ed25519') {
    return jwk.kty === 'OKP' && jwk.crv === 'Ed25519';
  }
  return false;
}

/**
 * The keys that may verify a JWS with this header: the same `kid` (when the header has one), a
 * signing key (`use` absent or `sig`, `key_ops` absent or with `verify`), bound to `alg` (a key's
 * own `alg`, when present, must match) and of the key type that algorithm needs.
 */
export function selectKeys(keys: readonly JWK[], header: { alg: string; kid?: string | undefined }): JWK[] {
  return keys.filter(
    (jwk) =>
      (header.kid === undefined || jwk.kid === header.kid) &&
      (jwk.use === undefined || jwk.use === 'sig') &&
      (jwk.key_ops === undefined || (Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) &&
      (jwk.alg === undefined || jwk.alg === header.alg) &&
      ktyFits(jwk, header.alg),
  );
}

const imported = new WeakMap<JWK, Map<string, Promise<CryptoKey | undefined>>>();

/** Imports the public part of `jwk` for `alg`; a key that cannot be parsed gives `undefined` (ignored). */
export function importPublicKey(jwk: JWK, alg: string): Promise<CryptoKey | undefined> {
  let byAlg = imported.get(jwk);
  if (!byAlg) {
    byAlg = new Map();
    imported.set(jwk, byAlg);
  }
  let key = byAlg.get(alg);
  if (!key) {
    const { kty, crv, x, y, n, e } = jwk;
    const pub = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined));
    key = importJWK(pub, alg).then(
      (k) => (k instanceof Uint8Array ? undefined : k),
      () => undefined,
    );
    byAlg.set(alg, key);
  }
  return key;
}
