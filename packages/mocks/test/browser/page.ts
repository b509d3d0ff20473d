// Bundled for the browser by browser.node.test.ts: a page that mocks Keyway with msw's setupWorker.
import { setupWorker } from 'msw/browser';
import { createMockKeyway } from '../../src/index.js';
import { mswHandlers } from '../../src/msw.js';

const mock = createMockKeyway();
const worker = setupWorker(...mswHandlers(mock));
await worker.start({ serviceWorker: { url: '/mockServiceWorker.js' }, quiet: true, onUnhandledRequest: 'bypass' });

const metadata = (await (await fetch(`${mock.issuer}/.well-known/openid-configuration`)).json()) as {
  issuer: string;
  token_endpoint: string;
};
const tokenResponse = await fetch(metadata.token_endpoint, {
  method: 'POST',
  headers: {
    authorization: `Basic ${btoa('test-client:test-secret')}`,
    'content-type': 'application/x-www-form-urlencoded',
  },
  body: 'grant_type=client_credentials&scope=api:read',
});
const tokens = (await tokenResponse.json()) as { access_token: string; token_type: string; expires_in: number };
const validation = await (
  await fetch(`${mock.issuer}/api/v1/validate`, { headers: { authorization: `Bearer ${tokens.access_token}` } })
).json();

(globalThis as { __keywayResult?: unknown }).__keywayResult = {
  issuer: metadata.issuer,
  status: tokenResponse.status,
  tokens,
  validation,
  calls: mock.calls.map((call) => call.route),
};
