import type { JWK } from 'jose';
import { ConfigurationError } from '../errors.js';
import type { FetchLike } from '../internal/http.js';
import { isRecord } from '../internal/is-record.js';
import { cachedMetadata, METADATA_TTL, restoreMetadata } from './discover.js';
import { fetchScope } from './fetch-scope.js';
import { cachedJwks, JWKS_MAX_AGE, restoreJwks } from './jwks-cache.js';
import type { ProviderMetadata } from './types.js';

/**
 * The public part of the OAuth caches, as plain JSON: discovered metadata and the issuers' public
 * keys, each with the time it was fetched (ms since the epoch). It holds no token and no secret.
 */
export interface OAuthCacheSnapshot {
  version: 1;
  discovery: { issuer: string; metadata: ProviderMetadata; fetchedAt: number }[];
  jwks: { uri: string; keys: JWK[]; fetchedAt: number }[];
}

/**
 * Which caches to read or fill: those of the clients made with this `fetch` (default: the clients
 * made without one, which use the global `fetch`).
 */
export interface OAuthCacheOptions {
  fetch?: FetchLike;
}

/** The JWK members a verification key is chosen and imported by: all public. */
const PUBLIC_MEMBERS = ['kty', 'kid', 'use', 'key_ops', 'alg', 'crv', 'x', 'y', 'n', 'e'] as const;

/** The public members of `jwk`, or `undefined` for a symmetric key (never public, never used from a JWKS). */
function publicJwk(jwk: JWK): JWK | undefined {
  if (jwk.kty === 'oct') {
    return undefined;
  }
  const copy: JWK = {};
  for (const name of PUBLIC_MEMBERS) {
    if (jwk[name] !== undefined) {
      (copy as Record<string, unknown>)[name] = jwk[name];
    }
  }
  return copy;
}

/**
 * Exports the discovered metadata and the JWKS the process (or isolate) has cached, to warm a new
 * isolate with {@link restoreOAuthCache}: a cold Worker then verifies its first token without fetching
 * discovery and the JWKS. Only public data: metadata and the public members of the keys, never a
 * token or a secret. Expired entries are left out.
 *
 * @example
 * ```ts
 * import { snapshotOAuthCache } from '@keyway/core';
 * declare const env: { CACHE: { put(key: string, value: string): Promise<void> } };
 *
 * await env.CACHE.put('keyway:oauth-cache', JSON.stringify(snapshotOAuthCache()));
 * ```
 */
export function snapshotOAuthCache(options: OAuthCacheOptions = {}): OAuthCacheSnapshot {
  const scope = fetchScope(options.fetch);
  const now = Date.now();
  const jwks: OAuthCacheSnapshot['jwks'] = [];
  for (const [uri, keySet] of cachedJwks(scope)) {
    if (now - keySet.fetchedAt < JWKS_MAX_AGE) {
      const keys = keySet.keys.map(publicJwk).filter((key): key is JWK => key !== undefined);
      jwks.push({ uri, keys, fetchedAt: keySet.fetchedAt });
    }
  }
  return { version: 1, discovery: cachedMetadata(scope), jwks };
}

function invalid(message: string): never {
  throw new ConfigurationError(`Invalid OAuth cache snapshot: ${message}`, { code: 'invalid_snapshot' });
}

function fetchedAt(value: unknown, now: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    invalid('"fetchedAt" must be a time in milliseconds.');
  }
  // A time in the future (another machine's clock) would keep the entry fresh and block refetches.
  return Math.min(value, now);
}

function entries(snapshot: Record<string, unknown>, name: 'discovery' | 'jwks'): Record<string, unknown>[] {
  const list = snapshot[name];
  if (!Array.isArray(list) || !list.every(isRecord)) {
    invalid(`"${name}" must be an array of objects.`);
  }
  return list;
}

/**
 * Restores a snapshot made by {@link snapshotOAuthCache} (the object, or its JSON text; `null` or
 * `undefined` restore nothing). Entries keep their original fetch time, so they expire when they
 * would have in the process that made them; expired entries and entries older than what the cache
 * already holds are skipped. The whole snapshot is checked before anything is restored: a malformed
 * one throws `ConfigurationError` `invalid_snapshot` and changes nothing.
 *
 * The snapshot decides which keys sign valid tokens: restore only one your own code wrote (your KV
 * namespace, your cache), never one a client sent.
 *
 * @example
 * ```ts
 * import { restoreOAuthCache } from '@keyway/core';
 * declare const env: { CACHE: { get(key: string): Promise<string | null> } };
 *
 * restoreOAuthCache(await env.CACHE.get('keyway:oauth-cache')); // before the first discover()
 * ```
 */
export function restoreOAuthCache(
  snapshot: OAuthCacheSnapshot | string | null | undefined,
  options: OAuthCacheOptions = {},
): void {
  if (snapshot === null || snapshot === undefined) {
    return;
  }
  let value: unknown = snapshot;
  if (typeof snapshot === 'string') {
    try {
      value = JSON.parse(snapshot);
    } catch {
      invalid('not JSON.');
    }
  }
  if (!isRecord(value) || value.version !== 1) {
    invalid('expected an object with "version": 1.');
  }
  const now = Date.now();
  const discovery: { issuer: string; metadata: ProviderMetadata; at: number }[] = [];
  for (const entry of entries(value, 'discovery')) {
    const { issuer, metadata } = entry;
    if (typeof issuer !== 'string' || !isRecord(metadata) || metadata.issuer !== issuer) {
      invalid('a discovery entry needs an "issuer" and "metadata" for that issuer.');
    }
    const at = fetchedAt(entry.fetchedAt, now);
    if (now - at < METADATA_TTL) {
      discovery.push({ issuer, metadata: metadata as ProviderMetadata, at });
    }
  }
  const jwks: { uri: string; keys: JWK[]; at: number }[] = [];
  for (const entry of entries(value, 'jwks')) {
    const { uri, keys } = entry;
    if (
      typeof uri !== 'string' ||
      !Array.isArray(keys) ||
      !keys.every((key) => isRecord(key) && typeof key.kty === 'string')
    ) {
      invalid('a JWKS entry needs a "uri" and "keys" (JWK objects).');
    }
    const at = fetchedAt(entry.fetchedAt, now);
    if (now - at < JWKS_MAX_AGE) {
      jwks.push({ uri, keys: (keys as JWK[]).map(publicJwk).filter((key): key is JWK => key !== undefined), at });
    }
  }
  const scope = fetchScope(options.fetch);
  for (const entry of discovery) {
    restoreMetadata(scope, entry.issuer, entry.metadata, entry.at);
  }
  for (const entry of jwks) {
    restoreJwks(scope, entry.uri, entry.keys, entry.at);
  }
}
