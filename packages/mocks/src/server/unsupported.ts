import { UnsupportedRuntimeError } from '../errors.js';
import type { ServerModule } from '../internal/server-types.js';

/** `#server` outside Node: there is no socket API to listen with. */
export const serve: ServerModule['serve'] = () =>
  Promise.reject(
    new UnsupportedRuntimeError(
      'listen',
      '@keyway/mocks: listen() needs Node.js (node:http). In browsers use `mock.handlers` with msw; in workers and edge runtimes inject `mock.fetch` instead.',
    ),
  );
