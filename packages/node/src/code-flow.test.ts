import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ConfigurationError, KeywayAbortError, KeywayTimeoutError } from '@keyway/core';
import { describe, expect, it } from 'vitest';
import { CLIENT_ID, followRedirect, useMockServer } from '../test/helpers.js';
import { CodeFlow } from './code-flow.js';
import { LoginTimeoutError } from './errors.js';

const ctx = useMockServer();

/** Resolves true when something accepts a TCP connection at host:port. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const flowOptions = () => ({ issuer: ctx.issuer, clientId: CLIENT_ID });

describe('CodeFlow', () => {
  it('listens on 127.0.0.1 only, answers 404 to other paths and favicon, ignores a stray state, then closes', async () => {
    const flow = new CodeFlow(flowOptions());
    const { url, redirectUri } = await flow.start();
    const port = Number(new URL(redirectUri).port);
    expect(redirectUri).toBe(`http://127.0.0.1:${port}/callback`);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    expect(await accepts('::1', port)).toBe(false);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (external) {
      expect(await accepts(external.address, port)).toBe(false);
    }

    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`${base}/other`)).status).toBe(404);
    expect((await fetch(`${base}/callback`, { method: 'POST' })).status).toBe(405);
    const stray = await fetch(`${base}/callback?code=forged&state=not-ours`);
    expect(stray.status).toBe(400);
    expect(await stray.text()).toContain('does not belong');

    const page = await followRedirect(url.href);
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const tokens = await flow.wait();
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(page.html).not.toContain(tokens.access_token);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await accepts('127.0.0.1', port)).toBe(false);
  });

  it('times out with LoginTimeoutError and closes the server', async () => {
    const flow = new CodeFlow({ ...flowOptions(), timeout: 150, openBrowser: async () => {} });
    const started = Date.now();
    const error = await flow.run().catch((e: unknown) => e);
    expect(LoginTimeoutError.is(error)).toBe(true);
    expect(KeywayTimeoutError.is(error) && (error as KeywayTimeoutError).code).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2_000);
    const { redirectUri } = await flow.start();
    expect(await accepts('127.0.0.1', Number(new URL(redirectUri).port))).toBe(false);
  });

  it('stops on the caller AbortSignal with KeywayAbortError and closes the server', async () => {
    const controller = new AbortController();
    const flow = new CodeFlow({ ...flowOptions(), signal: controller.signal });
    const { redirectUri } = await flow.start();
    const waiting = flow.wait();
    controller.abort(new Error('user pressed ctrl-c'));
    const error = await waiting.catch((e: unknown) => e);
    expect(KeywayAbortError.is(error)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await accepts('127.0.0.1', Number(new URL(redirectUri).port))).toBe(false);
  });

  it('rejects when openBrowser given by the caller fails', async () => {
    const flow = new CodeFlow({ ...flowOptions(), openBrowser: () => Promise.reject(new Error('no browser')) });
    await expect(flow.run()).rejects.toThrow('no browser');
  });

  it('a redirectPort already taken is ConfigurationError port_in_use, not a raw EADDRINUSE', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const { port } = taken.address() as { port: number };
    try {
      const flow = new CodeFlow({ ...flowOptions(), redirectPort: port, openBrowser: async () => {} });
      const error = await flow.run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({
        code: 'port_in_use',
        message:
          `Port ${port} on 127.0.0.1 is already in use, so the login cannot receive its redirect there: ` +
          'stop what listens on it, or choose another redirectPort (0: any free port).',
      });
      expect((error as Error).cause).toMatchObject({ code: 'EADDRINUSE' });
      await expect(flow.wait()).rejects.toBe(error);
      expect(ctx.mock.calls).toHaveLength(0); // refused before discovery
    } finally {
      taken.close();
    }
  });

  it.each([
    ['redirectPort', 65_536],
    ['redirectPort', -1],
    ['redirectPort', 8400.5],
    ['redirectPort', '8400'],
    ['redirectPort', Number.NaN],
    ['timeout', Number.NaN],
    ['timeout', -5],
    ['timeout', 2 ** 31],
    ['timeout', Number.POSITIVE_INFINITY],
    ['timeout', null],
  ])('%s %s is ConfigurationError invalid_option at construction, before a server or a timer', (name, value) => {
    expect(() => new CodeFlow({ ...flowOptions(), [name]: value })).toThrow(
      expect.objectContaining({ name: 'ConfigurationError', code: 'invalid_option' }),
    );
  });
});
