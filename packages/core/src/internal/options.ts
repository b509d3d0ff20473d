import { ConfigurationError } from '../errors.js';

/** The largest delay a timer can wait: a larger one fires after 1 ms on every JavaScript runtime. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Bounds of a numeric option. */
interface NumberBounds {
  /** Smallest accepted value (default 0). */
  min?: number;
  /** Largest accepted value (default: any finite number). */
  max?: number;
  /** Accept `Infinity` (meaning "none"): timeouts. */
  infinite?: boolean;
  /** Refuse a value equal to `min` (strictly positive timeouts). */
  exclusiveMin?: boolean;
  /** Whole numbers only. */
  integer?: boolean;
}

/**
 * Checks a numeric option where it enters: a `NaN`, a string, a negative number or `Infinity` must
 * never silently disable a check (`now > exp + NaN` is never true) or become a 1 ms timer. Returns
 * `fallback` when the option is absent.
 */
export function numberOption(value: unknown, name: string, fallback: number, bounds: NumberBounds = {}): number {
  if (value === undefined) {
    return fallback;
  }
  const { min = 0, max = Number.MAX_VALUE, infinite = false, exclusiveMin = false, integer = false } = bounds;
  const ok =
    typeof value === 'number' &&
    !Number.isNaN(value) &&
    (Number.isFinite(value) || (infinite && value === Number.POSITIVE_INFINITY)) &&
    (exclusiveMin ? value > min : value >= min) &&
    (value <= max || (infinite && value === Number.POSITIVE_INFINITY)) &&
    (!integer || !Number.isFinite(value) || Number.isInteger(value));
  if (!ok) {
    const range = `${exclusiveMin ? '>' : '>='} ${min}${max < Number.MAX_VALUE ? ` and <= ${max}` : ''}`;
    throw new ConfigurationError(
      `${name} must be a${integer ? ' whole' : ''} number ${range}${infinite ? ' (or Infinity)' : ''}; got ${describe(value)}.`,
      { code: 'invalid_option' },
    );
  }
  return value;
}

/** A value's type and, for numbers and short strings, the value itself (options hold no secrets of this kind). */
function describe(value: unknown): string {
  if (typeof value === 'number') {
    return String(value);
  }
  if (typeof value === 'string') {
    return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  }
  return value === null ? 'null' : typeof value;
}

/** Seconds of clock tolerance: 0 to one day. */
export function clockToleranceOption(value: unknown, fallback = 30): number {
  return numberOption(value, 'clockTolerance', fallback, { max: 86_400 });
}
