/**
 * `@keyway/mocks/jest`: one call wires the mock into a jest suite (jest's global hooks). Works with
 * jest's default CommonJS setup (`require('@keyway/mocks/jest')` loads a CommonJS build) and in jest's
 * ES module mode.
 *
 * @example
 * ```ts
 * import { useMockKeyway } from '@keyway/mocks/jest';
 *
 * declare const test: (name: string, fn: () => Promise<void>) => void; // jest's global
 * declare const expect: (value: unknown) => { toMatchObject(expected: object): void }; // jest's global
 *
 * const mock = useMockKeyway();
 *
 * test('validates the API token', async () => {
 *   const res = await fetch(`${mock.issuer}/api/v1/validate`, {
 *     headers: { authorization: `Bearer ${mock.apiToken}` },
 *   });
 *   expect(await res.json()).toMatchObject({ valid: true });
 * });
 * ```
 *
 * @packageDocumentation
 */
import type { MockKeyway } from './create-mock-keyway.js';
import { type LifecycleHooks, type UseMockKeywayOptions, wireLifecycle } from './internal/lifecycle.js';

export type { UseMockKeywayOptions } from './internal/lifecycle.js';

/**
 * Creates a mock and registers jest hooks: serve it before all tests (`listen()` by default),
 * `reset()` after each, close after all. Uses jest's global `beforeAll`/`afterEach`/`afterAll`.
 *
 * @example
 * ```ts
 * import { useMockKeyway } from '@keyway/mocks/jest';
 *
 * const mock = useMockKeyway({ serve: 'msw' }); // intercept fetch instead of listening
 * ```
 */
export function useMockKeyway(options?: UseMockKeywayOptions): MockKeyway {
  const hooks = globalThis as unknown as Partial<LifecycleHooks>;
  if (
    typeof hooks.beforeAll !== 'function' ||
    typeof hooks.afterEach !== 'function' ||
    typeof hooks.afterAll !== 'function'
  ) {
    throw new Error(
      '@keyway/mocks/jest: jest globals (beforeAll, afterEach, afterAll) are missing; call useMockKeyway() inside a jest test file.',
    );
  }
  return wireLifecycle(hooks as LifecycleHooks, options);
}
