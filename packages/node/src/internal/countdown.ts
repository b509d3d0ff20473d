/**
 * A live countdown of the device code's lifetime, under the code in a terminal: one line rewritten
 * every second and erased when the login ends (so the screen keeps only what stays true). Nothing in
 * a pipe, a log or a notebook: there a rewritten line would be one line per second of noise.
 */
export interface Countdown {
  /** Stops the countdown and erases its line. Safe to call more than once. */
  stop(): void;
}

/** The stream the countdown writes to: stderr, or a test's stand-in. */
interface CountdownStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

const ERASE_LINE = '\r\u001b[2K';
const NONE: Countdown = { stop() {} };

/** `m:ss` (or `h:mm:ss`) of a whole number of seconds. */
export function formatRemaining(seconds: number): string {
  const s = seconds % 60;
  const m = Math.floor(seconds / 60) % 60;
  const h = Math.floor(seconds / 3600);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}

/** Starts the countdown of `expiresIn` seconds on `stream` when it is a terminal; else does nothing. */
export function startCountdown(
  expiresIn: number,
  stream: CountdownStream = process.stderr,
  now: () => number = Date.now,
): Countdown {
  if (stream.isTTY !== true || typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
    return NONE;
  }
  const endsAt = now() + expiresIn * 1000;
  const render = () => {
    const left = Math.max(0, Math.ceil((endsAt - now()) / 1000));
    stream.write(`${ERASE_LINE}Waiting for approval: the code expires in ${formatRemaining(left)}`);
  };
  render();
  const timer = setInterval(render, 1000);
  timer.unref(); // never what keeps a process alive
  let stopped = false;
  return {
    stop() {
      if (!stopped) {
        stopped = true;
        clearInterval(timer);
        stream.write(ERASE_LINE);
      }
    },
  };
}
