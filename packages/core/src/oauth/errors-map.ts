import {
  ConfigurationError,
  InvalidResponseError,
  KeywayApiError,
  KeywayError,
  OAuthError,
  type OAuthErrorFields,
} from '../errors.js';
import { headersToRecord } from '../internal/http-attempt.js';
import { isRecord } from '../internal/is-record.js';
import { requestSuffix, scrub, sentRequestOf, serverSaid } from '../internal/sent-request.js';

/** One `WWW-Authenticate` challenge: a lower-cased scheme and its auth-params (lower-cased names). */
interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~\w]+/;

/**
 * Parses a `WWW-Authenticate` header (RFC 9110 §11.6.1) into challenges. Tolerant: a malformed tail
 * ends the parse rather than throwing, since the header only ever refines an error we already have.
 */
function parseWwwAuthenticate(header: string | null): Challenge[] {
  const challenges: Challenge[] = [];
  if (!header) {
    return challenges;
  }
  let rest = header.trim();
  let current: Challenge | undefined;
  while (rest.length > 0) {
    const name = TOKEN.exec(rest)?.[0];
    if (!name) {
      break;
    }
    const after = rest.slice(name.length).trimStart();
    if (current && after.startsWith('=') && !after.startsWith('==')) {
      // auth-param: name = token / quoted-string
      let value = after.slice(1).trimStart();
      let parsed: string;
      if (value.startsWith('"')) {
        let out = '';
        let i = 1;
        for (; i < value.length && value[i] !== '"'; i++) {
          out += value[i] === '\\' ? (value[++i] ?? '') : value[i];
        }
        parsed = out;
        value = value.slice(i + 1);
      } else {
        parsed = TOKEN.exec(value)?.[0] ?? '';
        value = value.slice(parsed.length);
      }
      current.params[name.toLowerCase()] = parsed;
      rest = value.trimStart().replace(/^,\s*/, '');
      continue;
    }
    current = { scheme: name.toLowerCase(), params: {} };
    challenges.push(current);
    // token68 (e.g. a Basic realm-less challenge) — skip it.
    const token68 = /^[\w\-.~+/]+=*(?=\s*(,|$))/.exec(after)?.[0];
    rest = (token68 ? after.slice(token68.length) : after).trimStart().replace(/^,\s*/, '');
  }
  return challenges;
}

/** The RFC 6749 error fields of a parsed body, when it has a string `error`. Other fields are dropped. */
function oauthErrorFields(body: unknown): OAuthErrorFields | undefined {
  if (!isRecord(body) || typeof body.error !== 'string' || body.error.length === 0) {
    return undefined;
  }
  return {
    error: body.error,
    error_description: typeof body.error_description === 'string' ? body.error_description : undefined,
    error_uri: typeof body.error_uri === 'string' ? body.error_uri : undefined,
  };
}

async function peekJson(response: Response): Promise<unknown> {
  try {
    const text = await response.clone().text();
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The error an unsuccessful response stands for: an `OAuthError` when the body (or, failing that, a
 * `WWW-Authenticate` challenge) carries an RFC 6749 error; else, for an HTTP error status (4xx, 5xx),
 * the `KeywayApiError` subclass of that status with its `headers` (as the service client throws);
 * else (a 2xx or 3xx other than the one expected) `InvalidResponseError` `unexpected_status`. Each
 * names the request (`method`, `url`: origin and path). The body itself is never attached and the
 * server's words are cleared of every secret the request carried: a hostile server can reflect the
 * request, `Authorization` included.
 */
export async function errorFromResponse(response: Response, what: string): Promise<KeywayError> {
  const sent = sentRequestOf(response);
  const options = { status: response.status, method: sent?.method, url: sent?.url };
  const fields = oauthErrorFields(await peekJson(response));
  if (fields) {
    return new OAuthError(scrub(fields, sent), options);
  }
  for (const challenge of parseWwwAuthenticate(response.headers.get('www-authenticate'))) {
    if (challenge.params.error) {
      const challenged = {
        error: challenge.params.error,
        error_description: challenge.params.error_description,
        error_uri: challenge.params.error_uri,
      };
      return new OAuthError(scrub(challenged, sent), options);
    }
  }
  return statusError(response, what);
}

/**
 * A `KeywayApiError` for an HTTP error status, else `InvalidResponseError` `unexpected_status`; no body
 * kept. The message quotes what the server said, if anything (see `serverMessage`), and names the
 * request: `The JWKS endpoint answered with status 404: no such key set (GET https://issuer/jwks).`
 */
export function statusError(response: Response, what: string): KeywayError {
  const sent = sentRequestOf(response);
  const about = { method: sent?.method, url: sent?.url };
  if (response.status >= 400 && response.status <= 599) {
    return KeywayApiError.generate(
      response.status,
      undefined,
      scrub(headersToRecord(response.headers), sent),
      `${what} answered with status ${response.status}${saidBy(response)}${requestSuffix(sent)}.`,
      about,
    );
  }
  return new InvalidResponseError(`${what} answered with unexpected status ${response.status}${requestSuffix(sent)}.`, {
    code: 'unexpected_status',
    status: response.status,
    ...about,
  });
}

/** `: <the server's words>` for an error answer that said something usable, else nothing. */
function saidBy(response: Response): string {
  const words = serverSaid(response);
  return words ? `: ${words}` : '';
}

/**
 * True when the server refused a DPoP proof for want of a (fresh) nonce and sent one: a 400 body
 * `use_dpop_nonce` (authorization server) or a `DPoP error="use_dpop_nonce"` challenge (resource server).
 */
export async function isDpopNonceError(response: Response): Promise<boolean> {
  if (!response.headers.has('dpop-nonce')) {
    return false;
  }
  if (response.status === 401) {
    const challenged = parseWwwAuthenticate(response.headers.get('www-authenticate')).some(
      (c) => c.scheme === 'dpop' && c.params.error === 'use_dpop_nonce',
    );
    if (challenged) {
      return true;
    }
  }
  return (
    (response.status === 400 || response.status === 401) &&
    oauthErrorFields(await peekJson(response))?.error === 'use_dpop_nonce'
  );
}

/**
 * Turns what oauth4webapi throws into Keyway errors. Its errors may hold response bodies (with
 * tokens) in `cause`, so they are never chained; only their message and code survive.
 */
export function mapLibraryError(error: unknown): unknown {
  if (KeywayError.is(error) || !(error instanceof Error)) {
    return error;
  }
  const code = (error as { code?: unknown }).code;
  if (error instanceof TypeError || code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE') {
    return new ConfigurationError(error.message, { code: 'invalid_argument' });
  }
  if (code === 'OAUTH_UNSUPPORTED_OPERATION' || error.name === 'UnsupportedOperationError') {
    return new ConfigurationError(error.message, { code: 'unsupported_operation' });
  }
  if (code === 'OAUTH_MISSING_SERVER_METADATA' || code === 'OAUTH_INVALID_SERVER_METADATA') {
    return new ConfigurationError(error.message, { code: 'missing_endpoint' });
  }
  if (code === 'OAUTH_HTTP_REQUEST_FORBIDDEN' || code === 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN') {
    return new ConfigurationError(error.message, { code: 'insecure_request' });
  }
  // oauth4webapi keeps the answer it refused as `response` (or as `cause`): it says which request it was.
  const sent = sentRequestOf((error as { response?: unknown }).response) ?? sentRequestOf(error.cause);
  return new InvalidResponseError(`${error.message}${requestSuffix(sent)}`, {
    code: 'invalid_response',
    method: sent?.method,
    url: sent?.url,
  });
}
