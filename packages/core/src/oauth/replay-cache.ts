/** How many unexpired DPoP `jti`s the in-memory replay cache holds before it refuses new proofs. */
export const REPLAY_LIMIT = 100_000;

/** What {@link ReplayCache.consume} found: a first use, a replay, or no room to remember another. */
type ReplayVerdict = 'fresh' | 'replay' | 'full';

/**
 * Used one-time values (DPoP `jti`s) with their expiry, bounded WITHOUT eviction: an unexpired entry
 * is never dropped to make room, since dropping it would make its proof acceptable again (a flood of
 * fresh proofs followed by a replay). When `limit` unexpired entries are held, `consume` answers
 * `full` and the caller refuses the proof: memory is bounded by refusing, not by forgetting. Expired
 * entries are swept when the cache is full and the earliest expiry has passed, so the sweep costs
 * nothing while the cache holds only live entries.
 */
export class ReplayCache {
  readonly #expiries = new Map<string, number>();
  readonly #limit: number;
  /** The earliest expiry among the entries (ms since the epoch); `Infinity` when empty. */
  #earliest = Number.POSITIVE_INFINITY;

  constructor(limit = REPLAY_LIMIT) {
    this.#limit = limit;
  }

  /** How many values are remembered (expired ones not yet swept included). */
  get size(): number {
    return this.#expiries.size;
  }

  /** Records `key` as used for `ttlSeconds` from `now`, unless it is already (a replay) or there is no room. */
  consume(key: string, ttlSeconds: number, now = Date.now()): ReplayVerdict {
    const expiry = this.#expiries.get(key);
    if (expiry !== undefined) {
      if (expiry > now) {
        return 'replay';
      }
      this.#expiries.delete(key);
    }
    if (this.#expiries.size >= this.#limit && this.#earliest <= now) {
      this.#sweep(now);
    }
    if (this.#expiries.size >= this.#limit) {
      return 'full';
    }
    const expires = now + ttlSeconds * 1000;
    this.#expiries.set(key, expires);
    this.#earliest = Math.min(this.#earliest, expires);
    return 'fresh';
  }

  #sweep(now: number): void {
    let earliest = Number.POSITIVE_INFINITY;
    for (const [key, expires] of this.#expiries) {
      if (expires <= now) {
        this.#expiries.delete(key);
      } else if (expires < earliest) {
        earliest = expires;
      }
    }
    this.#earliest = earliest;
  }
}
