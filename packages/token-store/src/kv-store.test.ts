import { createFakeKv } from '@keyway/mocks';
import { describe, expect, it } from 'vitest';
import { TokenStoreError } from './errors.js';
import { type KvNamespaceLike, KvTokenStore } from './kv-store.js';

// The real thing runs in workerd (test/kv.test.ts); these pin the KV-specific arithmetic with a fake namespace.

const code = (error: unknown) => (TokenStoreError.is(error) ? error.code : undefined);

describe('KvTokenStore', () => {
  it('asks KV to keep an entry at least 60 s, and the store expires it exactly', async () => {
    let now = 1_700_000_000_000;
    const namespace = createFakeKv();
    const store = new KvTokenStore({ namespace, now: () => now });
    await store.set('short', { access_token: 'a' }, { ttl: 5 });
    await store.set('long', { access_token: 'b' }, { ttl: 600.2 });
    await store.set('durable', { access_token: 'c', refresh_token: 'rt' });
    expect(namespace.puts).toEqual([
      { key: 'short', expirationTtl: 60, expiration: undefined },
      { key: 'long', expirationTtl: 601, expiration: undefined },
      { key: 'durable', expirationTtl: undefined, expiration: undefined },
    ]);
    now += 5000;
    expect(await store.get('short')).toBeUndefined();
    expect(await store.get('long')).toEqual({ access_token: 'b' });
  });

  it('refuses a missing namespace with invalid_options', () => {
    expect(() => new KvTokenStore({} as never)).toThrow(expect.objectContaining({ code: 'invalid_options' }));
  });

  it('wraps a failing KV call as backend_error', async () => {
    const namespace: KvNamespaceLike = {
      get: async () => {
        throw new Error('KV GET failed: 500');
      },
      put: async () => {},
      delete: async () => {},
    };
    const error = await new KvTokenStore({ namespace }).get('k').catch((e: unknown) => e);
    expect(code(error)).toBe('backend_error');
    expect((error as Error).cause).toEqual(new Error('KV GET failed: 500'));
  });
});
