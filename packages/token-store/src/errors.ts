const BRAND = Symbol.for('keyway.token-store.error');

/**
 * Stable codes of {@link TokenStoreError}. New codes may be added in minor releases.
 *
 * @example
 * ```ts
 * import type { TokenStoreErrorCode } from '@keyway/token-store';
 *
 * const retryable: TokenStoreErrorCode[] = ['lock_timeout', 'backend_error'];
 * ```
 */
export type TokenStoreErrorCode =
  /** Wrong secret, tampered data, a value moved to another key, or a value that was never encrypted. */
  | 'decrypt_failed'
  /** The secret or key given to `encryptedStore` cannot be used. */
  | 'invalid_secret'
  /** A `ttl` that is negative or not a finite number. */
  | 'invalid_ttl'
  /** `tokenKey` parts that cannot make a key (empty issuer or client id). */
  | 'invalid_key'
  /** A value that cannot be stored (not a JSON object with a string `access_token`). */
  | 'invalid_value'
  /** Options that are missing, cannot work together, or are out of range (a `NaN`, string or too long a duration). */
  | 'invalid_options'
  /** The lock could not be taken in time. */
  | 'lock_timeout'
  /** A token file written by a newer version of this package: left untouched. */
  | 'unsupported_version'
  /** A token file that does not parse: moved aside, the store goes on with an empty document. */
  | 'corrupt_file'
  /** No Web Storage in this environment, or access to it is denied. */
  | 'storage_unavailable'
  /** The token file or a lock file is a symbolic link: never read or written through, never removed. */
  | 'symlink_refused'
  /** The token file or a lock file is a directory, FIFO, socket or device instead of a regular file. */
  | 'not_a_file'
  /**
   * The token directory or file is not owned by this user, or is a shared directory (sticky bit) others
   * can write to. Loose modes on what the user owns are tightened instead.
   */
  | 'insecure_permissions'
  /** The backend (file system, Redis, KV, Web Storage) failed; see `cause`. */
  | 'backend_error';

/**
 * Options of the {@link TokenStoreError} constructor.
 *
 * @example
 * ```ts
 * import { TokenStoreError, type TokenStoreErrorOptions } from '@keyway/token-store';
 *
 * const options: TokenStoreErrorOptions = { code: 'backend_error', cause: new Error('ECONNRESET') };
 * throw new TokenStoreError('Redis is unreachable.', options);
 * ```
 */
export interface TokenStoreErrorOptions {
  code: TokenStoreErrorCode;
  cause?: unknown;
}

/**
 * The one error type of `@keyway/token-store`. Check `code`, which is stable; messages are for people
 * and never contain token values or secrets. `TokenStoreError.is()` works across duplicate copies of
 * this package, where `instanceof` may not.
 *
 * @example
 * ```ts
 * import { encryptedStore, MemoryTokenStore, TokenStoreError } from '@keyway/token-store';
 *
 * const store = encryptedStore(new MemoryTokenStore(), 'a long random secret from your vault');
 * try {
 *   await store.get('key');
 * } catch (error) {
 *   if (TokenStoreError.is(error) && error.code === 'decrypt_failed') {
 *     await store.delete('key'); // written with another secret: log in again
 *   }
 * }
 * ```
 */
export class TokenStoreError extends Error {
  /** A stable, machine-readable reason. */
  readonly code: TokenStoreErrorCode;

  constructor(message: string, options: TokenStoreErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TokenStoreError';
    this.code = options.code;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** True for any `TokenStoreError` (or subclass), even one from another copy of this package. */
  static is(value: unknown): value is TokenStoreError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
