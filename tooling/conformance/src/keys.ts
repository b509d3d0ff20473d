import { createPublicKey } from 'node:crypto';
import { exportJWK, type JWK } from 'jose';

/** One signing key of the hostile OP: its private half for signing, its public JWK for the JWKS. */
export interface OpKey {
  /** The JWS `alg` it signs with. */
  alg: 'RS256' | 'ES256' | 'PS256';
  /** The `kid` it is published (and signs) under. */
  kid: string;
  privateKey: CryptoKey;
  /** Public JWK with `kid`, `alg` and `use: sig`. */
  jwk: JWK;
  /** The public key as PEM: what an algorithm-confusion attacker uses as an HMAC secret. */
  pem: string;
}

/**
 * The names of the OP's keys. `rs` and `es` are published by default; `rs2` is a second RSA key (for
 * "no kid, several candidates"); `impostor` is an RSA key that is never published but signs under
 * `rs`'s kid (a forged signature); `next` is the key a rotation publishes; `weak` is a 1024-bit RSA
 * key (too short for RS256, RFC 7518 §3.3).
 */
export type KeyName = 'rs' | 'es' | 'rs2' | 'impostor' | 'next' | 'weak';

export type KeyRing = Record<KeyName, OpKey>;

const GENERATE: Record<OpKey['alg'], (bits: number) => RsaHashedKeyGenParams | EcKeyGenParams> = {
  RS256: (bits) => ({
    name: 'RSASSA-PKCS1-v1_5',
    modulusLength: bits,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  }),
  PS256: (bits) => ({
    name: 'RSA-PSS',
    modulusLength: bits,
    publicExponent: new Uint8Array([1, 0, 1]),
    hash: 'SHA-256',
  }),
  ES256: () => ({ name: 'ECDSA', namedCurve: 'P-256' }),
};

// Web Crypto rather than jose: jose refuses to make the short RSA key a hostile OP wants.
async function makeKey(alg: OpKey['alg'], kid: string, modulusLength = 2048): Promise<OpKey> {
  const { privateKey, publicKey } = (await crypto.subtle.generateKey(GENERATE[alg](modulusLength), true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const pem = createPublicKey({ key: jwk as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return { alg, kid, privateKey, jwk, pem };
}

/** Fresh keys for one OP. */
export async function createKeyRing(): Promise<KeyRing> {
  const [rs, es, rs2, impostor, next, weak] = await Promise.all([
    makeKey('RS256', 'rs-1'),
    makeKey('ES256', 'es-1'),
    makeKey('RS256', 'rs-2'),
    makeKey('RS256', 'rs-1'),
    makeKey('RS256', 'rs-next'),
    makeKey('RS256', 'rs-weak', 1024),
  ]);
  return { rs, es, rs2, impostor, next, weak };
}
