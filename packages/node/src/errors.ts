import { KeywayError, type KeywayErrorOptions, KeywayTimeoutError } from '@keyway/core';

/**
 * A login is needed, but this session cannot ask a person (no TTY, `CI` is set, a batch job, or
 * `interactive: false`). The message says how to provide a token instead.
 *
 * @example
 * ```ts
 * import { authenticate, InteractionRequiredError } from '@keyway/node';
 *
 * try {
 *   await authenticate({ issuer: 'https://auth.example.com', clientId: 'my-cli', interactive: false });
 * } catch (error) {
 *   if (InteractionRequiredError.is(error)) {
 *     process.stderr.write(`${error.message}\n`); // run `keyway login` first, or set KEYWAY_TOKEN
 *     process.exitCode = 3;
 *   }
 * }
 * ```
 */
export class InteractionRequiredError extends KeywayError {
  static override readonly brand: string = 'InteractionRequiredError';
  static override readonly revivable: readonly string[] = [
    'issuer',
    'clientId',
  ] satisfies (keyof InteractionRequiredError)[];
  /** The issuer a login is needed for. */
  readonly issuer: string;
  /** The client a login is needed for. */
  readonly clientId: string;

  constructor(message: string, options: KeywayErrorOptions & { issuer: string; clientId: string }) {
    super(message, { ...options, code: options.code ?? 'interaction_required' });
    this.issuer = options.issuer;
    this.clientId = options.clientId;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issuer: this.issuer, clientId: this.clientId };
  }
}

/**
 * The interactive login (browser or device) did not complete within `timeout`. `code` is `timeout`,
 * and `KeywayTimeoutError.is()` is true for it too.
 *
 * @example
 * ```ts
 * import { authenticate, LoginTimeoutError } from '@keyway/node';
 *
 * try {
 *   await authenticate({ issuer: 'https://auth.example.com', clientId: 'my-cli', timeout: 60_000 });
 * } catch (error) {
 *   if (LoginTimeoutError.is(error)) process.stderr.write('Nobody signed in within a minute.\n');
 * }
 * ```
 */
export class LoginTimeoutError extends KeywayTimeoutError {
  static override readonly brand: string = 'LoginTimeoutError';

  constructor(timeout: number, options: KeywayErrorOptions = {}) {
    super(timeout, options);
    this.message = `No login completed within ${Math.round(timeout / 1000)} s.`;
  }
}
