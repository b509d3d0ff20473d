import { ConfigurationError, type RetryOptions } from '@keyway/core';

const DEFAULT_TIMEOUT = 10_000;
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_DELAY = 8_000;
/** Room for starting the worker (loading core) and for the thread hand-offs. */
const MARGIN = 5_000;

/**
 * How long a blocking call may wait in total: the explicit `syncTimeout`, or every attempt's timeout
 * plus the longest backoff between them plus a margin. A `Retry-After` longer than the backoff
 * (honoured up to 60 s) needs an explicit `syncTimeout`.
 */
export function syncDeadline(
  options: { timeout?: number; retry?: RetryOptions | false },
  requestTimeout: number | undefined,
  syncTimeout: number | undefined,
): number {
  if (syncTimeout !== undefined) {
    if (typeof syncTimeout !== 'number' || Number.isNaN(syncTimeout) || syncTimeout <= 0) {
      throw new ConfigurationError('syncTimeout must be a number of milliseconds > 0 (or Infinity).', {
        code: 'invalid_option',
      });
    }
    return syncTimeout;
  }
  const perAttempt = requestTimeout ?? options.timeout ?? DEFAULT_TIMEOUT;
  const retries = options.retry === false ? 0 : (options.retry?.maxRetries ?? DEFAULT_RETRIES);
  const maxDelay = options.retry === false ? 0 : (options.retry?.maxDelay ?? DEFAULT_MAX_DELAY);
  return perAttempt * (retries + 1) + retries * maxDelay + MARGIN;
}
