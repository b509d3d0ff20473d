/**
 * The mock's one error class. A mock feature the current runtime cannot offer fails with it, with a
 * stable `code` and the feature's name, so a test can tell "wrong runtime" from a bug in the mock.
 */

const BRAND = Symbol.for('keyway.mocks.UnsupportedRuntimeError');

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
  /** Always `'unsupported_runtime'`. */
  readonly code = 'unsupported_runtime' as const;
  /** What was asked for. */
  readonly feature: UnsupportedFeature;

  constructor(feature: UnsupportedFeature, message: string) {
    super(message);
    this.name = 'UnsupportedRuntimeError';
    this.feature = feature;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  /** `true` for an `UnsupportedRuntimeError` from any copy of this package (unlike `instanceof`). */
  static is(value: unknown): value is UnsupportedRuntimeError {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }
}
