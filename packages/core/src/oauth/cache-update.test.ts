import { createMockKeyway } from '@keyway/mocks';
import { describe, expect, it } from 'vitest';
import type { FetchLike } from '../internal/http.js';
import { createAccessTokenVerifier } from './access-token-verifier.js';
import { restoreOAuthCache, snapshotOAuthCache } from './cache-snapshot.js';
import { setClock } from './clock.js';
import { discover } from './discover.js';
import { JWKS_COOLDOWN } from './jwks-cache.js';
import type { OAuthCacheUpdate } from './types.js';

const AUDIENCE = 'https://api.example.com';

/** A mock with a fetch of its own (a cache scope of its own). */
function setup() {
  const mock = createMockKeyway();
  const fetch: FetchLike = (input, init) => mock.fetch(input, init);
  const events: OAuthCacheUpdate[] = [];
  return { mock, fetch, events, onCacheUpdate: (event: OAuthCacheUpdate) => events.push(event) };
}

describe('onCacheUpdate', () => {
  it('discover() and OAuthClient report the metadata and JWKS they fetched, and nothing for cache hits', async () => {
    const { mock, fetch, events, onCacheUpdate } = setup();
    const client = await discover(mock.issuer, { clientId: 'c', fetch, onCacheUpdate });
    expect(events).toEqual([{ kind: 'metadata', url: mock.issuer }]);
    const token = await mock.mintAccessToken({ aud: AUDIENCE });
    await client.verifyAccessToken(token, { audience: AUDIENCE });
    expect(events).toEqual([
      { kind: 'metadata', url: mock.issuer },
      { kind: 'jwks', url: client.metadata.jwks_uri },
    ]);
    await client.verifyAccessToken(token, { audience: AUDIENCE });
    const again = await discover(mock.issuer, { clientId: 'c', fetch, onCacheUpdate });
    await again.verifyAccessToken(token, { audience: AUDIENCE });
    expect(events).toHaveLength(2);
  });

  it('createAccessTokenVerifier reports its fetches, and the JWKS refetch of an unknown kid', async () => {
    const { mock, fetch, events, onCacheUpdate } = setup();
    const verifier = createAccessTokenVerifier({ issuer: mock.issuer, audience: AUDIENCE, fetch, onCacheUpdate });
    let offset = 0;
    setClock(verifier, { now: () => Date.now() + offset, sleep: async () => {} });
    await verifier.verify(await mock.mintAccessToken({ aud: AUDIENCE }));
    expect(events.map((event) => event.kind)).toEqual(['metadata', 'jwks']);
    await mock.rotateKeys({ retire: true });
    offset = JWKS_COOLDOWN; // past the refetch cooldown
    await verifier.verify(await mock.mintAccessToken({ aud: AUDIENCE }));
    expect(events.map((event) => event.kind)).toEqual(['metadata', 'jwks', 'jwks']);
  });

  it('a restored snapshot is no update; a listener that throws fails nothing', async () => {
    const first = setup();
    const token = await first.mock.mintAccessToken({ aud: AUDIENCE });
    await createAccessTokenVerifier({ issuer: first.mock.issuer, audience: AUDIENCE, fetch: first.fetch }).verify(
      token,
    );
    const snapshot = JSON.parse(JSON.stringify(snapshotOAuthCache({ fetch: first.fetch })));

    const second = setup();
    const restoredFetch: FetchLike = (input, init) => first.mock.fetch(input, init);
    restoreOAuthCache(snapshot, { fetch: restoredFetch });
    const events: OAuthCacheUpdate[] = [];
    const warm = createAccessTokenVerifier({
      issuer: first.mock.issuer,
      audience: AUDIENCE,
      fetch: restoredFetch,
      onCacheUpdate: (event) => events.push(event),
    });
    expect((await warm.verify(token)).iss).toBe(first.mock.issuer);
    expect(events).toEqual([]);

    const throwing = createAccessTokenVerifier({
      issuer: second.mock.issuer,
      audience: AUDIENCE,
      fetch: second.fetch,
      onCacheUpdate: () => {
        throw new Error('listener bug');
      },
    });
    expect((await throwing.verify(await second.mock.mintAccessToken({ aud: AUDIENCE }))).aud).toBe(AUDIENCE);
  });
});
