import { describe, expect, it } from 'vitest';
import { TokenStoreError } from './errors.js';

describe('TokenStoreError', () => {
  it('has a stable code, its name and cause', () => {
    const cause = new Error('ECONNRESET');
    const error = new TokenStoreError('Redis is unreachable.', { code: 'backend_error', cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TokenStoreError');
    expect(error.code).toBe('backend_error');
    expect(error.cause).toBe(cause);
    expect(String(error)).toBe('TokenStoreError: Redis is unreachable.');
    expect(new TokenStoreError('x', { code: 'lock_timeout' }).cause).toBeUndefined();
  });

  it('is() recognises errors of another copy of the package by the shared brand, and nothing else', () => {
    const foreign = Object.assign(new Error('from a duplicate bundle'), { code: 'backend_error' });
    Object.defineProperty(foreign, Symbol.for('keyway.token-store.error'), { value: true });
    expect(TokenStoreError.is(foreign)).toBe(true);
    expect(TokenStoreError.is(new TokenStoreError('x', { code: 'invalid_key' }))).toBe(true);
    expect(TokenStoreError.is(Object.assign(new Error('x'), { code: 'backend_error' }))).toBe(false);
    expect(TokenStoreError.is(null)).toBe(false);
    expect(TokenStoreError.is('TokenStoreError')).toBe(false);
  });

  it("carries Keyway's error brand list (what KeywayError.is reads), with its own brand first", () => {
    const error = new TokenStoreError('x', { code: 'invalid_key' });
    const brands = (error as unknown as Record<symbol, unknown>)[Symbol.for('keyway.error.brands')];
    expect(brands).toEqual(['TokenStoreError', 'KeywayError']);
    expect(Object.isFrozen(brands)).toBe(true);
    expect(Object.keys(error)).not.toContain('brands');
    // A copy of the first versions reads its own brand: still stamped.
    expect((error as unknown as Record<symbol, unknown>)[Symbol.for('keyway.token-store.error')]).toBe(true);
  });

  it('is() of a subclass accepts that subclass only; is() also works unbound', () => {
    class LockedError extends TokenStoreError {
      static override readonly brand: string = 'LockedError';
      static override readonly revivable: readonly string[] = ['holder'];
      readonly holder = 'pid 42';
    }
    const locked = new LockedError('Locked.', { code: 'lock_timeout' });
    const plain = new TokenStoreError('x', { code: 'lock_timeout' });
    expect(locked.name).toBe('LockedError');
    expect(LockedError.is(locked)).toBe(true);
    expect(TokenStoreError.is(locked)).toBe(true);
    expect(LockedError.is(plain)).toBe(false);
    expect([plain, new Error('x')].filter(TokenStoreError.is)).toEqual([plain]);
    expect(JSON.parse(JSON.stringify(locked))).toEqual({ name: 'LockedError', code: 'lock_timeout', holder: 'pid 42' });
  });

  it('serialises to JSON as its name and code only', () => {
    const error = new TokenStoreError('A Redis command failed.', { code: 'backend_error', cause: new Error('x') });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'TokenStoreError', code: 'backend_error' });
  });
});
