import { describe, expect, it } from 'vitest';
import { TokenStoreError } from './errors.ts';

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

  it('serialises to JSON as its name and code only', () => {
    const error = new TokenStoreError('A Redis command failed.', { code: 'backend_error', cause: new Error('x') });
    expect(JSON.parse(JSON.stringify(error))).toEqual({ name: 'TokenStoreError', code: 'backend_error' });
  });
});
