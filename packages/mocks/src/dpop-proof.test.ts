import { base64url, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, EmbeddedJWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createDpopProof, createMockKeyway, type DpopAlg, generateDpopKey } from './index.js';

const URL_THINGS = 'https://api.example.com/things';

async function sha256(text: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

describe('generateDpopKey', () => {
  it.each<DpopAlg>(['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'])(
    '%s: a key pair, its public JWK and its RFC 7638 thumbprint',
    async (alg) => {
      const key = await generateDpopKey(alg);
      expect(key.alg).toBe(alg);
      expect(key.privateKey.type).toBe('private');
      expect(key.publicKey.type).toBe('public');
      expect(key.publicJwk).not.toHaveProperty('d');
      expect(key.jkt).toBe(await calculateJwkThumbprint(key.publicJwk));
      const proof = await createDpopProof(key, { method: 'GET', url: URL_THINGS });
      expect(decodeProtectedHeader(proof)).toEqual({ alg, typ: 'dpop+jwt', jwk: key.publicJwk });
      await expect(jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' })).resolves.toBeDefined();
    },
  );

  it('defaults to ES256, and is a CryptoKeyPair (what core’s dpop option takes)', async () => {
    const key = await generateDpopKey();
    const pair: CryptoKeyPair = key;
    expect(pair.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(key.publicJwk).toEqual({ kty: 'EC', crv: 'P-256', x: expect.any(String), y: expect.any(String) });
  });
});

describe('createDpopProof', () => {
  it('signs htm, htu (no query or fragment), a fresh jti and iat, by the key in its header', async () => {
    const key = await generateDpopKey();
    const before = Math.floor(Date.now() / 1000);
    const proof = await createDpopProof(key, { method: 'POST', url: new URL(`${URL_THINGS}?page=2#top`) });
    const { payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' });
    expect(Object.keys(payload).sort()).toEqual(['htm', 'htu', 'iat', 'jti']);
    expect(payload).toMatchObject({ htm: 'POST', htu: URL_THINGS, jti: expect.any(String) });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const again = decodeJwt(await createDpopProof(key, { method: 'POST', url: URL_THINGS }));
    expect(again.jti).not.toBe(payload.jti);
  });

  it('adds ath for an access token and the nonce; takes jti and iat', async () => {
    const key = await generateDpopKey();
    const proof = await createDpopProof(key, {
      method: 'GET',
      url: URL_THINGS,
      accessToken: 'at-1',
      nonce: 'n-1',
      jti: 'j-1',
      iat: 1_800_000_000,
    });
    expect(decodeJwt(proof)).toEqual({
      htm: 'GET',
      htu: URL_THINGS,
      ath: await sha256('at-1'),
      nonce: 'n-1',
      jti: 'j-1',
      iat: 1_800_000_000,
    });
  });

  it('replaces or leaves out claims and header parameters, for proofs a verifier must refuse', async () => {
    const key = await generateDpopKey();
    const proof = await createDpopProof(key, {
      method: 'GET',
      url: URL_THINGS,
      accessToken: 'at-1',
      claims: { htu: 'not a url', jti: undefined, ath: undefined, extra: 1 },
      header: { typ: 'JWT', jwk: undefined, kid: 'k' },
    });
    expect(decodeProtectedHeader(proof)).toEqual({ alg: 'ES256', typ: 'JWT', kid: 'k' });
    expect(decodeJwt(proof)).toEqual({ htm: 'GET', htu: 'not a url', iat: expect.any(Number), extra: 1 });
  });

  it('signs with signingKey instead: a signature its jwk does not verify', async () => {
    const key = await generateDpopKey();
    const other = await generateDpopKey();
    const proof = await createDpopProof(key, { method: 'GET', url: URL_THINGS, signingKey: other.privateKey });
    expect(decodeProtectedHeader(proof).jwk).toEqual(key.publicJwk);
    await expect(jwtVerify(proof, EmbeddedJWK)).rejects.toMatchObject({
      code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    });
  });

  it("is accepted by the mock, with the server's nonce when it asks for one: a token bound to the key", async () => {
    const mock = createMockKeyway({ dpopNonce: true });
    const key = await generateDpopKey();
    const tokenUrl = `${mock.issuer}/oauth/token`;
    const request = async (nonce?: string) =>
      mock.fetch(tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${btoa('test-client:test-secret')}`,
          dpop: await createDpopProof(key, { method: 'POST', url: tokenUrl, ...(nonce ? { nonce } : {}) }),
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api' }),
      });
    const first = await request();
    expect(first.status).toBe(400);
    expect(await first.json()).toMatchObject({ error: 'use_dpop_nonce' });
    const issued = await request(first.headers.get('dpop-nonce') ?? '');
    const tokens = (await issued.json()) as { token_type: string; access_token: string };
    expect(tokens.token_type).toBe('DPoP');
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.jkt });
  });
});
