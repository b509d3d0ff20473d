/**
 * The mock's error classes. A mock feature the current runtime cannot offer, or one whose optional
 * peer dependency is not installed, fails with a stable `code` and the feature's name, so a test can
 * tell "wrong runtime" or "missing package" from a bug in the mock.
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

/** Whether `value` carries `brand` in Keyway's brand list (from any copy of any Keyway package). */
function hasBrand(value: unknown, brand: string): boolean {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const brands = (value as { [BRANDS]?: unknown })[BRANDS];
  return Array.isArray(brands) && brands.includes(brand);
}

/**
 * What every error class of this package shares, written once: `name` from the class's own `static brand`,
 * the brand list, and a JSON form of `name`, `code`, `message` and the fields the class lists in its own
 * `static revivable` (never a secret). Not exported: each class's public root is `Error`, as before.
 */
abstract class MocksError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = (new.target as unknown as { brand: string }).brand;
    Object.defineProperty(this, BRANDS, { value: brandsOf(new.target) });
  }

  /** A JSON form with no secrets: name, code, message and the class's revivable fields. */
  toJSON(): Record<string, unknown> {
    const fields = (this.constructor as { revivable?: readonly string[] }).revivable ?? [];
    const own = Object.fromEntries(fields.map((field) => [field, (this as unknown as Record<string, unknown>)[field]]));
    return { name: this.name, code: this.code, message: this.message, ...own };
  }
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
export class UnsupportedRuntimeError extends MocksError {
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
    this.feature = feature;
    Object.defineProperty(this, LEGACY_BRAND, { value: true });
  }

  /**
   * `true` for an `UnsupportedRuntimeError` from any copy of this package (unlike `instanceof`).
   * `KeywayError.is()` of `@keyway/core` is true for it too.
   */
  static is(value: unknown): value is UnsupportedRuntimeError {
    return (
      hasBrand(value, UnsupportedRuntimeError.brand) ||
      (typeof value === 'object' && value !== null && (value as { [LEGACY_BRAND]?: unknown })[LEGACY_BRAND] === true)
    );
  }
}

/** An optional peer dependency of `@keyway/mocks`. */
export type OptionalDependency = 'msw';

/**
 * Thrown where a feature needs an optional peer dependency that is not installed: `mock.handlers`,
 * `setupMockServer()` and `useMockKeyway({ serve: 'msw' })` need `msw`. `listen()`, `mock.fetch` and
 * `mock.handle` need nothing more.
 *
 * @example
 * ```ts
 * import { createMockKeyway, MissingDependencyError } from '@keyway/mocks';
 *
 * const mock = createMockKeyway();
 * try {
 *   void mock.handlers;
 * } catch (error) {
 *   if (!MissingDependencyError.is(error)) {
 *     throw error;
 *   }
 *   // error.dependency === 'msw': `npm install --save-dev msw`, or use mock.listen() / mock.fetch.
 * }
 * ```
 */
export class MissingDependencyError extends MocksError {
  /** Brand shared by every copy of this class, whatever bundle it came from. */
  static readonly brand: string = 'MissingDependencyError';
  /** The fields this class adds that are safe to copy to another thread or process (never a secret). */
  static readonly revivable: readonly string[] = ['dependency', 'feature'] satisfies (keyof MissingDependencyError)[];
  /** Always `'missing_dependency'`. */
  readonly code = 'missing_dependency' as const;
  /** The package to install. */
  readonly dependency: OptionalDependency;
  /** What was asked for: `'handlers'`, `'setupMockServer'` or `'useMockKeyway'`. */
  readonly feature: string;

  constructor(dependency: OptionalDependency, feature: string, options?: { cause?: unknown }) {
    super(
      `@keyway/mocks: ${feature} needs the optional peer dependency \`${dependency}\`, which is not installed. Install it (npm install --save-dev ${dependency}), or serve the mock without it: mock.listen() or mock.fetch.`,
      options,
    );
    this.dependency = dependency;
    this.feature = feature;
  }

  /** `true` for a `MissingDependencyError` from any copy of this package (unlike `instanceof`). */
  static is(value: unknown): value is MissingDependencyError {
    return hasBrand(value, MissingDependencyError.brand);
  }
}

/**
 * Thrown by `spawnMockServer()` (`@keyway/mocks/node`) when the emulator's child process did not come up:
 * it exited, could not be started, or printed no URL within the timeout. The message carries the end of
 * what it wrote to stderr.
 *
 * @example
 * ```ts
 * import { MockServerStartError } from '@keyway/mocks';
 * import { spawnMockServer } from '@keyway/mocks/node';
 *
 * try {
 *   await spawnMockServer({ timeout: 1 });
 * } catch (error) {
 *   if (MockServerStartError.is(error)) console.error(error.message);
 * }
 * ```
 */
export class MockServerStartError extends MocksError {
  /** Brand shared by every copy of this class, whatever bundle it came from. */
  static readonly brand: string = 'MockServerStartError';
  /** The fields this class adds that are safe to copy to another thread or process (never a secret). */
  static readonly revivable: readonly string[] = ['exitCode'] satisfies (keyof MockServerStartError)[];
  /** Always `'mock_server_start_failed'`. */
  readonly code = 'mock_server_start_failed' as const;
  /** The child's exit code, when it exited; `null` when it was killed or is still running. */
  readonly exitCode: number | null;

  constructor(message: string, exitCode: number | null, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }

  /** `true` for a `MockServerStartError` from any copy of this package (unlike `instanceof`). */
  static is(value: unknown): value is MockServerStartError {
    return hasBrand(value, MockServerStartError.brand);
  }
}
