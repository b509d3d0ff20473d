import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  SHARE_ENV,
  workerData as threadData,
  Worker,
} from 'node:worker_threads';
import { ConfigurationError, KeywayTimeoutError } from '@keyway/core';
import { SyncWorkerError } from '../errors.js';
import { installExitNotice } from './exit-notice.js';
import {
  isSyncWorkerData,
  type SerializedError,
  type SyncRequest,
  type SyncResponse,
  type SyncWorkerData,
} from './protocol.js';
import { reviveError } from './revive-error.js';

/** Options of {@link SyncBridge}. */
interface SyncBridgeOptions {
  /** The worker entry (`dist/sync/worker.js`); the guard preload `guard.cjs` sits beside it. */
  workerUrl: URL;
  /** A module URL whose `handlers` export replaces the built-in handler table (tests). */
  handlers?: string;
}

interface Running {
  worker: Worker;
  port: MessagePort;
  flag: Int32Array;
}

/**
 * Runs async operations in one worker thread and waits for each result synchronously: the calling
 * thread sleeps in `Atomics.wait` on a shared counter that the worker bumps after posting an answer,
 * then reads that answer with `receiveMessageOnPort` (its event loop never turns).
 *
 * The worker is started on the first call and `unref()`ed, so it never keeps the process alive. A call
 * that outlives its deadline, or a worker that dies, discards the worker; the next call starts a new one.
 */
export class SyncBridge {
  private running: Running | undefined;
  private nextId = 1;
  private busy = false;

  constructor(private readonly options: SyncBridgeOptions) {}

  /**
   * Runs `op` in the worker and returns its result, or throws the error it threw (rebuilt as the same
   * class). `timeout` is in milliseconds (`Infinity`: wait for ever).
   */
  call(op: string, payload: unknown, timeout: number): unknown {
    if (isSyncWorkerData(threadData)) {
      // A NODE_OPTIONS preload runs in the worker too; one that makes a synchronous call there would
      // start a worker per worker. Make sure the caller, blocked on this worker, hears of it.
      installExitNotice(threadData);
      throw new SyncWorkerError(
        'A synchronous Keyway call was made inside the Keyway sync worker, by a preload hook (NODE_OPTIONS=--import/--require) ' +
          'that runs in every thread: make that call only where isMainThread (node:worker_threads) is true.',
        { code: 'sync_call_in_worker' },
      );
    }
    if (this.busy) {
      // Only reachable from code that runs while a call blocks (a signal handler would not run either).
      throw new ConfigurationError('A synchronous Keyway call is already in progress on this thread.', {
        code: 'sync_reentrant_call',
      });
    }
    this.busy = true;
    try {
      return this.send(op, payload, timeout);
    } finally {
      this.busy = false;
    }
  }

  /** Stops the worker (if any); the next call starts a new one. */
  close(): void {
    const running = this.running;
    this.running = undefined;
    if (running) {
      running.port.close();
      running.worker.terminate().catch(() => undefined);
    }
  }

  private send(op: string, payload: unknown, timeout: number): unknown {
    const running = this.ensureWorker();
    const id = this.nextId++;
    try {
      running.worker.postMessage({ id, op, payload } satisfies SyncRequest);
    } catch (error) {
      throw new ConfigurationError(
        'The arguments of a synchronous Keyway call must be plain data (no functions, signals or class instances).',
        { code: 'sync_uncloneable_argument', cause: error },
      );
    }
    const deadline = Number.isFinite(timeout) ? performance.now() + timeout : Number.POSITIVE_INFINITY;
    for (;;) {
      const seen = Atomics.load(running.flag, 0);
      for (let received = receiveMessageOnPort(running.port); received; received = receiveMessageOnPort(running.port)) {
        const response = received.message as SyncResponse;
        if ('exit' in response) {
          this.close();
          throw crashed(response);
        }
        if (response.id === id) {
          if (response.ok) {
            return response.value;
          }
          throw reviveError(response.error);
        }
        // An answer to an earlier call: cannot happen while workers are discarded on timeout; ignore.
      }
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        // The worker may be stuck (or still retrying): start afresh rather than read its late answer.
        this.close();
        throw new KeywayTimeoutError(timeout, {
          code: 'sync_timeout',
          message: `The synchronous Keyway call did not finish within ${timeout} ms; its worker was stopped.`,
        });
      }
      Atomics.wait(running.flag, 0, seen, Number.isFinite(remaining) ? remaining : undefined);
    }
  }

  private ensureWorker(): Running {
    if (this.running) {
      // A worker that died between calls left its notice on the port.
      let died = false;
      for (
        let notice = receiveMessageOnPort(this.running.port);
        notice;
        notice = receiveMessageOnPort(this.running.port)
      ) {
        died ||= 'exit' in (notice.message as SyncResponse);
      }
      if (!died) {
        return this.running;
      }
      this.close();
    }
    const path = fileURLToPath(this.options.workerUrl);
    const guard = fileURLToPath(new URL('./guard.cjs', this.options.workerUrl));
    for (const file of [path, guard]) {
      if (!existsSync(file)) {
        throw new SyncWorkerError(`The Keyway sync worker is missing (${file}); reinstall @keyway/node.`, {
          code: 'sync_worker_missing',
        });
      }
    }
    const flag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const workerData: SyncWorkerData = { keywaySyncWorker: true, flag, port: port2, handlers: this.options.handlers };
    let worker: Worker;
    try {
      worker = new Worker(this.options.workerUrl, {
        workerData,
        transferList: [port2],
        // One environment: KEYWAY_API_URL, XDG_CACHE_HOME and friends read the same as on this thread.
        env: SHARE_ENV,
        // Not this thread's options: they may hold `-e`/`-p` code, `-i` or `--input-type` (which stops a
        // file entry from loading at all) or `--import` hooks that make synchronous calls themselves.
        // NODE_OPTIONS still applies, as to every thread; the guard preload goes ahead of its hooks.
        execArgv: ['--require', guard],
        name: 'keyway-sync',
      });
    } catch (error) {
      port1.close();
      // The permission model without --allow-worker, a NODE_OPTIONS a worker does not accept, ...
      throw new SyncWorkerError(
        `The Keyway sync worker cannot start: ${error instanceof Error ? error.message : String(error)}`,
        { code: 'sync_worker_start_failed', cause: error },
      );
    }
    // Never keep the process alive; never let an 'error' event without listener crash it.
    worker.unref();
    port1.unref();
    worker.on('error', () => undefined);
    const running: Running = { worker, port: port1, flag };
    worker.on('exit', () => {
      if (this.running === running) {
        this.running = undefined;
        port1.close();
      }
    });
    this.running = running;
    return running;
  }
}

function crashed(notice: { exit: number; error?: SerializedError | undefined }): SyncWorkerError {
  const cause = notice.error ? reviveError(notice.error) : undefined;
  return new SyncWorkerError(
    `The Keyway sync worker stopped (exit code ${notice.exit}) before answering${cause ? ` (${cause.name}: ${cause.message})` : ''}; ` +
      'the next call starts a new one.',
    { code: 'sync_worker_crashed', cause },
  );
}
