import { completeAuthorization, createMockKeyway, type MockKeyway } from '@keyway/mocks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeOP, rejection, signingKey } from '../../test/oauth/fake-op.js';
import type { FetchLike } from '../internal/http.js';
import { discover } from './discover.js';
import type { OAuthClient } from './oauth-client.js';

const REDIRECT_URI = 'https://app.example.test/callback';

/** What a downstream suite does with each mock: discover, verify an access token, sign in (ID token). */
async function useMock(mock: MockKeyway): Promise<void> {
  const client = await discover(mock.issuer, {
    clientId: 'test-client',
    clientSecret: 'test-secret',
    redirectUri: REDIRECT_URI,
    fetch: mock.fetch,
  });
  const claims = await client.verifyAccessToken(await mock.mintAccessToken({ aud: 'api' }), { audience: 'api' });
  expect(claims.iss).toBe(mock.issuer);

  const request = await client.createAuthorizationUrl({ scope: 'openid' });
  const tokens = await client.handleCallback(await completeAuthorization(request.url, { fetch: mock.fetch }), request);
  expect(tokens.claims).toMatchObject({ iss: mock.issuer, aud: 'test-client' });
}

// Mocks in one process start from the same first key per algorithm, so the repro needs mocks whose
// keys differ: another algorithm, or rotated keys. Before the fix, every test after the first failed
// with unknown_kid for 30 s: the first mock's JWKS was cached for the issuer, whatever the fetch.
describe('a fresh @keyway/mocks server per test, at the same default issuer', () => {
  let mock: MockKeyway;
  beforeEach(() => {
    mock = createMockKeyway();
  });

  it.each(['ES256', 'RS256', 'EdDSA'] as const)('verifies at once with a fresh %s mock', async (alg) => {
    mock = createMockKeyway({ alg });
    expect(mock.issuer).toBe('https://keyway.test');
    await useMock(mock);
  });

  it('verifies at once with a fresh mock whose keys were rotated', async () => {
    await mock.rotateKeys({ retire: true });
    await useMock(mock);
  });

  it('verifies with two mocks of different keys used one after the other, and again with the first', async () => {
    const first = createMockKeyway();
    const second = createMockKeyway();
    await second.rotateKeys({ retire: true });
    await useMock(first);
    await useMock(second);
    await useMock(first);
  });
});

/** An access token signed by the OP's `key` (default: its first). */
function accessToken(op: FakeOP, key = op.keys[0], header: Record<string, unknown> = {}): Promise<string> {
  const now = op.now();
  const claims = { iss: op.issuer, aud: 'api', sub: 's', client_id: 'c', jti: `j${now}`, iat: now, exp: now + 60 };
  return op.sign(claims, { typ: 'at+jwt', ...header }, key);
}

/** A fetch of its own (another cache scope) that still reaches `op`. */
function otherFetch(op: FakeOP): FetchLike {
  return (input, init) => op.fetch(input, init);
}

describe('caches keyed by fetch', () => {
  let op: FakeOP;
  beforeEach(async () => {
    op = await FakeOP.create();
  });

  it('shares one JWKS between clients with one fetch, and never between different fetches', async () => {
    await op.client().verifyAccessToken(await accessToken(op), { audience: 'api' });
    await op.client().verifyAccessToken(await accessToken(op), { audience: 'api' });
    expect(op.callsTo('/jwks')).toHaveLength(1);

    await op.client({ fetch: otherFetch(op) }).verifyAccessToken(await accessToken(op), { audience: 'api' });
    expect(op.callsTo('/jwks')).toHaveLength(2);
  });

  it('keeps the kid-rotation cooldown per cache', async () => {
    const fetchB = otherFetch(op);
    const a = op.client();
    await a.verifyAccessToken(await accessToken(op), { audience: 'api' });
    const rotated = await signingKey('ES256');
    op.keys = [rotated];

    // A's cache: within its cooldown, the new kid is unknown and nothing is fetched.
    expect((await rejection(a.verifyAccessToken(await accessToken(op, rotated), { audience: 'api' }))).code).toBe(
      'unknown_kid',
    );
    expect(op.callsTo('/jwks')).toHaveLength(1);

    // B (another fetch) fetches its own JWKS and sees the rotated key at once.
    const b = op.client({ fetch: fetchB });
    expect((await b.verifyAccessToken(await accessToken(op, rotated), { audience: 'api' })).sub).toBe('s');
    expect(op.callsTo('/jwks')).toHaveLength(2);

    // B's cooldown holds too: a made-up kid costs no request, on either client.
    const bogus = await accessToken(op, rotated, { kid: 'made-up' });
    expect((await rejection(op.client({ fetch: fetchB }).verifyAccessToken(bogus, { audience: 'api' }))).code).toBe(
      'unknown_kid',
    );
    expect((await rejection(a.verifyAccessToken(bogus, { audience: 'api' }))).code).toBe('unknown_kid');
    expect(op.callsTo('/jwks')).toHaveLength(2);

    // After A's cooldown, A refetches once and picks up the rotated key.
    op.clock.advance(30_000);
    expect((await a.verifyAccessToken(await accessToken(op, rotated), { audience: 'api' })).sub).toBe('s');
    expect(op.callsTo('/jwks')).toHaveLength(3);
  });

  it('discovers once per issuer for one fetch (concurrent calls too), once more for another fetch', async () => {
    const options = { clientId: 'c', fetch: op.fetch, retry: false as const };
    await Promise.all([1, 2, 3].map(() => discover(op.issuer, options)));
    await discover(op.issuer, options);
    expect(op.callsTo('/.well-known/openid-configuration')).toHaveLength(1);

    const fetchB = otherFetch(op);
    await Promise.all([1, 2].map(() => discover(op.issuer, { ...options, fetch: fetchB })));
    expect(op.callsTo('/.well-known/openid-configuration')).toHaveLength(2);
  });

  describe('the global fetch', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    /** A client given no `fetch`: it uses the global one. */
    const clientOf = (): OAuthClient => op.client({ fetch: undefined });

    it('is one cache scope; a global fetch replaced later (msw) is another', async () => {
      vi.stubGlobal('fetch', op.fetch);
      await clientOf().verifyAccessToken(await accessToken(op), { audience: 'api' });
      await clientOf().verifyAccessToken(await accessToken(op), { audience: 'api' });
      expect(op.callsTo('/jwks')).toHaveLength(1);

      vi.stubGlobal('fetch', otherFetch(op));
      await clientOf().verifyAccessToken(await accessToken(op), { audience: 'api' });
      expect(op.callsTo('/jwks')).toHaveLength(2);
    });
  });
});
