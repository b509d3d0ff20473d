import { DeviceFlowError, discover, type OAuthClient } from '@keyway/core';
import { expectError } from '@keyway/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InteropTarget, startTarget, TARGETS } from '../src/target.ts';

describe.each(TARGETS)('device authorization grant: expiry against %s', (name) => {
  let op: InteropTarget;
  let client: OAuthClient;

  beforeAll(async () => {
    // Device codes live 2 s on this instance.
    op = await startTarget(name, { deviceCodeTtl: 2 });
    client = await discover(op.issuer, op.clients.public);
  });
  afterAll(async () => {
    await op?.close();
  });

  it("maps the server's expired_token answer to DeviceFlowError expired_token", async () => {
    // Timed from before the request: the server's 2 s start when it issues the code, and a loaded
    // machine may take a while to hand the answer over.
    const started = Date.now();
    const device = await client.deviceAuthorization({ scope: 'openid' });
    expect(device.expires_in).toBe(2);

    // The caller believes the code lives 30 s (a skewed clock, say), so the client keeps polling every
    // second until the server itself says the code expired.
    const error = await expectError(
      client.pollDeviceToken({ ...device, expires_in: 30 }, { interval: 1, signal: AbortSignal.timeout(20_000) }),
      DeviceFlowError,
      'expired_token',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error.message).toMatch(/expired/);
  });

  it('stops by itself once expires_in has passed and reports expired_token', async () => {
    const device = await client.deviceAuthorization({ scope: 'openid' });

    const started = Date.now();
    await expectError(
      client.pollDeviceToken(device, { signal: AbortSignal.timeout(20_000) }),
      DeviceFlowError,
      'expired_token',
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
