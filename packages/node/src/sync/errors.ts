import { KeywayError, type KeywayErrorOptions } from '@keyway/core';

/**
 * The worker thread behind the synchronous API could not answer: it is missing from the install
 * (`code: 'sync_worker_missing'`), it cannot be created (`sync_worker_start_failed`: the permission
 * model without `--allow-worker`, a `NODE_OPTIONS` a worker refuses), or it stopped before answering
 * (`code: 'sync_worker_crashed'`, the worker's own error as `cause` when it had one: a `NODE_OPTIONS`
 * hook that throws in it, for one). A synchronous call made inside the worker itself, by a preload hook,
 * is `sync_call_in_worker`. The next call starts a new worker.
 *
 * @example
 * ```ts
 * import { createKeywaySyncClient, SyncWorkerError } from '@keyway/node';
 *
 * const keyway = createKeywaySyncClient({ baseUrl: 'https://keyway.example.com' });
 * try {
 *   keyway.validation.verify();
 * } catch (error) {
 *   if (SyncWorkerError.is(error)) {
 *     keyway.validation.verify(); // a fresh worker
 *   }
 * }
 * ```
 */
export class SyncWorkerError extends KeywayError {
  static override readonly brand: string = 'SyncWorkerError';
  constructor(message: string, options: KeywayErrorOptions = {}) {
    super(message, { ...options, code: options.code ?? 'sync_worker_error' });
  }
}
