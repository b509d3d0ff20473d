import * as core from '@keyway/core';
import * as tokenStore from '@keyway/token-store';
import * as tokenStoreFile from '@keyway/token-store/file';
import * as nodeErrors from '../../errors.js';
import * as syncErrors from '../errors.js';
import type { SerializedError } from './protocol.js';

const BRANDS = Symbol.for('keyway.error.brands');

type ErrorClass = (abstract new (...args: never[]) => Error) & { readonly brand: string };

/**
 * The error classes this thread can rebuild, by brand: every export of the modules it imports that
 * follows Keyway's brand protocol (an own `static brand`). A class added to one of them is found here
 * without a line changed.
 */
function errorRegistry(modules: readonly object[]): ReadonlyMap<string, ErrorClass> {
  const registry = new Map<string, ErrorClass>();
  for (const exported of modules.flatMap((module) => Object.values(module))) {
    if (typeof exported === 'function' && exported.prototype instanceof Error && Object.hasOwn(exported, 'brand')) {
      const brand: unknown = (exported as { brand?: unknown }).brand;
      if (typeof brand === 'string') {
        registry.set(brand, exported as ErrorClass);
      }
    }
  }
  return registry;
}

/** The registry this thread revives from. */
export const KNOWN_ERRORS = errorRegistry([core, tokenStore, tokenStoreFile, nodeErrors, syncErrors]);

const BUILTIN_ERRORS: Record<string, new (message: string) => Error> = {
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  URIError,
  EvalError,
};

/**
 * Rebuilds, on the calling thread, the error the worker threw. A Keyway error becomes an instance of
 * the most derived class of its brand list this thread knows, carrying the worker's brand list, name,
 * message, `code` and declared fields: `instanceof` holds for known classes, and `X.is()` holds for
 * every brand, those of packages @keyway/node does not import included (an `EdgeAuthError` comes back
 * as a `KeywayError` that `EdgeAuthError.is()` accepts, with its `reason`, `status`, `challenge`).
 */
export function reviveError(serialized: SerializedError): Error {
  const cause = serialized.cause ? reviveError(serialized.cause) : undefined;
  if (serialized.family === 'error') {
    return reviveOther(serialized, cause);
  }
  const Class = serialized.brands.map((brand) => KNOWN_ERRORS.get(brand)).find((known) => known !== undefined);
  // No constructor runs: the worker's values are set as they are, whatever each constructor would compose.
  const error: Error = Reflect.construct(
    Error,
    cause === undefined ? [serialized.message] : [serialized.message, { cause }],
    Class ?? core.KeywayError,
  );
  const { code, ...fields } = serialized.fields;
  defineField(error, 'name', serialized.name, true);
  defineField(error, 'code', typeof code === 'string' ? code : 'keyway_error', true);
  for (const field of declaredFields(Class)) {
    defineField(error, field, undefined, true);
  }
  for (const [field, value] of Object.entries(fields)) {
    defineField(error, field, value, true);
  }
  const brands = serialized.brands.includes('KeywayError') ? serialized.brands : [...serialized.brands, 'KeywayError'];
  Object.defineProperty(error, BRANDS, { value: Object.freeze([...brands]) });
  // Built this way, the error's own class is not on the stack for V8 to cut at: the stack starts here.
  Error.captureStackTrace(error, reviveError);
  return error;
}

function reviveOther(serialized: SerializedError, cause: Error | undefined): Error {
  const Builtin = BUILTIN_ERRORS[serialized.name] ?? Error;
  const error = new Builtin(serialized.message);
  if (cause !== undefined) {
    defineField(error, 'cause', cause, false);
  }
  if (serialized.fields.code !== undefined) {
    defineField(error, 'code', serialized.fields.code, false);
  }
  if (error.name !== serialized.name) {
    defineField(error, 'name', serialized.name, false);
  }
  return error;
}

/** The own `static revivable` lists of a class chain: a constructed instance has each as its own field. */
function declaredFields(Class: ErrorClass | undefined): string[] {
  const fields: string[] = [];
  for (let ctor: unknown = Class; typeof ctor === 'function'; ctor = Object.getPrototypeOf(ctor)) {
    if (Object.hasOwn(ctor, 'revivable')) {
      fields.push(...(ctor as unknown as { revivable: readonly string[] }).revivable);
    }
  }
  return fields;
}

function defineField(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}
