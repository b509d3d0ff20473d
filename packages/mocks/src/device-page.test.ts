import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import { createMockKeyway, type MockKeyway } from './index.js';

// The device flow's verification_uri: an HTML page (outside the OpenAPI spec) where a person types
// or confirms the user code and approves the device for the signed-in user.
let mock: MockKeyway;
const basic = `Basic ${btoa('test-client:test-secret')}`;
const form = 'application/x-www-form-urlencoded';

async function start(scope = 'openid offline_access') {
  const res = await mock.fetch(`${mock.issuer}/oauth/device/code`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': form },
    body: new URLSearchParams({ scope }),
  });
  return (await res.json()) as Record<string, string>;
}

async function poll(deviceCode: string) {
  const res = await mock.fetch(`${mock.issuer}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': form },
    body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceCode }),
  });
  return (await res.json()) as Record<string, string>;
}

async function submit(fields: Record<string, string>) {
  const res = await mock.fetch(`${mock.issuer}/device`, {
    method: 'POST',
    headers: { 'content-type': form },
    body: new URLSearchParams(fields),
  });
  return { status: res.status, type: res.headers.get('content-type'), html: await res.text() };
}

beforeEach(() => {
  mock = createMockKeyway({
    deviceInterval: 0,
    users: [
      { sub: 'usr_ann', email: 'ann@example.com' },
      { sub: 'usr_bob', email: 'bob@example.com' },
    ],
  });
});

describe('the device verification page', () => {
  it('shows a form filled in with the user code of verification_uri_complete', async () => {
    const device = await start();

    const res = await mock.fetch(device.verification_uri_complete ?? '');
    const html = await res.text();

    expect(device.verification_uri).toBe(`${mock.issuer}/device`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('<form method="post">');
    expect(html).toContain(`name="user_code" value="${device.user_code}"`);
    expect(html).toContain('usr_ann (ann@example.com)');
    const empty = await (await mock.fetch(device.verification_uri ?? '')).text();
    expect(empty).toContain('name="user_code" value=""');
    expect(mock.callsTo('deviceVerificationPage')).toHaveLength(2);
  });

  it('approves the device for the signed-in user on POST: polling then yields tokens', async () => {
    mock.signInAs('usr_bob');
    const device = await start();
    expect((await poll(device.device_code ?? '')).error).toBe('authorization_pending');

    // Typed by hand: lower case, without the dash.
    const page = await submit({ user_code: (device.user_code ?? '').replace('-', '').toLowerCase() });

    expect(page.status).toBe(200);
    expect(page.html).toContain('Device connected');
    const tokens = await poll(device.device_code ?? '');
    expect(decodeJwt(tokens.access_token ?? '').sub).toBe('usr_bob');
    expect(decodeJwt(tokens.id_token ?? '').sub).toBe('usr_bob');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    // Used: the code can be neither approved again nor redeemed twice.
    expect((await submit({ user_code: device.user_code ?? '' })).status).toBe(400);
    expect((await poll(device.device_code ?? '')).error).toBe('invalid_grant');
  });

  it('denies the device with action=deny', async () => {
    const device = await start();

    const page = await submit({ user_code: device.user_code ?? '', action: 'deny' });

    expect(page.html).toContain('Device denied');
    expect((await poll(device.device_code ?? '')).error).toBe('access_denied');
  });

  it('answers an unknown or expired code with the form again and a message, escaping what was typed', async () => {
    const unknown = await submit({ user_code: '<b>NOPE</b>' });
    expect(unknown.status).toBe(400);
    expect(unknown.type).toBe('text/html; charset=utf-8');
    expect(unknown.html).toContain('This code is not valid');
    expect(unknown.html).toContain('value="&lt;b&gt;NOPE&lt;/b&gt;"');
    expect(unknown.html).not.toContain('<b>NOPE');

    const device = await start();
    mock.clock.advance(601);
    const expired = await submit({ user_code: device.user_code ?? '' });
    expect(expired.status).toBe(400);
    expect(expired.html).toContain('This code has expired');
  });
});
