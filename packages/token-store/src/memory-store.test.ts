import { describe, expect, it } from 'vitest';
import { describeTokenStoreContract } from '../test/contract.js';
import { TokenStoreError } from './errors.js';
import { MemoryTokenStore } from './memory-store.js';

// Runs under Node and under edge-runtime (see vitest.config.ts).
const stores = new Map<string, MemoryTokenStore>();
describeTokenStoreContract('MemoryTokenStore', {
  lock: true,
  create(ns) {
    let store = stores.get(ns);
    if (!store) {
      store = new MemoryTokenStore();
      stores.set(ns, store);
    }
    return store;
  },
});

describe('MemoryTokenStore with a clock', () => {
  it('evicts an entry at its expiry, to the millisecond', async () => {
    let now = 1_700_000_000_000;
    const store = new MemoryTokenStore({ now: () => now });
    await store.set('k', { access_token: 'at', expires_at: now / 1000 + 60 });
    now += 59_999;
    expect(await store.get('k')).toEqual({ access_token: 'at', expires_at: 1_700_000_060 });
    now += 1;
    expect(await store.get('k')).toBeUndefined();
  });

  it('evicts expired entries of other keys when written, so memory does not grow with dead tokens', async () => {
    let now = 1_700_000_000_000;
    const store = new MemoryTokenStore({ now: () => now });
    await store.set('a', { access_token: 'a' }, { ttl: 1 });
    await store.set('b', { access_token: 'b' }, { ttl: 10 });
    now += 5000;
    await store.set('c', { access_token: 'c' });
    now -= 5000; // a clock going back would resurrect 'a' if it were still there
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toEqual({ access_token: 'b' });
  });

  it('keeps values apart between instances', async () => {
    const a = new MemoryTokenStore();
    const b = new MemoryTokenStore();
    await a.set('k', { access_token: 'a' });
    expect(await b.get('k')).toBeUndefined();
  });

  it('refuses a ttl that is not a finite, non-negative number', async () => {
    const store = new MemoryTokenStore();
    await expect(store.set('k', { access_token: 'at' }, { ttl: -0.5 })).rejects.toSatisfy(
      (error: unknown) => TokenStoreError.is(error) && error.code === 'invalid_ttl',
    );
  });
});

describe('MemoryTokenStore.keys', () => {
  it('lists live keys, sorted, and drops expired ones', async () => {
    let now = 1_700_000_000_000;
    const store = new MemoryTokenStore({ now: () => now });
    await store.set('b', { access_token: 'at', refresh_token: 'rt' });
    await store.set('a', { access_token: 'at' }, { ttl: 5 });
    expect(await store.keys()).toEqual(['a', 'b']);
    now += 6_000;
    expect(await store.keys()).toEqual(['b']);
  });
});
