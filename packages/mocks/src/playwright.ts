/**
 * `@keyway/mocks/playwright`: a page of your app signed in through the mock, in one line. Works with
 * Playwright's own `Page` and `BrowserContext` (from `@playwright/test` or `playwright-core`) without
 * importing either: the helpers only call `newPage()`, `goto()` and `url()`.
 *
 * @example
 * ```ts
 * import { createMockKeyway } from '@keyway/mocks';
 * import { type BrowserContextLike, type PageLike, signedInPage } from '@keyway/mocks/playwright';
 *
 * declare const context: BrowserContextLike<PageLike>; // Playwright's `context` fixture
 *
 * const mock = createMockKeyway();
 * const server = await mock.listen(); // the app under test uses server.url as its issuer
 * const page = await signedInPage(context, mock, { url: 'http://127.0.0.1:3000/login', user: 'usr_2' });
 * ```
 *
 * @packageDocumentation
 */
import type { MockKeyway } from './create-mock-keyway.js';
import type { MockUser } from './types.js';

/** What {@link signedInPage} needs of a Playwright `Page`. */
export interface PageLike {
  goto(url: string, options?: { waitUntil?: 'load' }): Promise<unknown>;
  url(): string;
}

/** What {@link signedInPage} needs of a Playwright `BrowserContext`. */
export interface BrowserContextLike<P extends PageLike> {
  newPage(): Promise<P>;
}

/** Options of {@link signedInPage}. */
export interface SignedInPageOptions {
  /** The app's URL that starts its sign-in (it redirects to the mock's authorize endpoint). */
  url: string;
  /** Who signs in: a `sub` of a known user, or a new user (default: the mock's signed-in user). */
  user?: string | MockUser;
}

/**
 * Opens a new page in `context` at the app's sign-in `url` and lets the code flow run: the app sends
 * the browser to the mock (which must `listen()`), the mock signs `user` in at once and sends it back,
 * and the app completes its login. Resolves to the page once it has landed back on the app; rejects
 * when it ends on the mock, or back on the app with an OAuth `error` (e.g. after
 * `mock.denyAuthorization()`).
 *
 * @example
 * ```ts
 * import { createMockKeyway } from '@keyway/mocks';
 * import { type BrowserContextLike, type PageLike, signedInPage } from '@keyway/mocks/playwright';
 *
 * declare const context: BrowserContextLike<PageLike>; // Playwright's `context` fixture
 *
 * const mock = createMockKeyway();
 * await mock.listen();
 * const page = await signedInPage(context, mock, { url: 'http://127.0.0.1:3000/login' });
 * console.log(page.url()); // the app's page after sign-in
 * ```
 */
export async function signedInPage<P extends PageLike>(
  context: BrowserContextLike<P>,
  mock: MockKeyway,
  options: SignedInPageOptions,
): Promise<P> {
  if (typeof options?.url !== 'string' || !URL.canParse(options.url)) {
    throw new TypeError('@keyway/mocks/playwright: signedInPage() needs the absolute URL that starts sign-in.');
  }
  if (options.user !== undefined) {
    mock.signInAs(options.user);
  }
  const page = await context.newPage();
  await page.goto(options.url, { waitUntil: 'load' });
  const landed = new URL(page.url());
  if (`${landed.origin}${landed.pathname}`.startsWith(mock.issuer)) {
    throw new Error(`@keyway/mocks/playwright: sign-in stopped at the mock (${landed.origin}${landed.pathname}).`);
  }
  const error = landed.searchParams.get('error');
  if (error !== null) {
    throw new Error(
      `@keyway/mocks/playwright: sign-in ended with error=${error} at ${landed.origin}${landed.pathname}.`,
    );
  }
  return page;
}
