import { ConfigurationError } from '../errors.js';
import { numberOption } from '../internal/options.js';
import { type ConsumedKind, ConsumedStates, STATE_TTL, stateKey } from './state-store.js';

/**
 * Checks of the values a caller hands in for an authorization request and its redemption: they enter
 * here, before anything is sent, and a weak or malformed one is a `ConfigurationError`.
 */

function refuse(code: string, message: string): never {
  throw new ConfigurationError(message, { code });
}

/** RFC 7636 §4.1: `code-verifier = 43*128unreserved`, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". */
const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
/** RFC 6749 Appendix A.5 / OpenID Connect `nonce`: visible ASCII and space (no CR/LF, no control characters). */
const VSCHAR = /^[\x20-\x7e]+$/;
/** Fewer characters than this leave a `state` or `nonce` guessable. */
const MIN_RANDOM_VALUE_LENGTH = 8;
/** A longer one is no stronger and only bloats the URL. */
const MAX_RANDOM_VALUE_LENGTH = 512;

/**
 * A caller's `state` or `nonce`: 8-512 visible ASCII characters, not all alike. Else
 * `ConfigurationError` `weak_state` / `weak_nonce` (the value itself is not quoted).
 */
export function checkRandomValue(value: unknown, name: 'state' | 'nonce'): string {
  if (
    typeof value !== 'string' ||
    value.length < MIN_RANDOM_VALUE_LENGTH ||
    value.length > MAX_RANDOM_VALUE_LENGTH ||
    !VSCHAR.test(value) ||
    new Set(value).size === 1
  ) {
    refuse(
      `weak_${name}`,
      `A caller-supplied ${name} must be ${MIN_RANDOM_VALUE_LENGTH}-${MAX_RANDOM_VALUE_LENGTH} visible ASCII characters, not all the same (use a random value).`,
    );
  }
  return value;
}

/**
 * A caller's PKCE `codeVerifier`: RFC 7636 §4.1 (43-128 unreserved characters), not all alike. Else
 * `ConfigurationError` `invalid_code_verifier`.
 */
export function checkCodeVerifier(value: unknown): string {
  if (typeof value !== 'string' || !CODE_VERIFIER.test(value) || new Set(value).size === 1) {
    refuse(
      'invalid_code_verifier',
      'A caller-supplied codeVerifier must be 43-128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1), from a random source.',
    );
  }
  return value;
}

/**
 * A per-request `redirectUri`: an absolute URI without a fragment (RFC 6749 §3.1.2). Else
 * `ConfigurationError` `invalid_redirect_uri`.
 */
export function checkRedirectUri(value: unknown): string {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (value as string).includes('#') || !VSCHAR.test(value as string)) {
    refuse('invalid_redirect_uri', 'redirectUri must be an absolute URI without a fragment (RFC 6749 §3.1.2).');
  }
  return value as string;
}

/** `max_age` in seconds: a whole number >= 0 (a `NaN` would silently disable the `auth_time` check). */
export function checkMaxAge(value: unknown): number | undefined {
  return value === undefined ? undefined : numberOption(value, 'maxAge', 0, { integer: true });
}

/** A value the caller supplied for an authorization request. */
export interface CallerValue {
  kind: Extract<ConsumedKind, 'state' | 'nonce' | 'verifier'>;
  value: string;
}

/** Caller-supplied values sent in the last ten minutes, per issuer and client (bounded, oldest forgotten). */
const issued = /* @__PURE__ */ new ConsumedStates();

/**
 * Records the caller's values as sent, refusing the lot (`ConfigurationError` `reused_value`, nothing
 * recorded) when this process already sent one of them for this issuer and client in the last ten
 * minutes: a reused `state` or `nonce` lets an old callback or ID token pass for a new one, a reused
 * verifier binds two codes to one secret. Across instances, a replayed callback is still refused by
 * the state store.
 */
export async function recordCallerValues(issuer: string, clientId: string, values: CallerValue[]): Promise<void> {
  const keys = await Promise.all(values.map(({ kind, value }) => stateKey(issuer, clientId, value, kind)));
  const reused = values.filter((_, index) => issued.has(keys[index] as string));
  if (reused.length > 0) {
    const names = reused.map(({ kind }) => (kind === 'verifier' ? 'codeVerifier' : kind)).join(', ');
    refuse('reused_value', `This ${names} was already sent with an authorization request: use a fresh one.`);
  }
  for (const key of keys) {
    issued.consume(key, STATE_TTL);
  }
}
