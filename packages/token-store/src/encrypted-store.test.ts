import { describe, expect, it } from 'vitest';
import { describeTokenStoreContract } from '../test/contract.js';
import { encryptedStore } from './encrypted-store.js';
import { TokenStoreError } from './errors.js';
import { MemoryTokenStore } from './memory-store.js';
import type { StoredTokenSet, TokenStore } from './types.js';

const SECRET = 'correct horse battery staple, 32+';
const OTHER_SECRET = 'another secret of enough length!!';

const inner = new Map<string, MemoryTokenStore>();
describeTokenStoreContract('encryptedStore(MemoryTokenStore)', {
  lock: true,
  create(ns) {
    let store = inner.get(ns);
    if (!store) {
      store = new MemoryTokenStore();
      inner.set(ns, store);
    }
    // A new wrapper per call: two wrappers with one secret over one inner store read each other.
    return encryptedStore(store, SECRET);
  },
});

function code(error: unknown): string | undefined {
  return TokenStoreError.is(error) ? error.code : undefined;
}

const tokens: StoredTokenSet = { access_token: 'at-secret-value', refresh_token: 'rt-secret-value', scope: 'api' };

describe('encryptedStore', () => {
  it('stores only ciphertext in the inner store', async () => {
    const memory = new MemoryTokenStore();
    const store = encryptedStore(memory, SECRET);
    await store.set('k', tokens);
    const raw = await memory.get('k');
    expect(raw?.token_type).toBe('keyway-aes-gcm-v1');
    expect(Object.keys(raw ?? {}).sort()).toEqual(['access_token', 'token_type']);
    expect(JSON.stringify(raw)).not.toContain('secret-value');
    expect(raw?.access_token).toMatch(/^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(await store.get('k')).toEqual(tokens);
  });

  it('uses a fresh IV per write: the same value encrypts differently', async () => {
    const memory = new MemoryTokenStore();
    const store = encryptedStore(memory, SECRET);
    await store.set('a', tokens);
    const first = (await memory.get('a'))?.access_token;
    await store.set('a', tokens);
    const second = (await memory.get('a'))?.access_token;
    expect(first).not.toBe(second);
    expect(first?.split('.')[0]).not.toBe(second?.split('.')[0]);
  });

  it('refuses a wrong secret with decrypt_failed', async () => {
    const memory = new MemoryTokenStore();
    await encryptedStore(memory, SECRET).set('k', tokens);
    const error = await encryptedStore(memory, OTHER_SECRET)
      .get('k')
      .catch((e: unknown) => e);
    expect(code(error)).toBe('decrypt_failed');
    expect(error).toBeInstanceOf(TokenStoreError);
    expect(String(error)).not.toContain('secret-value');
    expect(String(error)).not.toContain(SECRET);
  });

  it('refuses tampered ciphertext, a value moved to another key, and plaintext', async () => {
    const memory = new MemoryTokenStore();
    const store = encryptedStore(memory, SECRET);
    await store.set('k', tokens);
    const raw = (await memory.get('k'))!;

    const [iv, data] = raw.access_token.split('.') as [string, string];
    const flipped = `${data.slice(0, -2)}${data.at(-2) === 'A' ? 'B' : 'A'}${data.at(-1)}`;
    await memory.set('tampered', { ...raw, access_token: `${iv}.${flipped}` });
    await memory.set('moved', raw);
    await memory.set('plain', tokens);
    await memory.set('malformed', { ...raw, access_token: 'not.base64!' });
    for (const key of ['tampered', 'moved', 'plain', 'malformed']) {
      await expect(store.get(key), key).rejects.toSatisfy((e: unknown) => code(e) === 'decrypt_failed');
    }
  });

  it('accepts an AES-GCM CryptoKey or an HKDF CryptoKey, and refuses unusable secrets with invalid_secret', async () => {
    const aes = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const viaAes = encryptedStore(new MemoryTokenStore(), aes);
    await viaAes.set('k', tokens);
    expect(await viaAes.get('k')).toEqual(tokens);

    // An HKDF key from the same bytes derives the same AES key as the string secret.
    const hkdf = await crypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), 'HKDF', false, ['deriveKey']);
    const memory = new MemoryTokenStore();
    await encryptedStore(memory, SECRET).set('k', tokens);
    expect(await encryptedStore(memory, hkdf).get('k')).toEqual(tokens);

    const encryptOnly = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    for (const secret of ['too short', encryptOnly, 42 as unknown as string]) {
      await expect(encryptedStore(new MemoryTokenStore(), secret).get('k')).rejects.toSatisfy(
        (e: unknown) => code(e) === 'invalid_secret',
      );
    }
  });

  it('hands the expiry to the inner store as a ttl, since the inner store sees only ciphertext', async () => {
    const calls: Array<{ ttl: number | undefined }> = [];
    const memory = new MemoryTokenStore();
    const spy: TokenStore = {
      get: (key) => memory.get(key),
      delete: (key) => memory.delete(key),
      set: (key, value, options) => {
        calls.push({ ttl: options?.ttl });
        return memory.set(key, value, options);
      },
    };
    const now = 1_700_000_000_000;
    const store = encryptedStore(spy, SECRET, { now: () => now });
    await store.set('a', { access_token: 'a', expires_at: now / 1000 + 120 });
    await store.set('b', { access_token: 'b', expires_at: now / 1000 + 120, refresh_token: 'rt' });
    await store.set('c', { access_token: 'c' }, { ttl: 7 });
    expect(calls).toEqual([{ ttl: 120 }, { ttl: undefined }, { ttl: 7 }]);
    expect(spy.lock).toBeUndefined();
    expect(store.lock).toBeUndefined();
  });

  it('passes lock through to the inner store', async () => {
    const memory = new MemoryTokenStore();
    const store = encryptedStore(memory, SECRET);
    const order: string[] = [];
    await Promise.all([
      memory.lock('k', async () => {
        order.push('inner-start');
        await new Promise((r) => setTimeout(r, 20));
        order.push('inner-end');
      }),
      store.lock!('k', async () => {
        order.push('wrapped');
      }),
    ]);
    expect(order).toEqual(['inner-start', 'inner-end', 'wrapped']);
  });
});
