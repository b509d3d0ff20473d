import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createMockKeyway, type MockServer } from '../index.js';

let server: MockServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('listen()', () => {
  it('serves the API over real HTTP on 127.0.0.1 and makes its URL the issuer', async () => {
    const mock = createMockKeyway();
    server = await mock.listen();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
    expect(mock.issuer).toBe(server.url);
    const id = mock.seed.persistentToken({ sub: 'usr_http' });
    const res = await fetch(`${server.url}/api/v1/access/${id}`, {
      headers: { authorization: `Bearer ${mock.apiToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    const body = (await res.json()) as { token_type: string; expires_in: number };
    expect(body.token_type).toBe('Bearer');
    // Seeded with an hour to live; a second may pass between seeding and reading on a loaded machine.
    expect(body.expires_in).toBeGreaterThan(3590);
    expect(body.expires_in).toBeLessThanOrEqual(3600);
    const stored = await fetch(`${server.url}/api/v1/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mock.apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: 'rt' }),
    });
    expect(stored.status).toBe(201);
    expect(mock.callsTo('storeRefreshToken')[0]?.body).toEqual({ refresh_token: 'rt' });
  });

  it('restores the configured issuer on close and frees the port', async () => {
    const mock = createMockKeyway();
    server = await mock.listen();
    const { url } = server;
    await server.close();
    server = undefined;
    expect(mock.issuer).toBe('https://keyway.test');
    await expect(fetch(`${url}/api/v1/validate`)).rejects.toThrow();
  });

  it('keeps the issuer path under the server URL', async () => {
    const mock = createMockKeyway({ issuer: 'https://keyway.test/t/acme' });
    server = await mock.listen();
    expect(server.url).toMatch(/\/t\/acme$/);
    const res = await fetch(`${server.url}/api/v1/validate`, { headers: { authorization: `Bearer ${mock.apiToken}` } });
    expect(await res.json()).toMatchObject({ valid: true, iss: server.url });
  });

  it('refuses to listen twice at once', async () => {
    const mock = createMockKeyway();
    server = await mock.listen();
    await expect(mock.listen()).rejects.toThrow(/already listening/);
  });

  it('resets the connection on an injected network error', async () => {
    const mock = createMockKeyway();
    server = await mock.listen();
    mock.fail('validateToken', { network: true, times: 1 });
    const error = await new Promise<NodeJS.ErrnoException>((resolve, reject) => {
      const req = httpRequest(`${server?.url}/api/v1/validate`, (res) => reject(new Error(`got ${res.statusCode}`)));
      req.on('error', resolve);
      req.end();
    });
    expect(error.code).toBe('ECONNRESET');
    const ok = await fetch(`${server.url}/api/v1/validate`, { headers: { authorization: `Bearer ${mock.apiToken}` } });
    expect(ok.status).toBe(200);
  });

  it('serves injected 429s and slow answers over HTTP', async () => {
    const mock = createMockKeyway();
    server = await mock.listen();
    mock.fail('validateToken', { status: 429, retryAfter: 2, times: 1, delay: 50 });
    const started = Date.now();
    const res = await fetch(`${server.url}/api/v1/validate`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
  });
});
