/**
 * The sync worker's entry (built to `dist/sync/worker.js`). It answers one request at a time from the
 * calling thread, which is blocked in `Atomics.wait` until slot 0 of the shared flag moves.
 *
 * This file imports only Node built-ins: the handler module (and @keyway/core with it) is loaded
 * dynamically, so that a failure to load it is reported to the caller instead of leaving it waiting.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { installExitNotice, postResponse } from './internal/exit-notice.js';
import type { SyncRequest, SyncResponse, SyncWorkerData } from './internal/protocol.js';
import { serializeError } from './internal/serialize-error.js';

type Handler = (payload: unknown) => unknown;

const data = workerData as SyncWorkerData;

// The guard preload installed it already; started without the guard, the entry does.
installExitNotice(data);
// A stray error ends the worker (the exit notice carries it to the calling thread, which starts a new one).
process.on('uncaughtException', () => {
  process.exit(1);
});

const table: Promise<Record<string, Handler>> = (
  data.handlers ? import(data.handlers) : import('./internal/handlers.js')
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
  postResponse(data, response);
});
