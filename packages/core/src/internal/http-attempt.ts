import {
  InvalidResponseError,
  KeywayAbortError,
  KeywayConnectionError,
  KeywayError,
  KeywayTimeoutError,
} from '../errors.js';
import { MAX_TIMER_MS, numberOption } from './options.js';
import { printable } from './printable.js';
import { describePlainRequest, rememberRequest, requestSuffix, type SentRequest } from './sent-request.js';
import { VERSION } from './version.js';

// One HTTP attempt, shared by both transports: `HttpClient` (internal/http.ts: retries, secret
// redaction, every client) and `PlainTransport` (below: the resource-server verifier's discovery and
// JWKS fetches, which carry no secret and are not retried). Everything a single exchange must get right
// lives here once: the timeout covering the body, the caller's signal, no redirect followed, the body
// cap, the client headers and the typed errors that name the request.

/** A `fetch`-compatible function. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Options shared by every Keyway client that talks HTTP. */
export interface AttemptOptions {
  /** A `fetch` implementation (default: the global one, bound to `globalThis`). */
  fetch?: FetchLike;
  /** Milliseconds per attempt, covering the whole response body (default 10 000; `Infinity` for none). */
  timeout?: number;
  /** Appended to the `User-Agent` and `x-keyway-client` headers. */
  userAgent?: string;
  /** Largest response body accepted, in bytes (default 4 MiB). */
  maxResponseBytes?: number;
}

/** One HTTP request as the transport sees it. The body must be replayable. */
export interface HttpRequest {
  url: string | URL;
  method?: string;
  headers?: HeadersInit;
  body?: string | URLSearchParams | Uint8Array<ArrayBuffer> | ArrayBuffer | null;
  /** True when the request may be sent again after a failure (safe or idempotent). */
  retry?: boolean;
  /** The caller's signal. */
  signal?: AbortSignal | undefined;
  /** Overrides the client's timeout for this request. */
  timeout?: number | undefined;
}

/** What sends a request and resolves to its buffered answer, whatever its status. */
export interface Transport {
  send(request: HttpRequest): Promise<Response>;
}

/** How a transport describes a request to the errors about it (see `describeRequest`). */
type RequestDescriber = (method: string, url: string | URL, headers: Headers, body: HttpRequest['body']) => SentRequest;

const DEFAULT_TIMEOUT = 10_000;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

/** The validated options of one attempt. */
export class AttemptSettings {
  readonly timeout: number;
  readonly fetchImpl: FetchLike;
  readonly maxBytes: number;
  readonly clientHeader: string;

  constructor(options: AttemptOptions = {}) {
    this.fetchImpl = options.fetch ?? (globalThis.fetch.bind(globalThis) as FetchLike);
    this.timeout = checkTimeout(options.timeout ?? DEFAULT_TIMEOUT);
    this.maxBytes = numberOption(options.maxResponseBytes, 'maxResponseBytes', DEFAULT_MAX_BYTES, {
      integer: true,
      exclusiveMin: true,
      infinite: true,
    });
    this.clientHeader = `keyway-core/${VERSION}${options.userAgent ? ` ${options.userAgent}` : ''}`;
  }
}

/**
 * The transport of requests that carry no secret and are sent once: the resource-server verifier's
 * discovery and JWKS fetches. A failure is not retried here: the JWKS cache remembers it for its
 * cooldown and keeps serving the last key set (stale-if-error), so a request being verified never
 * waits out a backoff.
 */
export class PlainTransport extends AttemptSettings implements Transport {
  send(request: HttpRequest): Promise<Response> {
    return sendOnce(this, request, describePlainRequest);
  }
}

/**
 * Sends `request` once: resolves to the answer, fully buffered (so it may be read after the timeout is
 * cleared), whatever its status; rejects with `InvalidResponseError` (`unexpected_redirect`,
 * `response_too_large`), `KeywayTimeoutError`, `KeywayAbortError` or `KeywayConnectionError`, each
 * naming the request as `describe` tells it.
 */
export async function sendOnce(
  settings: AttemptSettings,
  request: HttpRequest,
  describe: RequestDescriber,
): Promise<Response> {
  const timeout = request.timeout === undefined ? settings.timeout : checkTimeout(request.timeout);
  const caller = request.signal;
  if (caller?.aborted) {
    throw new KeywayAbortError(undefined, { cause: caller.reason });
  }
  const controller = new AbortController();
  let timedOut = false;
  // Timers above 2^31-1 ms fire after 1 ms: treat such a timeout (and Infinity) as none.
  const timer =
    timeout <= MAX_TIMER_MS
      ? setTimeout(() => {
          timedOut = true;
          controller.abort();
        }, timeout)
      : undefined;
  const onAbort = () => controller.abort();
  caller?.addEventListener('abort', onAbort, { once: true });
  const headers = new Headers(request.headers);
  headers.set('x-keyway-client', settings.clientHeader);
  if (!headers.has('user-agent')) {
    headers.set('user-agent', settings.clientHeader);
  }
  const method = request.method ?? 'GET';
  const sent = describe(method, request.url, headers, request.body);
  const about = { method: sent.method, url: sent.url };
  try {
    const response = await settings.fetchImpl(String(request.url), {
      method,
      headers,
      body: request.body ?? null,
      redirect: 'manual',
      signal: controller.signal,
    });
    // Browsers hand `redirect: 'manual'` back as an opaque redirect, Node and the edge runtimes as
    // the 3xx itself: neither is followed (a token request must not be re-sent elsewhere).
    if (response.type === 'opaqueredirect' || isRedirect(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      throw new InvalidResponseError(`Unexpected redirect${requestSuffix(sent)}.`, {
        code: 'unexpected_redirect',
        status: response.type === 'opaqueredirect' ? 0 : response.status,
        ...about,
      });
    }
    const bytes = await readBody(response, settings.maxBytes, controller.signal, sent);
    const noBody = bytes.byteLength === 0 || [101, 204, 205, 304].includes(response.status);
    // The buffered body's own length replaces whatever the server declared (`-1`, a lie): readers
    // such as openapi-fetch trust Content-Length to decide whether there is JSON to parse.
    const answered = new Headers(response.headers);
    answered.set('content-length', String(noBody ? 0 : bytes.byteLength));
    const buffered = new Response(noBody ? null : bytes, {
      status: response.status,
      statusText: response.statusText,
      headers: answered,
    });
    rememberRequest(buffered, sent, bytes);
    return buffered;
  } catch (error) {
    if (KeywayError.is(error)) {
      throw error;
    }
    if (caller?.aborted) {
      throw new KeywayAbortError(undefined, { cause: caller.reason });
    }
    if (timedOut) {
      throw new KeywayTimeoutError(timeout, {
        message: `Request timed out after ${timeout} ms${requestSuffix(sent)}.`,
        ...about,
      });
    }
    throw new KeywayConnectionError(
      `Connection error: ${sent.redact(describeNetworkError(error))}${requestSuffix(sent)}`,
      { cause: error, ...about },
    );
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener('abort', onAbort);
  }
}

/** A status that carries a `Location` to follow (304 Not Modified does not). */
function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

async function readBody(
  response: Response,
  maxBytes: number,
  signal: AbortSignal,
  sent: SentRequest,
): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new InvalidResponseError(`Response body exceeds ${maxBytes} bytes${requestSuffix(sent)}.`, {
      code: 'response_too_large',
      status: response.status,
      method: sent.method,
      url: sent.url,
    });
  if (Number(response.headers.get('content-length')) > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (!response.body) {
    return new Uint8Array(0);
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  const onAbort = () => {
    reader.cancel().catch(() => undefined);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) {
        throw signal.reason ?? new Error('aborted');
      }
      if (done) {
        break;
      }
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (chunks.length === 1) {
    return chunks[0]!;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * A timeout must be a positive number of milliseconds (`Infinity` for none). One past a timer's range
 * is kept and means "none" (it would otherwise fire after 1 ms).
 */
function checkTimeout(timeout: unknown): number {
  return numberOption(timeout, 'timeout', DEFAULT_TIMEOUT, { exclusiveMin: true, infinite: true });
}

/**
 * The runtime's words for a failed connection and, when it gave one, the system code (`ECONNREFUSED`,
 * `ENOTFOUND`, `CERT_HAS_EXPIRED`, ...) found on the error or its causes (undici wraps it in `cause`,
 * sometimes twice), else the cause's own words (`fetch failed: bad port`). A custom `fetch` may throw
 * anything: its message is quoted safely and briefly.
 */
function describeNetworkError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  let code: unknown;
  for (let link: unknown = error, depth = 0; link && depth < 4 && typeof code !== 'string'; depth++) {
    code = (link as { code?: unknown }).code;
    link = (link as { cause?: unknown }).cause;
  }
  if (typeof code === 'string' && code) {
    return `${printable(message, 200)} (${printable(code, 40)})`;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  const reason = cause instanceof Error && cause.message && cause.message !== message ? `: ${cause.message}` : '';
  return printable(`${message}${reason}`, 200);
}

/** Response headers as a plain lower-cased record. */
export function headersToRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key.toLowerCase()] = value;
  });
  return out;
}
