/*
 * Keyway's error brand protocol (written out in `@keyway/core`'s errors.ts), kept here without
 * importing core, which depends on this package: an error carries under `Symbol.for('keyway.error.brands')`
 * a frozen array of its class chain's own `static brand`s, most derived first, ending with
 * `'KeywayError'`. So `KeywayError.is()` is true for a `TokenStoreError`, and `TokenStoreError.is()`
 * reads the same array.
 */
const BRANDS = Symbol.for('keyway.error.brands');
/** The brand of the first versions of this package, still stamped and read for their copies. */
const LEGACY_BRAND = Symbol.for('keyway.token-store.error');

/** The brands of `target`'s class chain (own `static brand` of each), most derived first, then `KeywayError`. */
function brandsOf(target: unknown): readonly string[] {
  const brands: string[] = [];
  for (let ctor = target; typeof ctor === 'function'; ctor = Object.getPrototypeOf(ctor)) {
    const brand = (ctor as { brand?: unknown }).brand;
    if (typeof brand === 'string' && Object.hasOwn(ctor, 'brand')) {
      brands.push(brand);
    }
  }
  brands.push('KeywayError');
  return Object.freeze(brands);
}

/**
 * Stable codes of {@link TokenStoreError}. New codes may be added in minor releases.
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
 */
export interface TokenStoreErrorOptions {
  code: TokenStoreErrorCode;
  cause?: unknown;
}

/**
 * The one error root of `@keyway/token-store`. Check `code`, which is stable; messages are for people
 * and never contain token values or secrets. `TokenStoreError.is()` works across duplicate copies of
 * this package, where `instanceof` may not, and `KeywayError.is()` of `@keyway/core` is true for it
 * too (it carries Keyway's error brands; it does not extend `KeywayError`, as this package does not
 * import core).
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
  /** Brand shared by every copy of this class, whatever bundle it came from. */
  static readonly brand: string = 'TokenStoreError';
  /**
   * The fields this class adds (not its parents') that are safe to copy to another thread or process:
   * never a secret. With `code` and `message` they are all the error needs to be rebuilt elsewhere.
   */
  static readonly revivable: readonly string[] = [];
  /** A stable, machine-readable reason. */
  readonly code: TokenStoreErrorCode;

  constructor(message: string, options: TokenStoreErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.brand;
    this.code = options.code;
    Object.defineProperty(this, BRANDS, { value: brandsOf(new.target) });
    Object.defineProperty(this, LEGACY_BRAND, { value: true });
  }

  /**
   * True for an instance of this class (or a subclass), even one from another copy of this package.
   */
  static is<T extends abstract new (...args: never[]) => TokenStoreError>(
    this: T & { readonly brand: string },
    value: unknown,
  ): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) {
      return false;
    }
    // Called unbound (`errors.some(TokenStoreError.is)`), as the first versions allowed: the root's brand.
    const brand = typeof this === 'function' ? this.brand : TokenStoreError.brand;
    const brands = (value as { [BRANDS]?: unknown })[BRANDS];
    if (Array.isArray(brands)) {
      return brands.includes(brand);
    }
    return brand === TokenStoreError.brand && (value as { [LEGACY_BRAND]?: unknown })[LEGACY_BRAND] === true;
  }

  /** A JSON form with no secrets: name, code and the fields the class declares safe (`revivable`). */
  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, code: this.code };
    for (let ctor: unknown = this.constructor; typeof ctor === 'function'; ctor = Object.getPrototypeOf(ctor)) {
      if (Object.hasOwn(ctor, 'revivable')) {
        for (const field of (ctor as unknown as { revivable: readonly string[] }).revivable) {
          json[field] = (this as unknown as Record<string, unknown>)[field];
        }
      }
    }
    return json;
  }
}
