import { describe, expect, it } from 'vitest';
import { TokenStoreError } from './errors.js';
import type { StoredTokenSet } from './types.js';
import { type LockManagerLike, WebStorageTokenStore } from './web-store.js';

// Runs under Node and edge-runtime, where there is no Web Storage; the real thing is test/web.test.ts (Chromium).

function memoryStorage(): Storage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    get length() {
      return data.size;
    },
    clear: () => data.clear(),
    getItem: (key) => data.get(key) ?? null,
    key: (index) => [...data.keys()][index] ?? null,
    removeItem: (key) => {
      data.delete(key);
    },
    setItem: (key, value) => {
      data.set(key, String(value));
    },
  };
}

const code = (error: unknown) => (TokenStoreError.is(error) ? error.code : undefined);

describe('WebStorageTokenStore without a browser', () => {
  it('constructs, then refuses every call with storage_unavailable', async () => {
    const store = new WebStorageTokenStore({ locks: false });
    for (const call of [store.get('k'), store.set('k', { access_token: 'at' }), store.delete('k')]) {
      await expect(call).rejects.toSatisfy((e: unknown) => code(e) === 'storage_unavailable');
    }
    expect(store.lock).toBeUndefined();
  });

  it('keeps the value and its expiry as one record, and removes an expired or foreign record when read', async () => {
    let now = 1_700_000_000_000;
    const storage = memoryStorage();
    const store = new WebStorageTokenStore({ storage, locks: false, now: () => now });
    const value: StoredTokenSet = { access_token: 'at', expires_at: now / 1000 + 60 };
    await store.set('k', value);
    expect(JSON.parse(storage.data.get('keyway:token:k')!)).toEqual({ v: value, e: now + 60_000 });
    now += 60_000;
    expect(await store.get('k')).toBeUndefined();
    expect(storage.data.has('keyway:token:k')).toBe(false);
    storage.data.set('keyway:token:foreign', 'not json');
    expect(await store.get('foreign')).toBeUndefined();
    expect(storage.data.has('keyway:token:foreign')).toBe(false);
  });

  it('wraps a failing storage as backend_error, the cause naming the failure, not the value', async () => {
    const storage = memoryStorage();
    storage.setItem = () => {
      throw new Error('QuotaExceededError');
    };
    const store = new WebStorageTokenStore({ storage, locks: false });
    const error = await store.set('k', { access_token: 'at-web-secret' }).catch((e: unknown) => e);
    expect(code(error)).toBe('backend_error');
    expect(`${String(error)} ${JSON.stringify(error)} ${String((error as Error).cause)}`).not.toContain('web-secret');
  });

  it('locks through the given LockManager, under the prefixed key', async () => {
    const names: string[] = [];
    const locks: LockManagerLike = {
      request: (name, callback) => {
        names.push(name);
        return callback();
      },
    };
    const store = new WebStorageTokenStore({ storage: memoryStorage(), prefix: 'app:', locks });
    expect(await store.lock!('k', async () => 'done')).toBe('done');
    expect(names).toEqual(['app:lock:k']);
  });
});
