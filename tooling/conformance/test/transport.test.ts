import {
  ConfigurationError,
  createAccessTokenVerifier,
  discover,
  InvalidResponseError,
  KeywayConnectionError,
  KeywayTimeoutError,
  OAuthClient,
} from '@keyway/core';
import { createVerifier } from '@keyway/edge';
import { describe, expect, it } from 'vitest';
import {
  authorize,
  CLIENT_ID,
  clientOptions,
  closedPort,
  expectError,
  network,
  newClient,
  newSecret,
  RESOURCE,
  secretScan,
  useHostileOp,
} from '../src/index.ts';

const op = useHostileOp();

const FAST = { timeout: 400 } as const;

describe('transport: slow and hung endpoints', () => {
  it('times out a token endpoint that never answers (KeywayTimeoutError)', async () => {
    const { client } = newClient(op, FAST);
    op.scenario = { token: { hang: 'before-headers' } };
    const error = await expectError<KeywayTimeoutError>(client.clientCredentials(), KeywayTimeoutError, 'timeout');
    expect(error.timeout).toBe(400);
  });

  it('times out a token endpoint that hangs after its headers: the timeout covers the body', async () => {
    const { client } = newClient(op, FAST);
    op.scenario = { token: { hang: 'after-headers' } };
    await expectError(client.clientCredentials(), KeywayTimeoutError, 'timeout');
  });

  it('times out a token endpoint that trickles its body a byte per second', async () => {
    const { client } = newClient(op, FAST);
    op.scenario = { token: { trickleMs: 1_000 } };
    await expectError(client.clientCredentials(), KeywayTimeoutError, 'timeout');
  });

  it('times out a userinfo endpoint that never answers', async () => {
    const { client } = newClient(op, FAST);
    op.scenario = { userinfo: { hang: 'before-headers' } };
    await expectError(client.userinfo(newSecret('at')), KeywayTimeoutError, 'timeout');
  });

  it('retries a hung client-credentials request (a safe retry), then reports the timeout', async () => {
    const { client } = newClient(op, { ...FAST, retry: { maxRetries: 1, initialDelay: 1 } });
    op.scenario = { token: { hang: 'before-headers' } };
    await expectError(client.clientCredentials(), KeywayTimeoutError, 'timeout');
    expect(op.count('token')).toBe(2);
  });
});

describe('transport: oversized bodies', () => {
  it('refuses a 10 MB token response with Content-Length (response_too_large)', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { hugeBody: { bytes: 10 * 1024 * 1024, declareLength: true } } };
    await expectError(client.clientCredentials(), InvalidResponseError, 'response_too_large');
  });

  it('refuses a 10 MB chunked token response without Content-Length (response_too_large)', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { hugeBody: { bytes: 10 * 1024 * 1024 } } };
    await expectError(client.clientCredentials(), InvalidResponseError, 'response_too_large');
  });

  it('honours a smaller maxResponseBytes (response_too_large at 1 KiB)', async () => {
    const { client } = newClient(op, { maxResponseBytes: 1024 });
    op.scenario = { userinfo: { hugeBody: { bytes: 2048 } } };
    await expectError(client.userinfo(newSecret('at')), InvalidResponseError, 'response_too_large');
  });
});

describe('transport: broken connections', () => {
  it('reports a refused connection as KeywayConnectionError (not a timeout)', async () => {
    const port = await closedPort();
    op.scenario = { metadata: { token_endpoint: `http://127.0.0.1:${port}/token` } };
    const { client } = newClient(op);
    const error = await expectError(client.clientCredentials(), KeywayConnectionError, 'connection_error');
    expect(KeywayTimeoutError.is(error)).toBe(false);
  });

  it('reports a connection closed before any byte as KeywayConnectionError', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { destroy: 'before-headers' } };
    await expectError(client.clientCredentials(), KeywayConnectionError, 'connection_error');
  });

  it('reports a connection closed halfway through the body as KeywayConnectionError', async () => {
    const { client } = newClient(op);
    op.scenario = { token: { destroy: 'mid-body' } };
    await expectError(client.clientCredentials(), KeywayConnectionError, 'connection_error');
  });

  it('never resends a code redemption after a reset connection (one request)', async () => {
    const { client } = newClient(op, { retry: { maxRetries: 3, initialDelay: 1 } });
    const { request, callback } = await authorize(client);
    op.scenario = { token: { destroy: 'before-headers' } };
    await expectError(client.handleCallback(callback, request), KeywayConnectionError, 'connection_error');
    expect(op.count('token')).toBe(1);
  });
});

describe('options are validated where they enter (invalid_option)', () => {
  const BAD: Array<[string, unknown]> = [
    ['clockTolerance', Number.NaN],
    ['clockTolerance', '30'],
    ['clockTolerance', Number.POSITIVE_INFINITY],
    ['clockTolerance', -1],
    ['timeout', Number.NaN],
    ['timeout', -5],
    ['timeout', '10'],
  ];

  it.each(BAD)('new OAuthClient refuses %s: %s', async (name, value) => {
    await expectError(
      () => new OAuthClient(op.metadata() as never, { ...clientOptions(network()), [name]: value }),
      ConfigurationError,
      'invalid_option',
    );
  });

  it.each(BAD)('discover refuses %s: %s', async (name, value) => {
    await expectError(
      discover(op.issuer, { ...clientOptions(network()), [name]: value }),
      ConfigurationError,
      'invalid_option',
    );
  });

  it.each(BAD)('createAccessTokenVerifier refuses %s: %s', async (name, value) => {
    await expectError(
      () => createAccessTokenVerifier({ issuer: op.issuer, audience: RESOURCE, [name]: value } as never),
      ConfigurationError,
      'invalid_option',
    );
  });

  it.each(BAD)('edge createVerifier refuses %s: %s', async (name, value) => {
    await expectError(
      () => createVerifier({ issuer: op.issuer, audience: RESOURCE, [name]: value } as never),
      ConfigurationError,
      'invalid_option',
    );
  });

  it('discover checks its options before sending anything', async () => {
    const net = network();
    await expectError(
      discover(op.issuer, { ...clientOptions(net), clientId: CLIENT_ID, clockTolerance: Number.NaN }),
      ConfigurationError,
      'invalid_option',
    );
    expect(net.requests).toHaveLength(0);
  });
});

secretScan();
