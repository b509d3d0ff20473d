import type { FetchLike } from '@keyway/core';

/**
 * The `fetch` every @keyway/edge verifier, token source and snapshot of one underlying `fetch` hands
 * to @keyway/core. Core keys its isolate-wide discovery and JWKS caches by the `fetch` it is given, so
 * one wrapper per underlying fetch makes them all share one cache — also verifiers created per request
 * from `env`. `updates` counts what core reported through `onCacheUpdate` (new metadata or JWKS stored
 * in this cache): a verifier that sees the count move while it verified writes the snapshot back to KV.
 */
export interface SharedFetch {
  readonly fetch: FetchLike;
  /** Cache updates core reported so far (`onCacheUpdate`). */
  updates: number;
  /** The count last written to KV, per KV namespace and key. */
  readonly persisted: WeakMap<object, Map<string, { updates: number }>>;
  /** The KV restore, once per KV namespace and key in this isolate. */
  readonly restored: WeakMap<object, Map<string, Promise<void>>>;
}

const wrappers = new WeakMap<object, SharedFetch>();

/** The shared wrapper of `fetch` (default: the global one, called on `globalThis` as Workers require). */
export function sharedFetch(fetch?: FetchLike): SharedFetch {
  const base: FetchLike = fetch ?? globalThis.fetch;
  let entry = wrappers.get(base);
  if (!entry) {
    entry = {
      fetch: fetch ?? ((input, init) => base.call(globalThis, input, init)),
      updates: 0,
      persisted: new WeakMap(),
      restored: new WeakMap(),
    };
    wrappers.set(base, entry);
  }
  return entry;
}

/** The entry of `map` for (`namespace`, `key`), made by `create` the first time. */
export function perNamespace<V>(
  map: WeakMap<object, Map<string, V>>,
  namespace: object,
  key: string,
  create: () => V,
): V {
  let byKey = map.get(namespace);
  if (!byKey) {
    byKey = new Map();
    map.set(namespace, byKey);
  }
  let value = byKey.get(key);
  if (value === undefined) {
    value = create();
    byKey.set(key, value);
  }
  return value;
}
