import {
  ConfigurationError,
  type FetchLike,
  type OAuthCacheSnapshot,
  restoreOAuthCache,
  snapshotOAuthCache,
} from '@keyway/core';
import type { StoredTokenSet, TokenStore } from '@keyway/token-store';
import { isRecord } from './internal/is-record.js';
import { sharedFetch } from './internal/shared-fetch.js';

/**
 * Everything a new isolate needs to verify tokens and call APIs without a network round trip, as one
 * JSON value: core's discovery and JWKS snapshot and, only when asked for, token sets by store key.
 */
export interface EdgeSnapshot {
  version: 1;
  /** Discovery metadata and public keys (`snapshotOAuthCache()` of @keyway/core). */
  oauth: OAuthCacheSnapshot;
  /** Token sets by store key: empty unless `snapshot({ tokens })` named them. These are secrets. */
  tokens: { key: string; value: StoredTokenSet }[];
}

/**
 * Where a token set to snapshot lives: an `EdgeTokenSource` fits (it has `store` and `key`).
 */
export interface TokenLocation {
  store: TokenStore;
  key: string;
}

/**
 * Options of {@link snapshot}.
 */
export interface SnapshotOptions {
  /** The `fetch` the verifiers and token sources were given (default: the global one). */
  fetch?: FetchLike;
  /** Token sets to include. Default none: a snapshot holds no secret unless you list them here. */
  tokens?: readonly TokenLocation[];
}

/**
 * Options of {@link restore}.
 */
export interface RestoreOptions {
  /** The `fetch` the verifiers and token sources will be given (default: the global one). */
  fetch?: FetchLike;
  /** Where the snapshot's token sets go. Without it they are ignored. */
  store?: TokenStore;
}

/**
 * Exports what this isolate has cached for @keyway/edge: discovery metadata and public keys (through
 * core's `snapshotOAuthCache`, for the verifiers and token sources made with `fetch`) and, only when
 * `tokens` lists them, the token sets at those store locations. Without `tokens` the snapshot is
 * public data; with them, keep it as secret as the tokens (your own KV, never a response).
 *
 * @example
 * ```ts
 * import { snapshot } from '@keyway/edge';
 * declare const env: { CACHE: { put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void> } };
 *
 * await env.CACHE.put('keyway:warm', JSON.stringify(await snapshot()), { expirationTtl: 3600 });
 * ```
 */
export async function snapshot(options: SnapshotOptions = {}): Promise<EdgeSnapshot> {
  const oauth = snapshotOAuthCache({ fetch: sharedFetch(options.fetch).fetch });
  const tokens: EdgeSnapshot['tokens'] = [];
  for (const { store, key } of options.tokens ?? []) {
    const value = await store.get(key);
    if (value !== undefined) {
      tokens.push({ key, value });
    }
  }
  return { version: 1, oauth, tokens };
}

function invalid(message: string): never {
  throw new ConfigurationError(`Invalid edge snapshot: ${message}`, { code: 'invalid_snapshot' });
}

function checkedTokens(value: unknown): EdgeSnapshot['tokens'] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value)) {
    invalid('"tokens" must be an array.');
  }
  return value.map((entry) => {
    if (
      !isRecord(entry) ||
      typeof entry.key !== 'string' ||
      entry.key === '' ||
      !isRecord(entry.value) ||
      typeof entry.value.access_token !== 'string' ||
      (entry.value.expires_at !== undefined &&
        (typeof entry.value.expires_at !== 'number' || !Number.isFinite(entry.value.expires_at)))
    ) {
      invalid('a token entry needs a "key" and a "value" with a string "access_token" (and a numeric "expires_at").');
    }
    return { key: entry.key, value: entry.value as StoredTokenSet };
  });
}

/**
 * Puts a {@link snapshot} back (the object or its JSON text; `null` and `undefined` restore nothing):
 * discovery and keys into the caches of the verifiers and token sources made with `fetch`, token sets
 * into `store` (expired ones are skipped by the store). The whole value is checked first: a malformed
 * one throws `ConfigurationError` `invalid_snapshot` and restores nothing. A core
 * `OAuthCacheSnapshot` is accepted too.
 *
 * The snapshot decides which keys sign valid tokens: restore only what your own code wrote.
 *
 * @example
 * ```ts
 * import { restore } from '@keyway/edge';
 * declare const env: { CACHE: { get(key: string): Promise<string | null> } };
 *
 * await restore(await env.CACHE.get('keyway:warm')); // before the first verify()
 * ```
 */
export async function restore(
  value: EdgeSnapshot | OAuthCacheSnapshot | string | null | undefined,
  options: RestoreOptions = {},
): Promise<void> {
  if (value === null || value === undefined) {
    return;
  }
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      invalid('not JSON.');
    }
  }
  if (!isRecord(parsed) || parsed.version !== 1) {
    invalid('expected an object with "version": 1.');
  }
  const isCoreSnapshot = 'discovery' in parsed || 'jwks' in parsed;
  const oauth = isCoreSnapshot ? parsed : parsed.oauth;
  if (!isRecord(oauth)) {
    invalid('"oauth" must be an OAuth cache snapshot.');
  }
  const tokens = isCoreSnapshot ? [] : checkedTokens(parsed.tokens);
  // Core checks its part whole before restoring any of it; ours was checked above.
  restoreOAuthCache(oauth as unknown as OAuthCacheSnapshot, { fetch: sharedFetch(options.fetch).fetch });
  if (options.store) {
    const now = Date.now() / 1000;
    for (const { key, value: tokenSet } of tokens) {
      if (tokenSet.refresh_token !== undefined || tokenSet.expires_at === undefined || tokenSet.expires_at > now) {
        await options.store.set(key, tokenSet);
      }
    }
  }
}
