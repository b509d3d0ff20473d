// The person's step of a sync script's code flow, in a real headless Chromium: opens the authorization
// URL (argv[2]), lets the provider sign the user in and redirect, and prints the URL the browser was sent
// back to (the redirect URI, argv[3]). Nothing listens there: the browser's request to it is all we need
// (a redirect is not routed by Playwright, so the request is watched, and the failed load ignored).
import { launchChromium } from '@keyway/test-support';

const [authorizationUrl, redirectUri] = process.argv.slice(2);
const browser = await launchChromium();
try {
  const page = await browser.newPage();
  let callback;
  page.on('request', (request) => {
    if (request.url().startsWith(`${redirectUri}?`)) {
      callback ??= request.url();
    }
  });
  // The load ends (in an error: nothing listens at the redirect URI) after the request to it was made.
  await page.goto(authorizationUrl).catch(() => undefined);
  if (callback === undefined) {
    throw new Error(`The browser was not sent back to ${redirectUri}; it ended at ${page.url()}.`);
  }
  process.stdout.write(callback);
} finally {
  await browser.close();
}
