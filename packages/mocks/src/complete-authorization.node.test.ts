import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { completeAuthorization, createMockKeyway, type MockServer } from './index.js';

const mock = createMockKeyway();
let server: MockServer;
beforeAll(async () => {
  server = await mock.listen();
});
afterAll(async () => {
  await server?.close();
});

it('reaches a listening mock with the global fetch and stops at the redirect to the (closed) loopback callback', async () => {
  const url = new URL(`${server.url}/oauth/authorize`);
  url.search = new URLSearchParams({
    client_id: 'test-public-client',
    response_type: 'code',
    // Nothing listens there: following the redirect would fail.
    redirect_uri: 'http://127.0.0.1:1/callback',
    code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
    code_challenge_method: 'S256',
  }).toString();
  const callback = await completeAuthorization(url);
  expect(`${callback.origin}${callback.pathname}`).toBe('http://127.0.0.1:1/callback');
  expect(callback.searchParams.get('code')).toMatch(/^ac_/);
  expect(callback.searchParams.get('iss')).toBe(server.url);
});
