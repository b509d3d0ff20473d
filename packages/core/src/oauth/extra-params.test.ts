import { createMockKeyway } from '@keyway/mocks';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import type { FetchLike } from '../internal/http.js';
import { setClock } from './clock.js';
import { discover } from './discover.js';

const AUDIENCE = 'https://api.example.com/';

/** A mock with a fetch of its own, and a confidential client against it. */
async function setup() {
  const mock = createMockKeyway({ deviceInterval: 0 });
  const fetch: FetchLike = (input, init) => mock.fetch(input, init);
  const client = await discover(mock.issuer, { clientId: 'test-client', clientSecret: 'test-secret', fetch });
  setClock(client, { now: () => Date.now(), sleep: async () => {} });
  return { mock, client };
}

function bodiesOf(mock: ReturnType<typeof createMockKeyway>, route: 'token' | 'deviceAuthorization') {
  return mock.calls.filter((call) => call.route === route).map((call) => call.body as Record<string, unknown>);
}

describe('extraParams of token and device authorization requests', () => {
  it('clientCredentials() sends them in the form body, beside its own parameters', async () => {
    const { mock, client } = await setup();
    await client.clientCredentials({ scope: 'api:read', extraParams: { audience: AUDIENCE } });
    expect(bodiesOf(mock, 'token')).toEqual([
      expect.objectContaining({ grant_type: 'client_credentials', scope: 'api:read', audience: AUDIENCE }),
    ]);
  });

  it('deviceAuthorization() and refresh() send them; the device-code polls carry none', async () => {
    const { mock, client } = await setup();
    const device = await client.deviceAuthorization({
      scope: 'openid offline_access',
      extraParams: { audience: AUDIENCE },
    });
    expect(bodiesOf(mock, 'deviceAuthorization')).toEqual([
      expect.objectContaining({ scope: 'openid offline_access', audience: AUDIENCE }),
    ]);
    mock.approveDevice(device.user_code);
    const tokens = await client.pollDeviceToken(device);
    const polls = bodiesOf(mock, 'token');
    expect(polls.length).toBeGreaterThan(0);
    expect(polls.every((body) => body.audience === undefined)).toBe(true);

    const refreshed = await client.refresh(tokens, { extraParams: { audience: AUDIENCE, foo: 'bar' } });
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    const refresh = bodiesOf(mock, 'token').at(-1);
    expect(refresh).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      audience: AUDIENCE,
      foo: 'bar',
    });
  });

  it.each([
    ['clientCredentials', 'grant_type'],
    ['clientCredentials', 'client_id'],
    ['clientCredentials', 'scope'],
    ['deviceAuthorization', 'client_secret'],
    ['deviceAuthorization', 'resource'],
    ['refresh', 'refresh_token'],
    ['refresh', 'client_assertion'],
    ['refresh', 'client_assertion_type'],
    ['refresh', 'device_code'],
    ['refresh', 'code_verifier'],
  ] as const)('%s refuses extraParams.%s, sending nothing', async (method, name) => {
    const { mock, client } = await setup();
    const before = mock.calls.length;
    const extraParams = { [name]: 'x' };
    const call =
      method === 'refresh'
        ? client.refresh('rt', { extraParams })
        : method === 'clientCredentials'
          ? client.clientCredentials({ extraParams })
          : client.deviceAuthorization({ extraParams });
    const error = await call.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: 'invalid_argument' });
    expect(String((error as Error).message)).toContain(name);
    expect(mock.calls.length).toBe(before);
  });
});
