import { refusingMsw } from './refusals.js';

/**
 * `#msw` in workerd, Vercel Edge and web workers (the `workerd`, `edge-light` and `worker` conditions).
 * msw cannot even load there: it creates its cookie store on import, which needs Node's `process` or
 * `localStorage`, and these runtimes have neither. So msw is never imported, and only `handlers` refuses.
 */
export const { buildHandlers, setupServer } = refusingMsw(
  '@keyway/mocks: mock.handlers needs msw, which runs only in Node.js and browsers (this runtime has neither `process` nor `localStorage` for its cookie store). In workerd, Vercel Edge and web workers, inject `mock.fetch` as the fetch of the code under test, or answer requests with `mock.handle(request)`.',
  'Here, inject `mock.fetch` as the fetch of the code under test.',
);
