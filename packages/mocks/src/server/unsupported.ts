import type { ServerModule } from '../internal/server-types.js';

/** `#server` outside Node: there is no socket API to listen with. */
export const serve: ServerModule['serve'] = () =>
  Promise.reject(
    new Error(
      '@keyway/mocks: listen() needs Node.js (node:http). In browsers, workers and edge runtimes use `mock.handlers` with msw or `mock.fetch` instead.',
    ),
  );
