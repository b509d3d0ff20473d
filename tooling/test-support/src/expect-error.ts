import { expect } from 'vitest';

/** A Keyway error class as users check it: through its brand (`XError.is(e)`), not `instanceof`. */
export interface ErrorClass {
  readonly brand: string;
  is(value: unknown): boolean;
}

/** What an action gave: the name, code and message of what it threw, or that it threw nothing. */
function describeOutcome(caught: unknown, threw: boolean): Record<string, unknown> {
  if (!threw) {
    return { outcome: 'resolved (no error)' };
  }
  const error = caught as { name?: unknown; code?: unknown; message?: unknown } | null | undefined;
  return { name: error?.name, code: error?.code, message: error?.message };
}

/**
 * Runs `action` (a promise, or a function for synchronous throws), which must fail with exactly
 * `errorClass`: `errorClass.is()` holds (as a user would check it) and the error's `name` is the class's
 * own brand (so a base class or a sibling does not pass), with `code`. The failure message says what was
 * thrown instead. Resolves to the error for further checks.
 *
 * @example
 * ```ts
 * const error = await expectError<OAuthError>(client.refresh('revoked'), OAuthError, 'invalid_grant');
 * expect(error.status).toBe(400);
 * ```
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
    { is: threw && errorClass.is(caught), name: seen.name, code: seen.code },
    `expected ${errorClass.brand} "${code}", got ${JSON.stringify(seen)}`,
  ).toEqual({ is: true, name: errorClass.brand, code });
  return caught as T;
}
