import { describe, expect, it } from 'vitest';
import { UnsupportedRuntimeError } from './errors.js';

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
