// A handler table for the built sync worker (dist/sync/worker.js) that misbehaves on purpose.
import { NotFoundError } from '@keyway/core';
// A package @keyway/node does not import: its errors come back by brand (a dev dependency, for this test).
import { EdgeAuthError } from '@keyway/edge';

export const handlers = {
  echo: (payload) => payload,
  threadId: async () => (await import('node:worker_threads')).threadId,
  sleep: (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)),
  notFound: () => {
    throw NotFoundError.generate(404, { code: 'not_found', title: 'Not found' }, { 'x-request-id': 'req_fixture' });
  },
  edgeAuth: () => {
    throw new EdgeAuthError('The access token expired.', {
      code: 'invalid_token',
      reason: 'token_expired',
      status: 401,
      challenge: 'Bearer error="invalid_token"',
    });
  },
  typeError: () => {
    throw new TypeError('bad input');
  },
  exit: () => process.exit(7),
  uncaught: () => {
    setTimeout(() => {
      throw new RangeError('stray failure');
    });
    return new Promise(() => {});
  },
  uncloneable: () => ({ fn: () => 1 }),
};
