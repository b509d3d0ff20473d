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

/** A form_post body larger than this is refused unread: an authorization response is a few hundred bytes. */
export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;

/**
 * A `Request` (a server's incoming request): one of this realm, or one that looks like one (another
 * realm's, a framework's subclass), never a `URL`.
 */
function isRequest(value: unknown): value is Request {
  if (typeof Request !== 'undefined' && value instanceof Request) {
    return true;
  }
  const candidate = value as Partial<Request> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    !(candidate instanceof URL) &&
    typeof candidate.url === 'string' &&
    typeof candidate.method === 'string' &&
    typeof candidate.headers?.get === 'function' &&
    typeof candidate.arrayBuffer === 'function'
  );
}

/**
 * The parameters of a callback given as a URL, a string or a `Request`: a GET request's query (or
 * fragment), a POST request's `application/x-www-form-urlencoded` body (`response_mode=form_post`,
 * OAuth 2.0 Form Post Response Mode; the query is then ignored). The body is read, at most
 * {@link MAX_CALLBACK_BODY_BYTES}.
 *
 * Error codes (`CallbackError`): `invalid_callback_url`, `invalid_callback_method`, `invalid_callback_body`.
 */
export async function readCallback(input: URL | string | Request): Promise<URLSearchParams> {
  if (!isRequest(input)) {
    return callbackParams(input);
  }
  const method = input.method.toUpperCase();
  if (method === 'GET') {
    return callbackParams(input.url);
  }
  if (method !== 'POST') {
    refuse('invalid_callback_method', `A callback comes as GET or as a form_post POST, not ${printable(method, 16)}.`);
  }
  const type = input.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    refuse('invalid_callback_body', 'A form_post callback must have an application/x-www-form-urlencoded body.');
  }
  return new URLSearchParams(await readFormBody(input));
}

/** The body as UTF-8 text, refused (`invalid_callback_body`) when larger than the cap, unreadable or already read. */
async function readFormBody(request: Request): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  if (declared > MAX_CALLBACK_BODY_BYTES || request.bodyUsed) {
    refuse('invalid_callback_body', 'The form_post body is too large or was already read.');
  }
  const bytes = new Uint8Array(MAX_CALLBACK_BODY_BYTES);
  let length = 0;
  try {
    if (request.body) {
      const reader = request.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          break;
        }
        if (length + value.byteLength > MAX_CALLBACK_BODY_BYTES) {
          await reader.cancel().catch(() => undefined);
          return refuse('invalid_callback_body', 'The form_post body is too large or was already read.');
        }
        bytes.set(value, length);
        length += value.byteLength;
      }
    } else {
      // No stream (an empty body, or a framework's request-like object): the whole body, then the cap.
      const whole = new Uint8Array(await request.arrayBuffer());
      if (whole.byteLength > MAX_CALLBACK_BODY_BYTES) {
        return refuse('invalid_callback_body', 'The form_post body is too large or was already read.');
      }
      bytes.set(whole);
      length = whole.byteLength;
    }
  } catch (error) {
    if (CallbackError.is(error)) {
      throw error;
    }
    // The runtime's error says nothing useful and could quote the body (a code).
    refuse('invalid_callback_body', 'The form_post body could not be read.');
  }
  return new TextDecoder().decode(bytes.subarray(0, length));
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
