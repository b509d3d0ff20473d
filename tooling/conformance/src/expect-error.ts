import { expectError as expectExactError } from '@keyway/test-support';
import { expectNoSecrets } from './secrets.ts';

export type { ErrorClass } from '@keyway/test-support';

/**
 * `expectError` of @keyway/test-support (`action` fails with exactly `errorClass` and `code`), then no
 * text form of the error carries a secret the suite registered. Resolves to the error for further checks.
 */
export async function expectError<T = Error & { code: string }>(
  ...args: Parameters<typeof expectExactError>
): Promise<T> {
  const error = await expectExactError<T>(...args);
  expectNoSecrets(error);
  return error;
}
