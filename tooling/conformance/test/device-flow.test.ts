import { setTimeout as realSleep } from 'node:timers/promises';
import {
  type DeviceAuthorization,
  DeviceFlowError,
  InternalServerError,
  InvalidResponseError,
  KeywayAbortError,
  OAuthError,
} from '@keyway/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectError, newClient, secretScan, useHostileOp } from '../src/index.ts';

const op = useHostileOp();
afterEach(() => {
  vi.useRealTimers();
});

/** Waits (in real time; timers may be faked) until `condition` holds, at most ~5 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) {
    await realSleep(10);
  }
  expect(condition()).toBe(true);
}

/**
 * Starts polling with fake `setTimeout` (Date stays real; the HTTP traffic is real): the waits
 * between polls then pass only when a case advances the timers, so intervals are checked by
 * counting polls, with no real waiting and no timing assertion.
 */
async function startPolling(device: { merge?: Record<string, unknown> } = {}, devicePolls: string[] = []) {
  const { client } = newClient(op, { retry: { maxRetries: 2, initialDelay: 1 } });
  op.scenario = { device, devicePolls };
  const authorization: DeviceAuthorization = await client.deviceAuthorization({ scope: 'openid' });
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const controller = new AbortController();
  const polling = client.pollDeviceToken(authorization, { signal: controller.signal });
  polling.catch(() => undefined);
  return { client, polling, controller };
}

describe('device flow: authorization response', () => {
  it('returns the wire object of a correct OP', async () => {
    const { client } = newClient(op);
    const device = await client.deviceAuthorization({ scope: 'openid' });
    expect(device.user_code).toBe('WDJB-MJHT');
    expect(device.verification_uri).toBe(`${op.issuer}/device`);
    expect(device.expires_in).toBe(600);
  });

  it('accepts an https: verification URI', async () => {
    const { client } = newClient(op);
    op.scenario = { device: { merge: { verification_uri: 'https://login.example.test/device' } } };
    const device = await client.deviceAuthorization();
    expect(device.verification_uri).toBe('https://login.example.test/device');
  });

  const refused = async (merge: Record<string, unknown>, code: string) => {
    const { client } = newClient(op);
    op.scenario = { device: { merge } };
    await expectError(client.deviceAuthorization(), InvalidResponseError, code);
  };

  it('refuses a plain http: verification_uri on another host (insecure_verification_uri)', () =>
    refused({ verification_uri: 'http://device.example.test/activate' }, 'insecure_verification_uri'));

  it('refuses a plain http: verification_uri_complete on another host (insecure_verification_uri)', () =>
    refused({ verification_uri_complete: 'http://device.example.test/activate?c=1' }, 'insecure_verification_uri'));

  it('refuses a javascript: verification_uri (insecure_verification_uri)', () =>
    refused({ verification_uri: 'javascript:alert(document.cookie)' }, 'insecure_verification_uri'));

  it('refuses a response without device_code (invalid_device_response)', () =>
    refused({ device_code: undefined }, 'invalid_device_response'));

  it('refuses expires_in as a string (invalid_device_response)', () =>
    refused({ expires_in: '600' }, 'invalid_device_response'));

  it('refuses interval as a string (invalid_device_response)', () =>
    refused({ interval: '5' }, 'invalid_device_response'));

  it('refuses a body that is not JSON (invalid_device_response)', async () => {
    const { client } = newClient(op);
    op.scenario = { device: { body: 'device_code=abc' } };
    await expectError(client.deviceAuthorization(), InvalidResponseError, 'invalid_device_response');
  });

  it('reports a 500 from the device authorization endpoint as InternalServerError', async () => {
    const { client } = newClient(op);
    op.scenario = { device: { status: 500, body: 'down' } };
    await expectError(client.deviceAuthorization(), InternalServerError, 'http_500');
  });

  it('reports an OAuth error from the device authorization endpoint as OAuthError', async () => {
    const { client } = newClient(op);
    op.scenario = { device: { status: 401, body: { error: 'invalid_client' } } };
    await expectError(client.deviceAuthorization(), OAuthError, 'invalid_client');
  });
});

describe('device flow: polling', () => {
  it('reports access_denied as DeviceFlowError access_denied after one poll', async () => {
    const { polling } = await startPolling({}, ['access_denied']);
    await vi.advanceTimersByTimeAsync(5_100);
    await expectError(polling, DeviceFlowError, 'access_denied');
    expect(op.count('token')).toBe(1);
  });

  it('reports expired_token as DeviceFlowError expired_token', async () => {
    const { polling } = await startPolling({}, ['expired_token']);
    await vi.advanceTimersByTimeAsync(5_100);
    await expectError(polling, DeviceFlowError, 'expired_token');
  });

  it('keeps polling on authorization_pending and resolves to the tokens', async () => {
    const { polling } = await startPolling({}, ['authorization_pending', 'authorization_pending']);
    let settled = false;
    polling.finally(() => {
      settled = true;
    });
    for (let i = 0; i < 100 && !settled; i++) {
      await vi.advanceTimersByTimeAsync(1_000);
      await realSleep(5);
    }
    const tokens = await polling;
    expect(tokens.claims?.sub).toBe('alice');
    expect(op.count('token')).toBe(3);
  });

  it('never retries a device poll, even on a 503 with Retry-After: 0 (InternalServerError, one poll)', async () => {
    const { polling } = await startPolling();
    op.scenario = { ...op.scenario, token: { status: 503, body: 'busy', headers: { 'retry-after': '0' } } };
    await vi.advanceTimersByTimeAsync(5_100);
    await expectError(polling, InternalServerError, 'http_503');
    expect(op.count('token')).toBe(1);
  });

  it('treats an interval below 5 s as 5 s: no poll at 4.9 s, one by 5.1 s', async () => {
    const { polling, controller } = await startPolling({ merge: { interval: 1 } }, ['authorization_pending']);
    await vi.advanceTimersByTimeAsync(4_900);
    await realSleep(100);
    expect(op.count('token')).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    await until(() => op.count('token') === 1);
    controller.abort();
    await expectError(polling, KeywayAbortError, 'aborted');
  });

  it('caps a huge interval at 60 s: no poll at 59 s, one by 60.1 s', async () => {
    const { polling, controller } = await startPolling({ merge: { interval: 86_400 } }, ['authorization_pending']);
    await vi.advanceTimersByTimeAsync(59_000);
    await realSleep(100);
    expect(op.count('token')).toBe(0);
    await vi.advanceTimersByTimeAsync(1_100);
    await until(() => op.count('token') === 1);
    controller.abort();
    await expectError(polling, KeywayAbortError, 'aborted');
  });
});

secretScan();
