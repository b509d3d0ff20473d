import type { KeywayError } from '@keyway/core';
import { expect } from 'vitest';

type ErrorClass = { brand: string; is(value: unknown): boolean };

/**
 * Awaits `action`, which must reject with `errorClass` (checked through its brand, as a user would
 * with `OAuthError.is()`) carrying `code`; resolves to the error for further checks.
 */
export async function expectError<T extends KeywayError = KeywayError>(
  action: Promise<unknown>,
  errorClass: ErrorClass,
  code: string,
): Promise<T> {
  let caught: unknown;
  try {
    await action;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a ${errorClass.brand} (${code})`).toBeDefined();
  expect({ name: (caught as Error).name, code: (caught as KeywayError).code }).toEqual({
    name: errorClass.brand,
    code,
  });
  expect(errorClass.is(caught)).toBe(true);
  return caught as T;
}
