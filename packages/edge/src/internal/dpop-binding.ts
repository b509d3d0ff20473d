import {
  type AccessTokenClaims,
  ConfigurationError,
  type StateStore,
  TokenValidationError,
  verifyDpopProof,
} from '@keyway/core';
import { authError, type ChallengeSettings } from './challenge.js';
import type { Credentials } from './credentials.js';

/** How a verifier checks DPoP proofs (its `dpop` option, resolved). */
export interface DpopCheck {
  /** Seconds a proof is accepted after its `iat`. */
  maxAge: number;
  /** Seconds of tolerance for the proof's `iat`. */
  clockTolerance: number;
  algorithms: readonly string[];
  replayStore: StateStore | undefined;
  nonce: ((request: Request) => string | Promise<string>) | undefined;
}

/** RFC 9449 §8.1 `nonce = 1*NQCHAR`: what a `DPoP-Nonce` header and a proof's `nonce` may hold. */
const NQCHARS = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The value of the `dpop.nonce` callback, refused unless it is a valid nonce (never split a header with it). */
function dpopNonce(value: unknown): string {
  if (typeof value !== 'string' || !NQCHARS.test(value)) {
    throw new ConfigurationError(
      'dpop.nonce must return a non-empty string of visible ASCII without `"` or `\\` (RFC 9449 §8.1).',
      { code: 'invalid_dpop_nonce' },
    );
  }
  return value;
}

/** The token's key binding (`cnf.jkt`, RFC 9449 §6.1), if it has one. */
function boundKey(claims: AccessTokenClaims): string | undefined {
  const cnf = claims.cnf as { jkt?: unknown } | undefined;
  return typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
}

/**
 * Checks that the scheme fits the token's binding: a DPoP-bound token only with the `DPoP` scheme,
 * and then a proof of the bound key for this request ({@link checkDpopProof}). Every refusal is an
 * `EdgeAuthError` (`invalid_token`, `invalid_dpop_proof` or `use_dpop_nonce`).
 */
export async function checkDpopBinding(
  credentials: Credentials,
  claims: AccessTokenClaims,
  request: Request | undefined,
  dpop: DpopCheck | undefined,
  settings: ChallengeSettings,
): Promise<void> {
  const { scheme } = credentials;
  const jkt = boundKey(claims);
  if (scheme === 'Bearer' && jkt !== undefined) {
    throw authError(
      settings,
      scheme,
      'invalid_token',
      'dpop_bound_token',
      'The access token is bound to a DPoP key: send it with the DPoP scheme and a proof.',
    );
  }
  if (scheme === 'DPoP' && jkt === undefined) {
    throw authError(
      settings,
      scheme,
      'invalid_token',
      'dpop_binding_missing',
      'The access token is not bound to a DPoP key.',
    );
  }
  if (scheme === 'DPoP' && jkt !== undefined) {
    await checkDpopProof(credentials.token, jkt, request, dpop, settings);
  }
}

/**
 * Checks the request's one DPoP proof (RFC 9449 §4.3, §7.1) with core's `verifyDpopProof()`: signed by
 * the key `jkt`, for this method and URL and token, fresh, not replayed, and carrying the server nonce
 * when `dpop.nonce` asks for one (else `use_dpop_nonce`, with the nonce to retry with).
 */
async function checkDpopProof(
  token: string,
  jkt: string,
  request: Request | undefined,
  dpop: DpopCheck | undefined,
  settings: ChallengeSettings,
): Promise<void> {
  const proof = request?.headers.get('dpop') ?? null;
  if (proof === null || proof.includes(',')) {
    throw authError(
      settings,
      'DPoP',
      'invalid_dpop_proof',
      proof === null ? 'dpop_proof_missing' : 'dpop_proof_multiple',
      'The request needs exactly one DPoP proof header.',
    );
  }
  const nonce = dpop?.nonce && request ? dpopNonce(await dpop.nonce(request)) : undefined;
  try {
    await verifyDpopProof(proof, {
      method: request?.method ?? 'GET',
      url: request?.url ?? '',
      accessToken: token,
      jkt,
      maxAge: dpop?.maxAge,
      clockTolerance: dpop?.clockTolerance,
      algorithms: settings.dpopAlgorithms,
      ...(dpop?.replayStore ? { replayStore: dpop.replayStore } : {}),
      ...(nonce === undefined ? {} : { nonce }),
    });
  } catch (error) {
    if (!TokenValidationError.is(error)) {
      throw error;
    }
    if (error.code === 'use_dpop_nonce' && nonce !== undefined) {
      throw authError(
        settings,
        'DPoP',
        'use_dpop_nonce',
        error.code,
        'The DPoP proof must carry the nonce the server provided.',
        { dpopNonce: nonce },
      );
    }
    throw authError(settings, 'DPoP', 'invalid_dpop_proof', error.code, error.message);
  }
}
