import type { MessagePort } from 'node:worker_threads';

/**
 * The messages between the calling thread and the sync worker. Everything here is structured-cloned,
 * so it holds plain data only: no functions, no class instances, no `AbortSignal`.
 */

/** What the worker is started with (`workerData`). */
export interface SyncWorkerData {
  /** Marks the sync worker: a synchronous call made on it (by a preload hook) is refused at once. */
  keywaySyncWorker: true;
  /** `Int32Array` over a `SharedArrayBuffer`: slot 0 counts the responses the worker has posted. */
  flag: Int32Array;
  /** The port the worker answers on; the calling thread reads it with `receiveMessageOnPort`. */
  port: MessagePort;
  /** The module whose `handlers` export answers requests (tests point it at a fixture). */
  handlers?: string | undefined;
}

/** One call: an operation name of the worker's handler table and its (cloneable) payload. */
export interface SyncRequest {
  id: number;
  op: string;
  payload: unknown;
}

/** The answer to one {@link SyncRequest}, or (id `-1`) the notice that the worker is going away. */
export type SyncResponse =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError }
  | { id: -1; exit: number; error?: SerializedError | undefined };

/**
 * An error as plain data: the brands of its class chain (most derived first) and an allow-list of
 * fields that the error classes document as safe. Never a stack, a raw `cause` or anything else.
 */
export interface SerializedError {
  /** `KeywayError` brands (`['NotFoundError', 'KeywayApiError', 'KeywayError']`), or the `name` for others. */
  brands: string[];
  /** `keyway` for every branded error (core's, token-store's, node's: one brand protocol), `error` for the rest. */
  family: 'keyway' | 'error';
  name: string;
  message: string;
  fields: Record<string, unknown>;
  cause?: SerializedError | undefined;
}

/** Operation names of the built-in handler table. */
export const OP_CLIENT_CALL = 'client.call';
export const OP_AUTHENTICATE = 'authenticate';
export const OP_OAUTH_DISCOVER = 'oauth.discover';
export const OP_OAUTH_CALL = 'oauth.call';

/** True when `data` is the `workerData` of a Keyway sync worker. */
export function isSyncWorkerData(data: unknown): data is SyncWorkerData {
  return typeof data === 'object' && data !== null && (data as Partial<SyncWorkerData>).keywaySyncWorker === true;
}
