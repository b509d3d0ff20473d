import type { JsonWebKeySet } from '@keyway/openapi';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, type CryptoKey as WebCryptoKey } from 'jose';
import { seededKeyPair } from './seeded-keys.js';

/** The signature algorithms the mock signs with. */
export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';

export interface KeyPair {
  readonly privateKey: WebCryptoKey;
  readonly publicKey: WebCryptoKey;
}

interface SigningKey extends KeyPair {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly publicJwk: JWK;
}

const generate = (alg: SigningAlg): Promise<KeyPair> => generateKeyPair(alg, { extractable: true });

// Generating an RSA key takes 100-500 ms, EC and Ed25519 keys about a millisecond. Every mock has keys
// of its own, so the next RSA key is generated in the background as soon as one is taken: a suite that
// creates mocks one after another rarely waits. Each key goes to exactly one ring.
const spareRsa: { next?: Promise<KeyPair> } = {};

function freshKeyPair(alg: SigningAlg): Promise<KeyPair> {
  if (alg !== 'RS256') {
    return generate(alg);
  }
  const taken = spareRsa.next ?? generate(alg);
  const next = generate(alg);
  next.catch(() => {
    if (spareRsa.next === next) {
      spareRsa.next = undefined;
    }
  });
  spareRsa.next = next;
  return taken;
}

async function signingKey(alg: SigningAlg, pair: Promise<KeyPair>): Promise<SigningKey> {
  const { privateKey, publicKey } = await pair;
  const jwk = await exportJWK(publicKey);
  const kid = (await calculateJwkThumbprint(jwk)).slice(0, 16);
  return { kid, alg, privateKey, publicKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

/**
 * The signing keys of one mock: one current key, plus retired keys still published so tokens signed
 * before a rotation keep verifying. Keys are random, or derived from `keySeed` (the n-th key of a ring
 * is the same for the same seed and algorithm). The first key is made on first use, so a mock that
 * never signs never pays for one.
 */
export class KeyRing {
  #alg: SigningAlg;
  readonly #seed: string | undefined;
  #made = 0;
  #current: Promise<SigningKey> | undefined;
  #retired: SigningKey[] = [];

  constructor(alg: SigningAlg, keySeed?: string) {
    this.#alg = alg;
    this.#seed = keySeed;
  }

  get alg(): SigningAlg {
    return this.#alg;
  }

  #next(): Promise<SigningKey> {
    const index = this.#made;
    this.#made += 1;
    const pair = this.#seed === undefined ? freshKeyPair(this.#alg) : seededKeyPair(this.#seed, this.#alg, index);
    const key = signingKey(this.#alg, pair);
    // A failed first key is made again on the next use rather than cached.
    key.catch(() => {
      if (this.#current === key) {
        this.#current = undefined;
      }
    });
    return key;
  }

  current(): Promise<SigningKey> {
    this.#current ??= this.#next();
    return this.#current;
  }

  /** A new current key; the old one stays in the JWKS unless `retire` drops it at once. */
  async rotate(options: { retire?: boolean; alg?: SigningAlg } = {}): Promise<SigningKey> {
    const previous = this.#current ? await this.#current : undefined;
    if (options.alg) {
      this.#alg = options.alg;
    }
    const next = this.#next();
    this.#current = next;
    if (options.retire) {
      this.#retired = [];
    } else if (previous) {
      this.#retired = [previous, ...this.#retired].slice(0, 2);
    }
    return next;
  }

  async jwks(): Promise<JsonWebKeySet> {
    const current = await this.current();
    return { keys: [current, ...this.#retired].map((key) => ({ ...key.publicJwk }) as JsonWebKeySet['keys'][number]) };
  }

  /** Every key that still verifies, current first. */
  async verificationKeys(): Promise<SigningKey[]> {
    return [await this.current(), ...this.#retired];
  }
}
