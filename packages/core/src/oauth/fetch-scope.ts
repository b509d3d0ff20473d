import type { FetchLike } from '../internal/http.js';
import type { OAuthCacheUpdate } from './types.js';

/** Tells `listener` (an `onCacheUpdate` option) about `event`; a listener that throws changes nothing. */
export function reportCacheUpdate(listener: ((event: OAuthCacheUpdate) => void) | undefined, event: OAuthCacheUpdate) {
  try {
    listener?.(event);
  } catch {
    // The cache is filled either way: a broken listener must not fail the verification.
  }
}

/**
 * What the process-wide OAuth caches (discovery metadata, JWKS) are keyed by besides the URL: the
 * `fetch` a client was given, or the global `fetch` when it was given none. Clients that share a
 * fetch share the caches; clients with different fetches (two mock servers at one issuer, a test per
 * mock) never see each other's metadata or keys.
 */
export type FetchScope = object;

/**
 * The cache scope of a client built with `fetch` (the option as given). The global `fetch` is read
 * when the client is made, so a global fetch replaced later (msw) is a new scope.
 */
export function fetchScope(fetch: FetchLike | undefined): FetchScope {
  return fetch ?? globalThis.fetch;
}

/**
 * A map per fetch scope, each keyed by URL. The outer map is weak: the entries of a fetch that is
 * gone (a test's mock) go with it.
 */
export class ScopedCache<V> {
  #scopes = new WeakMap<FetchScope, Map<string, V>>();

  /** The map of `scope`, made when `create` is set and there is none yet. */
  map(scope: FetchScope, create: true): Map<string, V>;
  map(scope: FetchScope, create?: false): Map<string, V> | undefined;
  map(scope: FetchScope, create = false): Map<string, V> | undefined {
    let map = this.#scopes.get(scope);
    if (!map && create) {
      map = new Map();
      this.#scopes.set(scope, map);
    }
    return map;
  }

  get(scope: FetchScope, key: string): V | undefined {
    return this.#scopes.get(scope)?.get(key);
  }

  set(scope: FetchScope, key: string, value: V): void {
    this.map(scope, true).set(key, value);
  }

  delete(scope: FetchScope, key: string): void {
    this.#scopes.get(scope)?.delete(key);
  }

  /** Forgets every scope (tests). */
  clear(): void {
    this.#scopes = new WeakMap();
  }
}
