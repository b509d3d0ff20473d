import { beforeEach, describe, expect, it } from 'vitest';
import { FakeOP, json, rejection, signingKey } from '../../test/oauth/fake-op.js';
import { InvalidResponseError, TokenValidationError } from '../errors.js';
import { type KeySet, selectKeys, verificationKeys } from './jwks-cache.js';

/** JWT access tokens exercise the same JWKS path as ID tokens without a code flow around them. */
async function accessToken(op: FakeOP, key = op.keys[0]!, header: Record<string, unknown> = {}) {
  const now = op.now();
  const claims = { iss: op.issuer, aud: 'api', sub: 's', client_id: 'c', jti: `j${now}`, iat: now, exp: now + 60 };
  return op.sign(claims, { typ: 'at+jwt', ...header }, key);
}

let op: FakeOP;

beforeEach(async () => {
  op = await FakeOP.create();
});

describe('JWKS cache', () => {
  it('fetches the JWKS once for many verifications', async () => {
    const client = op.client();
    await Promise.all([1, 2, 3].map(async () => client.verifyAccessToken(await accessToken(op), { audience: 'api' })));
    await client.verifyAccessToken(await accessToken(op), { audience: 'api' });
    expect(op.callsTo('/jwks')).toHaveLength(1);
  });

  it('refetches on an unknown kid once per cooldown, then fails with unknown_kid; picks up rotated keys', async () => {
    const client = op.client();
    await client.verifyAccessToken(await accessToken(op), { audience: 'api' });
    const rotated = await signingKey('ES256');
    op.keys = [rotated];

    // Within the cooldown: no refetch, the new kid is unknown.
    const early = await rejection(client.verifyAccessToken(await accessToken(op, rotated), { audience: 'api' }));
    expect(TokenValidationError.is(early)).toBe(true);
    expect(early.code).toBe('unknown_kid');
    expect(op.callsTo('/jwks')).toHaveLength(1);

    // After the cooldown: one refetch finds the rotated key.
    op.clock.advance(30_000);
    const claims = await client.verifyAccessToken(await accessToken(op, rotated), { audience: 'api' });
    expect(claims.sub).toBe('s');
    expect(op.callsTo('/jwks')).toHaveLength(2);

    // A made-up kid right after: refused without another request.
    const bogus = await rejection(
      client.verifyAccessToken(await accessToken(op, rotated, { kid: 'made-up' }), { audience: 'api' }),
    );
    expect(bogus.code).toBe('unknown_kid');
    expect(op.callsTo('/jwks')).toHaveLength(2);
  });

  it('shares the cache and the cooldown between clients of one issuer', async () => {
    await op.client().verifyAccessToken(await accessToken(op), { audience: 'api' });
    await op.client().verifyAccessToken(await accessToken(op), { audience: 'api' });
    expect(op.callsTo('/jwks')).toHaveLength(1);
  });

  it('refetches a JWKS older than ten minutes', async () => {
    const client = op.client();
    await client.verifyAccessToken(await accessToken(op), { audience: 'api' });
    op.clock.advance(10 * 60_000);
    await client.verifyAccessToken(await accessToken(op), { audience: 'api' });
    expect(op.callsTo('/jwks')).toHaveLength(2);
  });

  it('ignores keys it cannot parse and still uses the good ones', async () => {
    op.extraJwks = [
      { kty: 'EC', crv: 'P-256', x: 'garbage', y: 'garbage', kid: op.keys[0]!.kid },
      { kty: 'RSA', n: '', e: '' },
      { kty: 'unknown' },
      'not-a-key',
      null,
    ];
    const claims = await op.client().verifyAccessToken(await accessToken(op), { audience: 'api' });
    expect(claims.iss).toBe(op.issuer);
  });

  it('binds keys to their algorithm: an ES256 key is never used for another alg', async () => {
    const key = op.keys[0]!;
    op.keys = [{ ...key, publicJwk: { ...key.publicJwk, alg: 'ES384' } }];
    const error = await rejection(op.client().verifyAccessToken(await accessToken(op), { audience: 'api' }));
    expect(error.code).toBe('unknown_kid');
  });

  it('skips encryption keys', async () => {
    const key = op.keys[0]!;
    op.keys = [{ ...key, publicJwk: { ...key.publicJwk, use: 'enc' } }];
    const error = await rejection(op.client().verifyAccessToken(await accessToken(op), { audience: 'api' }));
    expect(error.code).toBe('unknown_kid');
  });

  it('refuses a token without kid when several keys could verify it (OpenID Connect Core §10.1)', async () => {
    const other = await signingKey('ES256');
    op.keys = [other, op.keys[0]!];
    const error = await rejection(
      op.client().verifyAccessToken(await accessToken(op, op.keys[1]!, { kid: undefined }), { audience: 'api' }),
    );
    expect(TokenValidationError.is(error)).toBe(true);
    expect(error.code).toBe('kid_missing');
  });

  it('accepts a token without kid when exactly one key of the set fits its alg', async () => {
    const rsa = await signingKey('RS256');
    op.keys = [rsa, op.keys[0]!];
    const claims = await op
      .client()
      .verifyAccessToken(await accessToken(op, op.keys[1]!, { kid: undefined }), { audience: 'api' });
    expect(claims.sub).toBe('s');
  });

  it('reports an unusable JWKS document as InvalidResponseError invalid_jwks', async () => {
    op.on('/jwks', () => json({ keys: 'nope' }));
    const error = await rejection(op.client().verifyAccessToken(await accessToken(op), { audience: 'api' }));
    expect(InvalidResponseError.is(error)).toBe(true);
    expect(error.code).toBe('invalid_jwks');
  });

  it('retries the JWKS fetch through the shared transport on a 503', async () => {
    let n = 0;
    op.on('/jwks', () => (++n === 1 ? json({}, 503) : json({ keys: op.keys.map((k) => k.publicJwk) })));
    await op.client().verifyAccessToken(await accessToken(op), { audience: 'api' });
    expect(op.callsTo('/jwks')).toHaveLength(2);
    expect(op.callsTo('/jwks')[0]!.headers.get('x-keyway-client')).toMatch(/^keyway-core\//);
  });
});

describe('JWKS outages', () => {
  it('remembers a failed fetch for the cooldown: no fetch per token while the endpoint is down', async () => {
    op.on('/jwks', () => json({ error: 'down' }, 500));
    const client = op.client({ retry: false });
    const token = await accessToken(op);
    const first = await rejection(client.verifyAccessToken(token, { audience: 'api' }));
    expect(op.callsTo('/jwks')).toHaveLength(1);
    for (let i = 0; i < 20; i++) {
      const again = await rejection(client.verifyAccessToken(token, { audience: 'api' }));
      expect(again).toBe(first);
    }
    expect(op.callsTo('/jwks')).toHaveLength(1);
    // After the cooldown the endpoint is asked again, and its recovery is seen.
    op.on('/jwks', () => json({ keys: op.keys.map((k) => k.publicJwk) }));
    op.clock.advance(30_000);
    expect((await client.verifyAccessToken(token, { audience: 'api' })).sub).toBe('s');
    expect(op.callsTo('/jwks')).toHaveLength(2);
  });

  it('keeps using a JWKS past its max age while refetches fail (stale-if-error), for at most an hour', async () => {
    const client = op.client({ retry: false });
    await client.verifyAccessToken(await accessToken(op), { audience: 'api' });
    op.on('/jwks', () => json({}, 503));
    op.clock.advance(11 * 60_000); // past the ten-minute max age
    expect((await client.verifyAccessToken(await accessToken(op), { audience: 'api' })).sub).toBe('s');
    expect(op.callsTo('/jwks')).toHaveLength(2);
    // Within the failure cooldown: the stale set serves without another fetch.
    expect((await client.verifyAccessToken(await accessToken(op), { audience: 'api' })).sub).toBe('s');
    expect(op.callsTo('/jwks')).toHaveLength(2);
    // An hour after the last good fetch the stale keys are no longer trusted.
    op.clock.advance(50 * 60_000);
    const error = await rejection(client.verifyAccessToken(await accessToken(op), { audience: 'api' }));
    expect(error.name).not.toBe('TokenValidationError');
    expect((error as { status?: number }).status).toBe(503);
  });

  it('an unknown-kid flood against a healthy endpoint costs at most one refetch per cooldown', async () => {
    const client = op.client();
    await client.verifyAccessToken(await accessToken(op), { audience: 'api' });
    op.clock.advance(30_000);
    const forged = await Promise.all(
      Array.from({ length: 100 }, (_, i) => accessToken(op, op.keys[0]!, { kid: `made-up-${i}` })),
    );
    const codes = await Promise.all(
      forged.map(async (token) => (await rejection(client.verifyAccessToken(token, { audience: 'api' }))).code),
    );
    expect(new Set(codes)).toEqual(new Set(['unknown_kid']));
    expect(op.callsTo('/jwks')).toHaveLength(2);
  });
});

describe('selectKeys', () => {
  const rsa = { kty: 'RSA', n: 'n', e: 'AQAB' };
  it('matches kid, use, key_ops, alg and key type', () => {
    const keys = [
      { ...rsa, kid: 'a' },
      { ...rsa, kid: 'b', use: 'enc' },
      { ...rsa, kid: 'c', key_ops: ['encrypt'] },
      { ...rsa, kid: 'd', alg: 'RS256' },
      { kty: 'EC', crv: 'P-256', kid: 'e' },
    ];
    expect(selectKeys(keys, { alg: 'PS256' }).map((k) => k.kid)).toEqual(['a']);
    expect(selectKeys(keys, { alg: 'RS256' }).map((k) => k.kid)).toEqual(['a', 'd']);
    expect(selectKeys(keys, { alg: 'ES256' }).map((k) => k.kid)).toEqual(['e']);
    expect(selectKeys(keys, { alg: 'ES384' })).toEqual([]);
    expect(selectKeys(keys, { alg: 'RS256', kid: 'd' }).map((k) => k.kid)).toEqual(['d']);
  });
});

describe('verificationKeys', () => {
  it('imports a key once per key set, alg and kid, and keeps no entry for a kid it does not know', async () => {
    const key = await signingKey('ES256');
    const keySet: KeySet = { keys: [key.publicJwk], fetchedAt: 0, imported: new Map() };
    expect(await verificationKeys(keySet, 'ES256', 'made-up')).toEqual([]);
    expect(await verificationKeys(keySet, 'ES384', key.kid)).toEqual([]);
    expect(await verificationKeys(keySet, 'HS256', undefined)).toEqual([]);
    expect(keySet.imported.size).toBe(0);

    const keys = await verificationKeys(keySet, 'ES256', key.kid);
    expect(keys).toHaveLength(1);
    expect(keys[0]?.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(keys[0]?.usages).toEqual(['verify']);
    // Warm: the same array, without a promise.
    expect(verificationKeys(keySet, 'ES256', key.kid)).toBe(keys);
  });

  it('never selects a symmetric key from a JWKS', () => {
    expect(selectKeys([{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }], { alg: 'HS256', kid: 'h' })).toEqual([]);
  });
});
