import { ConfigurationError } from '../errors.js';

/**
 * A token for an `Authorization` header: visible ASCII only (RFC 6750 `b64token` and every opaque
 * token in use fit). Anything else (CR/LF, NUL, spaces, non-ASCII) would make `Headers` throw a
 * `TypeError` that quotes the whole value, secret included, or split the header: it is refused here
 * with an error that quotes nothing.
 */
export function headerToken(value: unknown, what = 'The access token'): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value)) {
    throw new ConfigurationError(`${what} is empty or contains characters that cannot be sent in an HTTP header.`, {
      code: 'invalid_token',
    });
  }
  return value;
}

/**
 * `new Headers(init)`, with a refused name or value (CR/LF, NUL, a bad name) turned into
 * `ConfigurationError` `invalid_header` that names neither: the runtime's `TypeError` quotes the value,
 * which may be a credential.
 */
export function callerHeaders(init: HeadersInit | undefined): Headers {
  try {
    return new Headers(init);
  } catch {
    throw new ConfigurationError('A request header has a name or value that cannot be sent in HTTP.', {
      code: 'invalid_header',
    });
  }
}
