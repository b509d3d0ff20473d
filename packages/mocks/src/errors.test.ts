import { describe, expect, it } from 'vitest';
import { MissingDependencyError, MockServerStartError, UnsupportedRuntimeError } from './errors.js';

const BRANDS = Symbol.for('keyway.error.brands');

describe('UnsupportedRuntimeError', () => {
  it("carries Keyway's error brand list (what KeywayError.is reads), without importing core", () => {
    const error = new UnsupportedRuntimeError('listen', 'listen() needs Node.js');
    const brands = (error as unknown as Record<symbol, unknown>)[BRANDS];
    expect(brands).toEqual(['UnsupportedRuntimeError', 'KeywayError']);
    expect(Object.isFrozen(brands)).toBe(true);
    expect(error.name).toBe(UnsupportedRuntimeError.brand);
    expect(UnsupportedRuntimeError.revivable).toEqual(['feature']);
  });

  it('is() reads the brand list of any copy, and the first versions’ own brand', () => {
    const foreign = Object.defineProperty(new Error('x'), BRANDS, {
      value: ['UnsupportedRuntimeError', 'KeywayError'],
    });
    expect(UnsupportedRuntimeError.is(foreign)).toBe(true);
    const old = Object.defineProperty(new Error('x'), Symbol.for('keyway.mocks.UnsupportedRuntimeError'), {
      value: true,
    });
    expect(UnsupportedRuntimeError.is(old)).toBe(true);
    const other = Object.defineProperty(new Error('x'), BRANDS, { value: ['ConfigurationError', 'KeywayError'] });
    expect(UnsupportedRuntimeError.is(other)).toBe(false);
    expect(
      [new UnsupportedRuntimeError('handlers', 'x'), new Error('y')].filter(UnsupportedRuntimeError.is),
    ).toHaveLength(1);
  });

  it('has a JSON form with its name, code, message and feature', () => {
    expect(JSON.parse(JSON.stringify(new UnsupportedRuntimeError('handlers', 'No msw here.')))).toEqual({
      name: 'UnsupportedRuntimeError',
      code: 'unsupported_runtime',
      message: 'No msw here.',
      feature: 'handlers',
    });
  });
});

describe('every error class of the package', () => {
  it('has a JSON form of name, code, message and its revivable fields, never its cause', () => {
    const cause = new Error('secret-bearing cause');
    expect(JSON.parse(JSON.stringify(new MissingDependencyError('msw', 'mock.handlers', { cause })))).toEqual({
      name: 'MissingDependencyError',
      code: 'missing_dependency',
      message: expect.stringContaining('mock.handlers needs the optional peer dependency `msw`'),
      dependency: 'msw',
      feature: 'mock.handlers',
    });
    expect(JSON.parse(JSON.stringify(new MockServerStartError('exited', 1, { cause })))).toEqual({
      name: 'MockServerStartError',
      code: 'mock_server_start_failed',
      message: 'exited',
      exitCode: 1,
    });
  });

  it('names itself and carries its own brand then KeywayError', () => {
    const errors = [new MissingDependencyError('msw', 'x'), new MockServerStartError('x', null)];
    expect(errors.map((error) => [error.name, (error as unknown as Record<symbol, unknown>)[BRANDS]])).toEqual([
      ['MissingDependencyError', ['MissingDependencyError', 'KeywayError']],
      ['MockServerStartError', ['MockServerStartError', 'KeywayError']],
    ]);
    expect(errors.map((error) => [MissingDependencyError.is(error), MockServerStartError.is(error)])).toEqual([
      [true, false],
      [false, true],
    ]);
  });
});
