import { ConfigurationError } from '@keyway/core';

/** The longest delay a timer takes: a larger one fires after 1 ms (with only a warning). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The numeric options of a login, as `authenticate`, `login`, `CodeFlow` and `DeviceFlow` take them. */
interface LoginNumbers {
  timeout?: unknown;
  redirectPort?: unknown;
  interval?: unknown;
  skew?: unknown;
}

interface Bounds {
  min: number;
  max: number;
  /** Refuse `min` itself (a timeout of 0). */
  exclusiveMin?: boolean;
  integer?: boolean;
  unit: string;
}

const BOUNDS: Record<keyof LoginNumbers, Bounds> = {
  timeout: { min: 0, max: MAX_TIMER_MS, exclusiveMin: true, unit: 'milliseconds' },
  redirectPort: { min: 0, max: 65_535, integer: true, unit: 'a TCP port' },
  interval: { min: 1, max: 3_600, unit: 'seconds' },
  skew: { min: 0, max: 86_400, unit: 'seconds' },
};

/**
 * Checks the numeric options of a login where they enter: a `NaN`, a string, a negative number,
 * `Infinity` or a delay past a timer's range is a `ConfigurationError` (`invalid_option`) now, never
 * a timer that fires at once or a timeout that never does.
 */
export function checkLoginNumbers(options: LoginNumbers): void {
  for (const name of Object.keys(BOUNDS) as Array<keyof LoginNumbers>) {
    const value = options[name];
    const { min, max, exclusiveMin = false, integer = false, unit } = BOUNDS[name];
    const ok =
      value === undefined ||
      (typeof value === 'number' &&
        Number.isFinite(value) &&
        (exclusiveMin ? value > min : value >= min) &&
        value <= max &&
        (!integer || Number.isInteger(value)));
    if (!ok) {
      throw new ConfigurationError(
        `${name} must be ${integer ? 'a whole number' : 'a number'} ${exclusiveMin ? '>' : '>='} ${min} and <= ${max} (${unit}); got ${describe(value)}.`,
        { code: 'invalid_option' },
      );
    }
  }
}

function describe(value: unknown): string {
  if (typeof value === 'number') {
    return String(value);
  }
  return value === null ? 'null' : typeof value;
}

/**
 * Checks a login's `issuer` where it enters: anything but an absolute `https:` or `http:` URL is a
 * `ConfigurationError` (`invalid_url`) at once — before a stored login is looked up and before a
 * non-interactive session is told to log in, which would send the user to fix the wrong thing.
 * (Plain `http:` to a non-loopback host is refused by discovery, as everywhere in Keyway.)
 */
export function checkIssuer(issuer: unknown): void {
  let url: URL | undefined;
  try {
    url = typeof issuer === 'string' || issuer instanceof URL ? new URL(issuer) : undefined;
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new ConfigurationError(
      `issuer must be an absolute https: URL${url === undefined ? '' : ` (got a ${url.protocol} URL)`}.`,
      { code: 'invalid_url' },
    );
  }
}
