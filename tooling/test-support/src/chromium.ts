import { existsSync } from 'node:fs';
import type { Browser, LaunchOptions } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. The suites never download one of their own. */
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * The flags every suite starts Chromium with: headless, no sandbox (containers run as root), no GPU,
 * `/tmp` instead of a small `/dev/shm`, and nothing that reaches the network on its own.
 */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]);

/** The Chromium the suites run: `CHROMIUM_PATH` when set, else {@link DEFAULT_CHROMIUM_PATH}. */
export function chromiumPath(env: Record<string, string | undefined> = process.env): string {
  return env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

/**
 * Launches headless Chromium through playwright-core: the binary at {@link chromiumPath} (or
 * `options.executablePath`) with {@link CHROMIUM_ARGS} plus `options.args`. Rejects with an error that
 * says how to install it when the binary is missing or does not start: a browser test fails, never skips.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? chromiumPath();
  const help = 'install it with `apt-get install -y chromium` or set CHROMIUM_PATH';
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: ${help}.`);
  }
  // Loaded here, not at the top: every vitest.config.ts imports this package for its reporters.
  const { chromium } = await import('playwright-core');
  try {
    return await chromium.launch({ ...options, executablePath, args: [...CHROMIUM_ARGS, ...(options.args ?? [])] });
  } catch (cause) {
    throw new Error(`Chromium cannot start from ${executablePath} (${(cause as Error).message}): ${help}.`, {
      cause,
    });
  }
}
