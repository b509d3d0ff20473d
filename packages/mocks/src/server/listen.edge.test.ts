import { describe, expect, it } from 'vitest';
import { createMockKeyway, UnsupportedRuntimeError } from '../index.js';

// Edge project only: outside Node `#server` resolves to the stub that refuses clearly.
describe('listen() outside Node', () => {
  it('rejects with a clear error instead of importing Node built-ins', async () => {
    const mock = createMockKeyway();
    const error = await mock.listen().catch((reason: unknown) => reason);
    expect(UnsupportedRuntimeError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'unsupported_runtime', feature: 'listen' });
    expect((error as Error).message).toMatch(/listen\(\) needs Node\.js/);
    // A failed listen() does not block a later one.
    await expect(mock.listen()).rejects.toThrow(/needs Node\.js/);
  });
});
