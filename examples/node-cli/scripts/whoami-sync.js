// @ts-check
// The question bin/kw-whoami.js asks, from synchronous code: each call blocks until its answer is
// there (a worker thread does the HTTP): no async function, no promise, as in any synchronous code.
// The token: KEYWAY_TOKEN, else the stored login (refreshed when needed), else a login at a terminal;
// in CI or without a terminal, exit 3 with a message that says how to provide one.
import { authenticateSync, createKeywaySyncClient } from '@keyway/node';
import { fail, printResult, settings } from '../lib/cli.js';

try {
  const { issuer, clientId, apiUrl } = settings();
  const token = authenticateSync({ issuer, clientId });
  const keyway = createKeywaySyncClient({ baseUrl: apiUrl, token: token.access_token });
  printResult(keyway.validation.verify());
} catch (error) {
  fail('whoami-sync', error);
}
