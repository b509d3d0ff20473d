/*
 * The token lifecycle and the stores: `createTokenSource` (single flight) with `authFetch` and its one
 * retry on 401, `MemoryTokenStore`, and `encryptedStore` (AES-GCM through the runtime's Web Crypto).
 */
import { authFetch, createTokenSource, discover } from '@keyway/core';
import { encryptedStore, MemoryTokenStore, type StoredTokenSet, TokenStoreError, tokenKey } from '@keyway/token-store';
import { type Case, newMock, rejection } from './types.ts';

export const lifecycleCases: Record<string, Case> = {
  async 'token-source-auth-fetch'() {
    const mock = newMock('token-source');
    const client = await discover(mock.issuer, {
      clientId: 'test-client',
      clientSecret: 'test-secret',
      fetch: mock.fetch,
    });
    const store = new MemoryTokenStore();
    const key = tokenKey({ issuer: mock.issuer, clientId: 'test-client', scope: 'api:read' });
    const source = createTokenSource({ client, grant: { type: 'client_credentials', scope: 'api:read' }, store, key });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source.getToken()));
    const api = authFetch(source, { fetch: mock.fetch });
    const url = `${mock.issuer}/api/v1/external-tokens`;
    const first = await api(url);
    // The server forgets every token it issued: the cached one is now refused with 401.
    mock.expireAll();
    const second = await api(url);
    const stored = await store.get(key);
    return {
      tokenRequestsFor20Callers: new Set(tokens.map((t) => t.access_token)).size,
      statuses: [first.status, second.status],
      listStatuses: mock.callsTo('listExternalTokens').map((call) => call.status),
      tokenRequests: mock.callsTo('token').length,
      storedIsLatest: stored?.access_token === (await source.getToken()).access_token,
    };
  },

  async 'memory-store'() {
    const store = new MemoryTokenStore();
    const now = Math.floor(Date.now() / 1000);
    await store.set('live', { access_token: 'at-live', expires_at: now + 3600 });
    await store.set('stale', { access_token: 'at-stale', expires_at: now - 10 });
    await store.set('durable', { access_token: 'at-old', expires_at: now - 10, refresh_token: 'rt' });
    const results = {
      live: (await store.get('live'))?.access_token ?? null,
      stale: (await store.get('stale'))?.access_token ?? null,
      durable: (await store.get('durable'))?.refresh_token ?? null,
    };
    await store.delete('live');
    const badTtl = await rejection(store.set('k', { access_token: 'at-secret' }, { ttl: -1 }));
    return {
      ...results,
      afterDelete: (await store.get('live')) ?? null,
      badTtl: { isStoreError: TokenStoreError.is(badTtl), code: badTtl.code },
      keyIsHostAware:
        tokenKey({ issuer: 'https://a.example', clientId: 'c' }) !==
        tokenKey({ issuer: 'https://b.example', clientId: 'c' }),
    };
  },

  async 'encrypted-store'() {
    const inner = new MemoryTokenStore();
    const store = encryptedStore(inner, 'a long random secret from the vault');
    const value: StoredTokenSet = { access_token: 'at-plain-secret', refresh_token: 'rt-plain-secret' };
    await store.set('user', value);
    const raw = await inner.get('user');
    const wrongKey = await rejection(encryptedStore(inner, 'another secret, also long enough').get('user'));
    // A value copied to another key does not decrypt: the key is bound as additional data.
    if (raw) {
      await inner.set('moved', raw);
    }
    const moved = await rejection(store.get('moved'));
    return {
      roundTrip: await store.get('user'),
      rawFormat: raw?.token_type,
      rawHidesSecrets: !JSON.stringify(raw).includes('plain-secret'),
      wrongKey: { isStoreError: TokenStoreError.is(wrongKey), code: wrongKey.code },
      moved: moved.code,
      shortSecret: (await rejection(encryptedStore(inner, 'short').get('user'))).code,
    };
  },
};
