import { InvalidResponseError } from '../errors.js';
import { printable } from '../internal/printable.js';
import { redactOnInspect, type TokenSet } from '../token-set.js';
import { errorFromResponse } from './errors-map.js';

/** How a token endpoint response is read. */
interface TokenResponseContext {
  /** Epoch seconds at receipt, for `expires_at`. */
  now: number;
  /** True when the request carried a DPoP proof (a `DPoP` token type is expected then, not otherwise). */
  dpop: boolean;
  /** RFC 8693: `issued_token_type` is required and `N_A` is an acceptable `token_type`. */
  tokenExchange?: boolean;
}

function invalid(message: string, status: number): never {
  throw new InvalidResponseError(`Token response: ${message}`, { code: 'invalid_token_response', status });
}

function optionalString(body: Record<string, unknown>, name: string, status: number): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    invalid(`"${name}" must be a string.`, status);
  }
  return value;
}

/**
 * Reads a token endpoint response (RFC 6749 §5) into a {@link TokenSet}: `token_type` compared
 * case-insensitively (the server's spelling is kept), `expires_in` optional and turned into
 * `expires_at`, malformed fields refused with `InvalidResponseError` `invalid_token_response`.
 * An error answer becomes `OAuthError` (400, and 401 with or without `WWW-Authenticate`).
 * The ID token, when present, is NOT validated here.
 */
export async function processTokenResponse(response: Response, context: TokenResponseContext): Promise<TokenSet> {
  const status = response.status;
  if (status !== 200) {
    throw await errorFromResponse(response, 'The token endpoint');
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    invalid('the body is not JSON.', status);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    invalid('the body is not a JSON object.', status);
  }
  const fields = body as Record<string, unknown>;
  if (typeof fields.access_token !== 'string' || fields.access_token.length === 0) {
    invalid('"access_token" is missing.', status);
  }
  if (typeof fields.token_type !== 'string' || fields.token_type.length === 0) {
    invalid('"token_type" is missing.', status);
  }
  const type = fields.token_type.toLowerCase();
  if (type === 'dpop' && !context.dpop) {
    invalid('a DPoP-bound token came for a request without a DPoP proof.', status);
  }
  if (type !== 'bearer' && type !== 'dpop' && !(context.tokenExchange && type === 'n_a')) {
    invalid(`unsupported token_type "${printable(fields.token_type, 40)}".`, status);
  }
  const { expires_in: rawExpiresIn, ...rest } = fields;
  const tokens: TokenSet = { ...rest, access_token: fields.access_token, token_type: fields.token_type };
  if (rawExpiresIn !== undefined && rawExpiresIn !== null) {
    const expiresIn =
      typeof rawExpiresIn === 'string' && /^\d+$/.test(rawExpiresIn) ? Number(rawExpiresIn) : rawExpiresIn;
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn < 0) {
      invalid('"expires_in" must be a non-negative number.', status);
    }
    tokens.expires_at = context.now + Math.floor(expiresIn);
  } else {
    delete tokens.expires_at;
  }
  for (const name of ['refresh_token', 'id_token', 'scope', 'issued_token_type'] as const) {
    const value = optionalString(fields, name, status);
    if (value === undefined) {
      delete tokens[name];
    } else {
      tokens[name] = value;
    }
  }
  if (tokens.refresh_token === '') {
    invalid('"refresh_token" is empty.', status);
  }
  if (context.tokenExchange && tokens.issued_token_type === undefined) {
    invalid('"issued_token_type" is missing (RFC 8693).', status);
  }
  delete tokens.claims;
  return redactOnInspect(tokens);
}
