#!/usr/bin/env node
// @ts-check
// `pnpm demo`: starts the fake Keyway server on 127.0.0.1 (port 0) and drives every flow of the SDK
// against it over real HTTP — the typed service client, discovery, client credentials, the device
// flow, the code flow with PKCE, refresh, token exchange, introspection, revocation, userinfo,
// logout, and the token lifecycle. Prints what it did; exits non-zero on the first failure.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AuthenticationError,
  authFetch,
  createKeywayClient,
  createTokenSource,
  DeviceFlowError,
  discover,
  KeywayApiError,
  KeywayConnectionError,
  OAuthError,
} from '@keyway/core';
import { withAuth } from '@keyway/edge';
import { completeAuthorization, createMockKeyway } from '@keyway/mocks';
import { tokenKey } from '@keyway/token-store';
import { FileTokenStore } from '@keyway/token-store/file';

const mock = createMockKeyway({ deviceInterval: 0 });
const server = await mock.listen();
const issuer = mock.issuer;
const tmp = await mkdtemp(join(tmpdir(), 'keyway-demo-'));
let step = 0;

/** @param {unknown} token */
const short = (token) => (typeof token === 'string' ? `${token.slice(0, 12)}… (${token.length} chars)` : String(token));
/** @param {unknown} condition @param {string} what @returns {asserts condition} */
function check(condition, what) {
  if (!condition) {
    throw new Error(`check failed: ${what}`);
  }
}
/**
 * Awaits a promise that must reject with an error of `errorClass` (checked with its brand-based `is()`).
 * @template {abstract new (...args: never[]) => Error} C
 * @param {Promise<unknown>} promise
 * @param {C & { is(value: unknown): boolean }} errorClass
 * @returns {Promise<InstanceType<C>>}
 */
async function rejection(promise, errorClass) {
  try {
    await promise;
  } catch (error) {
    if (errorClass.is(error)) {
      return /** @type {InstanceType<C>} */ (error);
    }
    throw error;
  }
  throw new Error(`check failed: expected a ${errorClass.name}, but the call succeeded`);
}
/** @param {string} title @param {() => Promise<string[]>} fn */
async function run(title, fn) {
  step += 1;
  const lines = await fn();
  console.log(`✓ ${String(step).padStart(2)}. ${title}`);
  for (const line of lines ?? []) {
    console.log(`      ${line}`);
  }
}

console.log(`Keyway demo — fake Keyway server listening at ${issuer}\n`);

try {
  // ---- The typed service client (token-manager API) ----
  const keyway = createKeywayClient({ baseUrl: issuer, token: mock.apiToken, timeout: 5_000 });

  await run('validation.verify(): the service accepts our bearer token', async () => {
    const result = await keyway.validation.verify();
    check(result.valid === true, 'token is valid');
    return [`valid=${result.valid} sub=${result.sub ?? '-'} client_id=${result.client_id ?? '-'}`];
  });

  await run('access.retrieve(): an access token for a persistent token id', async () => {
    const id = mock.seed.persistentToken({ sub: 'usr_test', scope: 'api:read' });
    const result = await keyway.access.retrieve({ id });
    check(typeof result.access_token === 'string' && result.expires_in > 0, 'token and expiry');
    return [`id=${id} → access_token ${short(result.access_token)}, expires_in=${result.expires_in}`];
  });

  await run('503 then success: a safe GET is retried with backoff', async () => {
    const id = mock.seed.persistentToken({ sub: 'usr_test' });
    const failure = mock.fail('retrieveAccessToken', { status: 503, times: 1 });
    const result = await keyway.access.retrieve({ id });
    check(failure.hits === 1 && typeof result.access_token === 'string', 'one 503, then the token');
    return [`503 answered ${failure.hits}×, then 200`];
  });

  const oauth = await discover(issuer, { clientId: 'test-client', clientSecret: 'test-secret' });
  await run('refresh.store(): hand a refresh token to the token manager', async () => {
    const publicClient = await discover(issuer, {
      clientId: 'test-public-client',
      redirectUri: 'http://127.0.0.1/callback',
    });
    const request = await publicClient.createAuthorizationUrl({ scope: 'openid offline_access' });
    const tokens = await publicClient.handleCallback(await completeAuthorization(request.url), request);
    const refreshToken = tokens.refresh_token;
    check(typeof refreshToken === 'string', 'code flow gave a refresh token');
    const result = await keyway.refresh.store({ refresh_token: refreshToken });
    check(typeof result.id === 'string', 'an id');
    const retrieved = await keyway.access.retrieve({ id: result.id });
    check(typeof retrieved.access_token === 'string', 'retrievable');
    return [`stored → id=${result.id}; access.retrieve → ${short(retrieved.access_token)}`];
  });

  await run('offline.requestConsent() → consent page → offline.callback() → offline.revoke()', async () => {
    const consent = await keyway.offline.requestConsent({
      client_id: 'test-client',
      user_id: 'usr_test',
      redirect_uri: 'http://127.0.0.1/callback',
    });
    const back = await completeAuthorization(consent.consent_url);
    const result = await keyway.offline.callback({
      code: back.searchParams.get('code') ?? '',
      state: back.searchParams.get('state') ?? consent.state,
    });
    const token = await keyway.access.retrieve({ id: result.persistent_token_id });
    const revoked = await keyway.offline.revoke({ id: result.persistent_token_id });
    check(revoked.revoked === true, 'revoked');
    const refused = await rejection(keyway.access.retrieve({ id: result.persistent_token_id }), KeywayApiError);
    const afterRevoke = `${refused.name} ${refused.status}`;
    return [
      `consent_url=${consent.consent_url}`,
      `persistent_token_id=${result.persistent_token_id} → ${short(token.access_token)}; revoked → retrieve gives ${afterRevoke}`,
    ];
  });

  await run('externalTokens.list() / retrieve(), and a provider that needs re-consent', async () => {
    mock.seed.externalToken('usr_test', 'github', { access_token: 'gho_demo_token', scope: 'repo' });
    mock.seed.externalToken('usr_test', 'google', { reconsent: true });
    const list = await keyway.externalTokens.list();
    const github = await keyway.externalTokens.retrieve({ provider: 'github' });
    const reconsent = await rejection(keyway.externalTokens.retrieve({ provider: 'google' }), AuthenticationError);
    check(reconsent.code === 'reconsent_required', 'google asks for re-consent');
    const google = `${reconsent.name} code=${reconsent.code} status=${reconsent.status}`;
    return [
      `list → ${JSON.stringify(list).slice(0, 90)}…`,
      `github → ${short(github.access_token)}`,
      `google → ${google}`,
    ];
  });

  await run('setToken(): an unknown token is reported invalid, then a good one is valid again', async () => {
    keyway.setToken('not-a-keyway-token');
    const wrong = await keyway.validation.verify();
    check(wrong.valid === false, 'an unknown token is not valid');
    const listRefused = await rejection(keyway.externalTokens.list(), AuthenticationError);
    keyway.setToken(mock.apiToken);
    check((await keyway.validation.verify()).valid === true, 'valid again');
    return [
      `unknown token → validate valid=${wrong.valid}; external-tokens → ${listRefused.name} ${listRefused.status} (request id ${listRefused.requestId})`,
      'restored → valid=true',
    ];
  });

  // ---- OAuth / OIDC ----
  await run('discover(): OIDC metadata from the issuer', async () => {
    check(oauth.metadata.issuer === issuer, 'the issuer in the metadata is the one asked for');
    return [
      `issuer=${oauth.metadata.issuer}`,
      `token_endpoint=${oauth.metadata.token_endpoint}`,
      `grant_types=${(oauth.metadata.grant_types_supported ?? []).join(' ')}`,
    ];
  });

  await run('client credentials grant', async () => {
    const ccTokens = await oauth.clientCredentials({ scope: 'api:read', resource: 'https://api.example.com' });
    check(typeof ccTokens.access_token === 'string', 'access token');
    // A resource server checks the RFC 9068 JWT access token against the issuer's JWKS.
    const claims = await oauth.verifyAccessToken(ccTokens.access_token, {
      audience: 'https://api.example.com',
      requiredScopes: ['api:read'],
    });
    check(claims.client_id === 'test-client', 'client_id claim');
    return [
      `access_token ${short(ccTokens.access_token)} token_type=${ccTokens.token_type} expires_at=${ccTokens.expires_at}`,
      `verifyAccessToken (RFC 9068): aud=${claims.aud} scope=${claims.scope} client_id=${claims.client_id}`,
    ];
  });

  await run('device flow (RFC 8628): authorize, user approves on another device, poll', async () => {
    const device = await oauth.deviceAuthorization({ scope: 'openid offline_access' });
    setTimeout(() => mock.approveDevice(device.user_code), 300);
    const tokens = await oauth.pollDeviceToken(device);
    check(typeof tokens.access_token === 'string', 'tokens after approval');
    const denied = await oauth.deviceAuthorization({ scope: 'openid' });
    mock.denyDevice(denied.user_code);
    const deniedCode = (await rejection(oauth.pollDeviceToken(denied), DeviceFlowError)).code;
    check(deniedCode === 'access_denied', `denied → access_denied (got ${deniedCode})`);
    return [
      `user_code=${device.user_code} verification_uri=${device.verification_uri}`,
      `approved → access_token ${short(tokens.access_token)}; denied → DeviceFlowError ${deniedCode}`,
    ];
  });

  /** @type {import('@keyway/core').TokenSet} */
  let codeTokens = { access_token: '', token_type: 'Bearer' };
  await run('authorization code + PKCE (S256), ID token validated', async () => {
    const client = await discover(issuer, {
      clientId: 'test-client',
      clientSecret: 'test-secret',
      redirectUri: 'http://127.0.0.1/callback',
    });
    const request = await client.createAuthorizationUrl({ scope: 'openid profile email offline_access' });
    check(request.url.searchParams.get('code_challenge_method') === 'S256', 'S256');
    codeTokens = await client.handleCallback(await completeAuthorization(request.url), request);
    check(typeof codeTokens.id_token === 'string' && codeTokens.claims?.sub === 'usr_test', 'ID token for usr_test');
    return [`id_token sub=${codeTokens.claims.sub} nonce checked; refresh_token ${short(codeTokens.refresh_token)}`];
  });

  await run('refresh with rotation; the rotated-out refresh token is refused', async () => {
    const refreshed = await oauth.refresh(codeTokens);
    check(refreshed.refresh_token && refreshed.refresh_token !== codeTokens.refresh_token, 'rotated');
    const reuse = (await rejection(oauth.refresh(codeTokens.refresh_token ?? ''), OAuthError)).error;
    check(reuse === 'invalid_grant', 'invalid_grant on reuse');
    return [`new refresh_token ${short(refreshed.refresh_token)}; reuse → OAuthError ${reuse}`];
  });

  await run('userinfo, token exchange (RFC 8693), introspection (RFC 7662), revocation (RFC 7009)', async () => {
    const fresh = await oauth.clientCredentials({ scope: 'openid' });
    const exchanged = await oauth.tokenExchange({
      subjectToken: fresh.access_token,
      subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
      audience: 'https://api.example.com',
    });
    const before = await oauth.introspect(exchanged.access_token);
    await oauth.revoke(exchanged.access_token);
    const after = await oauth.introspect(exchanged.access_token);
    check(before.active === true && after.active === false, 'active, then inactive');
    const device = await oauth.deviceAuthorization({ scope: 'openid profile email' });
    mock.approveDevice(device.user_code);
    const user = await oauth.pollDeviceToken(device);
    const info = await oauth.userinfo(user.access_token);
    check(info.sub === 'usr_test', 'userinfo sub');
    return [
      `exchanged → ${short(exchanged.access_token)}; introspect active=${before.active}, after revoke active=${after.active}`,
      `userinfo → sub=${info.sub} email=${info.email ?? '-'}`,
    ];
  });

  await run('end-session URL (RP-initiated logout)', async () => {
    const url = oauth.endSessionUrl({
      idTokenHint: codeTokens.id_token,
      postLogoutRedirectUri: 'http://127.0.0.1/bye',
    });
    const response = await fetch(url, { redirect: 'manual' });
    check(response.status < 500, 'the server accepts it');
    return [`${String(url).slice(0, 100)}… → HTTP ${response.status}`];
  });

  await run('wrong client secret → OAuthError invalid_client', async () => {
    const wrong = await discover(issuer, { clientId: 'test-client', clientSecret: 'wrong' });
    const refused = await rejection(wrong.clientCredentials(), OAuthError);
    check(!JSON.stringify(refused).includes('wrong') && !refused.message.includes('wrong'), 'no secret in the error');
    const code = refused.error;
    check(code === 'invalid_client', 'invalid_client');
    return [`OAuthError ${code} (the secret appears nowhere in the error)`];
  });

  // ---- Token lifecycle ----
  await run('token source on a FileTokenStore: 100 concurrent getToken() → one token request', async () => {
    const store = new FileTokenStore({ path: join(tmp, 'tokens.json') });
    const source = createTokenSource({
      client: oauth,
      grant: { type: 'client_credentials', scope: 'api:read' },
      store,
      key: tokenKey({ issuer, clientId: 'test-client', scope: 'api:read' }),
    });
    const before = mock.callsTo('token').length;
    const tokens = await Promise.all(Array.from({ length: 100 }, () => source.getToken()));
    const requests = mock.callsTo('token').length - before;
    check(requests === 1 && new Set(tokens.map((t) => t.access_token)).size === 1, 'single flight');
    return [`${requests} token request for 100 callers; persisted at ${join(tmp, 'tokens.json')}`];
  });

  await run('authFetch: bearer header, one retry with a fresh token on 401', async () => {
    const source = createTokenSource({ client: oauth, grant: { type: 'client_credentials', scope: 'api:read' } });
    const api = authFetch(source);
    const first = await api(`${issuer}/api/v1/external-tokens`);
    check(first.status === 200, `the API accepts the token (got ${first.status})`);
    // The server forgets every token it issued: the cached one is now refused with 401.
    mock.expireAll();
    const tokenRequests = mock.callsTo('token').length;
    const listCalls = mock.callsTo('listExternalTokens').length;
    const second = await api(`${issuer}/api/v1/external-tokens`);
    const retried = mock.callsTo('listExternalTokens').length - listCalls;
    const refreshed = mock.callsTo('token').length - tokenRequests;
    check(second.status === 200 && retried === 2 && refreshed === 1, 'one 401, one new token, one retry');
    return [
      `first call → ${first.status}; after expireAll(): 401, ${refreshed} new token, retried once → ${second.status}`,
    ];
  });

  await run('@keyway/edge withAuth: a resource server verifies the bearer (RFC 6750 refusals)', async () => {
    const audience = 'https://api.example.com';
    const handler = withAuth(async (_request, _env, _ctx, auth) => Response.json({ sub: auth.claims.sub }), {
      verifier: { issuer, audience },
      requiredScopes: ['api:read'],
    });
    const ctx = { waitUntil() {}, passThroughOnException() {} };
    const call = (/** @type {string | undefined} */ token) =>
      handler(
        new Request(`${audience}/things`, token ? { headers: { authorization: `Bearer ${token}` } } : {}),
        {},
        ctx,
      );
    const good = await oauth.clientCredentials({ scope: 'api:read', resource: audience });
    const ok = await call(good.access_token);
    const body = await ok.json();
    const missing = await call(undefined);
    const narrow = await oauth.clientCredentials({ scope: 'api:write', resource: audience });
    const forbidden = await call(narrow.access_token);
    check(ok.status === 200 && body.sub === 'test-client', 'a valid token passes');
    check(missing.status === 401 && forbidden.status === 403, '401 without a token, 403 without the scope');
    return [
      `valid token → ${ok.status} ${JSON.stringify(body)}`,
      `no token → ${missing.status} WWW-Authenticate: ${missing.headers.get('www-authenticate')}`,
      `api:write only → ${forbidden.status} WWW-Authenticate: ${forbidden.headers.get('www-authenticate')}`,
    ];
  });

  await run('connection refused → KeywayConnectionError', async () => {
    await server.close();
    const client = createKeywayClient({ baseUrl: issuer, token: 'x', retry: { maxRetries: 0 } });
    const { name } = await rejection(client.validation.verify(), KeywayConnectionError);
    return [`${name} after the server closed`];
  });

  console.log(`\nAll ${step} steps passed. ${mock.calls.length} requests reached the fake server.`);
} catch (error) {
  console.error(`\n✗ step ${step} failed:`, error);
  process.exitCode = 1;
} finally {
  await server.close().catch(() => {});
  await rm(tmp, { recursive: true, force: true });
}
