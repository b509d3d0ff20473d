/**
 * The sync worker's entry (built to `dist/sync/worker.js`). It answers one request at a time from the
 * calling thread, which is blocked in `Atomics.wait` until slot 0 of the shared flag moves.
 *
 * This file imports only Node built-ins: the handler module (and @keyway/core with it) is loaded
 * dynamically, so that a failure to load it is reported to the caller instead of leaving it waiting.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SerializedError, SyncRequest, SyncResponse, SyncWorkerData } from './internal/protocol.js';
import { serializeError } from './internal/serialize-error.js';

type Handler = (payload: unknown) => unknown;

const { flag, port, handlers: handlersUrl } = workerData as SyncWorkerData;

function post(response: SyncResponse): void {
  try {
    port.postMessage(response);
  } catch (error) {
    // A value that cannot be cloned (a function in a result): answer with that error instead.
    port.postMessage({ id: response.id, ok: false, error: serializeError(error) } satisfies SyncResponse);
  }
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
}

let fatal: SerializedError | undefined;
process.on('uncaughtException', (error) => {
  fatal = serializeError(error);
  process.exit(1);
});
// The calling thread may be blocked waiting for an answer that will now never come: wake it.
process.on('exit', (code) => {
  post({ id: -1, exit: code, error: fatal });
});

const table: Promise<Record<string, Handler>> = (
  handlersUrl ? import(handlersUrl) : import('./internal/handlers.js')
).then((module: { handlers: Record<string, Handler> }) => module.handlers);
// Reported with each request below; never an unhandled rejection.
table.catch(() => undefined);

parentPort?.on('message', async (request: SyncRequest) => {
  let response: SyncResponse;
  try {
    const handler = (await table)[request.op];
    if (typeof handler !== 'function') {
      throw new TypeError(`Unknown sync operation ${JSON.stringify(request.op)}.`);
    }
    response = { id: request.id, ok: true, value: await handler(request.payload) };
  } catch (error) {
    response = { id: request.id, ok: false, error: serializeError(error) };
  }
  post(response);
});
