import type { ChallengeSettings, Scheme } from './challenge.js';
import { authError } from './challenge.js';

/** An access token as the request carried it. */
export interface Credentials {
  scheme: Scheme;
  token: string;
}

/** RFC 6750 §2.1 `b64token`. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * The access token of a request, from its `Authorization` header only (RFC 6750 §2.1; RFC 9449 §7.1
 * for `DPoP`). A token in the query string (`access_token`) is refused, not read: URLs end up in logs
 * and `Referer` headers (RFC 6750 §5.3, OAuth 2.1 §5.2). A form-encoded body is never read.
 */
export function credentialsOf(request: Request, settings: ChallengeSettings): Credentials {
  let inQuery = false;
  try {
    inQuery = new URL(request.url).searchParams.has('access_token');
  } catch {
    // A relative or odd URL: there is no query to look at.
  }
  if (inQuery) {
    throw authError(
      settings,
      undefined,
      'invalid_request',
      'token_in_query',
      'Access tokens are not accepted in the query string: send them in the Authorization header.',
    );
  }
  const header = request.headers.get('authorization');
  if (header === null || header.trim() === '') {
    throw authError(settings, undefined, 'missing_token', 'no_authorization', 'The request carries no access token.');
  }
  const match = /^([^\s]+)(?:\s+(.*))?$/.exec(header.trim());
  const name = match?.[1]?.toLowerCase();
  const scheme: Scheme | undefined =
    name === 'bearer' && settings.bearer ? 'Bearer' : name === 'dpop' && settings.dpop ? 'DPoP' : undefined;
  if (scheme === undefined) {
    // Another scheme (Basic, or one this verifier does not accept): no credentials for us.
    throw authError(
      settings,
      undefined,
      'missing_token',
      'unsupported_scheme',
      'The request carries no access token in a scheme this resource accepts.',
    );
  }
  const token = match?.[2]?.trim() ?? '';
  if (!TOKEN68.test(token)) {
    throw authError(
      settings,
      scheme,
      'invalid_request',
      'malformed_authorization',
      `The Authorization header is malformed: expected "${scheme} <token>".`,
    );
  }
  return { scheme, token };
}

/** A token given as a string: a bearer token (`missing_token` when it is blank). */
export function tokenCredentials(token: string, settings: ChallengeSettings): Credentials {
  if (token.trim() === '') {
    throw authError(settings, undefined, 'missing_token', 'no_authorization', 'The request carries no access token.');
  }
  return { scheme: 'Bearer', token: token.trim() };
}
