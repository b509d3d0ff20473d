import { TokenStoreError } from '../errors.js';

/** The longest delay `setTimeout` and `setInterval` take: past it Node and browsers fire after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Validates a duration option where it enters: `undefined` gives `fallback`; anything but a finite number
 * from `min` to {@link MAX_TIMER_MS} throws `invalid_options`. `NaN`, `Infinity` or a string would
 * otherwise disable a check or become a 1 ms timer. The message names the option; a value that is not
 * a number is shown only by its type.
 */
export function millisecondsOption(name: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMER_MS) {
    // A number is shown (it cannot be a token); any other value only by its type.
    const got = typeof value === 'number' ? String(value) : value === null ? 'null' : `a ${typeof value}`;
    throw new TokenStoreError(
      `\`${name}\` must be a number of milliseconds from ${min} to ${MAX_TIMER_MS}; got ${got}.`,
      {
        code: 'invalid_options',
      },
    );
  }
  return value;
}
