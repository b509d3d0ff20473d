import { importJWK, type JWK } from 'jose';
import type { KeyPair, SigningAlg } from './keys.js';
import { rsaJwkFromSeed } from './seeded-rsa.js';

/**
 * Keys derived from `keySeed`: HKDF-SHA-256 over the seed (info: algorithm and the key's position in
 * the ring) yields the private key material, so the same seed gives the same first key, the same key
 * after each `rotateKeys()`, and a different key per algorithm.
 */

const encoder = new TextEncoder();
// PKCS #8 headers around a raw private key: Ed25519 (RFC 8410) and P-256 (RFC 5915, public key omitted).
const ED25519_PKCS8 = hex('302e020100300506032b657004220420');
const P256_PKCS8 = hex('3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420');
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function hex(value: string): Uint8Array {
  return Uint8Array.from(value.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
}

async function material(seed: string, alg: SigningAlg, index: number, bytes: number): Promise<Uint8Array> {
  const ikm = await crypto.subtle.importKey('raw', encoder.encode(seed), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: encoder.encode('@keyway/mocks keySeed'),
      info: encoder.encode(`${alg}/${index}`),
    },
    ikm,
    bytes * 8,
  );
  return new Uint8Array(bits);
}

function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Imports a PKCS #8 private key and its public half (Web Crypto computes the public key on export). */
async function fromPkcs8(pkcs8: Uint8Array<ArrayBuffer>, algorithm: EcKeyImportParams | Algorithm, alg: SigningAlg) {
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, algorithm, true, ['sign']);
  const { d: _d, key_ops: _ops, ext: _ext, ...publicJwk } = (await crypto.subtle.exportKey('jwk', privateKey)) as JWK;
  const publicKey = (await importJWK(publicJwk, alg, { extractable: true })) as CryptoKey;
  return { privateKey, publicKey };
}

async function derive(seed: string, alg: SigningAlg, index: number): Promise<KeyPair> {
  if (alg === 'EdDSA') {
    return fromPkcs8(concat(ED25519_PKCS8, await material(seed, alg, index, 32)), { name: 'Ed25519' }, alg);
  }
  if (alg === 'ES256') {
    // FIPS 186-5 A.2.1: 64 extra bits, reduced into [1, n-1], leave no bias that matters.
    let scalar = 0n;
    for (const byte of await material(seed, alg, index, 40)) {
      scalar = (scalar << 8n) | BigInt(byte);
    }
    scalar = (scalar % (P256_ORDER - 1n)) + 1n;
    const raw = hex(scalar.toString(16).padStart(64, '0'));
    return fromPkcs8(concat(P256_PKCS8, raw), { name: 'ECDSA', namedCurve: 'P-256' }, alg);
  }
  const { d, p, q, dp, dq, qi, ...publicJwk } = rsaJwkFromSeed(await material(seed, alg, index, 256));
  const privateKey = (await importJWK({ ...publicJwk, d, p, q, dp, dq, qi }, alg, { extractable: true })) as CryptoKey;
  const publicKey = (await importJWK(publicJwk, alg, { extractable: true })) as CryptoKey;
  return { privateKey, publicKey };
}

// Deriving an RSA key takes about as long as generating one: mocks sharing a seed share the work.
const derived = new Map<string, Promise<KeyPair>>();

/** The key at `index` of the ring that `seed` determines for `alg`. */
export function seededKeyPair(seed: string, alg: SigningAlg, index: number): Promise<KeyPair> {
  const id = `${alg}/${index}/${seed}`;
  let pair = derived.get(id);
  if (!pair) {
    pair = derive(seed, alg, index);
    derived.set(id, pair);
    pair.catch(() => derived.delete(id));
  }
  return pair;
}
