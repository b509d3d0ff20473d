import { KeywayAbortError } from '../errors.js';
import { MAX_TIMER_MS } from './options.js';

/**
 * Resolves after `ms` (a wait past a timer's range is made of several timers; `NaN` is no wait), or
 * rejects with `KeywayAbortError` when `signal` fires. The one real wait of core: retry backoffs and
 * the device flow's polling (through the system clock) both use it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new KeywayAbortError(undefined, { cause: signal.reason }));
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(new KeywayAbortError(undefined, { cause: signal?.reason }));
    };
    const wait = (left: number) => {
      timer = setTimeout(
        () => {
          if (left > MAX_TIMER_MS) {
            wait(left - MAX_TIMER_MS);
            return;
          }
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.min(Math.max(0, left), MAX_TIMER_MS),
      );
    };
    wait(Number.isNaN(ms) ? 0 : ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
