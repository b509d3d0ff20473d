import { inspect } from 'node:util';
import {
  AuthenticationError,
  ConfigurationError,
  InternalServerError,
  KeywayApiError,
  KeywayConnectionError,
  KeywayError,
  KeywayTimeoutError,
  NotFoundError,
} from '@keyway/core';
import { freePort } from '@keyway/test-support';
import { describe, expect, it } from 'vitest';
import { type Built, thrown, useSyncHost } from './sync-helpers.js';

const sync = useSyncHost();

const client = (options: Parameters<Built['createKeywaySyncClient']>[0] = {}) =>
  sync.built.createKeywaySyncClient({ baseUrl: sync.host.url, token: sync.host.apiToken, ...options });

/** No form of the error shows the bearer token. */
function expectNoToken(error: unknown): void {
  for (const shown of [String(error), JSON.stringify(error), inspect(error, { depth: 10 })]) {
    expect(shown).not.toContain(sync.host.apiToken);
  }
}

describe('createKeywaySyncClient', () => {
  it('returns every resource’s value without a promise', async () => {
    const keyway = client();
    const id = await sync.host.call<string>('seed.persistentToken', { sub: 'usr_test', scope: 'api:read' });
    await sync.host.call('seed.externalToken', 'usr_test', 'github', { access_token: 'gho_sync', scope: 'repo' });

    expect(keyway.baseUrl).toBe(sync.host.url);
    const verified = keyway.validation.verify();
    expect(verified).toMatchObject({ valid: true, sub: 'usr_test' });
    const access = keyway.access.retrieve({ id });
    expect(access).not.toBeInstanceOf(Promise);
    expect(access).toMatchObject({ access_token: expect.any(String) });
    // Seeded with an hour to live; a second may pass between seeding and reading on a loaded machine.
    expect(access.expires_in).toBeGreaterThan(3590);
    expect(access.expires_in).toBeLessThanOrEqual(3600);
    expect(keyway.refresh.store({ refresh_token: 'rt_sync' })).toEqual({ id: expect.any(String) });

    const consent = keyway.offline.requestConsent({
      client_id: 'test-client',
      user_id: 'usr_test',
      redirect_uri: 'https://app.test/cb',
    });
    expect(consent).toEqual({
      consent_url: expect.stringContaining(`${sync.host.url}/oauth/authorize`),
      state: consent.state,
    });
    const { persistent_token_id } = keyway.offline.callback({ code: 'c1', state: consent.state });
    expect(persistent_token_id).toEqual(expect.any(String));
    expect(keyway.offline.revoke({ id: persistent_token_id })).toEqual({ revoked: true });

    expect(keyway.externalTokens.list()).toEqual({
      data: [expect.objectContaining({ provider: 'github', access_token: 'gho_sync' })],
    });
    expect(keyway.externalTokens.retrieve({ provider: 'github' })).toMatchObject({
      provider: 'github',
      access_token: 'gho_sync',
      token_type: expect.any(String),
    });
  });

  it('sends per-call headers and uses a new token after setToken()', async () => {
    const keyway = client();
    keyway.validation.verify({ headers: { 'x-trace': 'sync-1' } });
    const [call] = (await sync.host.call<Array<{ headers: Record<string, string> }>>('callsTo', 'validateToken')).slice(
      -1,
    );
    expect(call?.headers['x-trace']).toBe('sync-1');

    keyway.setToken('not-a-token-the-mock-knows');
    expect(keyway.validation.verify()).toMatchObject({ valid: false });
    keyway.setToken(sync.host.apiToken);
    expect(keyway.validation.verify()).toMatchObject({ valid: true });
    keyway.setToken(undefined); // no token at all, not KEYWAY_API_TOKEN
    expect(thrown(() => keyway.validation.verify())).toBeInstanceOf(AuthenticationError);
    const [anonymous] = (
      await sync.host.call<Array<{ headers: Record<string, string> }>>('callsTo', 'validateToken')
    ).slice(-1);
    expect(anonymous?.headers.authorization).toBeUndefined();
    expect(() => keyway.setToken('bad token\n')).toThrow(ConfigurationError);
  });

  it('throws 404 as the same NotFoundError class, with status, body, headers and requestId', () => {
    const error = thrown(() => client().access.retrieve({ id: 'ptk_missing' }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toBeInstanceOf(KeywayApiError);
    expect(NotFoundError.is(error)).toBe(true);
    const notFound = error as NotFoundError;
    expect(notFound).toMatchObject({ name: 'NotFoundError', status: 404, code: 'not_found' });
    expect(notFound.requestId).toMatch(/^req_/);
    expect(notFound.headers['x-request-id']).toBe(notFound.requestId);
    expect(notFound.body).toMatchObject({ status: 404, code: 'not_found' });
    expect(notFound.message).toContain('ptk_missing');
    // The stack is the caller's: it points at this file, not at the worker.
    expect(notFound.stack).toContain('sync-client.test.ts');
    expectNoToken(notFound);
  });

  it('throws 401 reconsent_required as AuthenticationError with the problem body', async () => {
    await sync.host.call('seed.externalToken', 'usr_test', 'google', { reconsent: true });
    const error = thrown(() => client().externalTokens.retrieve({ provider: 'google' }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ status: 401, code: 'reconsent_required' });
    expect((error as AuthenticationError).body).toMatchObject({ consent_url: expect.any(String) });
    expectNoToken(error);
  });

  it('retries a 503 and returns the answer of the second attempt', async () => {
    const id = await sync.host.call<string>('seed.persistentToken', { sub: 'usr_test' });
    const before = (await sync.host.call<unknown[]>('callsTo', 'retrieveAccessToken')).length;
    await sync.host.call('fail', 'retrieveAccessToken', { status: 503, times: 1, retryAfter: 0 });
    expect(client().access.retrieve({ id })).toMatchObject({ access_token: expect.any(String) });
    const calls = await sync.host.call<Array<{ status: number }>>('callsTo', 'retrieveAccessToken');
    expect(calls.slice(before).map((call) => call.status)).toEqual([503, 200]);
  });

  it('throws InternalServerError once the retries are used up', async () => {
    await sync.host.call('fail', 'validateToken', { status: 503, times: 2, retryAfter: 0 });
    const error = thrown(() => client({ retry: { maxRetries: 1 } }).validation.verify());
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 503 });
  });

  it('throws KeywayTimeoutError when an attempt outlives `timeout`', async () => {
    await sync.host.call('fail', 'validateToken', { delay: 1_000, times: 1 });
    const started = performance.now();
    const error = thrown(() => client({ timeout: 150, retry: false }).validation.verify());
    expect(performance.now() - started).toBeLessThan(900);
    expect(error).toBeInstanceOf(KeywayTimeoutError);
    expect(error).toMatchObject({ code: 'timeout', timeout: 150 });
    expectNoToken(error);
  });

  it('gives up after `syncTimeout`, restarts the worker, and the next call works', async () => {
    await sync.host.call('fail', 'validateToken', { delay: 1_500, times: 1 });
    const keyway = client({ timeout: 5_000, retry: false, syncTimeout: 200 });
    const started = performance.now();
    const error = thrown(() => keyway.validation.verify());
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(KeywayTimeoutError);
    expect(error).toMatchObject({ code: 'sync_timeout', timeout: 200 });
    expect((error as Error).message).toContain('did not finish within 200 ms');
    expect(keyway.validation.verify({ syncTimeout: 10_000 })).toMatchObject({ valid: true });
  });

  it('throws KeywayConnectionError when nothing listens', async () => {
    const port = await freePort();
    const error = thrown(() => client({ baseUrl: `http://127.0.0.1:${port}`, retry: false }).validation.verify());
    expect(error).toBeInstanceOf(KeywayConnectionError);
    expect(error).not.toBeInstanceOf(KeywayTimeoutError);
    expect(error).toMatchObject({ code: 'connection_error' });
    expectNoToken(error);
  });

  it('checks options on the calling thread: a custom fetch, a signal, bad values', () => {
    const fetchOption = { fetch: globalThis.fetch } as unknown as Parameters<Built['createKeywaySyncClient']>[0];
    const noFetch = thrown(() => client(fetchOption));
    expect(noFetch).toBeInstanceOf(ConfigurationError);
    expect(noFetch).toMatchObject({ code: 'unsupported_option' });
    const withSignal = { signal: AbortSignal.timeout(1) } as never;
    expect(thrown(() => client().validation.verify(withSignal))).toMatchObject({ code: 'unsupported_option' });
    expect(thrown(() => client({ syncTimeout: -1 }))).toBeInstanceOf(ConfigurationError);
    expect(thrown(() => sync.built.createKeywaySyncClient({ baseUrl: 'http://example.com' }))).toBeInstanceOf(
      ConfigurationError,
    );
    const badId = thrown(() => client().access.retrieve({ id: '..' }));
    expect(badId).toBeInstanceOf(ConfigurationError);
    expect(KeywayError.is(badId)).toBe(true);
  });

  it('serialises calls from several clients and keeps answers apart', async () => {
    const ids = await Promise.all(
      [1, 2, 3].map(() => sync.host.call<string>('seed.persistentToken', { sub: 'usr_test' })),
    );
    const a = client();
    const b = client({ userAgent: 'second/1.0' });
    const results = ids.flatMap((id) => [a.access.retrieve({ id }), b.access.retrieve({ id })]);
    expect(results).toHaveLength(6);
    expect(new Set(results.map((result) => result.access_token)).size).toBe(6);
    const calls = await sync.host.call<Array<{ headers: Record<string, string> }>>('callsTo', 'retrieveAccessToken');
    expect(calls.slice(-6).map((call) => call.headers['x-keyway-client']?.endsWith('second/1.0'))).toEqual([
      false,
      true,
      false,
      true,
      false,
      true,
    ]);
  });
});
