import { createHash } from 'node:crypto';
import { base64url, CompactSign } from 'jose';
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

/**
 * Signs a compact JWS with exactly the given protected header (its `alg` is set from the signer
 * unless the header names one; `kid` only when the header has it) over `payload` as JSON.
 */
export async function signJws(
  header: Record<string, unknown>,
  payload: Record<string, unknown> | string,
  signer: Signer,
): Promise<string> {
  const bytes = encoder.encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
  if ('none' in signer) {
    const protectedHeader = base64url.encode(JSON.stringify({ alg: 'none', ...header }));
    return `${protectedHeader}.${base64url.encode(bytes)}.`;
  }
  if ('hmac' in signer) {
    return new CompactSign(bytes)
      .setProtectedHeader({ alg: 'HS256', ...header } as { alg: string })
      .sign(encoder.encode(signer.hmac));
  }
  return new CompactSign(bytes)
    .setProtectedHeader({ alg: signer.key.alg, ...header } as { alg: string })
    .sign(signer.key.privateKey);
}

/** OpenID Connect `at_hash` / `c_hash` for SHA-256 algorithms: the left half of the digest, base64url. */
export function halfHash(value: string): string {
  const digest = createHash('sha256').update(value).digest();
  return base64url.encode(digest.subarray(0, digest.length / 2));
}

/** Replaces one character in the middle of the payload segment: the signature no longer matches. */
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
