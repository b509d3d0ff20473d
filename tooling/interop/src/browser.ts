import { launchChromium } from '@keyway/test-support';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { users } from './accounts.ts';

/** A user the provider knows, by login name. */
export type UserName = keyof typeof users;
export type Decision = 'approve' | 'deny';

export interface LoginOptions {
  user: UserName;
  /** Defaults to the user's password (devInteractions accepts any). */
  password?: string;
  /** What to answer on the consent page (default `approve`). */
  consent?: Decision;
}

/** One browser profile (cookies persist across calls): a user's provider session. */
export interface BrowserSession {
  /**
   * Opens the authorization URL, signs in and answers consent as the pages ask, and resolves to the
   * URL the provider sent the browser back to (the client's redirect URI with `code` or `error`).
   */
  login(authorizationUrl: string | URL, options: LoginOptions): Promise<URL>;
  /** Opens the verification URI (or enters `userCode` there), signs in and approves or aborts. */
  approveDevice(verificationUri: string, user: UserName, decision: Decision, userCode?: string): Promise<void>;
  /**
   * Opens an RP-initiated logout URL, which must show the provider's sign-out confirmation, confirms
   * it, and resolves to the URL the provider sent the browser back to (the post-logout redirect URI).
   */
  logout(endSessionUrl: string | URL): Promise<URL>;
  /** The page, for checks a helper does not cover. */
  page: Page;
  close(): Promise<void>;
}

export interface InteropBrowser {
  /** A fresh profile: no provider session yet. */
  newSession(): Promise<BrowserSession>;
  /** `newSession().login(...)`, closing the profile afterwards. */
  login(authorizationUrl: string | URL, options: LoginOptions): Promise<URL>;
  /** `newSession().approveDevice(...)`, closing the profile afterwards. */
  approveDevice(verificationUri: string, user: UserName, decision: Decision, userCode?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Launches Debian's headless Chromium (`CHROMIUM_PATH`, else /usr/bin/chromium; the suite never
 * downloads a browser of its own). When it is missing or cannot start, this still resolves, but every
 * browser step then rejects with the reason: each browser test fails on its own (loudly, with
 * `apt-get install -y chromium` in the message) instead of being skipped behind a failed hook.
 */
export async function launchBrowser(): Promise<InteropBrowser> {
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    const fail = () => Promise.reject(error);
    return { newSession: fail, login: fail, approveDevice: fail, close: () => Promise.resolve() };
  }
  const once = async <T>(run: (session: BrowserSession) => Promise<T>): Promise<T> => {
    const session = await openSession(browser);
    try {
      return await run(session);
    } finally {
      await session.close();
    }
  };
  return {
    newSession: () => openSession(browser),
    login: (url, options) => once((session) => session.login(url, options)),
    approveDevice: (uri, user, decision, userCode) =>
      once((session) => session.approveDevice(uri, user, decision, userCode)),
    close: () => browser.close(),
  };
}

async function openSession(browser: Browser): Promise<BrowserSession> {
  const context = await browser.newContext();
  await offline(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return {
    page,
    login: (url, options) => login(page, new URL(url), options),
    approveDevice: (uri, user, decision, userCode) => approveDevice(page, uri, user, decision, userCode),
    logout: (url) => logout(page, new URL(url)),
    close: () => context.close(),
  };
}

/** Only loopback is reachable: the provider's pages @import a web font that must not stall a load. */
async function offline(context: BrowserContext): Promise<void> {
  await context.route(
    (url) => url.hostname !== '127.0.0.1',
    (route) => route.abort('blockedbyclient'),
  );
}

const MAX_STEPS = 8;

/** The title of oidc-provider's self-submitting `form_post` page. */
const FORM_POST_TITLE = 'Submitting Callback';

async function login(page: Page, authorizationUrl: URL, options: LoginOptions): Promise<URL> {
  const provider = authorizationUrl.origin;
  await page.goto(authorizationUrl.href);
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const current = new URL(page.url());
    if (current.origin !== provider) {
      return current;
    }
    // response_mode=form_post: the provider's page POSTs itself to the client once loaded (a title
    // that cannot be read means that navigation is under way).
    if ((await page.title().catch(() => FORM_POST_TITLE)) === FORM_POST_TITLE) {
      await page.waitForURL((url) => url.origin !== provider, { waitUntil: 'load' });
      continue;
    }
    if (await exists(page, 'input[name="login"]')) {
      await signIn(page, options);
    } else if (await exists(page, 'input[name="prompt"][value="consent"]')) {
      if ((options.consent ?? 'approve') === 'approve') {
        await navigate(page, () => page.click('button[type="submit"]'));
      } else {
        await navigate(page, () => page.click('a:has-text("Cancel")'));
      }
    } else {
      throw new Error(`unexpected provider page ${current.pathname}: ${await describe(page)}`);
    }
  }
  throw new Error(`login did not return to the client after ${MAX_STEPS} pages`);
}

async function approveDevice(
  page: Page,
  verificationUri: string,
  user: UserName,
  decision: Decision,
  userCode?: string,
): Promise<void> {
  await page.goto(verificationUri);
  for (let step = 0; step < MAX_STEPS; step += 1) {
    const title = await page.title();
    if (title === 'Sign-in Success') {
      if (decision === 'deny') {
        throw new Error('the device was approved although the user aborted');
      }
      return;
    }
    if (await exists(page, 'input[name="user_code"]:not([type="hidden"])')) {
      if (await exists(page, 'p.red')) {
        const message = await page.textContent('p.red');
        if (decision === 'deny' && message?.includes('interrupted')) {
          return;
        }
        throw new Error(`device verification failed: ${message}`);
      }
      if (!userCode) {
        throw new Error('the provider asks for the user code but none was given');
      }
      await page.fill('input[name="user_code"]', userCode);
      await navigate(page, () => page.click('button[type="submit"]'));
    } else if (await exists(page, 'button[name="abort"]')) {
      const button = decision === 'approve' ? 'button[autofocus]' : 'button[name="abort"]';
      await navigate(page, () => page.click(button));
    } else if (await exists(page, 'input[name="login"]')) {
      await signIn(page, { user });
    } else if (await exists(page, 'input[name="prompt"][value="consent"]')) {
      await navigate(page, () => page.click('button[type="submit"]'));
    } else {
      throw new Error(`unexpected device page ${new URL(page.url()).pathname}: ${await describe(page)}`);
    }
  }
  throw new Error(`device approval did not finish after ${MAX_STEPS} pages`);
}

async function logout(page: Page, endSessionUrl: URL): Promise<URL> {
  await page.goto(endSessionUrl.href);
  if (!(await exists(page, 'button[name="logout"]'))) {
    throw new Error(`the provider did not ask to confirm the logout: ${await describe(page)}`);
  }
  await navigate(page, () => page.click('button[name="logout"]'));
  const landed = new URL(page.url());
  if (landed.origin === endSessionUrl.origin) {
    throw new Error(`the logout stayed on the provider: ${await describe(page)}`);
  }
  return landed;
}

async function signIn(page: Page, options: LoginOptions): Promise<void> {
  await page.fill('input[name="login"]', users[options.user].sub);
  await page.fill('input[name="password"]', options.password ?? users[options.user].password);
  await navigate(page, () => page.click('button[type="submit"]'));
}

/** Runs an action that submits a form or follows a link, and waits for the next document to load. */
async function navigate(page: Page, action: () => Promise<void>): Promise<void> {
  const loaded = page.waitForEvent('load');
  await action();
  await loaded;
}

async function exists(page: Page, selector: string): Promise<boolean> {
  return (await page.locator(selector).count()) > 0;
}

async function describe(page: Page): Promise<string> {
  const text = (await page.textContent('body')) ?? '';
  return `"${await page.title()}" ${text.replace(/\s+/g, ' ').trim().slice(0, 300)}`;
}
