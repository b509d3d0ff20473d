/** Options of {@link completeAuthorization}. */
export interface CompleteAuthorizationOptions {
  /**
   * The `fetch` that reaches the mock: `mock.fetch` for a mock served in-process. Default: the global
   * `fetch`, for a mock that `listen()`s or `keyway-mock-server` (a browser's global `fetch` hides
   * redirects: pass `mock.fetch` there).
   */
  fetch?: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
}

/**
 * Completes an authorization against the mock as a browser would: opens the authorization URL, where
 * the mock signs its user in at once (the first user, or whoever `mock.signInAs()` names) or refuses
 * (`mock.denyAuthorization()`), and follows the redirect it answers with. Resolves to the URL the
 * browser is sent to — the client's redirect URI with `code`, `state` and `iss`, or with `error` —
 * without loading it: hand it to `handleCallback()`. Rejects when the mock answers without a
 * redirect (an unknown client, a redirect URI it does not accept), with its status and answer.
 *
 * Any URL of the mock that redirects back to the app works the same way: an end-session URL with a
 * `post_logout_redirect_uri` resolves to that URI.
 *
 * @example
 * ```ts
 * import { discover } from '@keyway/core';
 * import { completeAuthorization, createMockKeyway } from '@keyway/mocks';
 *
 * const mock = createMockKeyway();
 * const client = await discover(mock.issuer, {
 *   clientId: 'test-public-client',
 *   redirectUri: 'http://127.0.0.1/callback',
 *   fetch: mock.fetch,
 * });
 * const request = await client.createAuthorizationUrl({ scope: 'openid offline_access' });
 * const callback = await completeAuthorization(request.url, { fetch: mock.fetch });
 * const tokens = await client.handleCallback(callback, request); // a real code, redeemed with PKCE
 * ```
 */
export async function completeAuthorization(
  authorizationUrl: string | URL,
  options: CompleteAuthorizationOptions = {},
): Promise<URL> {
  const followed = await followAuthorization(authorizationUrl, options);
  if (followed instanceof URL) {
    return followed;
  }
  if (formPostPage(followed.html)) {
    throw new Error(
      `${shown(followed.url)} answered with a form_post page (response_mode=form_post): use completeAuthorizationCallback(), which resolves to the POST the browser sends.`,
    );
  }
  throw notARedirect(followed, 'a redirect');
}

/** What the mock answered instead of a redirect: the page (empty where the fetch hides it) and how. */
interface NoRedirect {
  url: URL;
  status: number;
  /** The fetch followed no redirect and showed none either (a browser's `redirect: 'manual'`). */
  opaque: boolean;
  html: string;
}

/**
 * Opens the authorization URL without following its redirect: resolves to the redirect's target, or to
 * what was answered instead. The first step of {@link completeAuthorization} and
 * {@link completeAuthorizationCallback}.
 */
async function followAuthorization(
  authorizationUrl: string | URL,
  options: CompleteAuthorizationOptions,
): Promise<URL | NoRedirect> {
  const url = new URL(authorizationUrl);
  const fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location !== null) {
    await response.body?.cancel();
    return new URL(location, url);
  }
  const opaque = response.type === 'opaqueredirect';
  return { url, status: response.status, opaque, html: opaque ? '' : await response.text() };
}

/** The URL as an error may show it: origin and path, never the query (it carries state and a PKCE challenge). */
const shown = (url: URL) => `${url.origin}${url.pathname}`;

function notARedirect(answer: NoRedirect, expected: string): Error {
  return new Error(
    `${shown(answer.url)} answered ${answer.status} instead of ${expected}` +
      (answer.opaque ? ' (this fetch hides redirects: pass `fetch: mock.fetch`)' : '') +
      (answer.html ? `: ${answer.html.slice(0, 500)}` : ''),
  );
}

const formPostPage = (html: string) => /<form method="post" action="/.test(html);

function unescapeHtml(value: string): string {
  return value.replace(/&#(\d+);/g, (_match, code: string) => String.fromCharCode(Number(code)));
}

/**
 * Like {@link completeAuthorization}, but resolves to the `Request` the browser then sends to the
 * client's redirect URI: a `GET` of the redirect URL, or, with `response_mode=form_post`, the `POST`
 * of the mock's form (`application/x-www-form-urlencoded`: `code`, `state`, `iss`, or `error`). Hand it
 * to `handleCallback()`, or send it to a callback server.
 *
 * @example
 * ```ts
 * import { discover } from '@keyway/core';
 * import { completeAuthorizationCallback, createMockKeyway } from '@keyway/mocks';
 *
 * const mock = createMockKeyway();
 * const client = await discover(mock.issuer, {
 *   clientId: 'test-client',
 *   clientSecret: 'test-secret',
 *   redirectUri: 'https://app.example.com/callback',
 *   fetch: mock.fetch,
 * });
 * const request = await client.createAuthorizationUrl({
 *   scope: 'openid',
 *   extraParams: { response_mode: 'form_post' },
 * });
 * const callback = await completeAuthorizationCallback(request.url, { fetch: mock.fetch });
 * const tokens = await client.handleCallback(callback, request); // reads the POSTed form
 * ```
 */
export async function completeAuthorizationCallback(
  authorizationUrl: string | URL,
  options: CompleteAuthorizationOptions = {},
): Promise<Request> {
  const followed = await followAuthorization(authorizationUrl, options);
  if (followed instanceof URL) {
    return new Request(followed);
  }
  const action = /<form method="post" action="([^"]*)">/.exec(followed.html)?.[1];
  if (followed.status !== 200 || action === undefined) {
    throw notARedirect(followed, 'a redirect or a form_post page');
  }
  const body = new URLSearchParams();
  for (const [, name = '', value = ''] of followed.html.matchAll(
    /<input type="hidden" name="([^"]*)" value="([^"]*)">/g,
  )) {
    body.append(unescapeHtml(name), unescapeHtml(value));
  }
  return new Request(new URL(unescapeHtml(action), followed.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}
