import { refusingMsw } from './refusals.js';

/**
 * `#msw` for browsers and other bundlers (no `node` condition). msw is never imported here: a bundle has
 * no way to load it on first use, and one that only calls `mock.fetch` or `mock.handle` must not carry
 * it. The msw path is `mswHandlers()` of `@keyway/mocks/msw`, which imports msw itself.
 */
export const { buildHandlers, setupServer } = refusingMsw(
  "@keyway/mocks: in a browser bundle mock.handlers does not load msw (so a bundle that only uses mock.fetch stays free of it). Build the handlers with the msw your bundle imports: import { mswHandlers } from '@keyway/mocks/msw', then setupWorker(...mswHandlers(mock)).",
  "In a browser, pass mswHandlers(mock) from '@keyway/mocks/msw' to msw's setupWorker.",
);
