import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_ID, type FakeClock, FakeOP, rejection, signingKey } from '../../test/oauth/fake-op.js';
import { ConfigurationError } from '../errors.js';
import { type OAuthCacheSnapshot, restoreOAuthCache, snapshotOAuthCache } from './cache-snapshot.js';
import { clearDiscoveryCache, discover, METADATA_TTL } from './discover.js';
import { clearJwksCache, JWKS_MAX_AGE } from './jwks-cache.js';

function accessToken(op: FakeOP, key = op.keys[0], header: Record<string, unknown> = {}): Promise<string> {
  const now = op.now();
  const claims = { iss: op.issuer, aud: 'api', sub: 's', client_id: 'c', jti: `j${now}`, iat: now, exp: now + 60 };
  return op.sign(claims, { typ: 'at+jwt', ...header }, key);
}

const MINUTE = 60_000;
let op: FakeOP;

/**
 * The JWKS cache reads the client's clock, snapshots and restores read `Date.now()` (the same in
 * production): a clock on a mocked `Date` keeps them together.
 */
function dateClock(): FakeClock {
  return {
    sleeps: [],
    now: () => Date.now(),
    advance: (ms) => vi.setSystemTime(Date.now() + ms),
    sleep: async (ms) => {
      vi.setSystemTime(Date.now() + ms);
    },
  };
}

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  op = await FakeOP.create({ clock: dateClock() });
  clearDiscoveryCache();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Discovers and verifies once, so both caches hold an entry for `op`. */
async function warm(): Promise<void> {
  await discover(op.issuer, { clientId: CLIENT_ID, fetch: op.fetch });
  await op.client().verifyAccessToken(await accessToken(op), { audience: 'api' });
}

/** A snapshot of `op` as another isolate would have made it `age` ms ago. */
function snapshotOf(ages: { discovery?: number; jwks?: number } = {}): OAuthCacheSnapshot {
  const now = Date.now();
  return {
    version: 1,
    discovery: [{ issuer: op.issuer, metadata: op.metadata as never, fetchedAt: now - (ages.discovery ?? 0) }],
    jwks: [{ uri: `${op.issuer}/jwks`, keys: op.keys.map((key) => key.publicJwk), fetchedAt: now - (ages.jwks ?? 0) }],
  };
}

describe('snapshotOAuthCache', () => {
  it('exports discovery metadata and public keys with their fetch times, as plain JSON', async () => {
    const before = Date.now();
    await warm();
    const snapshot = snapshotOAuthCache({ fetch: op.fetch });

    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
    expect(snapshot.version).toBe(1);
    expect(snapshot.discovery).toEqual([{ issuer: op.issuer, metadata: op.metadata, fetchedAt: expect.any(Number) }]);
    expect(snapshot.discovery[0]?.fetchedAt).toBeGreaterThanOrEqual(before);
    expect(snapshot.jwks).toEqual([
      { uri: `${op.issuer}/jwks`, keys: [op.keys[0]?.publicJwk], fetchedAt: op.clock.now() },
    ]);
  });

  it('holds no private or symmetric key material, even when the JWKS publishes some', async () => {
    const leaky = await signingKey('ES256');
    const { exportJWK } = await import('jose');
    const privateJwk = { ...(await exportJWK(leaky.privateKey)), kid: leaky.kid };
    op.extraJwks = [privateJwk, { kty: 'oct', k: 'c2VjcmV0LXNlY3JldA', kid: 'hmac' }];
    await warm();

    const text = JSON.stringify(snapshotOAuthCache({ fetch: op.fetch }));
    expect(privateJwk.d).toEqual(expect.any(String));
    expect(text).not.toContain(privateJwk.d);
    expect(text).not.toContain('"d"');
    expect(text).not.toContain('c2VjcmV0LXNlY3JldA');
    const keys = snapshotOAuthCache({ fetch: op.fetch }).jwks[0]?.keys ?? [];
    expect(keys.map((key) => key.kid)).toEqual([op.keys[0]?.kid, leaky.kid]);
  });

  it('reads the caches of one fetch: the global fetch and another fetch are other caches', async () => {
    await warm();
    expect(snapshotOAuthCache().discovery.map((entry) => entry.issuer)).not.toContain(op.issuer);
    expect(snapshotOAuthCache({ fetch: (input, init) => op.fetch(input, init) })).toEqual({
      version: 1,
      discovery: [],
      jwks: [],
    });
  });

  it('leaves out expired entries', async () => {
    await warm();
    op.clock.advance(JWKS_MAX_AGE);
    expect(snapshotOAuthCache({ fetch: op.fetch }).jwks).toEqual([]);
  });
});

describe('restoreOAuthCache', () => {
  it('warms a cold cache: discover() and the first verification send no request', async () => {
    await warm();
    const text = JSON.stringify(snapshotOAuthCache({ fetch: op.fetch }));
    clearDiscoveryCache();
    clearJwksCache();
    op.calls.length = 0;

    restoreOAuthCache(text, { fetch: op.fetch });

    const client = await discover(op.issuer, { clientId: CLIENT_ID, fetch: op.fetch });
    expect(client.metadata).toEqual(op.metadata);
    expect((await op.client().verifyAccessToken(await accessToken(op), { audience: 'api' })).sub).toBe('s');
    expect(op.calls).toHaveLength(0);
  });

  it('keeps the original fetch time: a JWKS restored 9 minutes old is refetched a minute later', async () => {
    restoreOAuthCache(snapshotOf({ jwks: JWKS_MAX_AGE - MINUTE }), { fetch: op.fetch });
    const client = op.client();
    await client.verifyAccessToken(await accessToken(op), { audience: 'api' });
    expect(op.callsTo('/jwks')).toHaveLength(0);

    op.clock.advance(MINUTE);
    await client.verifyAccessToken(await accessToken(op), { audience: 'api' });
    expect(op.callsTo('/jwks')).toHaveLength(1);
  });

  it('keeps the kid-rotation cooldown from the original fetch time', async () => {
    restoreOAuthCache(snapshotOf({ jwks: 10_000 }), { fetch: op.fetch });
    const client = op.client();
    const rotated = await signingKey('ES256');
    op.keys = [rotated];

    const early = await rejection(client.verifyAccessToken(await accessToken(op, rotated), { audience: 'api' }));
    expect(early.code).toBe('unknown_kid');
    expect(op.callsTo('/jwks')).toHaveLength(0);

    op.clock.advance(20_000);
    expect((await client.verifyAccessToken(await accessToken(op, rotated), { audience: 'api' })).sub).toBe('s');
    expect(op.callsTo('/jwks')).toHaveLength(1);
  });

  it('skips expired entries', async () => {
    restoreOAuthCache(snapshotOf({ discovery: METADATA_TTL, jwks: JWKS_MAX_AGE }), { fetch: op.fetch });
    expect(snapshotOAuthCache({ fetch: op.fetch })).toEqual({ version: 1, discovery: [], jwks: [] });
    await discover(op.issuer, { clientId: CLIENT_ID, fetch: op.fetch });
    await op.client().verifyAccessToken(await accessToken(op), { audience: 'api' });
    expect(op.calls.map((call) => call.url.pathname)).toEqual(['/.well-known/openid-configuration', '/jwks']);
  });

  it('never rolls back a newer entry, and clamps a fetch time in the future to now', async () => {
    await warm();
    const current = snapshotOAuthCache({ fetch: op.fetch });
    const stale = snapshotOf({ discovery: MINUTE, jwks: MINUTE });
    stale.jwks[0]!.keys = [];
    restoreOAuthCache(stale, { fetch: op.fetch });
    expect(snapshotOAuthCache({ fetch: op.fetch })).toEqual(current);

    clearJwksCache();
    const future = snapshotOf();
    future.jwks[0]!.fetchedAt = Date.now() + 24 * 60 * MINUTE;
    restoreOAuthCache(future, { fetch: op.fetch });
    expect(snapshotOAuthCache({ fetch: op.fetch }).jwks[0]?.fetchedAt).toBeLessThanOrEqual(Date.now());
  });

  it('restores into the caches of one fetch only', async () => {
    restoreOAuthCache(snapshotOf());
    await op.client().verifyAccessToken(await accessToken(op), { audience: 'api' });
    expect(op.callsTo('/jwks')).toHaveLength(1);
  });

  it('restores nothing from null or undefined (an empty KV slot)', () => {
    restoreOAuthCache(null, { fetch: op.fetch });
    restoreOAuthCache(undefined, { fetch: op.fetch });
    expect(snapshotOAuthCache({ fetch: op.fetch })).toEqual({ version: 1, discovery: [], jwks: [] });
  });

  it.each([
    ['not JSON', '{"version":'],
    ['not an object', '[]'],
    ['another version', { version: 2, discovery: [], jwks: [] }],
    ['no discovery array', { version: 1, jwks: [] }],
    ['discovery metadata for another issuer', 'other-issuer'],
    ['a key that is not a JWK', 'bad-key'],
    ['a fetch time that is not a number', 'bad-time'],
  ])(
    'refuses a malformed snapshot (%s) with ConfigurationError invalid_snapshot, restoring nothing',
    (_name, input) => {
      const snapshot = snapshotOf();
      const cases: Record<string, () => unknown> = {
        'other-issuer': () => ({ ...snapshot, discovery: [{ ...snapshot.discovery[0], issuer: 'https://evil.test' }] }),
        'bad-key': () => ({ ...snapshot, jwks: [{ ...snapshot.jwks[0], keys: [{ n: 'no-kty' }] }] }),
        'bad-time': () => ({ ...snapshot, jwks: [{ ...snapshot.jwks[0], fetchedAt: '2024-01-01' }] }),
      };
      const value = typeof input === 'string' && cases[input] ? cases[input]() : input;

      let thrown: unknown;
      try {
        restoreOAuthCache(value as OAuthCacheSnapshot, { fetch: op.fetch });
      } catch (error) {
        thrown = error;
      }
      expect(ConfigurationError.is(thrown)).toBe(true);
      expect(thrown).toMatchObject({ code: 'invalid_snapshot' });
      // Checked whole before anything is restored: the valid discovery entry was not taken either.
      expect(snapshotOAuthCache({ fetch: op.fetch })).toEqual({ version: 1, discovery: [], jwks: [] });
    },
  );
});
