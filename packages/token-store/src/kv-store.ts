import { TokenStoreError } from './errors.js';
import { sha256Hex, utf8 } from './internal/encoding.js';
import { assertStorable, expiryOf, isExpired } from './internal/expiry.js';
import { decodeRecord, encodeRecord } from './internal/record.js';
import type { SetOptions, StoredTokenSet, TokenStore } from './types.js';

/** KV refuses an `expirationTtl` under 60 seconds. */
const KV_MIN_TTL_SECONDS = 60;
/** KV keys are at most 512 bytes. */
const KV_MAX_KEY_BYTES = 512;

/**
 * A Cloudflare Workers KV namespace binding, as far as the store uses it (`KVNamespace` from
 * `@cloudflare/workers-types` fits).
 */
export interface KvNamespaceLike {
  get(key: string, type: 'text'): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * Options of {@link KvTokenStore}.
 */
export interface KvTokenStoreOptions {
  /** The KV namespace binding. */
  namespace: KvNamespaceLike;
  /** Prefix of every KV key. Default none. */
  prefix?: string;
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  now?: () => number;
}

/**
 * Keeps token sets in Cloudflare Workers KV: a cache shared by every isolate and colo.
 *
 * The expiry is stored beside the value and checked on read, so expiry is exact; KV's own
 * `expirationTtl` removes the entry later (KV needs at least 60 s, so shorter ttls are rounded up to
 * 60 there). Keys longer than KV's 512-byte limit are stored under `<prefix>sha256:<hex digest>`.
 *
 * There is no `lock`: KV is eventually consistent (a write can take up to 60 s to be seen in other
 * locations) and has no compare-and-set, so no lock built on it would hold. Callers such as a token
 * source then refresh without a cross-isolate lock; use a Durable Object if you need one.
 *
 * @example
 * ```ts
 * import { KvTokenStore, type KvNamespaceLike } from '@keyway/token-store/kv';
 *
 * export default {
 *   async fetch(_request: Request, env: { TOKENS: KvNamespaceLike }): Promise<Response> {
 *     const store = new KvTokenStore({ namespace: env.TOKENS });
 *     const tokens = await store.get('service-token');
 *     return new Response(tokens ? 'cached' : 'empty');
 *   },
 * };
 * ```
 */
export class KvTokenStore<T extends StoredTokenSet = StoredTokenSet> implements TokenStore<T> {
  readonly #namespace: KvNamespaceLike;
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(options: KvTokenStoreOptions) {
    if (!options?.namespace || typeof options.namespace.get !== 'function') {
      throw new TokenStoreError('KvTokenStore needs a KV namespace binding as `namespace`.', {
        code: 'invalid_options',
      });
    }
    this.#namespace = options.namespace;
    this.#prefix = options.prefix ?? '';
    this.#now = options.now ?? Date.now;
  }

  async get(key: string): Promise<T | undefined> {
    const kvKey = await this.#kvKey(key);
    const text = await this.#backend(() => this.#namespace.get(kvKey, 'text'));
    if (text === null) {
      return undefined;
    }
    const record = decodeRecord(text);
    if (!record || isExpired(record.expiresAt, this.#now())) {
      return undefined;
    }
    return record.value as T;
  }

  async set(key: string, value: T, options?: SetOptions): Promise<void> {
    assertStorable(value);
    const now = this.#now();
    const expiresAt = expiryOf(value, options, now);
    const kvKey = await this.#kvKey(key);
    if (isExpired(expiresAt, now)) {
      await this.#backend(() => this.#namespace.delete(kvKey));
      return;
    }
    const putOptions =
      expiresAt === undefined
        ? undefined
        : { expirationTtl: Math.max(KV_MIN_TTL_SECONDS, Math.ceil((expiresAt - now) / 1000)) };
    const text = encodeRecord(value, expiresAt);
    await this.#backend(() => this.#namespace.put(kvKey, text, putOptions));
  }

  async delete(key: string): Promise<void> {
    const kvKey = await this.#kvKey(key);
    await this.#backend(() => this.#namespace.delete(kvKey));
  }

  async #kvKey(key: string): Promise<string> {
    const full = this.#prefix + key;
    if (utf8(full).length <= KV_MAX_KEY_BYTES) {
      return full;
    }
    return `${this.#prefix}sha256:${await sha256Hex(key)}`;
  }

  async #backend<R>(operation: () => Promise<R>): Promise<R> {
    try {
      return await operation();
    } catch (cause) {
      throw new TokenStoreError('A KV operation failed.', { code: 'backend_error', cause });
    }
  }
}
