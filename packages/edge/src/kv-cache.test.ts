import type { FetchLike } from '@keyway/core';
import { createFakeKv, createMockKeyway } from '@keyway/mocks';
import { describe, expect, it, vi } from 'vitest';
import { AUDIENCE, bearer, freshMock, isolateFetch } from '../test/helpers.js';
import { createVerifier } from './verifier.js';

describe('the JWKS and discovery cache in KV', () => {
  it('writes the snapshot after a fetch; a new isolate reads it and verifies with no request to the issuer', async () => {
    const { mock, fetch } = freshMock();
    const kv = createFakeKv();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    const first = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch, kv });
    await first.verify(bearer(token));
    await first.verify(bearer(token));
    expect(mock.callsTo('getJwks')).toHaveLength(1);
    expect(kv.puts).toEqual([{ key: 'keyway:edge:oauth-cache', expirationTtl: 3600 }]); // one write: one fetch
    const stored = JSON.parse(kv.data.get('keyway:edge:oauth-cache') ?? '{}');
    expect(stored).toMatchObject({ version: 1, tokens: [], oauth: { version: 1 } });
    expect(stored.oauth.discovery.map((entry: { issuer: string }) => entry.issuer)).toEqual([mock.issuer]);
    expect(stored.oauth.jwks[0].keys.length).toBeGreaterThan(0);
    expect(JSON.stringify(stored)).not.toContain(token);

    const calls = mock.calls.length;
    const second = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch: isolateFetch(mock), kv });
    expect((await second.verify(bearer(token))).sub).toBe('usr_test');
    expect(mock.calls.length).toBe(calls); // no discovery, no JWKS: all from KV
    expect(kv.puts).toHaveLength(1); // nothing new to write
  });

  it('a failed JWKS fetch stores nothing, so writes nothing; the fetch that fills the cache writes', async () => {
    const { mock, fetch } = freshMock();
    const kv = createFakeKv();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    let jwksDown = true;
    const flaky: FetchLike = (input, init) =>
      jwksDown && String(input instanceof Request ? input.url : input).includes('jwks')
        ? Promise.resolve(new Response('down', { status: 503 }))
        : fetch(input, init);
    const verifier = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch: flaky, kv, retry: false });
    await expect(verifier.verify(bearer(token))).rejects.toMatchObject({ code: 'unavailable' });
    const afterFailure = kv.puts.length; // at most the discovery metadata, which did arrive
    expect(afterFailure).toBeLessThanOrEqual(1);
    jwksDown = false;
    // The failure is remembered for core's 30 s cooldown: the endpoint is asked again after it.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 31_000);
      expect((await verifier.verify(bearer(token))).sub).toBe('usr_test');
    } finally {
      vi.useRealTimers();
    }
    expect(kv.puts).toHaveLength(afterFailure + 1);
    expect(JSON.parse(kv.data.get('keyway:edge:oauth-cache') ?? '{}').oauth.jwks[0].keys.length).toBeGreaterThan(0);
  });

  it('reads KV once per isolate, also for verifiers created per request', async () => {
    const { mock, fetch } = freshMock();
    const kv = createFakeKv();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    for (let i = 0; i < 3; i++) {
      await createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch, kv }).verify(token);
    }
    expect(kv.reads).toBe(1);
    expect(mock.callsTo('getJwks')).toHaveLength(1);
  });

  it('honours key and ttl, and writes again when another issuer was fetched', async () => {
    const a = createMockKeyway({ issuer: 'https://a.keyway.test' });
    const b = createMockKeyway({ issuer: 'https://b.keyway.test' });
    const fetch: FetchLike = (input, init) =>
      String(input instanceof Request ? input.url : input).startsWith(a.issuer)
        ? a.fetch(input, init)
        : b.fetch(input, init);
    const kv = createFakeKv();
    const cache = { namespace: kv, key: 'api:keyway', ttl: 10 };
    await createVerifier({ issuer: a.issuer, audience: AUDIENCE, fetch, kv: cache }).verify(
      await a.mintAccessToken({ aud: AUDIENCE }),
    );
    await createVerifier({ issuer: b.issuer, audience: AUDIENCE, fetch, kv: cache }).verify(
      await b.mintAccessToken({ aud: AUDIENCE }),
    );
    expect(kv.puts).toEqual([
      { key: 'api:keyway', expirationTtl: 60 }, // KV's minimum
      { key: 'api:keyway', expirationTtl: 60 },
    ]);
    const stored = JSON.parse(kv.data.get('api:keyway') ?? '{}');
    expect(stored.oauth.discovery.map((entry: { issuer: string }) => entry.issuer).sort()).toEqual([
      a.issuer,
      b.issuer,
    ]);
  });

  it('a broken KV (unreadable, malformed, failing writes) costs a fetch, never the request', async () => {
    const { mock, fetch } = freshMock();
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    const broken = {
      get: async () => {
        throw new Error('KV down');
      },
      put: async () => {
        throw new Error('KV down');
      },
      delete: async () => undefined,
    };
    expect(
      (await createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch, kv: broken }).verify(token)).sub,
    ).toBe('usr_test');
    const garbage = createFakeKv();
    garbage.data.set('keyway:edge:oauth-cache', '{"version":1,"oauth":{"version":1,"discovery":"nope"}}');
    const other = createVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch: isolateFetch(mock), kv: garbage });
    expect((await other.verify(token)).sub).toBe('usr_test');
    expect(JSON.parse(garbage.data.get('keyway:edge:oauth-cache') ?? '{}').oauth.jwks).toHaveLength(1); // replaced
  });
});
