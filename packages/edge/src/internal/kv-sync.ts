import { ConfigurationError, type FetchLike } from '@keyway/core';
import type { KvCacheOptions, VerifierOptions } from '../options.js';
import { restore, snapshot } from '../snapshot.js';
import { perNamespace, type SharedFetch } from './shared-fetch.js';

/** Where a verifier's snapshot lives in KV: the `kv` option, resolved. */
export type KvTarget = Required<KvCacheOptions>;

const DEFAULT_KV_KEY = 'keyway:edge:oauth-cache';

/** The `kv` option resolved (`ConfigurationError` `invalid_options` unless it is a binding or `{ namespace }`). */
export function kvTarget(kv: VerifierOptions['kv']): KvTarget | undefined {
  if (!kv) {
    return undefined;
  }
  const options: KvCacheOptions = 'namespace' in kv ? kv : { namespace: kv };
  if (!options.namespace || typeof options.namespace.get !== 'function') {
    throw new ConfigurationError('createVerifier: `kv` must be a KV namespace binding or { namespace }.', {
      code: 'invalid_options',
    });
  }
  return { namespace: options.namespace, key: options.key ?? DEFAULT_KV_KEY, ttl: Math.max(60, options.ttl ?? 3600) };
}

/** Runs verifications between a KV warm-up and a KV write-back. */
type KvSync = <T>(verify: () => Promise<T>, waitUntil: ((promise: Promise<unknown>) => void) | undefined) => Promise<T>;

/**
 * The KV side of a verifier: before a verification, the first in this isolate restores the snapshot
 * from KV (one read per isolate, namespace and key); after one that made core fetch discovery or the
 * JWKS (`shared.updates` moved), the snapshot is written back, through `waitUntil` when given, once
 * per update whichever verifier of this isolate saw it. KV is a cache: a failed read or write costs a
 * fetch later, never the request. Without `kv` it just runs the verification.
 */
export function kvSync(kv: KvTarget | undefined, shared: SharedFetch, fetch: FetchLike | undefined): KvSync {
  const warm = (): Promise<void> | undefined => {
    if (!kv) {
      return undefined;
    }
    return perNamespace(shared.restored, kv.namespace, kv.key, () =>
      (async () => {
        await restore(await kv.namespace.get(kv.key, 'text'), { fetch });
      })().catch(() => {
        // An unreadable or malformed KV entry only costs a network fetch; the next write replaces it.
      }),
    );
  };

  const writeBack = (waitUntil: ((promise: Promise<unknown>) => void) | undefined): Promise<void> | undefined => {
    if (!kv) {
      return undefined;
    }
    const written = perNamespace(shared.persisted, kv.namespace, kv.key, () => ({ updates: 0 }));
    if (shared.updates <= written.updates) {
      return undefined; // another verification already wrote what this one fetched
    }
    written.updates = shared.updates;
    const write = (async () => {
      const value = JSON.stringify(await snapshot({ fetch }));
      await kv.namespace.put(kv.key, value, { expirationTtl: kv.ttl });
    })().catch(() => {
      // KV is a cache: a failed write costs the next isolate a fetch, not this request.
    });
    if (waitUntil) {
      waitUntil(write);
      return undefined;
    }
    return write;
  };

  return async (verify, waitUntil) => {
    await warm();
    const before = shared.updates;
    try {
      return await verify();
    } finally {
      if (shared.updates !== before) {
        await writeBack(waitUntil);
      }
    }
  };
}
