import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '@keyway/test-support';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMockKeyway } from './index.js';
import { signedInPage } from './playwright.js';

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type BrowserContext = Awaited<ReturnType<Browser['newContext']>>;

const mock = createMockKeyway();
let issuer = '';
let app: Server;
let appUrl = '';
let browser: Browser;
let context: BrowserContext;

/** A tiny app with a real code flow (public client, PKCE) against the mock; its session is a cookie. */
function startApp(): Promise<void> {
  const verifier = 'v'.repeat(43);
  app = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', appUrl);
    if (url.pathname === '/login') {
      const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
      const authorize = new URL(`${issuer}/oauth/authorize`);
      authorize.search = new URLSearchParams({
        client_id: 'test-public-client',
        response_type: 'code',
        redirect_uri: `${appUrl}/callback`,
        scope: 'openid',
        code_challenge: Buffer.from(digest).toString('base64url'),
        code_challenge_method: 'S256',
      }).toString();
      res.writeHead(302, { location: authorize.href }).end();
    } else if (url.pathname === '/callback' && url.searchParams.has('code')) {
      const token = await fetch(`${issuer}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: 'test-public-client',
          code: url.searchParams.get('code') ?? '',
          redirect_uri: `${appUrl}/callback`,
          code_verifier: verifier,
        }),
      });
      const { id_token } = (await token.json()) as { id_token: string };
      const sub = JSON.parse(Buffer.from(id_token.split('.')[1] ?? '', 'base64url').toString()).sub as string;
      res.writeHead(302, { location: '/me', 'set-cookie': `session=${sub}; Path=/` }).end();
    } else if (url.pathname === '/me') {
      const sub = /session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<p id="who">${sub ? `Signed in as ${sub}` : 'Anonymous'}</p>`);
    } else {
      res.writeHead(400, { 'content-type': 'text/html' }).end(`<p>callback ${url.search}</p>`);
    }
  });
  return new Promise((resolve) =>
    app.listen(0, '127.0.0.1', () => {
      appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

let server: Awaited<ReturnType<typeof mock.listen>>;
beforeAll(async () => {
  server = await mock.listen();
  issuer = server.url;
  await startApp();
  browser = await launchChromium();
}, 60_000);

beforeEach(async () => {
  await context?.close();
  context = await browser.newContext();
  mock.reset();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => app?.close(resolve));
});

describe('signedInPage (real Chromium)', () => {
  it('signs the given user in through the app in one line', async () => {
    mock.seed.user({ sub: 'usr_2', name: 'Second' });
    const page = await signedInPage(context, mock, { url: `${appUrl}/login`, user: 'usr_2' });
    expect(new URL(page.url()).pathname).toBe('/me');
    expect(await page.textContent('#who')).toBe('Signed in as usr_2');
    expect(mock.callsTo('authorize')).toHaveLength(1);
  }, 60_000);

  it('rejects when the mock refuses the sign-in', async () => {
    mock.denyAuthorization({ error: 'access_denied' });
    await expect(signedInPage(context, mock, { url: `${appUrl}/login` })).rejects.toThrow(
      /sign-in ended with error=access_denied at http:\/\/127\.0\.0\.1:\d+\/callback/,
    );
  }, 60_000);

  it('refuses a missing or relative url', async () => {
    await expect(signedInPage(context, mock, { url: '/login' })).rejects.toThrow(TypeError);
    await expect(signedInPage(context, mock, {} as never)).rejects.toThrow(/needs the absolute URL/);
  });
});
