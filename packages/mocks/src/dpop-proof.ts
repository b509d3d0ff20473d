import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
  type CryptoKey as WebCryptoKey,
} from 'jose';

/** The asymmetric algorithms a DPoP key may use (RFC 9449 section 4.2 forbids symmetric ones). */
export type DpopAlg = 'ES256' | 'ES384' | 'ES512' | 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'EdDSA';

/**
 * A DPoP key pair from {@link generateDpopKey}. It is a `CryptoKeyPair`, so `@keyway/core`'s
 * `dpop` client option takes it as it is.
 */
export interface DpopKey {
  readonly alg: DpopAlg;
  readonly privateKey: WebCryptoKey;
  readonly publicKey: WebCryptoKey;
  /** The public key as a proof's `jwk` header carries it (public members only). */
  readonly publicJwk: JWK;
  /** Its RFC 7638 thumbprint: the `cnf.jkt` of a token bound to it, and the `dpop_jkt` parameter. */
  readonly jkt: string;
}

/**
 * A new DPoP key pair (default ES256) with its public JWK and thumbprint.
 *
 * @example
 * ```ts
 * import { createMockKeyway, generateDpopKey } from '@keyway/mocks';
 *
 * const mock = createMockKeyway();
 * const key = await generateDpopKey();
 * // An access token bound to the key, as a DPoP-aware authorization server issues it.
 * const token = await mock.mintAccessToken({ aud: 'https://api.example.com', cnf: { jkt: key.jkt } });
 * ```
 */
export async function generateDpopKey(alg: DpopAlg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const publicJwk = await exportJWK(publicKey);
  return { alg, privateKey, publicKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

/** Options of {@link createDpopProof}. */
export interface DpopProofOptions {
  /** The request's method: the proof's `htm`. */
  method: string;
  /** The request's URL: the proof's `htu`, without query and fragment (RFC 9449 section 4.2). */
  url: string | URL;
  /** The access token the request presents: the proof's `ath` (its SHA-256, base64url), for resource requests. */
  accessToken?: string;
  /** The server's `DPoP-Nonce`, once it asked for one. */
  nonce?: string;
  /** Default: a random UUID (a proof is used once). */
  jti?: string;
  /** Epoch seconds. Default: now (pass `mock.clock.now()` when the mock's clock is set). */
  iat?: number;
  /**
   * Claims to add or replace; one set to `undefined` is left out. For proofs a verifier must refuse:
   * `{ htu: 'https://elsewhere.example/' }`, `{ jti: undefined }`.
   */
  claims?: Record<string, unknown>;
  /** Header parameters to add or replace; one set to `undefined` is left out: `{ typ: 'JWT' }`, `{ jwk: undefined }`. */
  header?: Record<string, unknown>;
  /** Signs with this key instead of the key's own private key: a signature its `jwk` does not verify. */
  signingKey?: WebCryptoKey;
}

/**
 * A DPoP proof (RFC 9449 section 4.2) by `key` for one request: `typ: dpop+jwt`, the key's `alg` and
 * public `jwk` in the header; `htm`, `htu`, `jti`, `iat`, and `ath` and `nonce` when given. Send it
 * as the request's `DPoP` header; each proof is for one request.
 *
 * @example
 * ```ts
 * import { createDpopProof, createMockKeyway, generateDpopKey } from '@keyway/mocks';
 *
 * const mock = createMockKeyway();
 * const key = await generateDpopKey();
 * const url = `${mock.issuer}/oauth/token`;
 * const response = await mock.fetch(url, {
 *   method: 'POST',
 *   headers: {
 *     authorization: `Basic ${btoa('test-client:test-secret')}`,
 *     dpop: await createDpopProof(key, { method: 'POST', url }),
 *   },
 *   body: new URLSearchParams({ grant_type: 'client_credentials' }),
 * });
 * // { token_type: 'DPoP', access_token: '<JWT with cnf.jkt = key.jkt>', ... }
 * ```
 */
export async function createDpopProof(key: DpopKey, options: DpopProofOptions): Promise<string> {
  const htu = new URL(options.url);
  htu.search = '';
  htu.hash = '';
  const payload = defined({
    htm: options.method,
    htu: htu.href,
    jti: options.jti ?? crypto.randomUUID(),
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    ath: options.accessToken === undefined ? undefined : await sha256(options.accessToken),
    nonce: options.nonce,
    ...options.claims,
  });
  const header = defined({ alg: key.alg, typ: 'dpop+jwt', jwk: key.publicJwk, ...options.header });
  return new SignJWT(payload).setProtectedHeader(header as { alg: string }).sign(options.signingKey ?? key.privateKey);
}

function defined(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined));
}

async function sha256(text: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}
