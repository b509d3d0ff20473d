// A preload that makes its synchronous Keyway call on the main thread only, as the README says to.
import { isMainThread } from 'node:worker_threads';
import { verify } from './report.mjs';

if (isMainThread) {
  verify('hook');
}
