import { KeywayAbortError } from '../errors.js';
import { MAX_TIMER_MS } from '../internal/options.js';

/**
 * Time as the OAuth client sees it. Tests swap in a fake clock (see `setClock`) so that JWKS
 * cooldowns and device-flow polling run instantly; production code always uses {@link systemClock}.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with `KeywayAbortError` when `signal` fires. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: `Date.now()` and `setTimeout` (a wait past a timer's range is made of several). */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
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
    }),
};

const clocks = new WeakMap<object, Clock>();

/** Internal (tests only): makes `owner` (an `OAuthClient`) read time from `clock`. */
export function setClock(owner: object, clock: Clock): void {
  clocks.set(owner, clock);
}

/** The clock `owner` uses. */
export function clockOf(owner: object): Clock {
  return clocks.get(owner) ?? systemClock;
}

/** Epoch seconds, as JWT claims count them. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
