import { describe, expect, it } from 'vitest';
import { MissingDependencyError, UnsupportedRuntimeError } from '../errors.js';
import { loadMsw } from './node.js';

/** What Node's `require` throws for a package that is not installed. */
function notInstalled(specifier: string): never {
  throw Object.assign(new Error(`Cannot find module '${specifier}'\nRequire stack:\n- /app/index.js`), {
    code: 'MODULE_NOT_FOUND',
  });
}

describe('loadMsw (Node)', () => {
  it('loads msw when it is installed', () => {
    expect(typeof loadMsw<{ http: { get: unknown } }>('msw', 'mock.handlers').http.get).toBe('function');
  });

  it.each(['msw', 'msw/node'] as const)(
    'turns a missing %s into MissingDependencyError naming the feature',
    (specifier) => {
      let error: unknown;
      try {
        loadMsw(specifier, 'setupMockServer()', notInstalled);
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(MissingDependencyError);
      expect(MissingDependencyError.is(error)).toBe(true);
      expect(UnsupportedRuntimeError.is(error)).toBe(false);
      expect(error).toMatchObject({
        name: 'MissingDependencyError',
        code: 'missing_dependency',
        dependency: 'msw',
        feature: 'setupMockServer()',
        message: expect.stringContaining('setupMockServer() needs the optional peer dependency `msw`'),
      });
      expect((error as Error).cause).toMatchObject({ code: 'MODULE_NOT_FOUND' });
      expect(JSON.parse(JSON.stringify(error))).toEqual({
        name: 'MissingDependencyError',
        code: 'missing_dependency',
        message: (error as Error).message,
        dependency: 'msw',
        feature: 'setupMockServer()',
      });
    },
  );

  it('leaves other failures alone: a module missing inside msw, or msw throwing on load', () => {
    const inner = () => notInstalled('@mswjs/interceptors');
    expect(() => loadMsw('msw', 'mock.handlers', inner)).toThrow("Cannot find module '@mswjs/interceptors'");
    expect(() => loadMsw('msw', 'mock.handlers', inner)).not.toThrow(MissingDependencyError);
    const broken = () => {
      throw new SyntaxError('Unexpected token');
    };
    expect(() => loadMsw('msw', 'mock.handlers', broken)).toThrow(SyntaxError);
  });

  it('is() is false for look-alikes', () => {
    expect(MissingDependencyError.is({ code: 'missing_dependency' })).toBe(false);
    expect(MissingDependencyError.is(new Error('msw'))).toBe(false);
    expect(MissingDependencyError.is(undefined)).toBe(false);
  });
});
