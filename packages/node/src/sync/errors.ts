import { KeywayError, type KeywayErrorOptions } from '@keyway/core';

/**
 * The worker thread behind the synchronous API could not answer: it is missing from the install
 * (`code: 'sync_worker_missing'`) or it stopped before answering (`code: 'sync_worker_crashed'`,
 * the worker's own error as `cause` when it had one). The next call starts a new worker.
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
    super(message, { code: 'sync_worker_error', ...options });
  }
}
