import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwkThumbprint } from './jwk-thumbprint.js';

// RFC 7638 §3.1: the example RSA key and its SHA-256 thumbprint.
const RFC7638_KEY = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn' +
    '64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbO' +
    'pbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};

describe('jwkThumbprint (RFC 7638)', () => {
  it("gives RFC 7638 §3.1's thumbprint for its example key", async () => {
    expect(await jwkThumbprint(RFC7638_KEY)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it("gives RFC 8037 A.3's thumbprint for its Ed25519 example key", async () => {
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' };
    expect(await jwkThumbprint(jwk)).toBe('kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
  });

  it('covers only the required members, whatever their order and whatever else the JWK holds', async () => {
    const { n, e } = RFC7638_KEY;
    const reordered = { use: 'sig', n, key_ops: ['verify'], kty: 'RSA', e, d: 'private-part' };
    expect(await jwkThumbprint(reordered)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it.each([
    ['ES256', 'EC'],
    ['ES384', 'EC'],
    ['ES512', 'EC'],
    ['RS256', 'RSA'],
    ['PS256', 'RSA'],
    ['EdDSA', 'OKP'],
  ] as const)('agrees with jose for a generated %s key (%s)', async (alg, kty) => {
    const { publicKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(publicKey);
    expect(jwk.kty).toBe(kty);
    expect(await jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk));
  });

  it('agrees with jose for a symmetric key (oct)', async () => {
    const jwk = { kty: 'oct', k: 'GawgguFyGrWKav7AX4VKUg', alg: 'HS256' };
    expect(await jwkThumbprint(jwk)).toBe(await calculateJwkThumbprint(jwk));
  });

  it('escapes member values as JSON does, so a quote cannot forge another member', async () => {
    const forged = { kty: 'oct', k: 'a","kty":"oct' };
    expect(await jwkThumbprint(forged)).toBe(await calculateJwkThumbprint(forged));
    expect(await jwkThumbprint(forged)).not.toBe(await jwkThumbprint({ kty: 'oct', k: 'a' }));
  });

  it.each([
    ['no kty', { n: 'x', e: 'AQAB' }, '"kty" must be EC, OKP, RSA or oct'],
    ['an unknown kty', { kty: 'DSA', y: 'x' }, '"kty" must be EC, OKP, RSA or oct'],
    ['a kty naming an Object.prototype member', { kty: 'constructor' }, '"kty" must be EC, OKP, RSA or oct'],
    ['a kty that is not a string', { kty: 1 }, '"kty" must be EC, OKP, RSA or oct'],
    ['a missing required member', { kty: 'EC', crv: 'P-256', x: 'AA' }, 'the EC member "y" must be a string'],
    ['a required member that is a number', { kty: 'RSA', n: 'AA', e: 65537 }, 'the RSA member "e" must be a string'],
    [
      'a required member that is NaN',
      { kty: 'OKP', crv: 'Ed25519', x: Number.NaN },
      'the OKP member "x" must be a string',
    ],
  ])('refuses %s with a TypeError', async (_, jwk, message) => {
    const refusal = jwkThumbprint(jwk);
    await expect(refusal).rejects.toThrow(TypeError);
    await expect(refusal).rejects.toThrow(message);
  });

  it('refuses something that is not an object', async () => {
    await expect(jwkThumbprint(null as never)).rejects.toThrow(TypeError);
    await expect(jwkThumbprint('{"kty":"oct"}' as never)).rejects.toThrow(TypeError);
  });
});
