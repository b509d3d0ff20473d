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

  it('starts headless Chromium with the shared flags, then the caller’s, which renders a page', async () => {
    expect(Object.isFrozen(CHROMIUM_ARGS)).toBe(true);
    const browser = await launchChromium({ args: ['--user-agent=keyway-test-agent'] });
    try {
      const version = await browser.newPage();
      await version.goto('chrome://version');
      // Chromium's own record of how it was started.
      expect(await version.locator('#command_line').textContent()).toContain(
        ` ${[...CHROMIUM_ARGS, '--user-agent=keyway-test-agent'].join(' ')} `,
      );
      expect(await version.evaluate(() => navigator.userAgent)).toBe('keyway-test-agent');
      const page = await browser.newPage();
      await page.setContent('<title>ok</title><p id="p">2</p>');
      expect(await page.title()).toBe('ok');
      expect(await page.evaluate(() => Number(document.getElementById('p')?.textContent) * 21)).toBe(42);
    } finally {
      await browser.close();
    }
  });
});
