import type { JsonWebKeySet } from '@keyway/openapi';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';

/** The signature algorithms the mock signs with. */
export type SigningAlg = 'RS256' | 'ES256' | 'EdDSA';

export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function createKey(alg: SigningAlg): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = (await calculateJwkThumbprint(jwk)).slice(0, 16);
  return { kid, alg, privateKey, publicKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

// Generating an RSA key takes hundreds of milliseconds; every mock in a process starts from the same
// first key per algorithm (test keys, never secrets). `rotateKeys()` always makes fresh ones.
const firstKeys = new Map<SigningAlg, Promise<SigningKey>>();

function firstKey(alg: SigningAlg): Promise<SigningKey> {
  let key = firstKeys.get(alg);
  if (!key) {
    key = createKey(alg);
    firstKeys.set(alg, key);
    key.catch(() => firstKeys.delete(alg));
  }
  return key;
}

/**
 * The signing keys: one current key, plus retired keys still published so tokens signed before a
 * rotation keep verifying. Keys are made on first use (key generation is async).
 */
export class KeyRing {
  #alg: SigningAlg;
  #current: Promise<SigningKey> | undefined;
  #retired: SigningKey[] = [];

  constructor(alg: SigningAlg) {
    this.#alg = alg;
  }

  get alg(): SigningAlg {
    return this.#alg;
  }

  current(): Promise<SigningKey> {
    this.#current ??= firstKey(this.#alg);
    return this.#current;
  }

  /** A new current key; the old one stays in the JWKS unless `retire` drops it at once. */
  async rotate(options: { retire?: boolean; alg?: SigningAlg } = {}): Promise<SigningKey> {
    const previous = this.#current ? await this.#current : undefined;
    if (options.alg) {
      this.#alg = options.alg;
    }
    const next = createKey(this.#alg);
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
