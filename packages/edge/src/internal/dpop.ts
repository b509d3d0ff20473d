import type { StateStore } from '@keyway/core';
import { base64url, calculateJwkThumbprint, EmbeddedJWK, type JWK, jwtVerify } from 'jose';

/** Asymmetric algorithms accepted for DPoP proofs, advertised in the `DPoP` challenge's `algs`. */
export const DPOP_ALGORITHMS: readonly string[] = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
];

/** What a proof is checked against. */
export interface DpopExpectations {
  method: string;
  url: string;
  accessToken: string;
  /** The `cnf.jkt` of the access token. */
  jkt: string;
  /** Epoch seconds. */
  now: number;
  /** Seconds a proof stays acceptable after its `iat`. */
  maxAge: number;
  /** Seconds. */
  clockTolerance: number;
  algorithms: readonly string[];
  replay: StateStore;
}

/** A failed proof check: `reason` is the code the error reports. */
export class DpopCheckFailed extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function fail(reason: string, message: string): never {
  throw new DpopCheckFailed(reason, message);
}

/** `htu` comparison ignores query and fragment (RFC 9449 §4.3 step 9); URL parsing normalises case and ports. */
function sameTarget(htu: unknown, url: string): boolean {
  if (typeof htu !== 'string') {
    return false;
  }
  try {
    const a = new URL(htu);
    const b = new URL(url);
    return a.origin === b.origin && a.pathname === b.pathname;
  } catch {
    return false;
  }
}

async function sha256(text: string): Promise<string> {
  return base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

/**
 * Verifies a DPoP proof for a resource request (RFC 9449 §4.3 and §7.1): `typ` `dpop+jwt`, an
 * asymmetric `alg` from the list, the signature by the embedded public `jwk`, `htm`, `htu`, `iat` in
 * the window, `ath` = SHA-256 of the access token, `jti` not seen before, and the key's thumbprint
 * equal to the token's `cnf.jkt`. Server-provided nonces are not supported.
 */
export async function verifyDpopProof(proof: string, expected: DpopExpectations): Promise<void> {
  let header: { jwk?: JWK };
  let payload: Record<string, unknown>;
  try {
    const result = await jwtVerify(proof, EmbeddedJWK, {
      typ: 'dpop+jwt',
      algorithms: [...expected.algorithms],
      clockTolerance: expected.clockTolerance,
    });
    header = result.protectedHeader as { jwk?: JWK };
    payload = result.payload as Record<string, unknown>;
  } catch {
    return fail('dpop_proof_invalid', 'The DPoP proof is malformed or its signature is invalid.');
  }
  if (payload.htm !== expected.method.toUpperCase()) {
    fail('dpop_htm_mismatch', 'The DPoP proof was made for another HTTP method.');
  }
  if (!sameTarget(payload.htu, expected.url)) {
    fail('dpop_htu_mismatch', 'The DPoP proof was made for another URL.');
  }
  const iat = payload.iat;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    fail('dpop_iat_missing', 'The DPoP proof has no "iat".');
  }
  if (iat - expected.clockTolerance > expected.now) {
    fail('dpop_iat_in_future', 'The DPoP proof was issued in the future.');
  }
  if (iat + expected.maxAge + expected.clockTolerance < expected.now) {
    fail('dpop_proof_expired', 'The DPoP proof is too old.');
  }
  if (typeof payload.jti !== 'string' || payload.jti === '') {
    fail('dpop_jti_missing', 'The DPoP proof has no "jti".');
  }
  if (typeof payload.ath !== 'string' || payload.ath !== (await sha256(expected.accessToken))) {
    fail('dpop_ath_mismatch', 'The DPoP proof is not bound to this access token (ath).');
  }
  const thumbprint = await calculateJwkThumbprint(header.jwk as JWK);
  if (thumbprint !== expected.jkt) {
    fail('dpop_key_mismatch', 'The DPoP proof is signed by another key than the one the access token is bound to.');
  }
  // The replay check comes last: a proof that fails another check does not use up its jti.
  const fresh = await expected.replay.consume(
    `dpop:${thumbprint}:${payload.jti}`,
    expected.maxAge + 2 * expected.clockTolerance,
  );
  if (!fresh) {
    fail('dpop_replay', 'The DPoP proof was already used.');
  }
}

/** The in-isolate replay record: each `jti` remembered for its ttl, at most `limit` of them (oldest dropped first). */
export function memoryReplayStore(limit = 10_000, now: () => number = Date.now): StateStore {
  const seen = new Map<string, number>();
  return {
    async consume(key, ttlSeconds) {
      const at = now();
      const until = seen.get(key);
      if (until !== undefined && until > at) {
        return false;
      }
      seen.delete(key);
      seen.set(key, at + ttlSeconds * 1000);
      for (const [old, expiry] of seen) {
        if (seen.size <= limit && expiry > at) {
          break;
        }
        seen.delete(old);
      }
      return true;
    },
  };
}
