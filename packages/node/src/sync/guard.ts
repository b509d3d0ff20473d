/**
 * The sync worker's first preload (built to `dist/sync/guard.cjs`, CommonJS for `--require`). It runs
 * before any `--import` hook of NODE_OPTIONS and before the worker's entry is loaded, and installs the
 * notice that wakes the blocked calling thread if the worker dies: a hook that throws or exits, or an
 * entry that cannot load, is then a `SyncWorkerError` at once instead of a wait until the call's deadline.
 */
import { isMainThread, workerData } from 'node:worker_threads';
import { installExitNotice } from './internal/exit-notice.js';
import { isSyncWorkerData } from './internal/protocol.js';

if (!isMainThread && isSyncWorkerData(workerData)) {
  installExitNotice(workerData);
}
