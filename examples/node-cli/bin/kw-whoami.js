#!/usr/bin/env node
// @ts-check
// kw-whoami: asks the Keyway API whom this tool's token belongs to (GET /api/v1/validate) and prints the
// answer as JSON. The token comes from, in this order:
//   KEYWAY_CLIENT_SECRET set  -> client credentials (a service, not a person; nothing is stored)
//   KEYWAY_TOKEN set          -> that token, as is
//   a stored login            -> refreshed when needed (`keyway login` or an earlier run stored it)
//   a terminal                -> a browser login, or a device code on a headless box or over SSH
//   CI, cron, no terminal     -> exit 3 with a message that says how to provide a token
import { createKeywayClient, discover } from '@keyway/core';
import { authenticate } from '@keyway/node';
import { fail, printResult, settings } from '../lib/cli.js';

/** @param {import('../lib/cli.js').Settings} config */
async function accessToken({ issuer, clientId }) {
  const clientSecret = process.env.KEYWAY_CLIENT_SECRET;
  if (clientSecret) {
    const client = await discover(issuer, { clientId, clientSecret });
    return (await client.clientCredentials()).access_token;
  }
  return (await authenticate({ issuer, clientId })).access_token;
}

try {
  const config = settings();
  const keyway = createKeywayClient({ baseUrl: config.apiUrl, token: await accessToken(config) });
  printResult(await keyway.validation.verify());
} catch (error) {
  fail('kw-whoami', error);
}
