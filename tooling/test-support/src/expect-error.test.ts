import { describe, expect, it } from 'vitest';
import { type ErrorClass, expectError } from './expect-error.ts';

/** Two branded classes as Keyway's are: a base and a subclass, each with `brand` and `is()`. */
const BRAND = Symbol('brands');
function branded(brand: string, parent?: ErrorClass & { brands: string[] }) {
  const brands = [brand, ...(parent?.brands ?? [])];
  return {
    brand,
    brands,
    is: (value: unknown) =>
      Array.isArray((value as { [BRAND]?: unknown })?.[BRAND]) &&
      (value as { [BRAND]: string[] })[BRAND].includes(brand),
    make(code: string) {
      return Object.assign(new Error(`${brand}: ${code}`), { name: brand, code, [BRAND]: brands });
    },
  };
}
const Base = branded('BaseError');
const Leaf = branded('LeafError', Base);

describe('expectError', () => {
  it('resolves to the error of the class and code, thrown by a promise or a function', async () => {
    const error = Leaf.make('invalid_grant');
    expect(await expectError(Promise.reject(error), Leaf, 'invalid_grant')).toBe(error);
    expect(
      await expectError(
        () => {
          throw error;
        },
        Leaf,
        'invalid_grant',
      ),
    ).toBe(error);
  });

  it('fails, saying what happened, for nothing thrown, another code, or another class', async () => {
    await expect(expectError(Promise.resolve(1), Leaf, 'x')).rejects.toThrow(
      'expected LeafError "x", got {"outcome":"resolved (no error)"}',
    );
    await expect(expectError(Promise.reject(Leaf.make('y')), Leaf, 'x')).rejects.toThrow(
      'expected LeafError "x", got {"name":"LeafError","code":"y","message":"LeafError: y"}',
    );
    await expect(expectError(Promise.reject(Base.make('x')), Leaf, 'x')).rejects.toThrow('expected LeafError "x"');
    await expect(expectError(Promise.reject(null), Leaf, 'x')).rejects.toThrow('expected LeafError "x", got {}');
  });

  it('wants the exact class: a subclass does not pass for its base', async () => {
    const leaf = Leaf.make('x');
    expect(Base.is(leaf)).toBe(true);
    await expect(expectError(Promise.reject(leaf), Base, 'x')).rejects.toThrow(
      'expected BaseError "x", got {"name":"LeafError"',
    );
  });
});
