import { TokenStoreError } from '../errors.js';
import type { SetOptions, StoredTokenSet } from '../types.js';

/**
 * The expiry rule shared by every adapter, as epoch milliseconds (`undefined`: never expires).
 * An explicit ttl wins; a refresh token keeps the value with no expiry; else `expires_at`.
 */
export function expiryOf(value: StoredTokenSet, options: SetOptions | undefined, nowMs: number): number | undefined {
  const ttl = options?.ttl;
  if (ttl !== undefined) {
    if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0) {
      throw new TokenStoreError('`ttl` must be a finite number of seconds, 0 or more.', { code: 'invalid_ttl' });
    }
    return nowMs + ttl * 1000;
  }
  if (typeof value.refresh_token === 'string' && value.refresh_token !== '') {
    return undefined;
  }
  if (typeof value.expires_at === 'number' && Number.isFinite(value.expires_at)) {
    return value.expires_at * 1000;
  }
  return undefined;
}

/** True when an entry expiring at `expiresAt` (epoch ms) is gone at `nowMs`. */
export function isExpired(expiresAt: number | undefined, nowMs: number): boolean {
  return expiresAt !== undefined && expiresAt <= nowMs;
}

/** Refuses values no adapter could round-trip. The message never shows the value. */
export function assertStorable(value: unknown): asserts value is StoredTokenSet {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    typeof (value as StoredTokenSet).access_token !== 'string'
  ) {
    throw new TokenStoreError('A stored value must be an object with a string `access_token`.', {
      code: 'invalid_value',
    });
  }
}
