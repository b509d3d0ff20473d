import { compactVerify, createLocalJWKSet, decodeProtectedHeader, errors, importJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createMockKeyway, type SigningAlg } from './index.js';

const ISSUER = 'https://same-issuer.test';
const ALGS: SigningAlg[] = ['RS256', 'ES256', 'EdDSA'];
// Deriving an RSA key from a seed takes about as long as generating one (up to a second on a busy machine).
const SLOW = 60_000;

describe('each mock signs with keys of its own', () => {
  it.each(ALGS)(
    '%s: a token of one mock is refused by the JWKS of another with the same issuer',
    async (alg) => {
      const a = createMockKeyway({ issuer: ISSUER, alg });
      const b = createMockKeyway({ issuer: ISSUER, alg });
      const token = await a.mintAccessToken({ scope: 'x' });
      const [jwksA, jwksB] = [await a.jwks(), await b.jwks()];
      expect(jwksA.keys[0]?.kid).not.toBe(jwksB.keys[0]?.kid);

      // Same issuer, audience and algorithm: only the key differs, and that is what refuses it.
      await expect(jwtVerify(token, createLocalJWKSet(jwksA), { issuer: ISSUER })).resolves.toBeDefined();
      await expect(jwtVerify(token, createLocalJWKSet(jwksB), { issuer: ISSUER })).rejects.toBeInstanceOf(
        errors.JWKSNoMatchingKey,
      );
      // Even with the kid ignored, the signature does not verify under the other mock's key.
      const { kid: _kid, ...otherKey } = jwksB.keys[0] as Record<string, unknown>;
      const publicKeyB = await importJWK(otherKey, alg);
      await expect(compactVerify(token, publicKeyB)).rejects.toBeInstanceOf(errors.JWSSignatureVerificationFailed);
    },
    SLOW,
  );

  it('the other mock refuses it as an ID token hint too (its own verification uses its own keys)', async () => {
    const a = createMockKeyway({ issuer: ISSUER, alg: 'ES256' });
    const b = createMockKeyway({ issuer: ISSUER, alg: 'ES256' });
    const hint = await a.mintIdToken();
    const logout = (mock: typeof a) =>
      mock.fetch(
        `${ISSUER}/oauth/logout?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: 'https://app.test/bye' })}`,
        { redirect: 'manual' },
      );
    expect((await logout(a)).status).toBe(302);
    expect((await logout(b)).status).toBe(400);
  });
});

describe('keySeed', () => {
  it.each(ALGS)(
    '%s: the same seed gives the same keys, across rotations; another seed or algorithm does not',
    async (alg) => {
      const a = createMockKeyway({ alg, keySeed: 'suite-1' });
      const b = createMockKeyway({ alg, keySeed: 'suite-1', issuer: 'https://other.test' });
      const c = createMockKeyway({ alg, keySeed: 'suite-2' });
      expect(await b.jwks()).toEqual(await a.jwks());
      expect((await c.jwks()).keys[0]?.kid).not.toBe((await a.jwks()).keys[0]?.kid);

      const token = await b.mintIdToken({ iss: a.issuer });
      await expect(jwtVerify(token, createLocalJWKSet(await a.jwks()))).resolves.toBeDefined();

      await a.rotateKeys();
      await b.rotateKeys();
      const rotated = await a.jwks();
      expect(rotated.keys).toHaveLength(2);
      expect(await b.jwks()).toEqual(rotated);
      expect(rotated.keys[0]?.kid).not.toBe(rotated.keys[1]?.kid);
    },
    SLOW,
  );

  it('keys differ per algorithm for one seed', async () => {
    const ec = createMockKeyway({ alg: 'ES256', keySeed: 'suite-1' });
    const ed = createMockKeyway({ alg: 'EdDSA', keySeed: 'suite-1' });
    expect((await ec.jwks()).keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256' });
    expect((await ed.jwks()).keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
  });

  it(
    'a seeded RSA key is a 2048-bit key that signs what its JWKS verifies',
    async () => {
      const mock = createMockKeyway({ keySeed: 'rsa' });
      const [jwk] = (await mock.jwks()).keys as Array<{ n: string; kid: string }>;
      expect(jwk?.n).toMatch(/^[A-Za-z0-9_-]{342}$/); // 256 bytes, top bit set
      const token = await mock.mintAccessToken();
      expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', kid: jwk?.kid });
      await expect(jwtVerify(token, createLocalJWKSet(await mock.jwks()))).resolves.toBeDefined();
    },
    SLOW,
  );

  it.each([[''], [42], [null]])('refuses keySeed %j with a TypeError', (keySeed) => {
    expect(() => createMockKeyway({ keySeed: keySeed as string })).toThrow(
      new TypeError('@keyway/mocks: keySeed must be a non-empty string.'),
    );
  });
});
