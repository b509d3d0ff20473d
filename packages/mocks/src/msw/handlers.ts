import { http } from 'msw';
import { UnsupportedRuntimeError } from '../errors.js';
import type { MswModule } from '../internal/msw-types.js';
import { buildHandlersWith } from './build-handlers.js';

/**
 * `#msw` for browsers and other bundlers (no `node` condition): msw is imported statically, so a
 * browser bundle that uses the mock needs msw installed (it is there for `setupWorker` anyway).
 */
export const buildHandlers: MswModule['buildHandlers'] = (engine, issuer) => buildHandlersWith(http, engine, issuer);

export const setupServer: MswModule['setupServer'] = (_handlers, feature) => {
  throw new UnsupportedRuntimeError(
    'handlers',
    `@keyway/mocks: ${feature} needs msw's setupServer, which runs only in Node.js. In a browser, pass mock.handlers to msw's setupWorker.`,
  );
};
