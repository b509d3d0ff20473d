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

/** The `WWW-Authenticate` value: one challenge per accepted scheme; the error parameters on `scheme`'s. */
export function challengeFor(
  settings: ChallengeSettings,
  scheme: Scheme | undefined,
  error?: { error: string; description: string; scope?: string },
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

/** Builds the error with its status and challenge. `description` is fixed text: never the token. */
export function authError(
  settings: ChallengeSettings,
  scheme: Scheme | undefined,
  code: EdgeAuthErrorCode,
  reason: string,
  description: string,
  extra: { scope?: string; cause?: unknown; dpopNonce?: string } = {},
): EdgeAuthError {
  let challenge: string | undefined;
  if (code === 'missing_token') {
    challenge = challengeFor(settings, scheme);
  } else if (code !== 'unavailable') {
    challenge = challengeFor(settings, scheme, {
      error: code,
      description,
      ...(extra.scope === undefined ? {} : { scope: extra.scope }),
    });
  }
  return new EdgeAuthError(description, {
    code,
    reason,
    status: STATUS[code],
    challenge,
    cause: extra.cause,
    dpopNonce: extra.dpopNonce,
  });
}

/** RFC 7230 `token`. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/;

/** The start of an auth-param (`token BWS "=" BWS` then a value), which a token68 (`abc==`) is not. */
const AUTH_PARAM = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+\s*=\s*[^=\s]/;

/**
 * The list elements of a `WWW-Authenticate` value: split on the commas outside quoted-strings (RFC 7235
 * §4.1), each trimmed, empty ones dropped.
 */
function elements(header: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < header.length; i++) {
    const char = header[i]!;
    if (quoted && char === '\\') {
      current += char + (header[i + 1] ?? '');
      i++;
      continue;
    }
    if (char === '"') {
      quoted = !quoted;
    } else if (char === ',' && !quoted) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += char;
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

/**
 * `header` with `name="value"` added to each of its challenges that takes auth-params (not a token68
 * one, not one that already has `name`). An element that starts with a token and no `=` after it opens
 * a challenge; `name=value` elements continue the one before. `value` must need no escaping.
 */
export function addChallengeParam(header: string, name: string, value: string): string {
  const challenges: string[][] = [];
  for (const element of elements(header)) {
    const token = TOKEN.exec(element)?.[0] ?? '';
    const rest = element.slice(token.length);
    if (challenges.length === 0 || (token !== '' && !/^\s*=/.test(rest))) {
      challenges.push([element]);
    } else {
      challenges.at(-1)!.push(element);
    }
  }
  const added = `${name}="${value}"`;
  const named = new RegExp(`^${name}\\s*=`, 'i');
  return challenges
    .map((parts) => {
      const [head = ''] = parts;
      const first = head.slice(TOKEN.exec(head)?.[0].length ?? 0).trim();
      if (first !== '' && !AUTH_PARAM.test(first)) {
        return parts.join(', '); // token68: no auth-params to add to
      }
      if ([first, ...parts.slice(1)].some((param) => named.test(param))) {
        return parts.join(', ');
      }
      return first === '' ? `${head} ${added}` : `${parts.join(', ')}, ${added}`;
    })
    .join(', ');
}
