/**
 * The mock's one error class. A mock feature the current runtime cannot offer fails with it, with a
 * stable `code` and the feature's name, so a test can tell "wrong runtime" from a bug in the mock.
 */

/*
 * Keyway's error brand protocol (written out in `@keyway/core`'s errors.ts), kept here without
 * importing core: an error carries under `Symbol.for('keyway.error.brands')` a frozen array of its
 * class chain's own `static brand`s, most derived first, ending with `'KeywayError'`. So
 * `KeywayError.is()` is true for an `UnsupportedRuntimeError`.
 */
const BRANDS = Symbol.for('keyway.error.brands');
/** The brand of the first versions of this package, still stamped and read for their copies. */
const LEGACY_BRAND = Symbol.for('keyway.mocks.UnsupportedRuntimeError');

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

/** A mock feature the runtime lacks: `handlers` outside Node and browsers, `listen()` outside Node. */
export type UnsupportedFeature = 'handlers' | 'listen';

/**
 * Thrown by `mock.handlers` where msw cannot load (workerd, Vercel's edge-runtime, web workers), and the
 * rejection of `mock.listen()` outside Node. `mock.fetch` and `mock.handle` work everywhere instead.
 *
 * @example
 * ```ts
 * import { createMockKeyway, UnsupportedRuntimeError } from '@keyway/mocks';
 *
 * const mock = createMockKeyway();
 * try {
 *   void mock.handlers;
 * } catch (error) {
 *   if (!UnsupportedRuntimeError.is(error)) {
 *     throw error;
 *   }
 *   // error.feature === 'handlers': inject `mock.fetch` instead.
 * }
 * ```
 */
export class UnsupportedRuntimeError extends Error {
  /** Brand shared by every copy of this class, whatever bundle it came from. */
  static readonly brand: string = 'UnsupportedRuntimeError';
  /** The fields this class adds that are safe to copy to another thread or process (never a secret). */
  static readonly revivable: readonly string[] = ['feature'] satisfies (keyof UnsupportedRuntimeError)[];
  /** Always `'unsupported_runtime'`. */
  readonly code = 'unsupported_runtime' as const;
  /** What was asked for. */
  readonly feature: UnsupportedFeature;

  constructor(feature: UnsupportedFeature, message: string) {
    super(message);
    this.name = new.target.brand;
    this.feature = feature;
    Object.defineProperty(this, BRANDS, { value: brandsOf(new.target) });
    Object.defineProperty(this, LEGACY_BRAND, { value: true });
  }

  /**
   * `true` for an `UnsupportedRuntimeError` from any copy of this package (unlike `instanceof`).
   * `KeywayError.is()` of `@keyway/core` is true for it too.
   */
  static is(value: unknown): value is UnsupportedRuntimeError {
    if (typeof value !== 'object' || value === null) {
      return false;
    }
    const brands = (value as { [BRANDS]?: unknown })[BRANDS];
    return Array.isArray(brands)
      ? brands.includes(UnsupportedRuntimeError.brand)
      : (value as { [LEGACY_BRAND]?: unknown })[LEGACY_BRAND] === true;
  }

  /** A JSON form with no secrets: name, code, message and feature. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, feature: this.feature };
  }
}
