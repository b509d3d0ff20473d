import { DeviceFlowError, discover, KeywayAbortError, type OAuthClient } from '@keyway/core';
import { expectError } from '@keyway/test-support';
import { beforeAll, describe, expect, it } from 'vitest';
import { TARGETS } from '../src/target.ts';
import { useTarget } from './use-target.ts';

// oidc-provider: the user approves in Chromium; the mock: through approveDevice() / denyDevice().
describe.each(TARGETS)('device authorization grant (RFC 8628) against %s', (name) => {
  const op = useTarget(name);
  let client: OAuthClient;

  beforeAll(async () => {
    client = await discover(op.issuer, op.clients.public);
  });

  it('polls while the user approves on another device, then gets tokens', async () => {
    const device = await client.deviceAuthorization({ scope: 'openid email' });
    expect(device).toMatchObject({
      device_code: expect.any(String),
      user_code: expect.any(String),
      verification_uri: `${op.issuer}/device`,
      verification_uri_complete: expect.stringContaining(`${op.issuer}/device?user_code=`),
      expires_in: expect.any(Number),
    });
    expect(device.interval).toBe(op.deviceInterval);

    const polling = client.pollDeviceToken(device, { signal: AbortSignal.timeout(45_000) });
    await op.approveDevice(device, 'bob', 'approve');
    const tokens = await polling;

    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.claims).toMatchObject({ iss: op.issuer, sub: 'bob', aud: op.clients.public.clientId });
    expect(await client.userinfo(tokens.access_token, { expectedSubject: 'bob' })).toMatchObject({ sub: 'bob' });
    // No offline_access asked: no refresh token (OIDC Core section 11).
    expect(tokens.refresh_token).toBeUndefined();
  });

  it('issues a refresh token when offline_access is asked for, and it refreshes', async () => {
    const device = await client.deviceAuthorization({ scope: 'openid offline_access' });

    const polling = client.pollDeviceToken(device, { signal: AbortSignal.timeout(45_000) });
    await op.approveDevice(device, 'alice', 'approve');
    const tokens = await polling;

    expect(tokens.refresh_token).toEqual(expect.any(String));
    const refreshed = await client.refresh(tokens);
    expect(refreshed.claims?.sub).toBe('alice');
  });

  it('reports an aborted approval as DeviceFlowError access_denied', async () => {
    const device = await client.deviceAuthorization({ scope: 'openid' });

    const polling = client.pollDeviceToken(device, { signal: AbortSignal.timeout(45_000) });
    await op.approveDevice(device, 'alice', 'deny');

    await expectError(polling, DeviceFlowError, 'access_denied');
  });

  it('stops polling when the caller aborts', async () => {
    const device = await client.deviceAuthorization({ scope: 'openid' });
    const controller = new AbortController();

    const polling = client.pollDeviceToken(device, { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);

    await expectError(polling, KeywayAbortError, 'aborted');
  });
});
