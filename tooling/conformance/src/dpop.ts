import { randomBytes } from 'node:crypto';
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { applyPatch, signJws } from './jws.ts';

/** A client's DPoP key pair: the public JWK goes in every proof, `jkt` in the token's `cnf`. */
export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  /** Private JWK members, for a proof that (wrongly) embeds them. */
  privateJwk: JWK;
  jkt: string;
}

export async function createDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  return {
    privateKey,
    publicJwk,
    privateJwk: await exportJWK(privateKey),
    jkt: await calculateJwkThumbprint(publicJwk),
  };
}

/** What a proof claims and how it is bent. */
export interface ProofOptions {
  htm: string;
  htu: string;
  /** Binds the proof to this token (`ath`). */
  accessToken?: string;
  nonce?: string;
  /** Claims set on the usual ones (`undefined` removes one). */
  claims?: Record<string, unknown>;
  /** Header members set on the usual ones. */
  header?: Record<string, unknown>;
  /** Sign with this key instead (the header still embeds `key`'s public JWK). */
  signWith?: CryptoKey;
  /** HS256 with this secret instead of the key. */
  hmac?: string;
}

/** A DPoP proof (RFC 9449 §4.2) signed with `key`, bent by `options`. */
export async function dpopProof(key: DpopKey, options: ProofOptions): Promise<string> {
  const claims: Record<string, unknown> = {
    htm: options.htm,
    htu: options.htu,
    iat: Math.floor(Date.now() / 1000),
    jti: base64url.encode(randomBytes(16)),
  };
  if (options.accessToken !== undefined) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(options.accessToken));
    claims.ath = base64url.encode(new Uint8Array(digest));
  }
  if (options.nonce !== undefined) {
    claims.nonce = options.nonce;
  }
  applyPatch(claims, options.claims);
  const header = applyPatch({ typ: 'dpop+jwt', alg: 'ES256', jwk: key.publicJwk }, options.header);
  if (options.hmac !== undefined) {
    return signJws({ ...header, alg: 'HS256' }, claims, { hmac: options.hmac });
  }
  const proof = await signJws(header, claims, {
    key: { alg: 'ES256', kid: '', privateKey: options.signWith ?? key.privateKey, jwk: {}, pem: '' },
  });
  return proof;
}
