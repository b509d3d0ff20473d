import type { JWK } from 'jose';
import { ConfigurationError } from '../errors.js';
import { type Clock, epochSeconds } from './clock.js';
import { loadJose } from './jose-lazy.js';
import { jwkThumbprint } from './jwk-thumbprint.js';
import { encodeBase64url } from './jws.js';

/** The JWS `alg` a private key signs with, or `""` for a key no JWS algorithm fits. */
export function algorithmOf(key: CryptoKey): string {
  const algorithm = key.algorithm as KeyAlgorithm & { namedCurve?: string; hash?: { name: string } };
  const bits = algorithm.hash?.name.replace('SHA-', '');
  switch (algorithm.name) {
    case 'ECDSA':
      return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[algorithm.namedCurve ?? ''] ?? '';
    case 'RSASSA-PKCS1-v1_5':
      return `RS${bits}`;
    case 'RSA-PSS':
      return `PS${bits}`;
    case 'Ed25519':
      return 'EdDSA';
    default:
      return '';
  }
}

/**
 * Signs DPoP proofs (RFC 9449) with one key pair and remembers the last `DPoP-Nonce` each origin sent,
 * so the token endpoint and resource servers share one nonce cache.
 */
export class DpopSigner {
  readonly #keys: Promise<{ keyPair: CryptoKeyPair; alg: string; jwk: JWK }>;
  readonly #nonces = new Map<string, string>();

  constructor(keyPair: CryptoKeyPair | true) {
    this.#keys = (async () => {
      const { exportJWK, generateKeyPair } = await loadJose();
      const pair = keyPair === true ? await generateKeyPair('ES256') : keyPair;
      const alg = algorithmOf(pair.privateKey);
      if (!alg || !pair.publicKey?.extractable) {
        throw new ConfigurationError('dpop: needs an ECDSA, RSA or Ed25519 key pair with an extractable public key.', {
          code: 'invalid_dpop_key',
        });
      }
      const { kty, crv, x, y, n, e } = await exportJWK(pair.publicKey);
      const jwk = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined));
      return { keyPair: pair, alg, jwk };
    })();
    // A bad key is reported when first used; keep an unobserved rejection from crashing the process.
    this.#keys.catch(() => undefined);
  }

  /** The JWK SHA-256 thumbprint of the public key (the `dpop_jkt` / `cnf.jkt` value). */
  async thumbprint(): Promise<string> {
    return jwkThumbprint((await this.#keys).jwk);
  }

  /** A proof for one request; `accessToken` adds the `ath` hash for resource requests. */
  async proof(method: string, url: string | URL, clock: Clock, accessToken?: string): Promise<string> {
    const { keyPair, alg, jwk } = await this.#keys;
    const { SignJWT } = await loadJose();
    const target = new URL(url);
    const payload: Record<string, string> = { htm: method.toUpperCase(), htu: `${target.origin}${target.pathname}` };
    const nonce = this.#nonces.get(target.origin);
    if (nonce) {
      payload.nonce = nonce;
    }
    if (accessToken !== undefined) {
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken));
      payload.ath = encodeBase64url(new Uint8Array(digest));
    }
    return new SignJWT(payload)
      .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk })
      .setIssuedAt(epochSeconds(clock))
      .setJti(crypto.randomUUID())
      .sign(keyPair.privateKey);
  }

  /** Remembers the nonce a response from `url`'s origin carried, if any. */
  rememberNonce(url: string | URL, response: Response): void {
    const nonce = response.headers.get('dpop-nonce');
    if (nonce) {
      this.#nonces.set(new URL(url).origin, nonce);
    }
  }
}
