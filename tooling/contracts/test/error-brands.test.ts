/*
 * One error protocol for every package (DESIGN.md: every error class of every package answers
 * `KeywayError.is(error) === true`). The classes are found, not listed: every export of every entry
 * point of every published package under packages/ (read from its package.json `exports` by
 * tooling/scripts/agnostic-entries.mjs) whose prototype is an Error's. A class exported later without Keyway's brand fails here; so does a
 * package or entry this suite cannot import (add it to this package's devDependencies).
 *
 * For each class: `KeywayError.is(instance)`, an own `static brand` equal to its exported name, its
 * own `is()` (true for it, false for a plain `KeywayError`), `name` and `code`, a brand list headed by
 * its brand and ending with `KeywayError`, a `toJSON()`, and a `static revivable` declaration that
 * names exactly the instance's own fields (besides `name` and `code`): what the sync bridge of
 * @keyway/node copies between threads.
 */
import { KeywayApiError, KeywayError, OAuthError } from '@keyway/core';
import { EdgeAuthError } from '@keyway/edge';
import { UnsupportedRuntimeError } from '@keyway/mocks';
import { InteractionRequiredError, LoginTimeoutError } from '@keyway/node';
import { CorruptTokenFileError } from '@keyway/token-store/file';
import { describe, expect, it } from 'vitest';
import { publicEntries } from '../../scripts/agnostic-entries.mjs';

const BRANDS = Symbol.for('keyway.error.brands');

interface ErrorClass {
  new (...args: never[]): Error;
  readonly prototype: Error;
  readonly brand?: unknown;
  readonly revivable?: unknown;
  is?(value: unknown): boolean;
}

/** Every exported error class, once, under its exported name, with the entries that export it. */
async function exportedErrorClasses(): Promise<Map<ErrorClass, { name: string; entries: string[] }>> {
  const found = new Map<ErrorClass, { name: string; entries: string[] }>();
  for (const { specifier } of publicEntries()) {
    const module = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (typeof value === 'function' && value.prototype instanceof Error) {
        const seen = found.get(value as ErrorClass);
        if (seen) {
          seen.entries.push(specifier);
        } else {
          found.set(value as ErrorClass, { name, entries: [specifier] });
        }
      }
    }
  }
  return found;
}

/**
 * An instance of each class whose constructor is not `(message, options)`; the others are built
 * with `new Class('Example.', { code: 'example' })`.
 */
function example(Class: ErrorClass): Error | undefined {
  if (Class === (KeywayApiError as unknown) || Class.prototype instanceof KeywayApiError) {
    const Api = Class as unknown as typeof KeywayApiError;
    return new Api(404, { code: 'not_found' }, { 'x-request-id': 'req_1' });
  }
  const examples = new Map<unknown, () => Error>([
    [OAuthError, () => new OAuthError({ error: 'invalid_grant', error_description: 'expired' }, { status: 400 })],
    [
      EdgeAuthError,
      () => new EdgeAuthError('Expired.', { code: 'invalid_token', reason: 'token_expired', status: 401 }),
    ],
    [UnsupportedRuntimeError, () => new UnsupportedRuntimeError('listen', 'listen() needs Node.js')],
    [CorruptTokenFileError, () => new CorruptTokenFileError('/t/tokens.json', '/t/tokens.json.corrupt-1', 'empty')],
    [
      InteractionRequiredError,
      () => new InteractionRequiredError('Log in.', { issuer: 'https://a.test', clientId: 'c' }),
    ],
    [LoginTimeoutError, () => new LoginTimeoutError(60_000)],
  ]);
  return examples.get(Class)?.();
}

function instanceOf(Class: ErrorClass): Error {
  const made = example(Class);
  if (made) {
    return made;
  }
  const Generic = Class as unknown as new (message: string, options: { code: string }) => Error;
  return new Generic('Example.', { code: 'example' });
}

/** The own `static revivable` lists of a class chain. */
function declaredFields(Class: unknown): string[] {
  const fields: string[] = [];
  for (let ctor = Class; typeof ctor === 'function' && ctor !== Error; ctor = Object.getPrototypeOf(ctor)) {
    const own = Object.hasOwn(ctor, 'revivable') ? (ctor as ErrorClass).revivable : [];
    expect(Array.isArray(own), `${(ctor as ErrorClass).name}.revivable`).toBe(true);
    fields.push(...(own as string[]));
  }
  return fields;
}

/** Throws (an assertion error) unless `Class`, exported as `name`, follows the protocol. */
function checkProtocol(Class: ErrorClass, name: string): void {
  const error = instanceOf(Class);
  expect(error).toBeInstanceOf(Class);
  expect(KeywayError.is(error), 'KeywayError.is').toBe(true);

  expect(Object.hasOwn(Class, 'brand'), 'own static brand').toBe(true);
  expect(Class.brand).toBe(name);
  expect(typeof Class.is).toBe('function');
  expect(Class.is?.(error)).toBe(true);
  expect(Class.is?.(new KeywayError('x'))).toBe(Class === (KeywayError as unknown));

  const brands = (error as unknown as Record<symbol, unknown>)[BRANDS] as string[];
  expect(Object.isFrozen(brands)).toBe(true);
  expect(brands[0]).toBe(name);
  expect(brands.at(-1)).toBe('KeywayError');
  expect(error.name).toBe(name);
  expect(typeof (error as { code?: unknown }).code).toBe('string');
  expect(typeof (error as { toJSON?: unknown }).toJSON).toBe('function');

  const own = Object.keys(error).filter((key) => key !== 'name' && key !== 'code');
  expect(declaredFields(Class).sort(), 'static revivable').toEqual(own.sort());
}

const classes = await exportedErrorClasses();

describe('one error protocol for every package', () => {
  it('finds the error classes of every package that has some, on every entry', () => {
    const byEntry = new Set([...classes.values()].flatMap(({ entries }) => entries));
    expect([...byEntry].sort()).toEqual(
      expect.arrayContaining([
        '@keyway/core',
        '@keyway/edge',
        '@keyway/mocks',
        '@keyway/node',
        '@keyway/token-store',
        '@keyway/token-store/file',
      ]),
    );
    expect(classes.size).toBeGreaterThanOrEqual(27);
  });

  for (const [Class, { name, entries }] of classes) {
    it(`${name} (${entries.join(', ')}) answers KeywayError.is and follows the brand protocol`, () => {
      checkProtocol(Class, name);
    });
  }

  it('refuses a class that misses the brand, its own brand, or a revivable declaration', () => {
    class StrayError extends Error {}
    class UnnamedError extends KeywayError {}
    class UndeclaredError extends KeywayError {
      static override readonly brand: string = 'UndeclaredError';
      readonly detail = 'a field nobody declared';
    }
    class DeclaredError extends UndeclaredError {
      static override readonly brand: string = 'DeclaredError';
      static override readonly revivable: readonly string[] = ['detail'];
    }
    expect(() => checkProtocol(StrayError as ErrorClass, 'StrayError')).toThrow(/KeywayError\.is/);
    expect(() => checkProtocol(UnnamedError as ErrorClass, 'UnnamedError')).toThrow(/own static brand/);
    expect(() => checkProtocol(UndeclaredError as ErrorClass, 'UndeclaredError')).toThrow(/static revivable/);
    expect(() => checkProtocol(DeclaredError as ErrorClass, 'DeclaredError')).not.toThrow();
  });
});
