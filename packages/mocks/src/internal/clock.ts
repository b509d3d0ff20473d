/**
 * The mock's notion of "now", in epoch seconds. It follows the real clock until a test sets it;
 * `set()` freezes it at an instant and `advance()` moves it (frozen or not).
 */
export interface MockClock {
  /** The current time in seconds since the epoch. */
  now(): number;
  /** Freezes the clock at `time` (a `Date`, or seconds since the epoch). */
  set(time: Date | number): void;
  /** Moves the clock forward (or back, with a negative number) by `seconds`. */
  advance(seconds: number): void;
  /** Back to the real clock. */
  useRealTime(): void;
}

export function createClock(): MockClock {
  let frozen: number | undefined;
  let offset = 0;
  const real = () => Math.floor(Date.now() / 1000);
  return {
    now: () => frozen ?? real() + offset,
    set(time) {
      frozen = typeof time === 'number' ? Math.floor(time) : Math.floor(time.getTime() / 1000);
    },
    advance(seconds) {
      if (frozen === undefined) {
        offset += seconds;
      } else {
        frozen += seconds;
      }
    },
    useRealTime() {
      frozen = undefined;
      offset = 0;
    },
  };
}
