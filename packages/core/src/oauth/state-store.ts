import { encodeBase64url } from './jws.js';

/**
 * Where consumed callback states are recorded, so that a replayed callback is refused even when it
 * reaches another `OAuthClient`, another process or another server. The default is an in-memory store
 * shared by every client of one issuer and `client_id` in the process (or isolate); a deployment with
 * several instances plugs a shared one (Redis, a database) through the `stateStore` option.
 *
 * @example
 * ```ts
 * import type { StateStore } from '@keyway/core';
 * import { createClient } from 'redis';
 *
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * const stateStore: StateStore = {
 *   // SET NX: only the first caller for a key gets "OK"; the key expires after the TTL.
 *   consume: async (key, ttlSeconds) => (await redis.set(key, '1', { NX: true, EX: ttlSeconds })) === 'OK',
 * };
 * ```
 */
export interface StateStore {
  /**
   * Records `key` as consumed for `ttlSeconds`. Resolves to `true` when it was not consumed before
   * (the callback may be redeemed), `false` when it was (a replay). Must be atomic across every
   * instance that shares the store. A rejection fails the callback: nothing is redeemed.
   */
  consume(key: string, ttlSeconds: number): Promise<boolean>;
}

/** A consumed state is remembered this long (seconds): longer than any authorization code lives. */
export const STATE_TTL = 600;
/** The in-memory store forgets the oldest states beyond this many. */
const STATE_LIMIT = 10_000;

/**
 * What a key records as used: a callback's `state`, an authorization `code` (redeemed once,
 * whichever method redeems it) or a back-channel logout token's `jti` in the state store; a
 * caller-supplied `state`, `nonce` or code `verifier` in the in-process record of issued values.
 */
export type ConsumedKind = 'state' | 'code' | 'logout' | 'nonce' | 'verifier';

/**
 * The key under which `value` (a callback's state, by default) for `issuer` and `clientId` is
 * consumed: a hash, so keys have one length whatever the inputs and never collide across issuers,
 * clients or kinds (the kind is the key's prefix).
 */
export async function stateKey(
  issuer: string,
  clientId: string,
  value: string,
  kind: ConsumedKind = 'state',
): Promise<string> {
  const input = new TextEncoder().encode(JSON.stringify([issuer, clientId, value]));
  const digest = await crypto.subtle.digest('SHA-256', input);
  return `keyway:${kind}:${encodeBase64url(new Uint8Array(digest))}`;
}

/**
 * Consumed keys with their expiry, bounded: expired keys are dropped as new ones come, and beyond
 * `limit` the oldest go first. A Map keeps insertion order, so the oldest key is the first one.
 */
export class ConsumedStates {
  readonly #expiries = new Map<string, number>();
  readonly #limit: number;

  constructor(limit = STATE_LIMIT) {
    this.#limit = limit;
  }

  /** How many keys are remembered. */
  get size(): number {
    return this.#expiries.size;
  }

  /** True when `key` is recorded and has not expired (nothing is recorded). */
  has(key: string, now = Date.now()): boolean {
    const expiry = this.#expiries.get(key);
    return expiry !== undefined && expiry > now;
  }

  /** Marks `key` as used until `ttlSeconds` from `now`; false when it already was (and has not expired). */
  consume(key: string, ttlSeconds: number, now = Date.now()): boolean {
    const expiry = this.#expiries.get(key);
    if (expiry !== undefined && expiry > now) {
      return false;
    }
    this.#expiries.delete(key);
    for (const [oldest, expires] of this.#expiries) {
      if (expires > now && this.#expiries.size < this.#limit) {
        break;
      }
      this.#expiries.delete(oldest);
    }
    this.#expiries.set(key, now + ttlSeconds * 1000);
    return true;
  }
}

const shared = /* @__PURE__ */ new ConsumedStates();

/** The process-wide default store: one set of consumed states for every client in the realm. */
export const memoryStateStore: StateStore = {
  consume: async (key, ttlSeconds) => shared.consume(key, ttlSeconds),
};
