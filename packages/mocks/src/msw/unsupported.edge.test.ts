import { describe, expect, it } from 'vitest';
import { createMockKeyway, UnsupportedRuntimeError } from '../index.js';

// Edge project only: there `#msw` resolves to the stub, as package.json `imports` do for workerd and Vercel Edge.
describe('handlers where msw cannot load', () => {
  it('throws UnsupportedRuntimeError pointing to mock.fetch, which keeps working', async () => {
    const mock = createMockKeyway();
    let error: unknown;
    try {
      void mock.handlers;
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(UnsupportedRuntimeError);
    expect(UnsupportedRuntimeError.is(error)).toBe(true);
    expect(error).toMatchObject({ name: 'UnsupportedRuntimeError', code: 'unsupported_runtime', feature: 'handlers' });
    expect((error as Error).message).toMatch(/mock\.handlers needs msw.*inject `mock\.fetch`/);

    const response = await mock.fetch(`${mock.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ issuer: mock.issuer });
    const direct = await mock.handle(new Request(`${mock.issuer}/oauth/jwks`));
    expect(direct.status).toBe(200);
  });

  it('is() tells it from other errors', () => {
    expect(UnsupportedRuntimeError.is(new Error('listen() needs Node.js'))).toBe(false);
    expect(UnsupportedRuntimeError.is(null)).toBe(false);
    expect(UnsupportedRuntimeError.is({ code: 'unsupported_runtime' })).toBe(false);
  });
});
