import { setupServer } from '#msw';
import { createMockKeyway, type MockKeyway } from '../create-mock-keyway.js';
import type { MockKeywayOptions, MockServer } from '../types.js';

/** Options of `useMockKeyway()` in `@keyway/mocks/vitest` and `@keyway/mocks/jest`. */
export interface UseMockKeywayOptions extends MockKeywayOptions {
  /**
   * How the suite reaches the mock:
   * - `'listen'` (default): a real HTTP server on 127.0.0.1; `mock.issuer` is its URL (Node only);
   * - `'msw'`: msw's `setupServer` intercepts `fetch` for the issuer (Node only; needs `msw` installed);
   * - `'none'`: nothing is served; inject `mock.fetch` (works on every runtime).
   */
  serve?: 'listen' | 'msw' | 'none';
  /** Port for `'listen'` (default 0: any free port). */
  port?: number;
}

export interface LifecycleHooks {
  beforeAll(fn: () => Promise<void> | void): void;
  afterEach(fn: () => Promise<void> | void): void;
  afterAll(fn: () => Promise<void> | void): void;
}

/** Registers start (before all), reset (after each) and stop (after all) with a test framework's hooks. */
export function wireLifecycle(hooks: LifecycleHooks, options: UseMockKeywayOptions = {}): MockKeyway {
  const { serve = 'listen', port = 0, ...mockOptions } = options;
  const mock = createMockKeyway(mockOptions);
  let stop: (() => Promise<void> | void) | undefined;
  hooks.beforeAll(async () => {
    if (serve === 'listen') {
      const server: MockServer = await mock.listen(port);
      stop = () => server.close();
    } else if (serve === 'msw') {
      const server = setupServer(() => mock.handlers, "useMockKeyway({ serve: 'msw' })");
      server.listen({ onUnhandledRequest: 'bypass' });
      stop = () => server.close();
    }
  });
  hooks.afterEach(() => mock.reset());
  hooks.afterAll(async () => {
    await stop?.();
    stop = undefined;
  });
  return mock;
}
