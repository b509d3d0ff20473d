import { DeviceFlowError, discover, type OAuthClient } from '@keyway/core';
import { expectError } from '@keyway/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { TARGETS } from '../src/target.ts';
import { useTarget } from './use-target.ts';

describe.each(TARGETS)('device authorization grant: expiry against %s', (name) => {
  // Device codes live 2 s on this instance.
  const op = useTarget(name, { deviceCodeTtl: 2 });
  let client: OAuthClient;

  beforeAll(async () => {
    client = await discover(op.issuer, op.clients.public);
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
