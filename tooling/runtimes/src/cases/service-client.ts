/*
 * The typed service client (`createKeywayClient`) against the mock's token-manager API, with the mock's
 * in-process `fetch` injected: plain calls, a retried 503, a typed 404 and a timeout.
 */
import { createKeywayClient, KeywayApiError, KeywayError, KeywayTimeoutError, NotFoundError } from '@keyway/core';
import { type Case, joseHeader, newMock, rejection } from './types.ts';

function setup(name: string, options: { timeout?: number; retry?: false } = {}) {
  const mock = newMock(name);
  const keyway = createKeywayClient({
    baseUrl: mock.issuer,
    token: mock.apiToken,
    fetch: mock.fetch,
    // Short backoff: the case proves the retry happens, not how long it waits.
    retry: options.retry ?? { maxRetries: 2, initialDelay: 10, maxDelay: 20 },
    timeout: options.timeout ?? 5_000,
  });
  return { mock, keyway };
}

export const serviceClientCases: Record<string, Case> = {
  async 'service-access-retrieve'() {
    const { mock, keyway } = setup('service-access-retrieve');
    const id = mock.seed.persistentToken({ sub: 'usr_test', scope: 'api:read' });
    const result = await keyway.access.retrieve({ id });
    return {
      tokenType: result.token_type,
      expiresIn: result.expires_in,
      scope: result.scope,
      jwtTyp: joseHeader(result.access_token).typ,
      calls: mock.callsTo('retrieveAccessToken').map((call) => `${call.method} ${call.path} ${call.status}`),
    };
  },

  async 'service-validation-verify'() {
    const { mock, keyway } = setup('service-validation-verify');
    const result = await keyway.validation.verify();
    const authorization = mock.callsTo('validateToken')[0]?.headers.authorization;
    return { valid: result.valid, sentBearer: authorization === `Bearer ${mock.apiToken}` };
  },

  async 'service-retry-503'() {
    const { mock, keyway } = setup('service-retry-503');
    const id = mock.seed.persistentToken({ sub: 'usr_test' });
    const failure = mock.fail('retrieveAccessToken', { status: 503, retryAfter: 0, times: 1 });
    const result = await keyway.access.retrieve({ id });
    return {
      failureHits: failure.hits,
      statuses: mock.callsTo('retrieveAccessToken').map((call) => call.status),
      gotToken: typeof result.access_token === 'string' && result.access_token.length > 0,
    };
  },

  async 'service-not-found'() {
    const { mock, keyway } = setup('service-not-found');
    const error = await rejection(keyway.access.retrieve({ id: 'ptk_missing' }));
    const apiError = error as unknown as KeywayApiError;
    return {
      name: error.name,
      isNotFound: NotFoundError.is(error),
      isApiError: KeywayApiError.is(error),
      instanceOfNotFound: error instanceof NotFoundError,
      status: apiError.status,
      requestId: apiError.requestId,
      mockRequestId: mock.callsTo('retrieveAccessToken')[0]?.requestId,
      attempts: mock.callsTo('retrieveAccessToken').length,
    };
  },

  async 'service-timeout'() {
    const { mock, keyway } = setup('service-timeout', { timeout: 100, retry: false });
    mock.fail('validateToken', { delay: 2_000 });
    const started = Date.now();
    const error = await rejection(keyway.validation.verify());
    return {
      name: error.name,
      isTimeout: KeywayTimeoutError.is(error),
      isKeywayError: KeywayError.is(error),
      code: error.code,
      elapsedMs: Date.now() - started,
    };
  },
};
