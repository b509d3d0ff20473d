import { TokenStoreError } from './errors.js';
import { assertStorable, expiryOf, isExpired } from './internal/expiry.js';
import { decodeRecord, encodeRecord } from './internal/record.js';
import type { SetOptions, StoredTokenSet, TokenStore } from './types.js';
import type { WebStorage } from './web-types.js';

/**
 * The Web Locks API, as far as the store uses it (`navigator.locks`).
 */
export interface LockManagerLike {
  request<R>(name: string, callback: () => Promise<R>): Promise<R>;
}

/**
 * Options of {@link WebStorageTokenStore}.
 */
export interface WebStorageTokenStoreOptions {
  /** `localStorage`, `sessionStorage` or any `Storage`. Defaults to `globalThis.localStorage`, looked up on first use. */
  storage?: WebStorage;
  /** Prefix of every storage key. Default `keyway:token:`. */
  prefix?: string;
  /**
   * Web Locks used by `lock` (default `navigator.locks` when present). `false`: no `lock` method.
   */
  locks?: LockManagerLike | false;
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * Keeps token sets in Web Storage (`localStorage` by default, or `sessionStorage`) for browser apps.
 * The expiry is stored beside the value (`{"v": {...}, "e": <epoch ms>}`) and checked on read; an
 * expired or unreadable entry is removed when read.
 *
 * Where there is no storage (a server, a worker, storage blocked by the browser's privacy settings)
 * every call throws a {@link TokenStoreError} with code `storage_unavailable`; constructing the store
 * does not, so the same module can load during server-side rendering.
 *
 * `lock` exists where the Web Locks API does (`navigator.locks`, in secure contexts): it is exclusive
 * across the tabs and workers of the origin.
 *
 * Anything in Web Storage is readable by any script on the page: keep only what an XSS could not make
 * worse, prefer short-lived tokens, or wrap the store with `encryptedStore` and a non-extractable key.
 *
 * @example
 * ```ts
 * import { WebStorageTokenStore } from '@keyway/token-store/web';
 *
 * const store = new WebStorageTokenStore(); // localStorage
 * await store.set('key', { access_token: 'at', expires_at: Math.floor(Date.now() / 1000) + 300 });
 * await store.lock?.('key', async () => {
 *   // one tab at a time
 * });
 * ```
 */
export class WebStorageTokenStore<T extends StoredTokenSet = StoredTokenSet> implements TokenStore<T> {
  /** Present where Web Locks exist: runs `fn` with no other tab or worker of the origin holding `key`. */
  readonly lock?: <R>(key: string, fn: () => Promise<R>) => Promise<R>;
  readonly #storage: WebStorage | undefined;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(options: WebStorageTokenStoreOptions = {}) {
    this.#storage = options.storage;
    this.#prefix = options.prefix ?? 'keyway:token:';
    this.#now = options.now ?? Date.now;
    const locks = options.locks === undefined ? defaultLocks() : options.locks || undefined;
    if (locks) {
      const lockPrefix = `${this.#prefix}lock:`;
      this.lock = (key, fn) => locks.request(lockPrefix + key, () => fn());
    }
  }

  async get(key: string): Promise<T | undefined> {
    const storage = this.#resolveStorage();
    const storageKey = this.#prefix + key;
    const text = this.#backend(() => storage.getItem(storageKey));
    if (text === null) {
      return undefined;
    }
    const record = decodeRecord(text);
    if (!record || isExpired(record.expiresAt, this.#now())) {
      this.#backend(() => storage.removeItem(storageKey));
      return undefined;
    }
    return record.value as T;
  }

  async set(key: string, value: T, options?: SetOptions): Promise<void> {
    assertStorable(value);
    const storage = this.#resolveStorage();
    const now = this.#now();
    const expiresAt = expiryOf(value, options, now);
    const storageKey = this.#prefix + key;
    if (isExpired(expiresAt, now)) {
      this.#backend(() => storage.removeItem(storageKey));
      return;
    }
    const text = encodeRecord(value, expiresAt);
    this.#backend(() => storage.setItem(storageKey, text));
  }

  async delete(key: string): Promise<void> {
    const storage = this.#resolveStorage();
    this.#backend(() => storage.removeItem(this.#prefix + key));
  }

  #resolveStorage(): Storage {
    if (this.#storage) {
      return this.#storage;
    }
    let storage: Storage | undefined;
    try {
      // Reading `localStorage` itself throws where the browser blocks storage (e.g. sandboxed iframes).
      storage = (globalThis as { localStorage?: Storage }).localStorage;
    } catch (cause) {
      throw new TokenStoreError('localStorage is not accessible here (blocked by the browser).', {
        code: 'storage_unavailable',
        cause,
      });
    }
    if (!storage) {
      throw new TokenStoreError(
        'No Web Storage here: WebStorageTokenStore needs a browser (or pass `storage`). On servers use another store.',
        { code: 'storage_unavailable' },
      );
    }
    return storage;
  }

  #backend<R>(operation: () => R): R {
    try {
      return operation();
    } catch (cause) {
      // e.g. QuotaExceededError. The cause names the failure, not the value.
      throw new TokenStoreError('A Web Storage operation failed.', { code: 'backend_error', cause });
    }
  }
}

function defaultLocks(): LockManagerLike | undefined {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return typeof locks?.request === 'function' ? locks : undefined;
}
