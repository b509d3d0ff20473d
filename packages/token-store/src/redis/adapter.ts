import { TokenStoreError } from '../errors.js';
import { fromUtf8 } from '../internal/encoding.js';

/**
 * The few Redis commands the store needs, in one shape whatever the client library. Build one with
 * {@link redisAdapter}, or write your own for another client (e.g. a REST client on the edge).
 *
 * @example
 * ```ts
 * import type { RedisAdapter } from '@keyway/token-store/redis';
 *
 * const entries = new Map<string, string>();
 * const adapter: RedisAdapter = {
 *   async get(key) { return entries.get(key) ?? null; },
 *   async set(key, value, options) {
 *     if (options?.nx && entries.has(key)) { return false; }
 *     entries.set(key, value); // a real adapter passes options.px on as PX
 *     return true;
 *   },
 *   async del(key) { entries.delete(key); },
 * };
 * ```
 */
export interface RedisAdapter {
  /** `GET key`: the string value, or null. */
  get(key: string): Promise<string | null>;
  /** `SET key value [PX px] [NX]`: true when the value was written (false when NX found the key). */
  set(key: string, value: string, options?: { px?: number; nx?: boolean }): Promise<boolean>;
  /** `DEL key`. */
  del(key: string): Promise<void>;
  /** `EVAL script numkeys keys... args...`. Optional: without it, lock release is a careful GET + DEL. */
  eval?(script: string, keys: string[], args: string[]): Promise<unknown>;
}

/**
 * A node-redis (v4, v5) or ioredis client, as far as the store uses it. Typed loosely on purpose: the
 * libraries' own command types differ between majors, and {@link redisAdapter} checks the shape at
 * run time.
 */
export interface RedisClientLike {
  get(key: string): Promise<unknown>;
  // `...args: never` accepts any signature: node-redis 4 types `set` and `del` as unions of argument
  // tuples (with or without leading command options), which no fixed parameter list matches.
  set(...args: never): Promise<unknown>;
  del(...args: never): Promise<unknown>;
}

/**
 * How a client passes SET options: node-redis takes an object (`{ PX, NX }`), ioredis positional
 * arguments (`'PX', ms, 'NX'`).
 */
export type RedisClientStyle = 'node-redis' | 'ioredis';

type Method = (...args: unknown[]) => Promise<unknown>;
type Loose = Record<string, unknown>;

/**
 * Detects the client library and wraps the client as a {@link RedisAdapter}. ioredis clients (and
 * clusters) are recognised by `call()` and a string `status`; node-redis clients by `isOpen` or the
 * upper-case command aliases (`SET`). Pass `style` when detection cannot tell.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'; // the named export works under every moduleResolution
 * import { RedisTokenStore, redisAdapter } from '@keyway/token-store/redis';
 *
 * const store = new RedisTokenStore({ adapter: redisAdapter(new Redis(), 'ioredis') });
 * ```
 */
export function redisAdapter(client: RedisClientLike, style?: RedisClientStyle): RedisAdapter {
  const raw = client as unknown as Loose;
  for (const name of ['get', 'set', 'del']) {
    if (typeof raw[name] !== 'function') {
      throw new TokenStoreError(`The Redis client has no ${name}() method.`, { code: 'invalid_options' });
    }
  }
  const resolved = style ?? detectStyle(raw);
  const call = (name: string, ...args: unknown[]) => (raw[name] as Method).apply(client, args);
  const hasEval = typeof raw.eval === 'function';

  if (resolved === 'ioredis') {
    return {
      get: async (key) => asString(await call('get', key)),
      async set(key, value, options) {
        const args: unknown[] = [key, value];
        if (options?.px !== undefined) {
          args.push('PX', options.px);
        }
        if (options?.nx) {
          args.push('NX');
        }
        return (await call('set', ...args)) !== null;
      },
      async del(key) {
        await call('del', key);
      },
      eval: hasEval ? (script, keys, args) => call('eval', script, keys.length, ...keys, ...args) : undefined,
    };
  }
  return {
    get: async (key) => asString(await call('get', key)),
    async set(key, value, options) {
      const setOptions: Record<string, number | boolean> = {};
      if (options?.px !== undefined) {
        setOptions.PX = options.px;
      }
      if (options?.nx) {
        setOptions.NX = true;
      }
      const reply = Object.keys(setOptions).length > 0 ? call('set', key, value, setOptions) : call('set', key, value);
      return (await reply) !== null;
    },
    async del(key) {
      await call('del', key);
    },
    eval: hasEval ? (script, keys, args) => call('eval', script, { keys, arguments: args }) : undefined,
  };
}

function detectStyle(client: Loose): RedisClientStyle {
  if (typeof client.call === 'function' && typeof client.status === 'string') {
    return 'ioredis';
  }
  if (typeof client.isOpen === 'boolean' || typeof client.SET === 'function') {
    return 'node-redis';
  }
  throw new TokenStoreError(
    "Cannot tell the Redis client library: pass `style: 'node-redis' | 'ioredis'` or an `adapter`.",
    { code: 'invalid_options' },
  );
}

function asString(reply: unknown): string | null {
  if (reply === null || reply === undefined) {
    return null;
  }
  if (typeof reply === 'string') {
    return reply;
  }
  if (reply instanceof Uint8Array) {
    return fromUtf8(reply);
  }
  throw new TokenStoreError('Redis GET returned an unexpected reply type.', { code: 'backend_error' });
}
