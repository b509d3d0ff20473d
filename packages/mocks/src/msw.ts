/**
 * `@keyway/mocks/msw`: the mock's msw handlers, built with the msw this entry imports. The way to
 * msw's `setupWorker` in a browser bundle, where `mock.handlers` cannot load msw on first use; in
 * Node, `mock.handlers` gives the same handlers.
 *
 * @example
 * ```ts
 * import { createMockKeyway } from '@keyway/mocks';
 * import { mswHandlers } from '@keyway/mocks/msw';
 * import { setupWorker } from 'msw/browser';
 *
 * const mock = createMockKeyway();
 * await setupWorker(...mswHandlers(mock)).start({ onUnhandledRequest: 'bypass' });
 * ```
 *
 * @packageDocumentation
 */
import { type HttpHandler, http } from 'msw';
import type { MockKeyway } from './create-mock-keyway.js';
import type { MswHttp } from './internal/msw-types.js';
import { HANDLERS_WITH } from './msw/build-handlers.js';

/**
 * msw request handlers for `mock`'s current issuer (read them after `listen()` if you use both): one
 * per route of the spec, and a catch-all that answers other paths below the issuer with 404 or 405,
 * as the service does. Hand them to msw's `setupWorker()` (browsers) or `setupServer()` (Node).
 * Works with a mock from any copy of `@keyway/mocks`; anything else is a `TypeError`.
 *
 * @example
 * ```ts
 * import { createMockKeyway } from '@keyway/mocks';
 * import { mswHandlers } from '@keyway/mocks/msw';
 * import { setupWorker } from 'msw/browser';
 *
 * const worker = setupWorker(...mswHandlers(createMockKeyway()));
 * await worker.start({ onUnhandledRequest: 'bypass' });
 * ```
 */
export function mswHandlers(mock: MockKeyway): HttpHandler[] {
  const build: unknown =
    typeof mock === 'object' && mock !== null ? (mock as { [HANDLERS_WITH]?: unknown })[HANDLERS_WITH] : undefined;
  if (typeof build !== 'function') {
    throw new TypeError('@keyway/mocks: mswHandlers() takes a mock made by createMockKeyway().');
  }
  return (build as (http: MswHttp) => HttpHandler[])(http);
}
