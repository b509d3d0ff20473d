import type { KeywayClientOptions, RequestOptions } from '@keyway/core';

/** The service-client methods the sync client forwards, as `resource.method`. */
export const CLIENT_METHODS = [
  'access.retrieve',
  'refresh.store',
  'offline.requestConsent',
  'offline.callback',
  'offline.revoke',
  'validation.verify',
  'externalTokens.list',
  'externalTokens.retrieve',
] as const;

/** One of {@link CLIENT_METHODS}. */
export type ClientMethod = (typeof CLIENT_METHODS)[number];

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
