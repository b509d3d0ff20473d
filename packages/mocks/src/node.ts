/**
 * `@keyway/mocks/node`: Node-only helpers — msw's `setupServer` around a mock.
 *
 * @example
 * ```ts
 * import { createMockKeyway } from '@keyway/mocks';
 * import { setupMockServer } from '@keyway/mocks/node';
 *
 * const mock = createMockKeyway();
 * const server = setupMockServer(mock);
 * server.listen();
 * // ... fetch(`${mock.issuer}/...`) is answered by the mock ...
 * server.close();
 * ```
 *
 * @packageDocumentation
 */
import type { SetupServer } from 'msw/node';
import { setupServer } from '#msw';
import type { MockKeyway } from './create-mock-keyway.js';

/**
 * An msw `setupServer` with the mock's handlers: `fetch` (and `http`) calls to the mock's issuer are
 * answered in-process once you call `listen()`. Other requests are left to msw's `onUnhandledRequest`.
 * Needs the optional peer dependency `msw` (else a `MissingDependencyError`).
 *
 * @example
 * ```ts
 * import { createMockKeyway } from '@keyway/mocks';
 * import { setupMockServer } from '@keyway/mocks/node';
 *
 * const server = setupMockServer(createMockKeyway());
 * server.listen({ onUnhandledRequest: 'error' });
 * ```
 */
export function setupMockServer(mock: MockKeyway): SetupServer {
  return setupServer(() => mock.handlers, 'setupMockServer()');
}
