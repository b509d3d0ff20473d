/** Cloudflare KV's shortest expiry, in seconds: a shorter `expirationTtl` is refused. */
const MIN_EXPIRATION_TTL = 60;
/** Cloudflare KV's longest key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 512;

/** Options of {@link createFakeKv}. */
export interface FakeKvOptions {
  /** The clock entries expire by, in epoch seconds (e.g. `() => mock.clock.now()`). Default: the system clock. */
  now?: () => number;
}

/** One `put()` as the fake received it. */
export interface FakeKvPut {
  key: string;
  expirationTtl: number | undefined;
  expiration: number | undefined;
}

/** Options of `put()`, as Cloudflare's `KVNamespace` takes them. */
export interface FakeKvPutOptions {
  /** Seconds from now, at least 60. */
  expirationTtl?: number;
  /** Epoch seconds, at least 60 s from now. */
  expiration?: number;
}

/**
 * A Cloudflare KV namespace in memory ({@link createFakeKv}): what `@keyway/edge` and
 * `@keyway/token-store/kv` take as a KV binding, recording what it was asked.
 */
export interface FakeKv {
  /** The stored values by key: read them, or seed one with `data.set()` (without expiry). */
  readonly data: Map<string, string>;
  /** Every `put()`, oldest first. */
  readonly puts: FakeKvPut[];
  /** How many times `get()` was called. */
  readonly reads: number;
  /** The value, or `null` when there is none or it has expired. */
  get(key: string, type?: 'text'): Promise<string | null>;
  /** The value parsed as JSON, or `null`. */
  get<T = unknown>(key: string, type: 'json'): Promise<T | null>;
  /**
   * Stores a value. Refused as Cloudflare refuses it: an empty key, `.` or `..`, a key over 512 bytes,
   * an `expirationTtl` under 60 s, an `expiration` under 60 s from now.
   */
  put(key: string, value: string, options?: FakeKvPutOptions): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * A fake Cloudflare KV namespace, for a Worker's code tested outside workerd: values in memory, expiry
 * by `expirationTtl` / `expiration` on the given clock, Cloudflare's limits on keys and expiries, and a
 * record of every write (`puts`) and of the number of reads.
 *
 * @example
 * ```ts
 * import { createFakeKv, createMockKeyway } from '@keyway/mocks';
 * import { KvTokenStore } from '@keyway/token-store/kv';
 *
 * const mock = createMockKeyway();
 * const kv = createFakeKv({ now: () => mock.clock.now() });
 * const store = new KvTokenStore({ namespace: kv });
 * await store.set('k', { access_token: 'at' }, { ttl: 300 });
 * console.log(kv.puts); // [{ key: 'k', expirationTtl: 300, expiration: undefined }]
 * ```
 */
export function createFakeKv(options: FakeKvOptions = {}): FakeKv {
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const data = new Map<string, string>();
  const expiresAt = new Map<string, number>();
  const puts: FakeKvPut[] = [];
  let reads = 0;

  const live = (key: string): string | null => {
    const value = data.get(key);
    if (value === undefined) {
      return null;
    }
    const expiry = expiresAt.get(key);
    if (expiry !== undefined && expiry <= now()) {
      data.delete(key);
      expiresAt.delete(key);
      return null;
    }
    return value;
  };

  async function get(key: string, type: 'text' | 'json' = 'text'): Promise<unknown> {
    reads += 1;
    checkKey(key, 'GET');
    const value = live(key);
    return type === 'json' && value !== null ? JSON.parse(value) : value;
  }

  return {
    data,
    puts,
    get reads() {
      return reads;
    },
    get: get as FakeKv['get'],
    async put(key, value, putOptions) {
      checkKey(key, 'PUT');
      const expiry = expiryOf(putOptions, now());
      puts.push({ key, expirationTtl: putOptions?.expirationTtl, expiration: putOptions?.expiration });
      data.set(key, String(value));
      if (expiry === undefined) {
        expiresAt.delete(key);
      } else {
        expiresAt.set(key, expiry);
      }
    },
    async delete(key) {
      checkKey(key, 'DELETE');
      data.delete(key);
      expiresAt.delete(key);
    },
  };
}

function checkKey(key: string, operation: string): void {
  if (key === '') {
    throw new Error(`KV ${operation} failed: 400 Key names must not be empty`);
  }
  if (key === '.' || key === '..') {
    throw new Error(`KV ${operation} failed: 400 Illegal key name "${key}". Please use a different name.`);
  }
  const bytes = new TextEncoder().encode(key).length;
  if (bytes > MAX_KEY_BYTES) {
    throw new Error(
      `KV ${operation} failed: 414 UTF-8 encoded length of ${bytes} exceeds key length limit of ${MAX_KEY_BYTES}.`,
    );
  }
}

/** When an entry put with `options` expires (epoch seconds), checked as Cloudflare checks it. */
function expiryOf(options: FakeKvPutOptions | undefined, now: number): number | undefined {
  if (options?.expirationTtl !== undefined) {
    const ttl = Math.trunc(options.expirationTtl);
    if (!Number.isFinite(ttl) || ttl < MIN_EXPIRATION_TTL) {
      throw new Error(
        `KV PUT failed: 400 Invalid expiration_ttl of ${options.expirationTtl}. Expiration TTL must be at least ${MIN_EXPIRATION_TTL}.`,
      );
    }
    return now + ttl;
  }
  if (options?.expiration !== undefined) {
    const expiration = Math.trunc(options.expiration);
    if (!Number.isFinite(expiration) || expiration < now + MIN_EXPIRATION_TTL) {
      throw new Error(
        `KV PUT failed: 400 Invalid expiration of ${options.expiration}. Expiration times must be at least ${MIN_EXPIRATION_TTL} seconds in the future.`,
      );
    }
    return expiration;
  }
  return undefined;
}
