import {
  ConfigurationError,
  InvalidResponseError,
  KeywayAbortError,
  KeywayConnectionError,
  KeywayError,
  KeywayTimeoutError,
} from '../errors.js';
import { MAX_TIMER_MS, numberOption } from './options.js';
import { printable } from './printable.js';
import { parseRetryAfter } from './retry-after.js';
import { describeRequest, rememberRequest, requestSuffix, type SentRequest } from './sent-request.js';
import { VERSION } from './version.js';

/** A `fetch`-compatible function. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Retry policy for safe requests. */
export interface RetryOptions {
  /** Retries after the first attempt (default 2). `0` disables retries. */
  maxRetries?: number;
  /** First backoff delay in ms (default 500); doubles each retry. */
  initialDelay?: number;
  /**
   * Largest backoff delay in ms (default 8 000). A `Retry-After` is honoured up to 60 s (or up to
   * `maxDelay` when that is larger); a longer one ends the retries and the answer is returned.
   */
  maxDelay?: number;
  /**
   * The HTTP statuses that make a safe or idempotent request retry (default 408, 429, 500, 502, 503,
   * 504): whole numbers from 400 to 599; `[]` retries only connection errors. A request that must not
   * be sent twice (a code redemption, a refresh) is never retried, whatever the list.
   */
  statuses?: readonly number[];
}

/** Options shared by every Keyway client that talks HTTP. */
export interface HttpOptions {
  /** A `fetch` implementation (default: the global one, bound to `globalThis`). */
  fetch?: FetchLike;
  /** Milliseconds per attempt, covering the whole response body (default 10 000; `Infinity` for none). */
  timeout?: number;
  /** Retry policy for safe requests, or `false` to never retry. */
  retry?: RetryOptions | false;
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

const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** `retry.statuses`: error statuses only (retrying a 2xx or 3xx would resend what succeeded). */
function retryStatuses(value: unknown): ReadonlySet<number> {
  if (value === undefined) {
    return RETRY_STATUSES;
  }
  if (!Array.isArray(value) || !value.every((status) => Number.isInteger(status) && status >= 400 && status <= 599)) {
    throw new ConfigurationError('retry.statuses must be a list of HTTP error statuses (whole numbers 400-599).', {
      code: 'invalid_option',
    });
  }
  return new Set(value as number[]);
}
const DEFAULT_TIMEOUT = 10_000;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * The one transport every Keyway client shares: per-attempt timeouts that cover the body, the
 * caller's signal, retries of safe requests with backoff and `Retry-After`, a body-size cap, the
 * client headers, and typed errors for everything that is not an HTTP answer.
 *
 * It knows nothing of the APIs above it. Each client library reaches it through one adapter that
 * speaks that library's fetch shape: `apiFetch` (internal/api-transport.ts) for openapi-fetch in the
 * service client, `oauthFetch` (oauth/oauth-fetch.ts) for oauth4webapi in the OAuth layer (discovery and
 * every endpoint call). Only the JWKS fetch (oauth/jwks-cache.ts) calls `send()` itself.
 *
 * The returned `Response` is fully buffered, so callers may read it after the timeout is cleared.
 */
export class HttpClient {
  readonly timeout: number;
  readonly maxRetries: number;
  private readonly initialDelay: number;
  private readonly maxDelay: number;
  private readonly retryStatuses: ReadonlySet<number>;
  private readonly fetchImpl: FetchLike;
  private readonly maxBytes: number;
  readonly clientHeader: string;

  constructor(options: HttpOptions = {}) {
    this.fetchImpl = options.fetch ?? (globalThis.fetch.bind(globalThis) as FetchLike);
    this.timeout = checkTimeout(options.timeout ?? DEFAULT_TIMEOUT);
    const retry = options.retry === false ? { maxRetries: 0 } : (options.retry ?? {});
    if (typeof retry !== 'object' || retry === null) {
      throw new ConfigurationError('retry must be an object or false.', { code: 'invalid_option' });
    }
    // NaN would retry forever (`attempt >= NaN` is never true); delays past a timer's range fire at once.
    this.maxRetries = numberOption(retry.maxRetries, 'retry.maxRetries', 2, { integer: true, max: 100 });
    this.initialDelay = numberOption(retry.initialDelay, 'retry.initialDelay', 500, { max: MAX_TIMER_MS });
    this.maxDelay = numberOption(retry.maxDelay, 'retry.maxDelay', 8_000, { max: MAX_TIMER_MS });
    this.retryStatuses = retryStatuses(retry.statuses);
    this.maxBytes = numberOption(options.maxResponseBytes, 'maxResponseBytes', DEFAULT_MAX_BYTES, {
      integer: true,
      exclusiveMin: true,
      infinite: true,
    });
    this.clientHeader = `keyway-core/${VERSION}${options.userAgent ? ` ${options.userAgent}` : ''}`;
  }

  /** Sends `request`, retrying when allowed; resolves to the final (buffered) response, whatever its status. */
  async send(request: HttpRequest): Promise<Response> {
    const attempts = request.retry ? this.maxRetries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await this.attempt(request);
      } catch (error) {
        const retryable = KeywayConnectionError.is(error);
        if (!retryable || attempt >= attempts) {
          throw error;
        }
        await sleep(this.backoff(attempt), request.signal);
        continue;
      }
      if (attempt >= attempts || !this.retryStatuses.has(response.status)) {
        return response;
      }
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > Math.max(this.maxDelay, 60_000)) {
        return response;
      }
      await sleep(retryAfter ?? this.backoff(attempt), request.signal);
    }
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.maxDelay, this.initialDelay * 2 ** (attempt - 1));
    // Full jitter in the upper half keeps retries spread out but never near zero.
    return base / 2 + Math.random() * (base / 2);
  }

  private async attempt(request: HttpRequest): Promise<Response> {
    const timeout = request.timeout === undefined ? this.timeout : checkTimeout(request.timeout);
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
    headers.set('x-keyway-client', this.clientHeader);
    if (!headers.has('user-agent')) {
      headers.set('user-agent', this.clientHeader);
    }
    const method = request.method ?? 'GET';
    const sent = describeRequest(method, request.url, headers, request.body);
    try {
      const response = await this.fetchImpl(String(request.url), {
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
          method: sent.method,
          url: sent.url,
        });
      }
      const bytes = await readBody(response, this.maxBytes, controller.signal, sent);
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
          method: sent.method,
          url: sent.url,
        });
      }
      throw new KeywayConnectionError(
        `Connection error: ${sent.redact(describeNetworkError(error))}${requestSuffix(sent)}`,
        {
          cause: error,
          method: sent.method,
          url: sent.url,
        },
      );
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    }
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
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(response.status, maxBytes, sent);
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
        throw tooLarge(response.status, maxBytes, sent);
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

function tooLarge(status: number, maxBytes: number, sent: SentRequest): InvalidResponseError {
  return new InvalidResponseError(`Response body exceeds ${maxBytes} bytes${requestSuffix(sent)}.`, {
    code: 'response_too_large',
    status,
    method: sent.method,
    url: sent.url,
  });
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new KeywayAbortError(undefined, { cause: signal.reason }));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new KeywayAbortError(undefined, { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Response headers as a plain lower-cased record. */
export function headersToRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key.toLowerCase()] = value;
  });
  return out;
}
