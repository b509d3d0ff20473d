import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useMockKeyway } from './jest.js';

// jest hands its hooks out as globals; vitest's are the same shape, so install them as globals here.
const globals = globalThis as Record<string, unknown>;

describe('useMockKeyway() from @keyway/mocks/jest', () => {
  it('refuses clearly when the jest globals are missing', () => {
    expect(() => useMockKeyway()).toThrow(/jest globals/);
  });

  describe('with jest-style globals', () => {
    Object.assign(globals, { beforeAll, afterEach, afterAll });
    const mock = useMockKeyway({ serve: 'none' });
    for (const name of ['beforeAll', 'afterEach', 'afterAll']) {
      delete globals[name];
    }

    it('returns a working mock and resets it after each test', async () => {
      await mock.fetch(`${mock.issuer}/oauth/jwks`);
      expect(mock.calls).toHaveLength(1);
    });

    it('starts clean', () => {
      expect(mock.calls).toHaveLength(0);
    });
  });
});
