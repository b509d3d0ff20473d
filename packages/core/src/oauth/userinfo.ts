import { InvalidResponseError, TokenValidationError } from '../errors.js';
import { errorFromResponse } from './errors-map.js';
import type { UserinfoResponse } from './types.js';

/**
 * Options of `OAuthClient.userinfo()`.
 */
export interface UserinfoOptions {
  /** The `sub` of the ID token: the answer must be about the same user (OpenID Connect Core §5.3.2). */
  expectedSubject?: string;
  signal?: AbortSignal;
}

/**
 * Reads a UserInfo response: JSON, or a signed JWT (`application/jwt`) that `verifyJwt` turns into
 * claims. `sub` must be present and, when expected, equal (`TokenValidationError` `sub_mismatch`).
 */
export async function processUserinfoResponse(
  response: Response,
  expectedSubject: string | undefined,
  verifyJwt: (jwt: string) => Promise<Record<string, unknown>>,
): Promise<UserinfoResponse> {
  if (response.status !== 200) {
    throw await errorFromResponse(response, 'The userinfo endpoint');
  }
  const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  const text = await response.text();
  let body: unknown;
  if (type === 'application/jwt') {
    body = await verifyJwt(text);
  } else {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidResponseError('The userinfo response is not a JSON object.', {
      code: 'invalid_userinfo_response',
      status: response.status,
    });
  }
  const sub = (body as { sub?: unknown }).sub;
  if (typeof sub !== 'string' || sub === '') {
    throw new TokenValidationError('The userinfo response has no subject (sub).', { code: 'sub_missing' });
  }
  if (expectedSubject !== undefined && sub !== expectedSubject) {
    throw new TokenValidationError('The userinfo response is about another subject than expected.', {
      code: 'sub_mismatch',
    });
  }
  return body as UserinfoResponse;
}
