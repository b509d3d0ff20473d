import {
  KEYWAY_CLIENT_METHODS,
  type KeywayClientMethod,
  type KeywayClientOptions,
  type RequestOptions,
} from '@keyway/core';

/**
 * The service-client methods the sync client forwards, as `resource.method`: core's list, generated
 * from the spec's `x-keyway-client`, so a new operation needs no edit here.
 */
export const CLIENT_METHODS: readonly KeywayClientMethod[] = KEYWAY_CLIENT_METHODS.map(({ name }) => name);

/** One of {@link CLIENT_METHODS}. */
export type ClientMethod = KeywayClientMethod;

/** Methods whose only argument is the request options (no parameters, no body). */
export const NO_PARAMS: ReadonlySet<string> = new Set(
  KEYWAY_CLIENT_METHODS.filter(({ takesParams }) => !takesParams).map(({ name }) => name),
);

/**
 * One service-client call, self-contained: the worker builds a client from `options` for each call, so
 * a recycled worker has nothing to restore.
 */
export interface ClientCallPayload {
  options: Omit<KeywayClientOptions, 'fetch'>;
  method: ClientMethod;
  /** The method's parameters or body, when it takes one. */
  params?: unknown;
  requestOptions?: Omit<RequestOptions, 'signal'> | undefined;
}
