import { CallbackError } from '../errors.js';
import { printable } from '../internal/printable.js';

/**
 * What an authorization response is checked against, resolved by the client (not to be confused with
 * the public `CallbackChecks`, the caller's saved request values).
 */
interface CallbackExpectations {
  /** The `state` sent with the authorization request. */
  state: string;
  /** The provider's issuer identifier. */
  issuer: string;
  /** True when the provider advertises `authorization_response_iss_parameter_supported` (RFC 9207). */
  issRequired: boolean;
}

/** The parameters of a callback URL: the query, or the fragment for `response_mode=fragment`. */
export function callbackParams(url: URL | string): URLSearchParams {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url, 'http://callback.invalid') : new URL(url);
  } catch {
    // The URL itself is not quoted: it may carry a code.
    throw new CallbackError('The callback URL cannot be parsed.', { code: 'invalid_callback_url' });
  }
  if (parsed.search.length <= 1 && parsed.hash.includes('=')) {
    return new URLSearchParams(parsed.hash.slice(1));
  }
  return new URLSearchParams(parsed.search);
}

function refuse(code: string, message: string): never {
  throw new CallbackError(message, { code });
}

/**
 * Checks an authorization response before anything is redeemed, in this order: `state` (CSRF),
 * the RFC 9207 `iss` parameter (mix-up), the provider's error, then the presence of one `code`.
 *
 * Error codes (`CallbackError`): `state_mismatch`, `iss_missing`, `iss_mismatch`, the provider's own
 * `error` (e.g. `access_denied`), `missing_code`.
 */
export function validateCallback(params: URLSearchParams, expected: CallbackExpectations): string {
  for (const name of ['state', 'iss', 'code', 'error']) {
    if (params.getAll(name).length > 1) {
      refuse('duplicate_parameter', `The callback repeats the "${name}" parameter.`);
    }
  }
  if (params.get('state') !== expected.state) {
    refuse('state_mismatch', 'The callback state does not match the one sent.');
  }
  const iss = params.get('iss');
  if (iss === null && expected.issRequired) {
    refuse('iss_missing', 'The callback lacks the "iss" parameter the provider advertises (RFC 9207).');
  }
  if (iss !== null && iss !== expected.issuer) {
    refuse('iss_mismatch', 'The callback comes from another issuer (RFC 9207 "iss").');
  }
  const error = params.get('error');
  if (error !== null) {
    const description = params.get('error_description') ?? undefined;
    const detail = description ? ` (${printable(description, 300)})` : '';
    throw new CallbackError(`The authorization failed: ${printable(error, 80)}${detail}.`, {
      error,
      error_description: description,
    });
  }
  const code = params.get('code');
  if (!code) {
    refuse('missing_code', 'The callback carries neither a code nor an error.');
  }
  return code;
}
