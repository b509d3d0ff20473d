import { createMockKeyway } from '@keyway/mocks';
import { describe, expect, it, vi } from 'vitest';
import { InternalServerError } from './errors.js';
import { createKeywayClient } from './service-client.js';

// The retry decision is read from `operations` of @keyway/openapi (the spec's `x-keyway-idempotent`),
// not hard-coded per method: flip two flags here and the client's behaviour flips with them.
vi.mock('@keyway/openapi', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@keyway/openapi')>();
  return {
    ...actual,
    operations: {
      ...actual.operations,
      validateToken: { ...actual.operations.validateToken, idempotent: false },
      offlineCallback: { ...actual.operations.offlineCallback, idempotent: true },
    },
  };
});

function setup() {
  const mock = createMockKeyway();
  const client = createKeywayClient({
    baseUrl: mock.issuer,
    token: mock.apiToken,
    fetch: mock.fetch,
    retry: { initialDelay: 1, maxDelay: 4 },
  });
  return { mock, client };
}

describe('the service client retries what the spec marks idempotent', () => {
  it('does not retry a GET the table marks not idempotent', async () => {
    const { mock, client } = setup();
    mock.fail('validateToken', { status: 503, retryAfter: 0, times: 1 });
    await expect(client.validation.verify()).rejects.toBeInstanceOf(InternalServerError);
    expect(mock.calls.map((call) => call.status)).toEqual([503]);
  });

  it('retries a POST the table marks idempotent', async () => {
    const { mock, client } = setup();
    const { state } = await client.offline.requestConsent({ client_id: 'test-client', user_id: 'usr_1' });
    mock.fail('offlineCallback', { status: 503, retryAfter: 0, times: 1 });
    expect(await client.offline.callback({ code: 'c', state })).toMatchObject({
      persistent_token_id: expect.stringMatching(/^ptk_/),
    });
    expect(mock.calls.map((call) => `${call.route} ${call.status}`)).toEqual([
      'requestOfflineConsent 200',
      'offlineCallback 503',
      'offlineCallback 200',
    ]);
  });
});
