import { KeywayAbortError } from '../errors.js';

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

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new KeywayAbortError(undefined, { cause: signal.reason }));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(new KeywayAbortError(undefined, { cause: signal?.reason }));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
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
