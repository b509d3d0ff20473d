/**
 * A token set as a store keeps it: the wire names of an OAuth token response, with `expires_at` (epoch
 * seconds) computed at receipt in place of `expires_in`. Extra members are kept as they are.
 */
export interface StoredTokenSet {
  access_token: string;
  token_type?: string;
  /** Expiry of the access token, in epoch seconds. */
  expires_at?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  [k: string]: unknown;
}

/**
 * Options of {@link TokenStore.set}.
 */
export interface SetOptions {
  /**
   * Seconds to keep the value (fractions allowed; `0` removes it at once). When absent: a value that
   * holds a `refresh_token` never expires from the store, otherwise `expires_at` gives the expiry.
   */
  ttl?: number;
}

/**
 * Where token sets live between requests and processes. Every adapter applies the same expiry rule:
 * an explicit `ttl` wins; otherwise a value with a `refresh_token` is kept with no expiry (it must
 * outlive its access token); otherwise `expires_at` gives the expiry.
 *
 * @example
 * ```ts
 * import { MemoryTokenStore, type TokenStore, tokenKey } from '@keyway/token-store';
 *
 * const store: TokenStore = new MemoryTokenStore();
 * const key = tokenKey({ issuer: 'https://auth.example.com', clientId: 'cli' });
 * await store.set(key, { access_token: 'at', refresh_token: 'rt' });
 * const tokens = await store.get(key);
 * await store.lock?.(key, async () => {
 *   // refresh here: no other holder of this store's lock on `key` runs meanwhile
 * });
 * await store.delete(key);
 * ```
 */
export interface TokenStore<T extends StoredTokenSet = StoredTokenSet> {
  /** The value stored under `key`, or `undefined` when there is none or it has expired. */
  get(key: string): Promise<T | undefined>;
  /** Stores `value` under `key`, replacing any previous value and its expiry. */
  set(key: string, value: T, options?: SetOptions): Promise<void>;
  /** Removes `key`; removing an absent key is not an error. */
  delete(key: string): Promise<void>;
  /** The keys holding a live token set, where the backend can list them (memory, file). */
  keys?(): Promise<string[]>;
  /** Runs fn while holding an exclusive (cross-process where the backend allows) lock on key. */
  lock?<R>(key: string, fn: () => Promise<R>): Promise<R>;
}
