// The work both bridges' workers do, one table: each benchmark call names an operation.
import { threadId } from 'node:worker_threads';
import { createKeywayClient, NotFoundError } from '@keyway/core';

let client;

export const operations = {
  echo: (payload) => payload,
  threadId: () => threadId,
  sleep: (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)),
  /** The same request the sync client makes for validation.verify(), with @keyway/core's client. */
  verify: ({ baseUrl, token }) => {
    client ??= createKeywayClient({ baseUrl, token });
    return client.validation.verify();
  },
  /** The same, with a client built for each call, as @keyway/node's worker does (so a recycled worker has nothing to restore). */
  verifyFresh: ({ baseUrl, token }) => createKeywayClient({ baseUrl, token }).validation.verify(),
  notFound: () => {
    throw NotFoundError.generate(404, { code: 'not_found', title: 'Not found' }, { 'x-request-id': 'req_bench' });
  },
  uncaught: () => {
    setTimeout(() => {
      throw new RangeError('stray failure');
    });
    return new Promise(() => {});
  },
  exit: () => process.exit(7),
  /** A task that never settles (a lost response). */
  hang: () => new Promise(() => {}),
  /** A task that keeps the worker's thread busy (a runaway loop): 2 s of CPU. */
  spin: () => {
    const end = performance.now() + 2_000;
    while (performance.now() < end) {
      // busy
    }
    return 'spun';
  },
};
