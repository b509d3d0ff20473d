// A preload that makes a synchronous Keyway call in every thread that loads it, as a naive hook would.
// On the main thread it reports the result; in another thread its error goes uncaught.
import { isMainThread } from 'node:worker_threads';
import { createKeywaySyncClient } from '@keyway/node';
import { verify } from './report.mjs';

if (isMainThread) {
  verify('hook');
} else {
  createKeywaySyncClient({ baseUrl: process.env.KEYWAY_API_URL }).validation.verify();
}
