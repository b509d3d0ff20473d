// A synchronous script: the whole code flow, a refresh, a token exchange and an introspection through
// discoverSync, without a single await. The person's step runs in a child process, synchronously too:
// with LOGIN_WITH=chromium a real headless Chromium opens the authorization URL and comes back to the
// redirect URI (chromium-login.mjs); otherwise a child `node` follows the mock's authorize redirect.
// It never exits explicitly: the idle twin must let it end.
import { execFileSync } from 'node:child_process';
import { discoverSync } from '@keyway/node';

const issuer = process.env.ISSUER;
const app = discoverSync(issuer, { clientId: 'test-public-client', redirectUri: 'http://127.0.0.1:53682/callback' });
const request = app.createAuthorizationUrl({ scope: 'openid offline_access' });
const redirectUri = 'http://127.0.0.1:53682/callback';
const callback = (
  process.env.LOGIN_WITH === 'chromium'
    ? execFileSync(process.execPath, [
        new URL('./chromium-login.mjs', import.meta.url).pathname,
        request.url.href,
        redirectUri,
      ])
    : execFileSync(process.execPath, [
        '--input-type=module',
        '-e',
        `const r = await fetch(${JSON.stringify(request.url.href)}, { redirect: 'manual' }); process.stdout.write(r.headers.get('location'));`,
      ])
).toString();
const tokens = app.handleCallback(callback, request);
const fresh = app.refresh(tokens);

const service = discoverSync(issuer, { clientId: 'test-client', clientSecret: 'test-secret' });
const exchanged = service.tokenExchange({
  subjectToken: fresh.access_token,
  subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
});
const introspection = service.introspect(exchanged.access_token);

process.stdout.write(
  JSON.stringify({
    sub: tokens.claims?.sub ?? null,
    refreshedSameSub: fresh.claims?.sub === tokens.claims?.sub,
    rotated: fresh.access_token !== tokens.access_token,
    exchangedType: exchanged.issued_token_type,
    active: introspection.active,
  }),
);
