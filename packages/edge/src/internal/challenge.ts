import { EdgeAuthError, type EdgeAuthErrorCode } from '../errors.js';

/** How a verifier answers: its realm, the schemes it accepts, the algorithms it takes for DPoP proofs. */
export interface ChallengeSettings {
  realm: string | undefined;
  bearer: boolean;
  dpop: boolean;
  dpopAlgorithms: readonly string[];
}

/** Asymmetric algorithms accepted for DPoP proofs by default (core's list), advertised in the `DPoP` challenge's `algs`. */
export { DPOP_ALGORITHMS } from '@keyway/core';

/** Which scheme the request used, so the error lands in that scheme's challenge. */
export type Scheme = 'Bearer' | 'DPoP';

/** RFC 7235 quoted-string; an `error_description` may only hold %x20-21 / %x23-5B / %x5D-7E (RFC 6750 §3). */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}

/**
 * The `WWW-Authenticate` value: one challenge per accepted scheme; the error parameters on `scheme`'s;
 * `extra` (auth-params such as `resource_metadata`) on each.
 */
function challengeFor(
  settings: ChallengeSettings,
  scheme: Scheme | undefined,
  error?: { error: string; description: string; scope?: string },
  extra: readonly string[] = [],
): string {
  const challenges: string[] = [];
  for (const name of ['Bearer', 'DPoP'] as const) {
    if (name === 'Bearer' ? !settings.bearer : !settings.dpop) {
      continue;
    }
    const params: string[] = [];
    if (settings.realm !== undefined) {
      params.push(`realm=${quoted(settings.realm)}`);
    }
    if (name === 'DPoP') {
      params.push(`algs=${quoted(settings.dpopAlgorithms.join(' '))}`);
    }
    if (error && (scheme ?? (settings.bearer ? 'Bearer' : 'DPoP')) === name) {
      params.push(`error=${quoted(error.error)}`, `error_description=${quoted(error.description)}`);
      if (error.scope !== undefined) {
        params.push(`scope=${quoted(error.scope)}`);
      }
    }
    params.push(...extra);
    challenges.push(params.length > 0 ? `${name} ${params.join(', ')}` : name);
  }
  return challenges.join(', ');
}

const STATUS: Record<EdgeAuthErrorCode, number> = {
  missing_token: 401,
  invalid_request: 400,
  invalid_token: 401,
  invalid_dpop_proof: 401,
  use_dpop_nonce: 401,
  insufficient_scope: 403,
  unavailable: 503,
};

/** How each refusal made by {@link authError} renders its challenge, for {@link withChallengeParams}. */
const renderers = new WeakMap<EdgeAuthError, (extra: readonly string[]) => string>();

/** Builds the error with its status and challenge. `description` is fixed text: never the token. */
export function authError(
  settings: ChallengeSettings,
  scheme: Scheme | undefined,
  code: EdgeAuthErrorCode,
  reason: string,
  description: string,
  extra: { scope?: string; cause?: unknown; dpopNonce?: string } = {},
): EdgeAuthError {
  const params =
    code === 'missing_token'
      ? undefined
      : { error: code, description, ...(extra.scope === undefined ? {} : { scope: extra.scope }) };
  const render =
    code === 'unavailable' ? undefined : (more?: readonly string[]) => challengeFor(settings, scheme, params, more);
  const error = new EdgeAuthError(description, {
    code,
    reason,
    status: STATUS[code],
    challenge: render?.(),
    cause: extra.cause,
    dpopNonce: extra.dpopNonce,
  });
  if (render) {
    renderers.set(error, render);
  }
  return error;
}

/**
 * `refusal` with `extra` auth-params (`resource_metadata="..."`) in each of its challenges. A refusal
 * without a challenge (503), or one this package did not make (a verifier of the caller's own), is
 * returned as it is.
 */
export function withChallengeParams(refusal: EdgeAuthError, extra: readonly string[]): EdgeAuthError {
  const render = renderers.get(refusal);
  if (!render) {
    return refusal;
  }
  const error = new EdgeAuthError(refusal.message, {
    code: refusal.code,
    reason: refusal.reason,
    status: refusal.status,
    challenge: render(extra),
    cause: refusal.cause,
    dpopNonce: refusal.dpopNonce,
  });
  renderers.set(error, (more) => render([...extra, ...more]));
  return error;
}
