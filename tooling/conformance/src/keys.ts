import { createPublicKey } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

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
 * `rs`'s kid (a forged signature); `next` is the key a rotation publishes.
 */
export type KeyName = 'rs' | 'es' | 'rs2' | 'impostor' | 'next';

export type KeyRing = Record<KeyName, OpKey>;

async function makeKey(alg: OpKey['alg'], kid: string): Promise<OpKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const pem = createPublicKey({ key: jwk as never, format: 'jwk' })
    .export({ type: 'spki', format: 'pem' })
    .toString();
  return { alg, kid, privateKey, jwk, pem };
}

/** Fresh keys for one OP. */
export async function createKeyRing(): Promise<KeyRing> {
  const [rs, es, rs2, impostor, next] = await Promise.all([
    makeKey('RS256', 'rs-1'),
    makeKey('ES256', 'es-1'),
    makeKey('RS256', 'rs-2'),
    makeKey('RS256', 'rs-1'),
    makeKey('RS256', 'rs-next'),
  ]);
  return { rs, es, rs2, impostor, next };
}
