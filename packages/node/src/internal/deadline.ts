import { KeywayAbortError } from '@keyway/core';
import { LoginTimeoutError } from '../errors.js';

/** The default time a person gets to finish an interactive login: five minutes. */
const DEFAULT_LOGIN_TIMEOUT = 5 * 60_000;

export interface Deadline {
  /** Fires on the caller's signal or when the timeout runs out. */
  readonly signal: AbortSignal;
  /** The error to throw now that `signal` fired: `LoginTimeoutError` or `KeywayAbortError`. */
  reason(): Error;
  dispose(): void;
}

/** Combines the caller's signal with a timeout, telling the two apart afterwards. */
export function createDeadline(timeout: number | undefined, signal: AbortSignal | undefined): Deadline {
  const ms = timeout ?? DEFAULT_LOGIN_TIMEOUT;
  const controller = new AbortController();
  let timedOut = false;
  const timer = Number.isFinite(ms)
    ? setTimeout(() => {
        timedOut = true;
        controller.abort(new LoginTimeoutError(ms));
      }, ms)
    : undefined;
  timer?.unref?.();
  const onAbort = () => controller.abort(new KeywayAbortError(undefined, { cause: signal?.reason }));
  if (signal?.aborted) {
    onAbort();
  } else {
    signal?.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    reason: () => (timedOut ? new LoginTimeoutError(ms) : new KeywayAbortError(undefined, { cause: signal?.reason })),
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** Rejects with the deadline's error as soon as it fires; otherwise settles like `promise`. */
export function raceDeadline<T>(promise: Promise<T>, deadline: Deadline): Promise<T> {
  if (deadline.signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(deadline.reason());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(deadline.reason());
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        deadline.signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        deadline.signal.removeEventListener('abort', onAbort);
        reject(deadline.signal.aborted ? deadline.reason() : error);
      },
    );
  });
}
