import { afterAll, afterEach, expect } from 'vitest';
import { forgetSanityRejections, installUnhandledRejectionListener, takeUnhandledSince } from '../src/unhandled.ts';

installUnhandledRejectionListener();

// Each case checks for rejections right after it settles (see src/outcome.ts); these catch the ones
// that surface later, from a timer or a stream a target left behind.
afterEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  forgetSanityRejections();
  expect(takeUnhandledSince(0).map(describe)).toEqual([]);
});

afterAll(async () => {
  await new Promise((resolve) => setTimeout(resolve, 20));
  forgetSanityRejections();
  expect(takeUnhandledSince(0).map(describe)).toEqual([]);
});

function describe(reason: unknown): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}\n${reason.stack ?? ''}` : String(reason);
}
