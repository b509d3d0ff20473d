import { TokenStoreError } from '../errors.js';
import { backoff, sleep } from '../internal/async.js';
import { randomHex } from '../internal/encoding.js';
import { assertStorable, expiryOf, isExpired } from '../internal/expiry.js';
import { decodeJson } from '../internal/json.js';
import { millisecondsOption } from '../internal/options.js';
import type { SetOptions, StoredTokenSet, TokenStore } from '../types.js';
import { type RedisAdapter, type RedisClientLike, type RedisClientStyle, redisAdapter } from './adapter.js';

// Deletes the lock only if it still holds our token: never another holder's lock.
const RELEASE_SCRIPT = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) else return 0 end`;

/**
 * Options of {@link RedisTokenStore}: a `client` (node-redis v4/v5 or ioredis) or an `adapter`.
 */
export interface RedisTokenStoreOptions {
  /** A connected node-redis (v4, v5) or ioredis client; the library is detected. */
  client?: RedisClientLike;
  /** Overrides the detection for `client`. */
  style?: RedisClientStyle;
  /** Any other client, wrapped as a {@link RedisAdapter}. Give either `client` or `adapter`. */
  adapter?: RedisAdapter;
  /** Prefix of every Redis key. Values live at `<prefix>token:<key>`, locks at `<prefix>lock:<key>`. Default `keyway:`. */
  prefix?: string;
  /** A held lock expires after this many milliseconds even if its holder dies. Default 30 000. */
  lockTtlMs?: number;
  /** Give up waiting for a lock after this many milliseconds (`lock_timeout`). Default 10 000. */
  lockTimeoutMs?: number;
}

/**
 * Keeps token sets in Redis, shared by every process and host that uses the same server: the store of
 * horizontally scaled services. Values are JSON strings; expiry is Redis's own (`PX`), following the
 * shared rule (a value with a refresh token is stored without expiry unless `ttl` is given).
 *
 * `lock` takes `SET <prefix>lock:<key> <random token> NX PX <lockTtlMs>`, retries with jittered
 * backoff up to `lockTimeoutMs`, and releases with a compare-and-delete Lua script (`EVAL`), so a
 * holder never deletes a lock that expired and was taken by someone else. Without `EVAL` (some
 * proxies, a custom adapter) release is a GET then DEL, done only while the lock is well within its
 * TTL, else left to expire. `fn` should finish within `lockTtlMs`.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'; // the named export works under every moduleResolution
 * import { RedisTokenStore } from '@keyway/token-store/redis';
 *
 * const store = new RedisTokenStore({ client: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379') });
 * await store.set('key', { access_token: 'at', expires_at: Math.floor(Date.now() / 1000) + 3600 });
 * await store.lock('key', async () => {
 *   // refresh here: no other process holds this key's lock
 * });
 * ```
 */
export class RedisTokenStore<T extends StoredTokenSet = StoredTokenSet> implements TokenStore<T> {
  readonly #redis: RedisAdapter;
  readonly #prefix: string;
  readonly #lockTtlMs: number;
  readonly #lockTimeoutMs: number;

  constructor(options: RedisTokenStoreOptions) {
    if ((options.client === undefined) === (options.adapter === undefined)) {
      throw new TokenStoreError('RedisTokenStore needs exactly one of `client` or `adapter`.', {
        code: 'invalid_options',
      });
    }
    this.#redis = options.adapter ?? redisAdapter(options.client as RedisClientLike, options.style);
    this.#prefix = options.prefix ?? 'keyway:';
    // PX takes a whole number of milliseconds, at least 1.
    this.#lockTtlMs = Math.ceil(millisecondsOption('lockTtlMs', options.lockTtlMs, 30_000, 1));
    this.#lockTimeoutMs = millisecondsOption('lockTimeoutMs', options.lockTimeoutMs, 10_000);
  }

  async get(key: string): Promise<T | undefined> {
    const text = await this.#backend(() => this.#redis.get(this.#valueKey(key)));
    if (text === null) {
      return undefined;
    }
    const value = decodeJson(text);
    if (value === undefined) {
      // Not ours (or damaged): as good as absent.
      return undefined;
    }
    return value as T;
  }

  async set(key: string, value: T, options?: SetOptions): Promise<void> {
    assertStorable(value);
    const now = Date.now();
    const expiresAt = expiryOf(value, options, now);
    if (isExpired(expiresAt, now)) {
      await this.delete(key);
      return;
    }
    const text = JSON.stringify(value);
    await this.#backend(() =>
      this.#redis.set(
        this.#valueKey(key),
        text,
        expiresAt === undefined ? undefined : { px: Math.max(1, Math.ceil(expiresAt - now)) },
      ),
    );
  }

  async delete(key: string): Promise<void> {
    await this.#backend(() => this.#redis.del(this.#valueKey(key)));
  }

  /** Runs `fn` while holding a Redis lock on `key`, shared by every client of the same server. */
  async lock<R>(key: string, fn: () => Promise<R>): Promise<R> {
    const lockKey = `${this.#prefix}lock:${key}`;
    const token = randomHex();
    const deadline = Date.now() + this.#lockTimeoutMs;
    let acquiredAt = 0;
    for (let attempt = 0; ; attempt++) {
      acquiredAt = Date.now();
      const taken = await this.#backend(() => this.#redis.set(lockKey, token, { px: this.#lockTtlMs, nx: true }));
      if (taken) {
        break;
      }
      if (Date.now() >= deadline) {
        throw new TokenStoreError(`Timed out after ${this.#lockTimeoutMs} ms waiting for a Redis lock.`, {
          code: 'lock_timeout',
        });
      }
      await sleep(backoff(attempt, 10, 200));
    }
    try {
      return await fn();
    } finally {
      await this.#release(lockKey, token, acquiredAt);
    }
  }

  async #release(lockKey: string, token: string, acquiredAt: number): Promise<void> {
    try {
      if (this.#redis.eval) {
        await this.#redis.eval(RELEASE_SCRIPT, [lockKey], [token]);
        return;
      }
      // No EVAL: between our GET and DEL the lock could expire and be taken by another holder. Only
      // delete while far from expiry; otherwise let Redis expire it.
      const margin = Math.max(1000, this.#lockTtlMs / 5);
      if (Date.now() - acquiredAt < this.#lockTtlMs - margin && (await this.#redis.get(lockKey)) === token) {
        await this.#redis.del(lockKey);
      }
    } catch {
      // A failed release is not the caller's failure: the lock expires after lockTtlMs anyway.
    }
  }

  #valueKey(key: string): string {
    return `${this.#prefix}token:${key}`;
  }

  async #backend<R>(operation: () => Promise<R>): Promise<R> {
    try {
      return await operation();
    } catch (cause) {
      if (TokenStoreError.is(cause)) {
        throw cause;
      }
      // Not the raw error: ioredis attaches the command and its arguments (the token) to reply errors.
      throw new TokenStoreError('A Redis command failed.', { code: 'backend_error', cause: summarise(cause) });
    }
  }
}

function summarise(error: unknown): Error {
  const summary = new Error(error instanceof Error ? error.message : String(error));
  summary.name = error instanceof Error ? error.name : 'Error';
  return summary;
}
