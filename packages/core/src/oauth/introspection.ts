import { InvalidResponseError } from '../errors.js';
import { errorFromResponse } from './errors-map.js';
import type { TokenIntrospection } from './types.js';

/**
 * Options of `OAuthClient.introspect()` and `OAuthClient.revoke()`.
 */
export interface TokenHintOptions {
  /** `access_token` or `refresh_token` (RFC 7009 / RFC 7662 `token_type_hint`). */
  tokenTypeHint?: string;
  signal?: AbortSignal;
}

/** Reads an introspection response (RFC 7662 §2.2): a JSON object with a boolean `active`. */
export async function processIntrospectionResponse(response: Response): Promise<TokenIntrospection> {
  if (response.status !== 200) {
    throw await errorFromResponse(response, 'The introspection endpoint');
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || typeof (body as { active?: unknown }).active !== 'boolean') {
    throw new InvalidResponseError('The introspection response has no boolean "active".', {
      code: 'invalid_introspection_response',
      status: response.status,
    });
  }
  return body as TokenIntrospection;
}

/** Reads a revocation response (RFC 7009 §2.2): any 2xx is success. */
export async function processRevocationResponse(response: Response): Promise<void> {
  if (response.status < 200 || response.status >= 300) {
    throw await errorFromResponse(response, 'The revocation endpoint');
  }
}
