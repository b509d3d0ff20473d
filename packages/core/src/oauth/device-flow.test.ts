import { describe, expect, it } from 'vitest';
import { CLIENT_ID, FakeOP, json, rejection } from '../../test/oauth/fake-op.js';
import { ConfigurationError, DeviceFlowError, InvalidResponseError, KeywayAbortError } from '../errors.js';
import { setClock, systemClock } from './clock.js';
import type { DeviceAuthorization } from './types.js';

const DEVICE = {
  device_code: 'dev-code-1',
  user_code: 'WDJB-MJHT',
  verification_uri: 'https://op.example.test/device',
  verification_uri_complete: 'https://op.example.test/device?user_code=WDJB-MJHT',
  expires_in: 600,
};

/** An OP whose token endpoint answers the device polls with `script` in order (the last one repeats). */
async function deviceOp(script: Array<string | 'tokens' | 'network'>, device: Partial<DeviceAuthorization> = {}) {
  const op = await FakeOP.create();
  op.on('/device', () => json({ ...DEVICE, ...device }));
  let n = 0;
  op.on('/token', () => {
    const step = script[Math.min(n++, script.length - 1)];
    if (step === 'tokens') {
      return json({ access_token: 'device-at', token_type: 'Bearer', expires_in: 60 });
    }
    if (step === 'network') {
      throw new TypeError('fetch failed');
    }
    return json({ error: step }, 400);
  });
  const client = op.client({ clientSecret: undefined });
  return { op, client, device: await client.deviceAuthorization({ scope: 'openid offline_access' }) };
}

describe('device authorization grant (RFC 8628)', () => {
  it('returns the wire object and polls every 5 s through authorization_pending', async () => {
    const { op, client, device } = await deviceOp(['authorization_pending', 'authorization_pending', 'tokens']);

    expect(device).toEqual(DEVICE);
    expect(Object.fromEntries(op.callsTo('/device')[0]!.body)).toEqual({
      scope: 'openid offline_access',
      client_id: CLIENT_ID,
    });

    const tokens = await client.pollDeviceToken(device);

    expect(tokens.access_token).toBe('device-at');
    expect(op.clock.sleeps).toEqual([5000, 5000, 5000]);
    expect(Object.fromEntries(op.callsTo('/token')[0]!.body)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: 'dev-code-1',
      client_id: CLIENT_ID,
    });
  });

  it("uses the server's interval, or the caller's", async () => {
    const server = await deviceOp(['authorization_pending', 'tokens'], { interval: 8 });
    await server.client.pollDeviceToken(server.device);
    expect(server.op.clock.sleeps).toEqual([8000, 8000]);

    const caller = await deviceOp(['tokens'], { interval: 8 });
    await caller.client.pollDeviceToken(caller.device, { interval: 2 });
    expect(caller.op.clock.sleeps).toEqual([2000]);
  });

  it("holds the server's interval between 5 s (RFC 8628 §3.5) and 60 s", async () => {
    for (const [interval, expected] of [
      [0, 5000],
      [1, 5000],
      [4.9, 5000],
      [undefined, 5000],
      [61, 60_000],
      [1e12, 60_000],
    ] as const) {
      const { op, client, device } = await deviceOp(['tokens'], { interval });
      await client.pollDeviceToken(device);
      expect(op.clock.sleeps, `interval ${interval}`).toEqual([expected]);
    }
  });

  it("refuses a caller's interval that is not a number of seconds >= 1", async () => {
    for (const interval of [Number.NaN, -1, 0, 0.5, '5', Number.POSITIVE_INFINITY, 1e9]) {
      const { client, device } = await deviceOp(['tokens']);
      const error = await rejection(client.pollDeviceToken(device, { interval: interval as number }));
      expect(ConfigurationError.is(error), String(interval)).toBe(true);
      expect(error.code).toBe('invalid_option');
    }
  });

  it('adds 5 s to every later poll after slow_down', async () => {
    const { op, client, device } = await deviceOp([
      'authorization_pending',
      'slow_down',
      'authorization_pending',
      'slow_down',
      'tokens',
    ]);
    await client.pollDeviceToken(device);
    expect(op.clock.sleeps).toEqual([5000, 5000, 10000, 10000, 15000]);
  });

  it.each(['access_denied', 'expired_token'])('stops with DeviceFlowError %s', async (code) => {
    const { op, client, device } = await deviceOp(['authorization_pending', code]);
    const error = await rejection(client.pollDeviceToken(device));
    expect(DeviceFlowError.is(error)).toBe(true);
    expect(error.code).toBe(code);
    expect(op.callsTo('/token')).toHaveLength(2);
  });

  it('stops at expires_in without polling past it', async () => {
    const { op, client, device } = await deviceOp(['authorization_pending'], { expires_in: 12 });
    const error = await rejection(client.pollDeviceToken(device));
    expect(DeviceFlowError.is(error)).toBe(true);
    expect(error.code).toBe('expired_token');
    expect(op.callsTo('/token')).toHaveLength(2);
    expect(op.clock.sleeps).toEqual([5000, 5000, 2000]);
  });

  it('reports other refusals as OAuthError', async () => {
    const { client, device } = await deviceOp(['invalid_client']);
    const error = await rejection(client.pollDeviceToken(device));
    expect(error).toMatchObject({ name: 'OAuthError', code: 'invalid_client' });
  });

  it('backs off exponentially after a connection error, and never retries a poll in the transport', async () => {
    const { op, client, device } = await deviceOp(['network', 'tokens']);
    await client.pollDeviceToken(device);
    expect(op.callsTo('/token')).toHaveLength(2);
    expect(op.clock.sleeps).toEqual([5000, 10000]);
  });

  it('is cancelled by the signal between polls', async () => {
    const { op, client, device } = await deviceOp(['authorization_pending']);
    const controller = new AbortController();
    op.on('/token', () => {
      controller.abort();
      return json({ error: 'authorization_pending' }, 400);
    });
    const error = await rejection(client.pollDeviceToken(device, { signal: controller.signal }));
    expect(KeywayAbortError.is(error)).toBe(true);
    expect(error.code).toBe('aborted');
    expect(op.callsTo('/token')).toHaveLength(1);
  });

  it('is cancelled promptly while sleeping on the real clock', async () => {
    const { op, client, device } = await deviceOp(['authorization_pending']);
    setClock(client, systemClock);
    const started = Date.now();
    const error = await rejection(client.pollDeviceToken(device, { signal: AbortSignal.timeout(30) }));
    expect(KeywayAbortError.is(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(op.callsTo('/token')).toHaveLength(0);
  });

  it('refuses a malformed device authorization response', async () => {
    const op = await FakeOP.create();
    op.on('/device', () => json({ device_code: 'x', user_code: 'y' }));
    const error = await rejection(op.client().deviceAuthorization());
    expect(InvalidResponseError.is(error)).toBe(true);
    expect(error.code).toBe('invalid_device_response');
  });
});

describe('device authorization response checks (RFC 8628 §5.4)', () => {
  it.each([
    ['http://evil.example.test/device', 'insecure_verification_uri'],
    ['javascript:alert(1)', 'insecure_verification_uri'],
    ['file:///etc/passwd', 'insecure_verification_uri'],
    ['not a url', 'invalid_device_response'],
  ])('refuses verification_uri %s (%s)', async (uri, code) => {
    for (const field of ['verification_uri', 'verification_uri_complete']) {
      const op = await FakeOP.create();
      op.on('/device', () => json({ ...DEVICE, [field]: uri }));
      const error = await rejection(op.client({ clientSecret: undefined }).deviceAuthorization());
      expect(InvalidResponseError.is(error), field).toBe(true);
      expect(error.code).toBe(code);
    }
  });

  it('accepts a loopback http: verification URI, and any http: one with allowInsecureRequests', async () => {
    const op = await FakeOP.create();
    op.on('/device', () => json({ ...DEVICE, verification_uri: 'http://127.0.0.1:8080/device' }));
    expect((await op.client({ clientSecret: undefined }).deviceAuthorization()).verification_uri).toBe(
      'http://127.0.0.1:8080/device',
    );
    op.on('/device', () => json({ ...DEVICE, verification_uri: 'http://intranet.example.test/device' }));
    const client = op.client({ clientSecret: undefined, allowInsecureRequests: true });
    expect((await client.deviceAuthorization()).verification_uri).toBe('http://intranet.example.test/device');
  });

  it('refuses a non-finite expires_in or a negative interval', async () => {
    // `1e400` parses to Infinity: the raw body carries it as written.
    for (const fields of [{ expires_in: 'HUGE' }, { expires_in: '600' }, { interval: -1 }, { interval: '5' }]) {
      const op = await FakeOP.create();
      op.on('/device', () => new Response(JSON.stringify({ ...DEVICE, ...fields }).replace('"HUGE"', '1e400')));
      const error = await rejection(op.client({ clientSecret: undefined }).deviceAuthorization());
      expect(error.code, JSON.stringify(fields)).toBe('invalid_device_response');
    }
  });
});
