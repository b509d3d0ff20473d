import {
  ConfigurationError,
  createKeywayClient,
  KEYWAY_CLIENT_METHODS,
  type KeywayClient,
  type KeywayClientOptions,
  type KeywayClientResources,
} from '@keyway/core';
import type { ClientCallPayload, ClientMethod } from './internal/client-call.js';
import { OP_CLIENT_CALL } from './internal/protocol.js';
import { sharedBridge } from './internal/shared-bridge.js';
import { syncDeadline } from './internal/sync-timeout.js';

/**
 * Options of {@link createKeywaySyncClient}: those of `createKeywayClient` from `@keyway/core`, except
 * `fetch` (a function cannot cross to the worker thread; passing one throws `ConfigurationError`), plus
 * `syncTimeout`.
 */
export interface KeywaySyncClientOptions extends Omit<KeywayClientOptions, 'fetch'> {
  /** Not supported: the calls run in a worker thread with the global `fetch`. */
  fetch?: never;
  /**
   * Milliseconds a call may block in total, retries included. Default: `timeout` × (retries + 1) plus
   * the retry backoff plus 5 s. When it runs out the call throws `KeywayTimeoutError` (code
   * `sync_timeout`) and the worker is restarted.
   */
  syncTimeout?: number;
}

/**
 * Per-call options of the sync client: `timeout` and `headers` as in core (no `signal`), and `syncTimeout`.
 */
export interface SyncRequestOptions {
  /** Milliseconds per attempt for this call, covering the whole body. */
  timeout?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Milliseconds this call may block in total (overrides the client's). */
  syncTimeout?: number;
}

/** One method of `KeywayClient`, blocking: the same arguments with sync options last, the result unwrapped. */
type SyncMethod<F> = F extends (...args: infer A) => Promise<infer R>
  ? 2 extends A['length']
    ? 0 extends A['length']
      ? (params?: A[0], options?: SyncRequestOptions) => R
      : (params: A[0], options?: SyncRequestOptions) => R
    : (options?: SyncRequestOptions) => R
  : F;

/**
 * The blocking twin of `KeywayClient` from `@keyway/core`, mapped from it: the same resources and
 * methods (with their TSDoc), each taking {@link SyncRequestOptions} and returning the response model
 * itself (`Promise<R>` becomes `R`) or throwing the same typed `KeywayError`. A method added to the
 * spec reaches this type and {@link createKeywaySyncClient} without an edit here.
 */
export type KeywaySyncClient = {
  readonly [K in keyof KeywayClient]: K extends keyof KeywayClientResources
    ? { [M in keyof KeywayClient[K]]: SyncMethod<KeywayClient[K][M]> }
    : KeywayClient[K];
};

/**
 * Creates a blocking client of the Keyway service, for synchronous code: a script, a config loader, a
 * legacy synchronous API. Each call runs `@keyway/core`'s client in a worker thread while this thread
 * waits in `Atomics.wait`, so it **blocks the event loop**: use it in scripts and CLIs, never in a server.
 *
 * Options are those of `createKeywayClient` (`baseUrl`, `token`, `timeout`, `retry`, `userAgent`,
 * `maxResponseBytes`, `allowInsecureRequests`) plus `syncTimeout`; a custom `fetch` is not supported.
 * Errors are the same classes as core's (`NotFoundError.is(e)` and `e instanceof NotFoundError` hold).
 * Creating the client checks the options on this thread; the worker starts with the first call, is
 * shared by every sync client of the thread, and never keeps the process alive.
 *
 * @example
 * ```ts
 * import { NotFoundError } from '@keyway/core';
 * import { createKeywaySyncClient } from '@keyway/node';
 *
 * const keyway = createKeywaySyncClient({ baseUrl: 'https://keyway.example.com', token: process.env.KEYWAY_TOKEN });
 * try {
 *   const { access_token } = keyway.access.retrieve({ id: 'pt_123' }); // no await
 *   process.env.API_TOKEN = access_token;
 * } catch (error) {
 *   if (!(error instanceof NotFoundError)) throw error;
 * }
 * ```
 */
export function createKeywaySyncClient(options: KeywaySyncClientOptions = {}): KeywaySyncClient {
  const { fetch, syncTimeout, ...clientOptions } = options as KeywaySyncClientOptions & { fetch?: unknown };
  if (fetch !== undefined) {
    throw new ConfigurationError(
      'createKeywaySyncClient() does not support a custom `fetch`: the calls run in a worker thread, which a function cannot reach. Use createKeywayClient() from @keyway/core for that.',
      { code: 'unsupported_option' },
    );
  }
  // Validates every option (base URL, token, retry) here, where the mistake is, and resolves the URL.
  const local = createKeywayClient(clientOptions);
  syncDeadline(clientOptions, undefined, syncTimeout);
  const resolved: ClientCallPayload['options'] = { ...clientOptions, baseUrl: local.baseUrl };
  let token = clientOptions.token ?? process.env.KEYWAY_API_TOKEN;

  const call = (method: ClientMethod, params: unknown, requestOptions: SyncRequestOptions | undefined): unknown => {
    const { syncTimeout: callTimeout, ...rest } = checkRequestOptions(requestOptions);
    const payload: ClientCallPayload = {
      options: { ...resolved, token: token ?? '' }, // '' is "no token": undefined would fall back to KEYWAY_API_TOKEN
      method,
      params,
      requestOptions: rest,
    };
    const deadline = syncDeadline(clientOptions, rest.timeout, callTimeout ?? syncTimeout);
    return sharedBridge().call(OP_CLIENT_CALL, payload, deadline);
  };

  // One forwarder per method of the service client, from core's list (itself generated from the spec).
  const resources: Record<string, Record<string, (...args: never[]) => unknown>> = {};
  for (const { name, takesParams } of KEYWAY_CLIENT_METHODS) {
    const [resource, method] = name.split('.') as [string, string];
    resources[resource] ??= {};
    resources[resource][method] = takesParams
      ? (params: unknown, requestOptions?: SyncRequestOptions) => call(name, params, requestOptions)
      : (requestOptions?: SyncRequestOptions) => call(name, undefined, requestOptions);
  }

  return {
    ...(resources as unknown as Omit<KeywaySyncClient, 'baseUrl' | 'setToken'>),
    baseUrl: local.baseUrl,
    setToken(next) {
      local.setToken(next); // throws ConfigurationError for a token that cannot be a header
      token = next;
    },
  };
}

function checkRequestOptions(options: SyncRequestOptions | undefined): SyncRequestOptions {
  if (options && 'signal' in options && (options as { signal?: unknown }).signal !== undefined) {
    throw new ConfigurationError(
      'Synchronous calls take no `signal`: nothing can fire it while the thread is blocked. Use `timeout` or `syncTimeout`.',
      { code: 'unsupported_option' },
    );
  }
  return options ?? {};
}
