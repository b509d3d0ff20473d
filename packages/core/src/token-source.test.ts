import type { StoredTokenSet, TokenStore } from '@keyway/token-store';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, LoginRequiredError, OAuthError } from './errors.js';
import type { TokenSet } from './token-set.js';
import { createTokenSource, type TokenSourceOAuthClient } from './token-source.js';

/** A fake OAuth client that issues numbered tokens and rotates refresh tokens. */
function fakeClient(options: { lifetime?: number; now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  let counter = 0;
  const validRefresh = new Set<string>();
  const calls = { clientCredentials: 0, refresh: 0 };
  const issue = (withRefresh: boolean): TokenSet => {
    counter += 1;
    const tokens: TokenSet = {
      access_token: `at-${counter}`,
      token_type: 'Bearer',
      expires_at: Math.floor(now() / 1000) + (options.lifetime ?? 3600),
    };
    if (withRefresh) {
      tokens.refresh_token = `rt-${counter}`;
      validRefresh.add(tokens.refresh_token);
    }
    return tokens;
  };
  const client: TokenSourceOAuthClient = {
    issuer: 'https://as.example.com',
    clientId: 'svc',
    async clientCredentials() {
      calls.clientCredentials += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return issue(false);
    },
    async refresh(tokens) {
      calls.refresh += 1;
      const rt = typeof tokens === 'string' ? tokens : tokens.refresh_token;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (!rt || !validRefresh.delete(rt)) {
        throw new OAuthError(
          { error: 'invalid_grant', error_description: 'refresh token is invalid' },
          { status: 400 },
        );
      }
      return issue(true);
    },
  };
  return { client, calls, issue, validRefresh };
}

/** A minimal in-memory store with a per-key lock, counting its operations. */
function mapStore(): TokenStore & { data: Map<string, StoredTokenSet>; ops: string[] } {
  const data = new Map<string, StoredTokenSet>();
  const ops: string[] = [];
  const locks = new Map<string, Promise<unknown>>();
  return {
    data,
    ops,
    async get(key) {
      ops.push(`get ${key}`);
      return data.get(key);
    },
    async set(key, value) {
      ops.push(`set ${key}`);
      data.set(key, structuredClone(value));
    },
    async delete(key) {
      ops.push(`delete ${key}`);
      data.delete(key);
    },
    async lock(key, fn) {
      const previous = locks.get(key) ?? Promise.resolve();
      const next = previous.then(fn, fn);
      locks.set(
        key,
        next.catch(() => undefined),
      );
      return next;
    },
  };
}

describe('createTokenSource', () => {
  it('makes exactly one token request for 1,000 concurrent getToken() calls on an empty cache', async () => {
    const { client, calls } = fakeClient();
    const source = createTokenSource({ client, grant: { type: 'client_credentials', scope: 'api' } });
    const results = await Promise.all(Array.from({ length: 1000 }, () => source.getToken()));
    expect(calls.clientCredentials).toBe(1);
    expect(new Set(results.map((t) => t.access_token))).toEqual(new Set(['at-1']));
  });

  it('does the same through a store with a lock', async () => {
    const { client, calls } = fakeClient();
    const store = mapStore();
    const source = createTokenSource({ client, grant: { type: 'client_credentials' }, store });
    await Promise.all(Array.from({ length: 1000 }, () => source.getToken()));
    expect(calls.clientCredentials).toBe(1);
    expect([...store.data.values()][0]?.access_token).toBe('at-1');
  });

  it('shares one flight between two sources on the same store and key', async () => {
    const { client, calls } = fakeClient();
    const store = mapStore();
    const a = createTokenSource({ client, grant: { type: 'client_credentials' }, store });
    const b = createTokenSource({ client, grant: { type: 'client_credentials' }, store });
    expect(a.key).toBe(b.key);
    const [ta, tb] = await Promise.all([a.getToken(), b.getToken()]);
    expect(ta.access_token).toBe(tb.access_token);
    expect(calls.clientCredentials).toBe(1);
  });

  it('serves the cache while the token is valid for longer than skew, then re-obtains', async () => {
    let clock = 1_000_000_000_000;
    const now = () => clock;
    const { client, calls } = fakeClient({ lifetime: 100, now });
    const source = createTokenSource({ client, grant: { type: 'client_credentials' }, skew: 30, now });
    expect((await source.getToken()).access_token).toBe('at-1');
    clock += 69_000;
    expect((await source.getToken()).access_token).toBe('at-1');
    clock += 2_000; // 29 s left < skew
    expect((await source.getToken()).access_token).toBe('at-2');
    expect(calls.clientCredentials).toBe(2);
  });

  it('uses a token that lives no longer than skew for half of its life instead of on one call only', async () => {
    let clock = 1_000_000_000_000;
    const now = () => clock;
    const { client, calls } = fakeClient({ lifetime: 20, now });
    const source = createTokenSource({ client, grant: { type: 'client_credentials' }, skew: 30, now });
    for (let i = 0; i < 5; i++) {
      expect((await source.getToken()).access_token).toBe('at-1');
    }
    clock += 9_000;
    expect((await source.getToken()).access_token).toBe('at-1');
    clock += 2_000; // past half of its life
    expect((await source.getToken()).access_token).toBe('at-2');
    expect(calls.clientCredentials).toBe(2);
  });

  it('takes a short-lived token another process obtained while it waited for the lock', async () => {
    const { client, calls, issue } = fakeClient({ lifetime: 20 });
    const shared = mapStore();
    // Two processes: two store objects (so no in-process single flight) over one backend and one lock.
    const processStore = (): TokenStore => ({
      get: (key) => shared.get(key),
      set: (key, value) => shared.set(key, value),
      delete: (key) => shared.delete(key),
      lock: (key, fn) => (shared.lock as NonNullable<TokenStore['lock']>)(key, fn),
    });
    const a = createTokenSource({ client, grant: { type: 'refresh_token' }, store: processStore() });
    const b = createTokenSource({ client, grant: { type: 'refresh_token' }, store: processStore() });
    await a.set({ ...issue(true), expires_at: 1 }); // rt-1, expired
    const [ta, tb] = await Promise.all([a.getToken(), b.getToken()]);
    expect(calls.refresh).toBe(1);
    expect(ta.access_token).toBe('at-2');
    expect(tb.access_token).toBe('at-2');
    expect([...shared.data.values()][0]?.refresh_token).toBe('rt-2');
  });

  it('uses a fresh token another process put in the store instead of obtaining one', async () => {
    const { client, calls, issue } = fakeClient();
    const store = mapStore();
    const source = createTokenSource({ client, grant: { type: 'client_credentials' }, store });
    await store.set(source.key, issue(false));
    expect((await source.getToken()).access_token).toBe('at-1');
    expect(calls.clientCredentials).toBe(0);
  });

  it('keys by issuer, client, resource and scope', () => {
    const { client } = fakeClient();
    const a = createTokenSource({ client, grant: { type: 'client_credentials', scope: 'a b' } });
    const b = createTokenSource({ client, grant: { type: 'client_credentials', scope: 'b a' } });
    const c = createTokenSource({ client, grant: { type: 'client_credentials', scope: 'a b', resource: 'https://r' } });
    expect(a.key).toBe(b.key);
    expect(a.key).not.toBe(c.key);
  });

  describe('refresh_token grant', () => {
    it('refreshes the stored token set and persists the rotated refresh token', async () => {
      let clock = 1_000_000_000_000;
      const now = () => clock;
      const { client, calls, issue } = fakeClient({ lifetime: 60, now });
      const store = mapStore();
      const source = createTokenSource({ client, grant: { type: 'refresh_token' }, store, now });
      await source.set(issue(true)); // at-1 / rt-1
      expect((await source.getToken()).access_token).toBe('at-1');
      clock += 45_000;
      const refreshed = await source.getToken();
      expect(refreshed.access_token).toBe('at-2');
      expect(store.data.get(source.key)?.refresh_token).toBe('rt-2');
      expect(calls.refresh).toBe(1);
    });

    it('refreshes once for many concurrent callers', async () => {
      const { client, calls, issue } = fakeClient();
      const store = mapStore();
      const source = createTokenSource({ client, grant: { type: 'refresh_token' }, store });
      const expired = { ...issue(true), expires_at: 1 };
      await store.set(source.key, expired);
      const all = await Promise.all(Array.from({ length: 200 }, () => source.getToken()));
      expect(calls.refresh).toBe(1);
      expect(new Set(all.map((t) => t.access_token)).size).toBe(1);
    });

    it('on invalid_grant re-reads the store once and uses what another process rotated', async () => {
      const { client, calls, issue } = fakeClient();
      const store = mapStore();
      const source = createTokenSource({ client, grant: { type: 'refresh_token' }, store });
      const old = { ...issue(true), expires_at: 1 }; // rt-1
      await source.set(old);
      // Another process refreshes rt-1 -> rt-2 (its access token already expired too); our first
      // two reads still see the old set...
      const rotated = await client.refresh(old);
      const originalGet = store.get.bind(store);
      let reads = 0;
      store.get = async (key) => {
        reads += 1;
        // ...until after the failed refresh, when the rotated one is visible.
        return reads >= 3 ? { ...rotated, expires_at: 1 } : originalGet(key);
      };
      const tokens = await source.getToken();
      expect(tokens.refresh_token).toBe('rt-3');
      expect(calls.refresh).toBe(3); // the other process's, our failed one, our retry with rt-2
    });

    it('clears only its own key and raises LoginRequiredError when the refresh token is refused', async () => {
      const { client } = fakeClient();
      const store = mapStore();
      const source = createTokenSource({ client, grant: { type: 'refresh_token' }, store, key: 'mine' });
      await store.set('other', { access_token: 'x', refresh_token: 'keep-me' });
      await source.set({ access_token: 'a', token_type: 'Bearer', expires_at: 1, refresh_token: 'revoked' });
      const error = await source.getToken().catch((e: unknown) => e);
      expect(LoginRequiredError.is(error)).toBe(true);
      expect((error as LoginRequiredError).code).toBe('login_required');
      expect(OAuthError.is((error as Error).cause)).toBe(true);
      expect(String(error)).not.toContain('revoked');
      expect(store.data.has('mine')).toBe(false);
      expect(store.data.get('other')?.refresh_token).toBe('keep-me');
    });

    it('raises LoginRequiredError when there is nothing to refresh', async () => {
      const { client } = fakeClient();
      const source = createTokenSource({ client, grant: { type: 'refresh_token' } });
      expect(LoginRequiredError.is(await source.getToken().catch((e: unknown) => e))).toBe(true);
    });

    it('keeps the new token set in memory when the store write fails after a refresh', async () => {
      const { client, issue } = fakeClient();
      const store = mapStore();
      const source = createTokenSource({ client, grant: { type: 'refresh_token' }, store });
      await source.set({ ...issue(true), expires_at: 1 });
      store.set = async () => {
        throw new Error('disk full');
      };
      await expect(source.getToken()).rejects.toThrow('disk full');
      // The rotated refresh token is not lost: the next call serves it from memory.
      expect((await source.getToken()).refresh_token).toBe('rt-2');
    });
  });

  it('persistent grant: retrieves through the service client', async () => {
    let calls = 0;
    const service = {
      baseUrl: 'https://keyway.example.com',
      access: {
        async retrieve({ id }: { id: string }) {
          calls += 1;
          return { access_token: `pt-${id}`, expires_in: 300 };
        },
      },
    };
    const source = createTokenSource({ client: service, grant: { type: 'persistent', id: 'abc' } });
    const tokens = await source.getToken();
    expect(tokens).toMatchObject({ access_token: 'pt-abc', token_type: 'Bearer' });
    expect(tokens.expires_at).toBeGreaterThan(Date.now() / 1000 + 250);
    await source.getToken();
    expect(calls).toBe(1);
  });

  it('custom grant: calls fetchToken; needs a key with a store', async () => {
    let n = 0;
    const source = createTokenSource({
      grant: { type: 'custom', fetchToken: async () => ({ access_token: `c${++n}`, token_type: 'Bearer' }) },
    });
    expect((await source.getToken()).access_token).toBe('c1');
    expect((await source.getToken({ forceRefresh: true })).access_token).toBe('c2');
    expect(() =>
      createTokenSource({
        grant: { type: 'custom', fetchToken: async () => ({ access_token: 'x', token_type: 'Bearer' }) },
        store: mapStore(),
      }),
    ).toThrow(ConfigurationError);
  });

  it('refuses an OAuth grant without an OAuth client', () => {
    const error = (() => {
      try {
        createTokenSource({ grant: { type: 'client_credentials' } });
      } catch (e) {
        return e;
      }
    })();
    expect(ConfigurationError.is(error)).toBe(true);
    expect((error as ConfigurationError).code).toBe('missing_client');
  });
});

describe('createTokenSource options', () => {
  it.each([Number.NaN, -1, '30', Number.POSITIVE_INFINITY, 1e9])(
    'refuses skew = %s at construction (ConfigurationError invalid_option)',
    (skew) => {
      let error: unknown;
      try {
        createTokenSource({
          grant: { type: 'custom', fetchToken: async () => ({ access_token: 't', token_type: 'Bearer' }) },
          skew: skew as number,
        });
      } catch (caught) {
        error = caught;
      }
      expect(ConfigurationError.is(error)).toBe(true);
      expect((error as ConfigurationError).code).toBe('invalid_option');
    },
  );
});
