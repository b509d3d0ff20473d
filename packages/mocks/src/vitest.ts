/**
 * `@keyway/mocks/vitest`: one call wires the mock into a vitest suite.
 *
 * @example
 * ```ts
 * import { useMockKeyway } from '@keyway/mocks/vitest';
 * import { expect, it } from 'vitest';
 *
 * const mock = useMockKeyway();
 *
 * it('validates the API token', async () => {
 *   const res = await fetch(`${mock.issuer}/api/v1/validate`, {
 *     headers: { authorization: `Bearer ${mock.apiToken}` },
 *   });
 *   expect(await res.json()).toMatchObject({ valid: true });
 * });
 * ```
 *
 * @packageDocumentation
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { MockKeyway } from './create-mock-keyway.js';
import { type UseMockKeywayOptions, wireLifecycle } from './internal/lifecycle.js';

export type { UseMockKeywayOptions } from './internal/lifecycle.js';

/**
 * Creates a mock and registers vitest hooks: serve it before all tests (`listen()` by default),
 * `reset()` after each, close after all. Call it at the top of a test file or `describe` block.
 *
 * @example
 * ```ts
 * import { useMockKeyway } from '@keyway/mocks/vitest';
 *
 * const mock = useMockKeyway({ serve: 'none' }); // inject mock.fetch instead of serving
 * ```
 */
export function useMockKeyway(options?: UseMockKeywayOptions): MockKeyway {
  return wireLifecycle({ beforeAll, afterEach, afterAll }, options);
}
