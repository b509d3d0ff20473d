import { printable } from './printable.js';
import { parseErrorBody, serverMessage } from './server-message.js';

/**
 * What an error may say about the request that failed: its method and its URL cut to origin and path
 * (no query, fragment or userinfo: those may carry a code, a token or a password), and a `redact()`
 * that blanks out, in the server's words, every secret the request carried (the Authorization
 * credentials, a DPoP proof, the secret fields of a form or JSON body): a server may echo what it
 * was sent, and its words end up in an error message.
 */
export interface SentRequest {
  readonly method: string;
  readonly url: string;
  redact(text: string): string;
}

const REDACTED = '[redacted]';
/** Shorter values are left alone: blanking out "ab" everywhere would garble messages, not protect anyone. */
const MIN_SECRET_LENGTH = 6;
/** Body fields whose values are credentials (RFC 6749, 7523, 7636, 8628, 8693, 7009/7662, 7591). */
const SECRET_FIELDS = new Set([
  'client_secret',
  'client_assertion',
  'code',
  'code_verifier',
  'refresh_token',
  'access_token',
  'token',
  'device_code',
  'password',
  'assertion',
  'subject_token',
  'actor_token',
  'initial_access_token',
]);

const SENT = new WeakMap<Response, { sent: SentRequest; said: string | undefined }>();

/** `url` as an error may show it: origin and path only. */
function displayUrl(url: string | URL): string {
  try {
    const parsed = new URL(url);
    return printable(`${parsed.origin}${parsed.pathname}`, 300);
  } catch {
    return '(invalid URL)';
  }
}

/** The request line and secrets of one request, for the errors its answer (or failure) may produce. */
export function describeRequest(
  method: string,
  url: string | URL,
  headers: Headers,
  body: string | URLSearchParams | Uint8Array | ArrayBuffer | null | undefined,
): SentRequest {
  const secrets = [...headerSecrets(headers), ...bodySecrets(body, headers.get('content-type'))]
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    // Longest first, so a secret that contains another is blanked out whole.
    .sort((a, b) => b.length - a.length);
  return {
    ...describePlainRequest(method, url),
    redact: (text) => secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text),
  };
}

/** A request that carries no secret (a GET of public metadata): nothing to blank out of the server's words. */
export function describePlainRequest(method: string, url: string | URL): SentRequest {
  return { method: printable(method.toUpperCase(), 20), url: displayUrl(url), redact: (text) => text };
}

/**
 * Remembers which request `response` answers (responses are the transport's own buffered copies) and,
 * for an error status, what the server said in its body (see `serverMessage`), cleared of the request's
 * secrets: a synchronous caller can then quote it.
 */
export function rememberRequest(response: Response, sent: SentRequest, body: Uint8Array): void {
  const said =
    response.status >= 400 ? serverMessage(scrub(parseErrorBody(new TextDecoder().decode(body)), sent)) : undefined;
  SENT.set(response, { sent, said });
}

/** The request `response` answers, when it came through the shared transport. */
export function sentRequestOf(response: unknown): SentRequest | undefined {
  return typeof response === 'object' && response !== null ? SENT.get(response as Response)?.sent : undefined;
}

/** What the server said in an error answer's body (see {@link rememberRequest}), when it said something usable. */
export function serverSaid(response: Response): string | undefined {
  return SENT.get(response)?.said;
}

/** ` (GET https://host/path)`, or nothing when the request is unknown. */
export function requestSuffix(sent: { method?: string | undefined; url?: string | undefined } | undefined): string {
  return sent?.method && sent.url ? ` (${sent.method} ${sent.url})` : '';
}

/**
 * `value` with every secret of the request blanked out of its strings: a server (or a proxy in front of
 * it) may echo the request, `Authorization` included, into the error it sends back.
 */
export function scrub<T>(value: T, sent: SentRequest | undefined): T {
  if (!sent) {
    return value;
  }
  if (typeof value === 'string') {
    return sent.redact(value) as T;
  }
  if (Array.isArray(value)) {
    return value.map((item) => scrub(item, sent)) as T;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item, sent)])) as T;
  }
  return value;
}

function headerSecrets(headers: Headers): string[] {
  const out: string[] = [];
  const authorization = headers.get('authorization');
  if (authorization) {
    out.push(authorization);
    const [scheme, credentials] = authorization.split(/\s+/, 2);
    if (credentials) {
      out.push(credentials);
      if (scheme?.toLowerCase() === 'basic') {
        out.push(...basicSecrets(credentials));
      }
    }
  }
  const dpop = headers.get('dpop');
  if (dpop) {
    out.push(dpop);
  }
  return out;
}

/** `id:secret` decoded, and the secret alone in both its form-encoded and decoded spellings (RFC 6749 §2.3.1). */
function basicSecrets(credentials: string): string[] {
  let decoded: string;
  try {
    decoded = atob(credentials);
  } catch {
    return [];
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    return [decoded];
  }
  const secret = decoded.slice(colon + 1);
  return [decoded, secret, safeDecode(secret)];
}

function bodySecrets(body: unknown, contentType: string | null): string[] {
  const text =
    typeof body === 'string' || body instanceof URLSearchParams
      ? String(body)
      : body instanceof Uint8Array || body instanceof ArrayBuffer
        ? new TextDecoder().decode(body)
        : '';
  if (!text) {
    return [];
  }
  if (body instanceof URLSearchParams || contentType?.includes('application/x-www-form-urlencoded')) {
    const out: string[] = [];
    for (const [name, value] of new URLSearchParams(text)) {
      if (SECRET_FIELDS.has(name)) {
        out.push(value, encodeURIComponent(value));
      }
    }
    return out;
  }
  try {
    return jsonSecrets(JSON.parse(text));
  } catch {
    return [];
  }
}

function jsonSecrets(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) {
    return [];
  }
  const out: string[] = [];
  for (const [name, field] of Object.entries(value)) {
    if (typeof field === 'string' && SECRET_FIELDS.has(name)) {
      out.push(field);
    } else if (typeof field === 'object') {
      out.push(...jsonSecrets(field));
    }
  }
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}
