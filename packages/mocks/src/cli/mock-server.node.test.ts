import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MockServer } from '../types.js';
import { main } from './mock-server.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('keyway-mock-server', () => {
  it('prints the issuer and test credentials, serves, and logs one line per request', async () => {
    const { out, io: cli } = io();
    server = await main(['--port', '0'], cli);
    expect(server?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out[0]).toBe(`Keyway mock server listening on ${server?.url}`);
    expect(out).toContain('  client     test-client / test-secret');
    const token = out
      .find((l) => l.includes('API token'))
      ?.split(/\s+/)
      .pop();
    const res = await fetch(`${server?.url}/api/v1/validate`, { headers: { authorization: `Bearer ${token}` } });
    expect(await res.json()).toMatchObject({ valid: true, sub: 'usr_test' });
    expect(out.at(-1)).toMatch(/^\d{4}-\d\d-\d\dT.* GET \/api\/v1\/validate 200 validateToken$/);
  });

  it('seeds users, clients and tokens from a JSON config', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyway-mock-'));
    const file = join(dir, 'config.json');
    await writeFile(
      file,
      JSON.stringify({
        users: [{ sub: 'usr_cfg', email: 'cfg@example.com' }],
        clients: [{ clientId: 'cli', clientSecret: 'shh' }],
        accessTokens: [{ token: 'fixed-token', sub: 'usr_cfg' }],
        externalTokens: [{ user: 'usr_cfg', provider: 'github', access_token: 'gho_cfg' }],
      }),
    );
    const { out, io: cli } = io();
    server = await main(['-p', '0', '--config', file, '--quiet'], cli);
    expect(out).toContain('  client     cli / shh');
    expect(out).toContain('  user       usr_cfg <cfg@example.com>');
    const res = await fetch(`${server?.url}/api/v1/external-tokens/github`, {
      headers: { authorization: 'Bearer fixed-token' },
    });
    expect(await res.json()).toMatchObject({ access_token: 'gho_cfg' });
    const tokens = await fetch(`${server?.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${btoa('cli:shh')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(tokens.status).toBe(200);
    expect(out.some((l) => l.includes('/oauth/token'))).toBe(false);
  });

  it('serves the device page, where a person approves a device flow over real HTTP', async () => {
    const { out, io: cli } = io();
    server = await main(['-p', '0', '--quiet'], cli);
    expect(out).toContain(
      `  devices    ${server?.url}/device (the device flow's page: approve a user code in a browser)`,
    );
    const form = {
      authorization: `Basic ${btoa('test-client:test-secret')}`,
      'content-type': 'application/x-www-form-urlencoded',
    };
    const device = (await (
      await fetch(`${server?.url}/oauth/device/code`, { method: 'POST', headers: form, body: 'scope=openid' })
    ).json()) as { device_code: string; user_code: string; verification_uri_complete: string };

    const page = await fetch(device.verification_uri_complete);
    expect(await page.text()).toContain(`value="${device.user_code}"`);
    const approved = await fetch(page.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user_code: device.user_code, action: 'approve' }),
    });
    expect(approved.status).toBe(200);

    const tokens = await fetch(`${server?.url}/oauth/token`, {
      method: 'POST',
      headers: form,
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: device.device_code,
      }),
    });
    expect(await tokens.json()).toMatchObject({ access_token: expect.any(String), id_token: expect.any(String) });
  });

  it('refuses bad arguments and a missing config with a message', async () => {
    const bad = io();
    expect(await main(['--port', 'abc'], bad.io)).toBeUndefined();
    expect(bad.err[0]).toMatch(/Invalid --port abc/);
    const unknown = io();
    expect(await main(['--nope'], unknown.io)).toBeUndefined();
    expect(unknown.err[0]).toMatch(/Unknown option/);
    const missing = io();
    expect(await main(['--config', '/nonexistent.json'], missing.io)).toBeUndefined();
    expect(missing.err[0]).toMatch(/Cannot read config/);
    const help = io();
    expect(await main(['--help'], help.io)).toBeUndefined();
    expect(help.out[0]).toMatch(/^Usage: keyway-mock-server/);
  });
});
