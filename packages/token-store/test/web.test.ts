/*
 * WebStorageTokenStore in headless Chromium: the store is bundled with esbuild to an IIFE, served from
 * 127.0.0.1 on a free port, and every contract case runs in the page against the real localStorage and
 * sessionStorage (and Web Locks), reported back here one test per case.
 */
import { createServer, type Server } from 'node:http';
import { launchChromium } from '@keyway/test-support';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRemoteContract, type RemoteCaseResult } from './contract.js';

type Variant = 'local' | 'session' | 'encrypted-local';

interface Harness {
  runCase(name: string, variant: Variant): Promise<RemoteCaseResult & { runtime?: string }>;
  hold(key: string, ms: number): Promise<{ start: number; end: number }>;
  set(key: string, value: { access_token: string }): Promise<void>;
  get(key: string): Promise<unknown>;
  failures(): Promise<Record<string, { ok?: boolean; code?: string; rendered?: string }>>;
}
declare const keywayHarness: Harness;

let server: Server;
let origin: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const pages: Record<string, string> = {
  '/': '<!doctype html><title>token-store</title><script src="/harness.js"></script>',
  // A sandboxed iframe without allow-same-origin: reading localStorage throws there, as in some embeds.
  '/sandboxed':
    '<!doctype html><title>sandboxed</title>' +
    '<script>addEventListener("message", (event) => { window.failures = event.data; });</script>' +
    '<iframe sandbox="allow-scripts" srcdoc="' +
    '<script src=&quot;/harness.js&quot;></script>' +
    '<script>keywayHarness.failures().then((r) => parent.postMessage(r, &quot;*&quot;))</script>"></iframe>',
};

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [new URL('./runtime/web-entry.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0]!.text;
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/harness.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (pages[path]) {
      response.writeHead(200, { 'content-type': 'text/html' }).end(pages[path]);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  browser = await launchChromium();
  context = await browser.newContext();
  page = await context.newPage();
  await page.goto(`${origin}/`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

async function runInChromium(name: string, variant: Variant): Promise<RemoteCaseResult> {
  const result = await page.evaluate(([n, v]) => keywayHarness.runCase(n, v), [name, variant] as const);
  if (result.ok && !/Chrome\//.test(result.runtime ?? '')) {
    return { ok: false, error: `ran in ${String(result.runtime)}, not in Chromium` };
  }
  return result;
}

describeRemoteContract('WebStorageTokenStore(localStorage) in Chromium', { lock: true }, (name) =>
  runInChromium(name, 'local'),
);
describeRemoteContract('WebStorageTokenStore(sessionStorage) in Chromium', { lock: true }, (name) =>
  runInChromium(name, 'session'),
);
describeRemoteContract('encryptedStore(WebStorageTokenStore) in Chromium', { lock: true }, (name) =>
  runInChromium(name, 'encrypted-local'),
);

describe('WebStorageTokenStore across tabs in Chromium', () => {
  it('shares localStorage between tabs, stored as a record with its expiry', async () => {
    const other = await context.newPage();
    try {
      await other.goto(`${origin}/`);
      const expiresAt = Math.floor(Date.now() / 1000) + 600;
      await page.evaluate(
        (e) => keywayHarness.set('shared', { access_token: 'at-shared', expires_at: e } as never),
        expiresAt,
      );
      expect(await other.evaluate(() => keywayHarness.get('shared'))).toEqual({
        access_token: 'at-shared',
        expires_at: expiresAt,
      });
      const raw = await other.evaluate(() => localStorage.getItem('tabs:shared'));
      expect(JSON.parse(raw!)).toEqual({
        v: { access_token: 'at-shared', expires_at: expiresAt },
        e: expiresAt * 1000,
      });
    } finally {
      await other.close();
    }
  });

  it('lock() is exclusive across tabs (Web Locks)', async () => {
    const other = await context.newPage();
    try {
      await other.goto(`${origin}/`);
      const first = page.evaluate(() => keywayHarness.hold('tab-lock', 300));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = other.evaluate(() => keywayHarness.hold('tab-lock', 10));
      const [a, b] = await Promise.all([first, second]);
      expect(b.start).toBeGreaterThanOrEqual(a.end - 1);
    } finally {
      await other.close();
    }
  });

  it('reports blocked storage as storage_unavailable and a failing write as backend_error, without the token', async () => {
    const sandboxed = await context.newPage();
    try {
      await sandboxed.goto(`${origin}/sandboxed`);
      const handle = await sandboxed.waitForFunction(() => (window as { failures?: unknown }).failures, undefined, {
        timeout: 10_000,
      });
      const results = (await handle.jsonValue()) as Awaited<ReturnType<Harness['failures']>>;
      expect(results.default).toMatchObject({ code: 'storage_unavailable' });
      expect(results.quota).toMatchObject({ code: 'backend_error' });
      expect(results.quota?.rendered).toContain('QuotaExceededError');
      expect(results.quota?.rendered).not.toContain('web-secret');
    } finally {
      await sandboxed.close();
    }
  });
});
