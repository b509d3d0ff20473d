import { sleep } from '../internal/sleep.js';

/**
 * Time as the OAuth client sees it. Tests swap in a fake clock (see `setClock`) so that JWKS
 * cooldowns and device-flow polling run instantly; production code always uses {@link systemClock}.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves after `ms`, or rejects with `KeywayAbortError` when `signal` fires. Absent on the system
   * clock: {@link sleepOn} waits for real then, so code that only reads the time carries no timers.
   */
  sleep?(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: `Date.now()` (its waits are internal/sleep.ts's, see {@link sleepOn}). */
export const systemClock: Clock = { now: () => Date.now() };

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

/** Waits `ms` on `clock`: its own `sleep` (a test's clock), else for real. */
export function sleepOn(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return clock.sleep ? clock.sleep(ms, signal) : sleep(ms, signal);
}
