// A preload that fails in every thread but the main one.
import { isMainThread } from 'node:worker_threads';

if (!isMainThread) {
  throw new Error('this hook fails outside the main thread');
}
