import { expect } from 'vitest';
import { expectNoSecrets } from './secrets.ts';

/** A Keyway error class as users check it: through its brand (`XError.is(e)`), not `instanceof`. */
export interface ErrorClass {
  readonly brand: string;
  is(value: unknown): boolean;
}

/** What a case saw: the name, code and message of what was thrown (or that nothing was). */
function describeOutcome(caught: unknown, threw: boolean): Record<string, unknown> {
  if (!threw) {
    return { outcome: 'resolved (no error)' };
  }
  const error = caught as { name?: unknown; code?: unknown; message?: unknown };
  return { name: error?.name, code: error?.code, message: error?.message };
}

/**
 * Runs `action` (a promise, or a function for synchronous throws) which must fail with `errorClass`
 * (checked with `errorClass.is()`) and `code`; then checks that no text form of the error carries a
 * secret. Resolves to the error for further checks.
 */
export async function expectError<T = Error & { code: string }>(
  action: Promise<unknown> | (() => unknown),
  errorClass: ErrorClass,
  code: string,
): Promise<T> {
  let caught: unknown;
  let threw = false;
  try {
    await (typeof action === 'function' ? action() : action);
  } catch (error) {
    caught = error;
    threw = true;
  }
  const seen = describeOutcome(caught, threw);
  expect(
    { is: threw && errorClass.is(caught), code: seen.code },
    `expected ${errorClass.brand} "${code}", got ${JSON.stringify(seen)}`,
  ).toEqual({ is: true, code });
  expectNoSecrets(caught);
  return caught as T;
}
