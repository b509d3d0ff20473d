import { base64url, calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, type JWK, jwtVerify } from 'jose';
import type { Engine } from './engine.js';
import { oauthError } from './http.js';

/** Asymmetric algorithms a DPoP proof may use (the metadata's `dpop_signing_alg_values_supported`). */
export const DPOP_ALGS = ['ES256', 'EdDSA', 'RS256', 'PS256', 'ES384'];

/** Seconds a proof's `iat` may differ from the mock's clock. */
const IAT_TOLERANCE = 60;

/** Where a proof was presented: the token endpoint answers 400, a resource 401 with `WWW-Authenticate`. */
type DpopSite = 'token' | 'resource';

/** A verified proof: the thumbprint of its key (`cnf.jkt`). */
export interface DpopKey {
  jkt: string;
}

/** The error answer for a DPoP failure, shaped as the token endpoint or a resource server gives it. */
function dpopError(engine: Engine, site: DpopSite, error: string, description: string): Response {
  const nonce: Record<string, string> = error === 'use_dpop_nonce' ? { 'dpop-nonce': engine.state.dpopNonce } : {};
  if (site === 'token') {
    return oauthError(error, description, 400, nonce);
  }
  return oauthError(error, description, 401, {
    'www-authenticate': `DPoP realm="keyway", error="${error}", algs="${DPOP_ALGS.join(' ')}"`,
    ...nonce,
  });
}

/**
 * Verifies the request's `DPoP` header (RFC 9449 section 4.3): one proof, `typ: dpop+jwt`, an
 * asymmetric `alg`, a public `jwk` that verifies the signature, `htm`/`htu` of this request, a fresh
 * `iat`, an unused `jti`, the server's nonce when nonces are required, and `ath` for a resource request.
 * Resolves to `undefined` without a header, to the key's thumbprint, or to the error answer.
 */
export async function checkDpopProof(
  engine: Engine,
  request: Request,
  site: DpopSite,
  accessToken?: string,
): Promise<DpopKey | Response | undefined> {
  const header = request.headers.get('dpop');
  if (header === null) {
    return undefined;
  }
  const fail = (description: string) => dpopError(engine, site, 'invalid_dpop_proof', description);
  if (header.includes(',')) {
    return fail('Exactly one DPoP proof is allowed');
  }
  let jwk: JWK;
  let payload: Record<string, unknown>;
  try {
    const protectedHeader = decodeProtectedHeader(header);
    if (protectedHeader.typ !== 'dpop+jwt') {
      return fail('The proof must have typ dpop+jwt');
    }
    if (!DPOP_ALGS.includes(protectedHeader.alg ?? '')) {
      return fail('The proof must be signed with an asymmetric algorithm');
    }
    if (!protectedHeader.jwk || 'd' in protectedHeader.jwk) {
      return fail('The proof must carry a public jwk');
    }
    jwk = protectedHeader.jwk;
    ({ payload } = await jwtVerify(header, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: DPOP_ALGS }));
  } catch (error) {
    return fail(`Invalid DPoP proof: ${error instanceof Error ? error.message : 'verification failed'}`);
  }
  const url = new URL(request.url);
  if (payload.htm !== request.method.toUpperCase()) {
    return fail('htm does not match the request method');
  }
  if (typeof payload.htu !== 'string' || !URL.canParse(payload.htu) || !sameTarget(new URL(payload.htu), url)) {
    return fail('htu does not match the request URL');
  }
  if (typeof payload.jti !== 'string' || payload.jti.length === 0) {
    return fail('jti is required');
  }
  if (typeof payload.iat !== 'number' || Math.abs(payload.iat - engine.clock.now()) > IAT_TOLERANCE) {
    return fail('iat is missing or too far from the current time');
  }
  if (engine.dpopNonce && payload.nonce !== engine.state.dpopNonce) {
    return dpopError(engine, site, 'use_dpop_nonce', 'Authorization server requires nonce in DPoP proof');
  }
  if (accessToken !== undefined && payload.ath !== (await sha256(accessToken))) {
    return fail('ath does not match the access token');
  }
  if (engine.state.dpopProofIds.has(payload.jti)) {
    return fail('The proof was already used');
  }
  engine.state.dpopProofIds.add(payload.jti);
  return { jkt: await calculateJwkThumbprint(jwk) };
}

/** `htu` names the request's URL without query and fragment (RFC 9449 section 4.3, check 9). */
function sameTarget(htu: URL, actual: URL): boolean {
  return htu.origin === actual.origin && htu.pathname === actual.pathname;
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return base64url.encode(new Uint8Array(digest));
}
