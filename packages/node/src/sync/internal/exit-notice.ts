import type { SerializedError, SyncResponse, SyncWorkerData } from './protocol.js';
import { serializeError } from './serialize-error.js';

const INSTALLED = Symbol.for('keyway.sync.exitNotice');

/** Posts `response` on the worker's port and wakes the calling thread, blocked in `Atomics.wait`. */
export function postResponse(data: SyncWorkerData, response: SyncResponse): void {
  try {
    data.port.postMessage(response);
  } catch (error) {
    // A value that cannot be cloned (a function in a result): answer with that error instead.
    data.port.postMessage({ id: response.id, ok: false, error: serializeError(error) } satisfies SyncResponse);
  }
  Atomics.add(data.flag, 0, 1);
  Atomics.notify(data.flag, 0);
}

/**
 * Makes the worker say so when it goes away, with the error that killed it: the calling thread is blocked
 * and cannot see the worker's `exit` event. Installed first thing, by the `--require` guard, so that it
 * also covers a worker that dies before its entry runs (a preload hook that throws, an entry that cannot
 * load). Once per thread.
 */
export function installExitNotice(data: SyncWorkerData): void {
  const global = globalThis as { [INSTALLED]?: true };
  if (global[INSTALLED]) {
    return;
  }
  global[INSTALLED] = true;
  let fatal: SerializedError | undefined;
  process.on('uncaughtExceptionMonitor', (error) => {
    fatal ??= serializeError(error);
  });
  process.on('exit', (code) => {
    postResponse(data, { id: -1, exit: code, error: fatal });
  });
}
