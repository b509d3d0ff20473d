import { describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, chromiumPath, DEFAULT_CHROMIUM_PATH, launchChromium } from './chromium.ts';

describe('chromiumPath', () => {
  it('is CHROMIUM_PATH when set, else Debian’s /usr/bin/chromium', () => {
    expect(chromiumPath({ CHROMIUM_PATH: '/opt/chromium/chrome' })).toBe('/opt/chromium/chrome');
    expect(chromiumPath({})).toBe('/usr/bin/chromium');
    expect(chromiumPath({ CHROMIUM_PATH: '' })).toBe(DEFAULT_CHROMIUM_PATH);
  });
});

describe('launchChromium', () => {
  it('refuses a missing binary with how to install it', async () => {
    await expect(launchChromium({ executablePath: '/nonexistent/chromium' })).rejects.toThrow(
      'Chromium not found at /nonexistent/chromium: install it with `apt-get install -y chromium` or set CHROMIUM_PATH.',
    );
  });

  it('says why a binary that cannot start did not, keeping the cause', async () => {
    const error = await launchChromium({ executablePath: '/bin/false', timeout: 10_000 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^Chromium cannot start from \/bin\/false \(.+\): install it with/s);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('starts headless Chromium with the shared flags, which renders a page', async () => {
    expect(CHROMIUM_ARGS).toEqual([
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ]);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setContent('<title>ok</title><p id="p">2</p>');
      expect(await page.title()).toBe('ok');
      expect(await page.evaluate(() => Number(document.getElementById('p')?.textContent) * 21)).toBe(42);
    } finally {
      await browser.close();
    }
  });
});
