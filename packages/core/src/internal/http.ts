import { ConfigurationError, KeywayConnectionError } from '../errors.js';
import { type AttemptOptions, AttemptSettings, type HttpRequest, sendOnce, type Transport } from './http-attempt.js';
import { MAX_TIMER_MS, numberOption } from './options.js';
import { parseRetryAfter } from './retry-after.js';
import { describeRequest } from './sent-request.js';
import { sleep } from './sleep.js';

export type { FetchLike, HttpRequest } from './http-attempt.js';

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
export interface HttpOptions extends AttemptOptions {
  /** Retry policy for safe requests, or `false` to never retry. */
  retry?: RetryOptions | false;
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

/**
 * The one transport every Keyway client shares: per-attempt timeouts that cover the body, the
 * caller's signal, retries of safe requests with backoff and `Retry-After`, a body-size cap, the
 * client headers, and typed errors for everything that is not an HTTP answer.
 *
 * It knows nothing of the APIs above it. Each client library reaches it through one adapter that
 * speaks that library's fetch shape: `apiFetch` (internal/api-transport.ts) for openapi-fetch in the
 * service client, `oauthFetch` (oauth/oauth-fetch.ts) for oauth4webapi in the OAuth layer (discovery and
 * every endpoint call). The JWKS fetch (oauth/jwks-cache.ts) calls `send()` itself. One attempt
 * (internal/http-attempt.ts) is shared with `PlainTransport`, the resource-server verifier's transport.
 *
 * The returned `Response` is fully buffered, so callers may read it after the timeout is cleared.
 */
export class HttpClient extends AttemptSettings implements Transport {
  readonly maxRetries: number;
  private readonly initialDelay: number;
  private readonly maxDelay: number;
  private readonly retryStatuses: ReadonlySet<number>;

  constructor(options: HttpOptions = {}) {
    super(options);
    const retry = options.retry === false ? { maxRetries: 0 } : (options.retry ?? {});
    if (typeof retry !== 'object' || retry === null) {
      throw new ConfigurationError('retry must be an object or false.', { code: 'invalid_option' });
    }
    // NaN would retry forever (`attempt >= NaN` is never true); delays past a timer's range fire at once.
    this.maxRetries = numberOption(retry.maxRetries, 'retry.maxRetries', 2, { integer: true, max: 100 });
    this.initialDelay = numberOption(retry.initialDelay, 'retry.initialDelay', 500, { max: MAX_TIMER_MS });
    this.maxDelay = numberOption(retry.maxDelay, 'retry.maxDelay', 8_000, { max: MAX_TIMER_MS });
    this.retryStatuses = retryStatuses(retry.statuses);
  }

  /** Sends `request`, retrying when allowed; resolves to the final (buffered) response, whatever its status. */
  async send(request: HttpRequest): Promise<Response> {
    const attempts = request.retry ? this.maxRetries + 1 : 1;
    for (let attempt = 1; ; attempt++) {
      let response: Response;
      try {
        response = await sendOnce(this, request, describeRequest);
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
}
