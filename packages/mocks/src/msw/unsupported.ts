import { UnsupportedRuntimeError } from '../errors.js';
import type { MswModule } from '../internal/msw-types.js';

/**
 * `#msw` in workerd, Vercel Edge and web workers (the `workerd`, `edge-light` and `worker` conditions).
 * msw cannot even load there: it creates its cookie store on import, which needs Node's `process` or
 * `localStorage`, and these runtimes have neither. So msw is never imported, and only `handlers` refuses.
 */
export const buildHandlers: MswModule['buildHandlers'] = () => {
  throw new UnsupportedRuntimeError(
    'handlers',
    '@keyway/mocks: mock.handlers needs msw, which runs only in Node.js and browsers (this runtime has neither `process` nor `localStorage` for its cookie store). In workerd, Vercel Edge and web workers, inject `mock.fetch` as the fetch of the code under test, or answer requests with `mock.handle(request)`.',
  );
};

export const setupServer: MswModule['setupServer'] = (_handlers, feature) => {
  throw new UnsupportedRuntimeError(
    'handlers',
    `@keyway/mocks: ${feature} needs msw's setupServer, which runs only in Node.js. Here, inject \`mock.fetch\` as the fetch of the code under test.`,
  );
};
