import { launchChromium } from '@keyway/test-support';
import { MemoryTokenStore } from '@keyway/token-store';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { authenticate, loginKey } from '../src/authenticate.js';
import { CLIENT_ID, useMockServer } from './helpers.js';

const ctx = useMockServer();
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

it('logs in with headless Chromium as the browser: authorize, loopback redirect, success page', async () => {
  const page = await browser.newPage();
  const store = new MemoryTokenStore();
  const options = { issuer: ctx.issuer, clientId: CLIENT_ID, store };
  const token = await authenticate({
    ...options,
    interactive: true,
    flow: 'browser',
    openBrowser: async (url) => {
      await page.goto(url);
    },
  });

  expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
  expect(await page.locator('h1').textContent()).toBe('Signed in');
  expect(await page.content()).not.toContain(token.access_token);
  expect(token.claims?.sub).toBe('usr_test');
  expect((await store.get(loginKey(options)))?.access_token).toBe(token.access_token);
  await page.close();
});
