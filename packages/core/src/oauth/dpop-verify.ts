import type { JWK } from 'jose';
import { TokenValidationError } from '../errors.js';
import { clockToleranceOption, numberOption } from '../internal/options.js';
import { jwkThumbprint } from './jwk-thumbprint.js';
import { type DecodedJws, decodeJws, encodeBase64url, jwsAlgorithm } from './jws.js';
import { algorithmsOption } from './jwt-verify.js';
import { REPLAY_LIMIT, ReplayCache } from './replay-cache.js';
import type { StateStore } from './state-store.js';

/**
 * Asymmetric algorithms accepted for DPoP proofs unless configured otherwise (frozen).
 *
 * @example
 * ```ts
 * import { DPOP_ALGORITHMS } from '@keyway/core';
 * const algs = DPOP_ALGORITHMS.join(' '); // what a resource server advertises in its DPoP challenge
 * ```
 */
export const DPOP_ALGORITHMS: readonly string[] = /* @__PURE__ */ Object.freeze([
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
]);

/**
 * Options of {@link verifyDpopProof}: the request the proof must describe and how strict to be.
 */
export interface VerifyDpopProofOptions {
  /** The request's HTTP method (`htm`). */
  method: string;
  /** The request's URL (`htu`); query and fragment are ignored. */
  url: string | URL;
  /** The access token sent with the proof: its SHA-256 must be the proof's `ath` (resource requests). */
  accessToken?: string;
  /** The token's `cnf.jkt`: the proof's key must have this JWK SHA-256 thumbprint. */
  jkt?: string;
  /** Seconds a proof is accepted after its `iat` (default 60), plus `clockTolerance`. */
  maxAge?: number;
  /** Seconds of tolerance for `iat` (default 30). */
  clockTolerance?: number;
  /** The server nonce (RFC 9449 §8, §9) the proof must carry; otherwise `use_dpop_nonce`. */
  nonce?: string;
  /**
   * Where `jti`s are recorded to refuse replays (`consume(key, ttl)` resolves `true` the first time).
   * The TTL covers the whole window in which the proof could be accepted (`maxAge` plus the clock
   * tolerance on both sides of `iat`); a shared store must never drop a key before its TTL.
   * Default: in memory, shared by the whole process or isolate: it never forgets an unexpired `jti`;
   * holding 100 000 of them, it refuses new proofs (`dpop_replay_cache_full`) until some expire.
   */
  replayStore?: StateStore;
  /** Accepted proof algorithms (default ES256/384/512, RS256/384/512, PS256/384/512, EdDSA; asymmetric only). */
  algorithms?: readonly string[];
  /** The current time in epoch seconds (default: now). */
  now?: number;
}

/**
 * A verified DPoP proof.
 */
export interface DpopProof {
  /** The JWK SHA-256 thumbprint of the proof's key (what `cnf.jkt` binds). */
  jkt: string;
  jti: string;
  /** Epoch seconds. */
  iat: number;
  htm: string;
  htu: string;
  /** The server nonce the proof carried, if any. */
  nonce?: string;
  /** The proof's public key (its embedded `jwk`). */
  jwk: JWK;
  /** Every claim of the proof. */
  payload: Record<string, unknown>;
}

const replays = /* @__PURE__ */ new ReplayCache();

function replayCacheFull(): never {
  return fail(
    'dpop_replay_cache_full',
    `The DPoP replay cache holds ${REPLAY_LIMIT} unexpired proofs: new proofs are refused until some expire.`,
  );
}

/** JWK members that make a key private (or symmetric): never accepted in a proof. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const MIN_RSA_BITS = 2048;

function fail(code: string, message: string): never {
  throw new TokenValidationError(message, { code });
}

const invalid = (): never => fail('dpop_proof_invalid', 'The DPoP proof is malformed or its signature is invalid.');

/** `htu` comparison ignores query and fragment (RFC 9449 §4.3 step 9); URL parsing normalises case and ports. */
function sameTarget(htu: unknown, url: string | URL): boolean {
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
  return encodeBase64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}

/** Checks the header (`typ`, `alg`, public `jwk`) and the signature by the embedded key. */
async function verifySignature(jws: DecodedJws, algorithms: readonly string[]): Promise<JWK> {
  const { header } = jws;
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  const algorithm = algorithms.includes(header.alg) ? jwsAlgorithm(header.alg) : undefined;
  const jwk = header.jwk as JWK | undefined;
  if (
    (typ !== 'dpop+jwt' && typ !== 'application/dpop+jwt') ||
    !algorithm ||
    algorithm.kty === 'oct' ||
    typeof jwk !== 'object' ||
    jwk === null ||
    Array.isArray(jwk) ||
    jwk.kty !== algorithm.kty ||
    (algorithm.crv !== undefined && jwk.crv !== algorithm.crv) ||
    PRIVATE_MEMBERS.some((member) => member in jwk)
  ) {
    return invalid();
  }
  let valid = false;
  try {
    const { kty, crv, x, y, n, e } = jwk;
    const pub = Object.fromEntries(Object.entries({ kty, crv, x, y, n, e }).filter(([, v]) => v !== undefined));
    const key = await crypto.subtle.importKey('jwk', pub, algorithm.importParams, false, ['verify']);
    const bits = (key.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength;
    valid =
      (bits === undefined || bits >= MIN_RSA_BITS) &&
      (await crypto.subtle.verify(algorithm.verifyParams, key, jws.signature, jws.signingInput));
  } catch {
    // A key Web Crypto refuses, or a signature of the wrong shape: not valid.
  }
  return valid ? jwk : invalid();
}

/**
 * Verifies a DPoP proof (RFC 9449 §4.3, and §7.1 for resource requests): `typ` `dpop+jwt`, an
 * asymmetric `alg` from the allow-list, the signature by the embedded public `jwk` (no private
 * members), `htm` and `htu` (query and fragment ignored) equal to the request's, `iat` within
 * `maxAge` (plus `clockTolerance`), a `jti`, then when given: `ath` = base64url(SHA-256(accessToken)),
 * the key's thumbprint = `jkt`, the server `nonce`. The `jti` is consumed last (in `replayStore`), so a
 * proof that fails another check does not use it up.
 *
 * Error codes (`TokenValidationError`): `dpop_proof_invalid`, `dpop_htm_mismatch`, `dpop_htu_mismatch`,
 * `dpop_iat_missing`, `dpop_iat_in_future`, `dpop_proof_expired`, `dpop_jti_missing`,
 * `dpop_ath_mismatch`, `dpop_key_mismatch`, `use_dpop_nonce` (answer 401 with
 * `WWW-Authenticate: DPoP error="use_dpop_nonce"` and a `DPoP-Nonce` header), `dpop_replay`,
 * `dpop_replay_cache_full` (the default in-memory replay cache holds 100 000 unexpired proofs and
 * refuses new ones rather than forget one that could be replayed; give a `replayStore` to go beyond).
 *
 * @example
 * ```ts
 * import { verifyDpopProof } from '@keyway/core';
 *
 * declare const request: Request;
 * declare const accessToken: string;
 * declare const claims: { cnf?: { jkt?: string } };
 * const proof = await verifyDpopProof(request.headers.get('dpop') ?? '', {
 *   method: request.method,
 *   url: request.url,
 *   accessToken,
 *   jkt: claims.cnf?.jkt,
 * });
 * console.log(proof.jkt);
 * ```
 */
export async function verifyDpopProof(proof: string, options: VerifyDpopProofOptions): Promise<DpopProof> {
  const maxAge = numberOption(options.maxAge, 'maxAge', 60, { max: 86_400 });
  const tolerance = clockToleranceOption(options.clockTolerance);
  const now = numberOption(options.now, 'now', Math.floor(Date.now() / 1000));
  let jws: DecodedJws;
  try {
    jws = decodeJws(proof);
  } catch {
    return invalid();
  }
  const jwk = await verifySignature(jws, algorithmsOption(options.algorithms, DPOP_ALGORITHMS));
  const payload = jws.payload;
  const { htm, htu, iat, jti, ath, nonce } = payload;
  if (typeof htm !== 'string' || htm !== options.method.toUpperCase()) {
    fail('dpop_htm_mismatch', 'The DPoP proof was made for another HTTP method.');
  }
  if (!sameTarget(htu, options.url)) {
    fail('dpop_htu_mismatch', 'The DPoP proof was made for another URL.');
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    return fail('dpop_iat_missing', 'The DPoP proof has no "iat".');
  }
  if (iat - tolerance > now) {
    fail('dpop_iat_in_future', 'The DPoP proof was issued in the future.');
  }
  if (iat + maxAge + tolerance < now) {
    fail('dpop_proof_expired', 'The DPoP proof is too old.');
  }
  if (typeof jti !== 'string' || jti === '') {
    return fail('dpop_jti_missing', 'The DPoP proof has no "jti".');
  }
  if (options.accessToken !== undefined && (typeof ath !== 'string' || ath !== (await sha256(options.accessToken)))) {
    fail('dpop_ath_mismatch', 'The DPoP proof is not bound to this access token (ath).');
  }
  const jkt = await jwkThumbprint(jwk);
  if (options.jkt !== undefined && jkt !== options.jkt) {
    fail('dpop_key_mismatch', 'The DPoP proof is signed by another key than the one the access token is bound to.');
  }
  if (options.nonce !== undefined && nonce !== options.nonce) {
    fail('use_dpop_nonce', 'The DPoP proof must carry the nonce the server provided.');
  }
  // The replay check comes last: a proof that fails another check does not use up its jti.
  // A fixed-length key whatever the jti's length, so a long jti cannot grow the store.
  const key = `dpop:${jkt}:${await sha256(jti)}`;
  // Accepted while `iat - tolerance <= now <= iat + maxAge + tolerance`, and `iat` may lie up to
  // `tolerance` ahead of now: remembered for maxAge + 2 x tolerance (+1 s for the rounding of iat).
  const ttl = maxAge + 2 * tolerance + 1;
  if (options.replayStore === undefined) {
    const verdict = replays.consume(key, ttl);
    if (verdict === 'full') {
      replayCacheFull();
    }
    if (verdict === 'replay') {
      fail('dpop_replay', 'The DPoP proof was already used.');
    }
  } else if (!(await options.replayStore.consume(key, ttl))) {
    fail('dpop_replay', 'The DPoP proof was already used.');
  }
  return {
    jkt,
    jti,
    iat,
    htm: htm as string,
    htu: htu as string,
    ...(typeof nonce === 'string' ? { nonce } : {}),
    jwk,
    payload,
  };
}
