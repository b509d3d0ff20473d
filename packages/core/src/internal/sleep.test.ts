import { afterEach, expect, it, vi } from 'vitest';
import { KeywayAbortError } from '../errors.js';
import { MAX_TIMER_MS } from './options.js';
import { sleep } from './sleep.js';

afterEach(() => {
  vi.useRealTimers();
});

it('waits past a timer’s range in several timers, never firing early', async () => {
  vi.useFakeTimers();
  let done = false;
  const waiting = sleep(MAX_TIMER_MS + 5_000).then(() => {
    done = true;
  });
  await vi.advanceTimersByTimeAsync(MAX_TIMER_MS);
  expect(done).toBe(false);
  await vi.advanceTimersByTimeAsync(5_000);
  await waiting;
  expect(done).toBe(true);
});

it('treats NaN and negative waits as none', async () => {
  vi.useFakeTimers();
  const waits = Promise.all([sleep(Number.NaN), sleep(-10)]);
  await vi.advanceTimersByTimeAsync(0);
  await expect(waits).resolves.toEqual([undefined, undefined]);
});

it('rejects with KeywayAbortError when the signal fires, or at once when it already has', async () => {
  vi.useFakeTimers();
  const controller = new AbortController();
  const waiting = sleep(60_000, controller.signal);
  controller.abort(new Error('stop'));
  const error = await waiting.catch((e: unknown) => e);
  expect(KeywayAbortError.is(error)).toBe(true);
  expect((error as Error).cause).toEqual(new Error('stop'));
  expect(KeywayAbortError.is(await sleep(1, controller.signal).catch((e: unknown) => e))).toBe(true);
  expect(vi.getTimerCount()).toBe(0);
});
