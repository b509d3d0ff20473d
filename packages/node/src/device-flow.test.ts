import { inspect } from 'node:util';
import { ConfigurationError, InvalidResponseError } from '@keyway/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLIENT_ID, ESC, expectNoTerminalControls, HOSTILE, useMockServer } from '../test/helpers.js';
import { DeviceFlow, printDeviceCode } from './device-flow.js';

const ctx = useMockServer();

afterEach(() => {
  vi.restoreAllMocks();
});

/** Everything written to stderr while `fn` runs. */
async function stderrOf(fn: () => Promise<unknown>): Promise<{ written: string; result: unknown }> {
  let written = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written += String(chunk);
    return true;
  });
  const result = await fn().catch((error: unknown) => error);
  vi.restoreAllMocks();
  return { written, result };
}

/** The provider answers the device authorization request with `fields` over a well-formed response. */
function deviceResponse(fields: Record<string, unknown>): void {
  ctx.mock.fail('deviceAuthorization', {
    status: 200,
    times: 1,
    body: {
      device_code: 'dc_hostile',
      user_code: 'WDJB-MJHT',
      verification_uri: `${ctx.issuer}/device`,
      expires_in: 600,
      interval: 1,
      ...fields,
    },
  });
}

describe('DeviceFlow against a hostile device authorization response', () => {
  it.each([
    ['user_code', { user_code: `WDJB${HOSTILE}` }],
    ['verification_uri', { verification_uri: `http://127.0.0.1/device${ESC}]8;;http://evil.example${ESC}\\` }],
    ['verification_uri_complete', { verification_uri_complete: 'https://auth.example.com/device?c=\u202eTHMJ-BJDW' }],
  ])('refuses a %s with terminal controls: InvalidResponseError, nothing shown', async (name, fields) => {
    deviceResponse(fields);
    const onDeviceCode = vi.fn();
    const { written, result } = await stderrOf(() =>
      new DeviceFlow({ issuer: ctx.issuer, clientId: CLIENT_ID, onDeviceCode }).run(),
    );
    expect(result).toBeInstanceOf(InvalidResponseError);
    expect(result).toMatchObject({
      code: 'invalid_device_response',
      message: `The device authorization response's ${name} is empty or holds control characters; it is not shown.`,
    });
    expect(onDeviceCode).not.toHaveBeenCalled();
    expect(written).toBe('');
    for (const shown of [String(result), JSON.stringify(result), inspect(result)]) {
      expectNoTerminalControls(shown);
    }
    // Nobody was asked to approve, so nothing was polled.
    expect(ctx.mock.callsTo('token')).toHaveLength(0);
  });

  it('refuses a javascript: verification_uri_complete (default onDeviceCode): nothing is written', async () => {
    deviceResponse({ verification_uri_complete: 'javascript:alert(document.cookie)//WDJB-MJHT' });
    const { written, result } = await stderrOf(() => new DeviceFlow({ issuer: ctx.issuer, clientId: CLIENT_ID }).run());
    expect(result).toBeInstanceOf(InvalidResponseError);
    // Core may refuse it first (with the same code); either way it is never shown.
    expect(result).toMatchObject({ code: 'insecure_verification_uri' });
    expect((result as Error).message).toContain('verification_uri_complete');
    expect(written).toBe('');
  });

  it('printDeviceCode refuses such a code itself, writing nothing', async () => {
    const { written, result } = await stderrOf(async () =>
      printDeviceCode({ userCode: `A${ESC}[2J`, verificationUri: 'https://auth.example.com/device', expiresIn: 600 }),
    );
    expect(result).toMatchObject({ name: 'InvalidResponseError', code: 'invalid_device_response' });
    expect(written).toBe('');
    const notWeb = await stderrOf(async () =>
      printDeviceCode({ userCode: 'WDJB-MJHT', verificationUri: 'file:///etc/passwd', expiresIn: 600 }),
    );
    expect(notWeb.result).toMatchObject({ name: 'InvalidResponseError', code: 'insecure_verification_uri' });
    expect(notWeb.written).toBe('');
  });
});

describe('DeviceFlow options', () => {
  it.each([
    ['timeout', Number.NaN, 'NaN'],
    ['timeout', -1, '-1'],
    ['timeout', 0, '0'],
    ['timeout', Number.POSITIVE_INFINITY, 'Infinity'],
    ['timeout', 2 ** 31, String(2 ** 31)],
    ['timeout', '60000', 'string'],
    ['interval', 0, '0'],
    ['interval', 0.5, '0.5'],
    ['interval', Number.NaN, 'NaN'],
    ['interval', 3_601, '3601'],
  ])('%s: %s is a ConfigurationError at construction', (name, value, shown) => {
    let error: unknown;
    try {
      new DeviceFlow({ issuer: ctx.issuer, clientId: CLIENT_ID, [name]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ code: 'invalid_option' });
    expect((error as Error).message).toMatch(new RegExp(`^${name} must be a number .*; got ${shown}\\.$`));
  });

  it('a valid interval replaces the provider’s: polls a second apart', async () => {
    const started = performance.now();
    const tokens = await new DeviceFlow({
      issuer: ctx.issuer,
      clientId: CLIENT_ID,
      interval: 1,
      onDeviceCode: (info) => ctx.mock.approveDevice(info.userCode),
    }).run();
    expect(tokens.access_token).toEqual(expect.any(String));
    // The provider's interval is held at 5 s or more (RFC 8628); the caller's 1 s is honoured.
    expect(performance.now() - started).toBeLessThan(4_000);
  });
});
