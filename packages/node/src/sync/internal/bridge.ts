import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort, SHARE_ENV, Worker } from 'node:worker_threads';
import { ConfigurationError, KeywayTimeoutError } from '@keyway/core';
import { SyncWorkerError } from '../errors.js';
import type { SerializedError, SyncRequest, SyncResponse, SyncWorkerData } from './protocol.js';
import { reviveError } from './revive-error.js';

/** Options of {@link SyncBridge}. */
export interface SyncBridgeOptions {
  /** The worker entry (`dist/sync/worker.js`). */
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
    if (!existsSync(path)) {
      throw new SyncWorkerError(`The Keyway sync worker is missing (${path}); reinstall @keyway/node.`, {
        code: 'sync_worker_missing',
      });
    }
    const flag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const workerData: SyncWorkerData = { flag, port: port2, handlers: this.options.handlers };
    const worker = new Worker(this.options.workerUrl, {
      workerData,
      transferList: [port2],
      // One environment: KEYWAY_API_URL, XDG_CACHE_HOME and friends read the same as on this thread.
      env: SHARE_ENV,
      name: 'keyway-sync',
    });
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
  const error = notice.error;
  return new SyncWorkerError(
    `The Keyway sync worker stopped (exit code ${notice.exit}) before answering; the next call starts a new one.`,
    { code: 'sync_worker_crashed', cause: error ? reviveError(error) : undefined },
  );
}
