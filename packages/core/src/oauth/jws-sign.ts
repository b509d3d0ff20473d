import { ConfigurationError } from '../errors.js';
import { privateKeyParts } from './client-auth.js';
import { algorithmOf } from './dpop.js';
import { encodeBase64url, jwsAlgorithm } from './jws.js';
import type { PrivateKeyInput } from './types.js';

// Compact JWS signing straight on Web Crypto, for the client assertions of the client-credentials
// client (RFC 7523): the signing half of jose would be most of a Worker's token source
// (tooling/bench/README.md, "Departures"). Algorithms and their Web Crypto parameters are jws.ts's,
// the same table the verifier uses; Web Crypto's ECDSA signatures are already JWS's r || s.

/** RSA keys shorter than this are refused (RFC 7518 §3.3, §3.5), as jose does. */
const MIN_RSA_BITS = 2048;

const encoder = /* @__PURE__ */ new TextEncoder();

/** A key that signs, with the `alg` and `kid` its JWS header names. */
export interface SigningKey {
  key: CryptoKey;
  alg: string;
  kid?: string;
}

function invalidKey(message: string): ConfigurationError {
  return new ConfigurationError(`privateKey: ${message}`, { code: 'invalid_private_key' });
}

/**
 * A private key input (a JWK with `d`, a `CryptoKey`, or `{ key, kid }`) as a signing key, imported
 * with Web Crypto (only the JWK's key members: its `use` or `key_ops` never narrow what it may do).
 * `ConfigurationError` `invalid_private_key` for a key that is not a usable asymmetric signing key.
 */
export async function importSigningKey(input: PrivateKeyInput): Promise<SigningKey> {
  const parts = privateKeyParts(input);
  let key: CryptoKey;
  let alg: string;
  if ('key' in parts) {
    key = parts.key;
    alg = algorithmOf(key);
  } else {
    alg = parts.alg;
    const algorithm = jwsAlgorithm(alg);
    if (!algorithm || algorithm.kty === 'oct') {
      throw invalidKey(`"${String(alg).slice(0, 20)}" is not an asymmetric JWS algorithm.`);
    }
    const { kty, crv, x, y, n, e, d, p, q, dp, dq, qi } = parts.jwk;
    const members = Object.entries({ kty, crv, x, y, n, e, d, p, q, dp, dq, qi }).filter(([, v]) => v !== undefined);
    try {
      key = await crypto.subtle.importKey('jwk', Object.fromEntries(members), algorithm.importParams, false, ['sign']);
    } catch {
      // The import error could quote key material; say what failed without it.
      throw invalidKey(`the JWK could not be imported for ${alg}.`);
    }
  }
  const bits = (key.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength;
  if (!alg || key.type !== 'private' || (bits !== undefined && bits < MIN_RSA_BITS)) {
    throw invalidKey('an ECDSA, Ed25519 or RSA (2048 bits or more) private key is needed.');
  }
  return parts.kid === undefined ? { key, alg } : { key, alg, kid: parts.kid };
}

/** The HMAC key of a client secret, for `client_secret_jwt` (HS256). */
export function hmacSigningKey(secret: string): Promise<SigningKey> {
  return crypto.subtle
    .importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    .then((key) => ({ key, alg: 'HS256' }));
}

/** A compact JWS (RFC 7515 §7.1) of the JSON `payload`, signed by `signer`; the header names its `alg` and `kid`. */
export async function signJws(payload: Record<string, unknown>, signer: SigningKey): Promise<string> {
  const algorithm = jwsAlgorithm(signer.alg);
  if (!algorithm) {
    throw invalidKey(`"${signer.alg}" is not a JWS algorithm.`);
  }
  const header = signer.kid === undefined ? { alg: signer.alg } : { alg: signer.alg, kid: signer.kid };
  const part = (value: object) => encodeBase64url(encoder.encode(JSON.stringify(value)));
  const input = `${part(header)}.${part(payload)}`;
  const signature = await crypto.subtle.sign(algorithm.verifyParams, signer.key, encoder.encode(input));
  return `${input}.${encodeBase64url(new Uint8Array(signature))}`;
}
