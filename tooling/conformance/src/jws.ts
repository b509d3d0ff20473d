import { createHash } from 'node:crypto';
import { base64url } from 'jose';
import type { OpKey } from './keys.ts';

/**
 * How a hostile token is signed: by an OP key (the honest case, or an impostor key), by nobody
 * (`alg: none`), or with HMAC over any secret, e.g. the OP's public key PEM (algorithm confusion).
 */
export type Signer = { key: OpKey } | { none: true } | { hmac: string };

const encoder = new TextEncoder();

/** Sets `patch` onto `target`: a value of `undefined` removes the member. */
export function applyPatch(target: Record<string, unknown>, patch: Record<string, unknown> | undefined) {
  for (const [name, value] of Object.entries(patch ?? {})) {
    if (value === undefined) {
      delete target[name];
    } else {
      target[name] = value;
    }
  }
  return target;
}

const SIGN_PARAMS: Record<OpKey['alg'], AlgorithmIdentifier | RsaPssParams | EcdsaParams> = {
  RS256: { name: 'RSASSA-PKCS1-v1_5' },
  PS256: { name: 'RSA-PSS', saltLength: 32 } as RsaPssParams,
  ES256: { name: 'ECDSA', hash: 'SHA-256' } as EcdsaParams,
};

/**
 * Signs a compact JWS with exactly the given protected header (its `alg` is set from the signer
 * unless the header names one; `kid` only when the header has it) over `payload` as JSON. Done on
 * Web Crypto rather than jose, which would refuse the odd headers (`crit`, a wrong `alg`) a hostile
 * OP needs.
 */
export async function signJws(
  header: Record<string, unknown>,
  payload: Record<string, unknown> | string,
  signer: Signer,
): Promise<string> {
  const body = base64url.encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
  if ('none' in signer) {
    return `${base64url.encode(JSON.stringify({ alg: 'none', ...header }))}.${body}.`;
  }
  const alg = 'hmac' in signer ? 'HS256' : signer.key.alg;
  const input = `${base64url.encode(JSON.stringify({ alg, ...header }))}.${body}`;
  let signature: ArrayBuffer;
  if ('hmac' in signer) {
    const key = await crypto.subtle.importKey(
      'raw',
      encoder.encode(signer.hmac),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    signature = await crypto.subtle.sign('HMAC', key, encoder.encode(input));
  } else {
    signature = await crypto.subtle.sign(SIGN_PARAMS[signer.key.alg], signer.key.privateKey, encoder.encode(input));
  }
  return `${input}.${base64url.encode(new Uint8Array(signature))}`;
}

/** OpenID Connect `at_hash` / `c_hash` for SHA-256 algorithms: the left half of the digest, base64url. */
export function halfHash(value: string): string {
  const digest = createHash('sha256').update(value).digest();
  return base64url.encode(digest.subarray(0, digest.length / 2));
}

/** Adds a claim to the payload after signing: the signature no longer matches. */
export function tamper(jwt: string): string {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const claims = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as Record<string, unknown>;
  claims.tampered = true;
  return `${h}.${base64url.encode(JSON.stringify(claims))}.${s}`;
}

/** Decodes a JWT's payload without verifying it (for assertions on what the OP issued). */
export function decodePayload(jwt: string): Record<string, unknown> {
  const part = jwt.split('.')[1] ?? '';
  return JSON.parse(new TextDecoder().decode(base64url.decode(part))) as Record<string, unknown>;
}
