import { KeyedMutex } from './internal/async.js';
import { assertStorable, expiryOf, isExpired } from './internal/expiry.js';
import type { SetOptions, StoredTokenSet, TokenStore } from './types.js';

/**
 * Options of {@link MemoryTokenStore}.
 */
export interface MemoryTokenStoreOptions {
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

interface Entry<T> {
  value: T;
  expiresAt: number | undefined;
}

/**
 * Keeps token sets in this process's memory: the default for short-lived processes and tests.
 * Expired entries are evicted when read or when the store is written. Values are copied in and out
 * (`structuredClone`), so mutating a returned object does not change the store.
 *
 * `lock` serialises callers per key within this process only: for several processes, use the file
 * or Redis store.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore } from '@keyway/token-store';
 *
 * const store = new MemoryTokenStore();
 * await store.set('key', { access_token: 'at', expires_at: Math.floor(Date.now() / 1000) + 60 });
 * const count = await store.lock('counter', async () => 1);
 * ```
 */
export class MemoryTokenStore<T extends StoredTokenSet = StoredTokenSet> implements TokenStore<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #mutex = new KeyedMutex();
  readonly #now: () => number;

  constructor(options: MemoryTokenStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** The keys that hold a live (unexpired) token set, sorted. */
  async keys(): Promise<string[]> {
    this.#evictExpired(this.#now());
    return [...this.#entries.keys()].sort();
  }

  async get(key: string): Promise<T | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) {
      return undefined;
    }
    if (isExpired(entry.expiresAt, this.#now())) {
      this.#entries.delete(key);
      return undefined;
    }
    return structuredClone(entry.value);
  }

  async set(key: string, value: T, options?: SetOptions): Promise<void> {
    assertStorable(value);
    const now = this.#now();
    const expiresAt = expiryOf(value, options, now);
    this.#evictExpired(now);
    if (isExpired(expiresAt, now)) {
      this.#entries.delete(key);
      return;
    }
    this.#entries.set(key, { value: structuredClone(value), expiresAt });
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  /** Runs `fn` with no other `lock` call on the same key of this store running in this process. */
  lock<R>(key: string, fn: () => Promise<R>): Promise<R> {
    return this.#mutex.run(key, fn);
  }

  #evictExpired(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (isExpired(entry.expiresAt, now)) {
        this.#entries.delete(key);
      }
    }
  }
}
