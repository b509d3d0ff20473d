import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatRemaining, startCountdown } from './countdown.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
};

describe('startCountdown', () => {
  it('in a terminal: rewrites one line every second, then erases it when stopped', () => {
    const tty = stream(true);
    const countdown = startCountdown(600, tty, Date.now);
    expect(tty.written).toEqual(['\r\u001b[2KWaiting for approval: the code expires in 10:00']);
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(60_000);
    expect(tty.written.at(1)).toBe('\r\u001b[2KWaiting for approval: the code expires in 9:59');
    expect(tty.written.at(-1)).toBe('\r\u001b[2KWaiting for approval: the code expires in 8:59');
    countdown.stop();
    countdown.stop();
    expect(tty.written.at(-1)).toBe('\r\u001b[2K');
    const count = tty.written.length;
    vi.advanceTimersByTime(5000);
    expect(tty.written).toHaveLength(count); // stopped: nothing more
  });

  it('never goes below 0:00', () => {
    const tty = stream(true);
    startCountdown(2, tty, Date.now);
    vi.advanceTimersByTime(10_000);
    expect(tty.written.at(-1)).toBe('\r\u001b[2KWaiting for approval: the code expires in 0:00');
  });

  it('writes nothing to a pipe, and nothing for a lifetime that is not a positive number', () => {
    const pipe = stream(false);
    startCountdown(600, pipe, Date.now).stop();
    const tty = stream(true);
    for (const bad of [Number.NaN, 0, -5, Number.POSITIVE_INFINITY, '600' as unknown as number]) {
      startCountdown(bad, tty, Date.now).stop();
    }
    vi.advanceTimersByTime(5000);
    expect(pipe.written).toEqual([]);
    expect(tty.written).toEqual([]);
  });

  it('formats minutes and hours', () => {
    expect(formatRemaining(0)).toBe('0:00');
    expect(formatRemaining(65)).toBe('1:05');
    expect(formatRemaining(3600 * 26 + 61)).toBe('26:01:01');
  });
});
