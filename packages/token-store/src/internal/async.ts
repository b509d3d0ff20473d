/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A retry delay: exponential from `base` up to `max`, with full jitter so waiters spread out. */
export function backoff(attempt: number, base = 10, max = 200): number {
  const ceiling = Math.min(max, base * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** How long a caller of {@link KeyedMutex.run} waits for its turn, and what it throws when that passes. */
interface MutexWait {
  /** Give up at this epoch millisecond. */
  until: number;
  timeout(): Error;
}

/**
 * An in-process mutex per key: each caller waits for the previous holder's promise to settle.
 * Entries are removed once the last holder is done, so the map does not grow with keys.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `fn` alone for `key`; with `wait`, rejects with `wait.timeout()` if its turn does not come in time. */
  async run<R>(key: string, fn: () => Promise<R>, wait?: MutexWait): Promise<R> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    const forget = () => {
      if (this.#tails.get(key) === tail) {
        this.#tails.delete(key);
      }
    };
    try {
      await (wait ? untilDeadline(previous, wait) : previous);
    } catch (error) {
      // Give up our turn at once; the key stays taken until `previous` settles, so nobody overtakes it.
      release();
      void tail.then(forget);
      throw error;
    }
    try {
      return await fn();
    } finally {
      release();
      forget();
    }
  }
}

function untilDeadline(promise: Promise<void>, wait: MutexWait): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(wait.timeout()), Math.max(0, wait.until - Date.now()));
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
