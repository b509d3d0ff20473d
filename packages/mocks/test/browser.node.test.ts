import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromiumPath, launchChromium } from '@keyway/test-support';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageImportsFromSource } from './package-imports.ts';

const CHROMIUM = chromiumPath();
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

let server: Server | undefined;
let origin = '';

// Fails loudly (not skipped) when Chromium is missing, unless the run opts out: CI installs it.
const skip = !existsSync(CHROMIUM) && process.env.KEYWAY_SKIP_BROWSER === '1';

beforeAll(async () => {
  if (skip) {
    return;
  }
  const bundle = await build({
    entryPoints: [here('./browser/page.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // What a browser bundler picks through package.json `imports`: msw's handlers, no server.
    plugins: [packageImportsFromSource(['browser'])],
  });
  const script = bundle.outputFiles[0]?.text ?? '';
  const require = createRequire(import.meta.url);
  const worker = readFileSync(require.resolve('msw/mockServiceWorker.js'), 'utf8');
  server = createServer((req, res) => {
    if (req.url === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (req.url === '/mockServiceWorker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(worker);
    } else {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><script type="module" src="/app.js"></script>');
    }
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe.skipIf(skip)('in headless Chromium with msw setupWorker', () => {
  it('a page gets mocked tokens from the mock handlers', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(origin);
      const handle = await page.waitForFunction(
        () => (globalThis as { __keywayResult?: unknown }).__keywayResult,
        null,
        {
          timeout: 30_000,
        },
      );
      const result = (await handle.jsonValue()) as {
        issuer: string;
        status: number;
        tokens: { access_token: string; token_type: string };
        validation: { valid: boolean; client_id: string };
        calls: string[];
      };
      expect(errors).toEqual([]);
      expect(result.issuer).toBe('https://keyway.test');
      expect(result.status).toBe(200);
      expect(result.tokens.token_type).toBe('Bearer');
      expect(result.tokens.access_token.split('.')).toHaveLength(3);
      expect(result.validation).toMatchObject({ valid: true, client_id: 'test-client' });
      expect(result.calls).toEqual(['getOpenIdConfiguration', 'token', 'validateToken']);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
