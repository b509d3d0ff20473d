import { describe, expect, it } from 'vitest';
import { ReplayCache } from './replay-cache.js';

describe('ReplayCache (DPoP jtis, bounded without eviction)', () => {
  it('answers fresh, then replay until the TTL has passed, then fresh again', () => {
    const cache = new ReplayCache(10);
    expect(cache.consume('a', 60, 0)).toBe('fresh');
    expect(cache.consume('a', 60, 59_999)).toBe('replay');
    expect(cache.consume('a', 60, 60_000)).toBe('fresh');
  });

  it('never evicts an unexpired entry: when full it refuses new values, and a flood cannot reopen a replay', () => {
    const cache = new ReplayCache(3);
    expect(['a', 'b', 'c'].map((key) => cache.consume(key, 60, 0))).toEqual(['fresh', 'fresh', 'fresh']);
    for (let i = 0; i < 1000; i++) {
      expect(cache.consume(`flood-${i}`, 60, 1000)).toBe('full');
    }
    expect(cache.consume('a', 60, 2000)).toBe('replay');
    expect(cache.size).toBe(3);
  });

  it('sweeps expired entries once the earliest expiry has passed, making room again', () => {
    const cache = new ReplayCache(3);
    cache.consume('short', 1, 0);
    cache.consume('long-1', 600, 0);
    cache.consume('long-2', 600, 0);
    expect(cache.consume('x', 60, 500)).toBe('full');
    expect(cache.consume('x', 60, 1000)).toBe('fresh');
    expect(cache.size).toBe(3);
    expect(cache.consume('long-1', 60, 1000)).toBe('replay');
  });
});
