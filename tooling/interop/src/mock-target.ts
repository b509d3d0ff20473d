import { randomBytes } from 'node:crypto';
import type { DeviceAuthorization } from '@keyway/core';
import { completeAuthorizationCallback, createMockKeyway, type MockClient } from '@keyway/mocks';
import { exportJWK, generateKeyPair } from 'jose';
import { users } from './accounts.ts';
import type { Decision } from './browser.ts';
import { startCallbackServer } from './callback-server.ts';
import { API_RESOURCE, API_SCOPES, type RegisteredClient } from './provider.ts';
import type { InteropTarget, TargetOptions, TargetSession } from './target.ts';

/**
 * `@keyway/mocks`' `createMockKeyway().listen()`: the fake Keyway service over real HTTP on 127.0.0.1
 * (port 0), with the same users and the same four clients as the oidc-provider target. The mock
 * signs a user in at once at its authorize endpoint (whoever `signInAs()` names), so the user agent
 * here is `fetch` following redirects by hand; a device is approved on the mock's device page
 * (`verification_uri_complete`, then its form), as a person would in a browser.
 */
export async function startMockTarget(options: TargetOptions = {}): Promise<InteropTarget> {
  const callbacks = await startCallbackServer();
  const { redirectUri, postLogoutRedirectUri } = callbacks;
  const clientKey = await generateKeyPair('ES256', { extractable: true });
  const clientPublicJwk = { ...(await exportJWK(clientKey.publicKey)), kid: 'rp-key-1', alg: 'ES256', use: 'sig' };
  const clientPrivateJwk = { ...(await exportJWK(clientKey.privateKey)), kid: 'rp-key-1', alg: 'ES256' };
  const secret = (): string => randomBytes(24).toString('base64url');
  const basicSecret = secret();
  const postSecret = secret();
  const jwtSecret = secret();
  const logoutSecret = secret();
  const registered = { redirectUris: [redirectUri], postLogoutRedirectUris: [postLogoutRedirectUri] };
  const clients: MockClient[] = [
    {
      clientId: 'basic-client',
      clientSecret: basicSecret,
      tokenEndpointAuthMethod: 'client_secret_basic',
      ...registered,
    },
    { clientId: 'post-client', clientSecret: postSecret, tokenEndpointAuthMethod: 'client_secret_post', ...registered },
    {
      clientId: 'jwt-client',
      jwks: { keys: [clientPublicJwk] },
      tokenEndpointAuthMethod: 'private_key_jwt',
      ...registered,
    },
    { clientId: 'public-client', tokenEndpointAuthMethod: 'none', ...registered },
    {
      clientId: 'secret-jwt-client',
      clientSecret: jwtSecret,
      tokenEndpointAuthMethod: 'client_secret_jwt',
      ...registered,
    },
    {
      clientId: 'logout-client',
      clientSecret: logoutSecret,
      tokenEndpointAuthMethod: 'client_secret_basic',
      backchannelLogoutUri: callbacks.backchannelLogoutUri,
      ...registered,
    },
  ];
  const mock = createMockKeyway({
    clients,
    users: Object.values(users).map(({ sub, email, name }) => ({ sub, email, name, email_verified: true })),
    // The smallest interval RFC 8628 allows (1 s): device tests wait one poll, not five seconds.
    deviceInterval: 0,
    // As oidc-provider in this suite: every DPoP proof needs the server's nonce.
    dpopNonce: true,
    ttl: { deviceCode: options.deviceCodeTtl ?? 600 },
    // As oidc-provider here: the API is the one resource server, offering the API scopes; another
    // target is invalid_target.
    resources: [{ uri: API_RESOURCE, scopes: [...API_SCOPES] }],
  });
  const server = await mock.listen();

  const client = (fields: Omit<RegisteredClient, 'redirectUri'>): RegisteredClient => ({ ...fields, redirectUri });
  const session: TargetSession = {
    async login(authorizationUrl, { user, consent = 'approve' }) {
      mock.signInAs(users[user].sub);
      mock.denyAuthorization(consent === 'deny' ? { error: 'access_denied' } : null);
      try {
        return await follow(authorizationUrl);
      } finally {
        mock.denyAuthorization(null);
      }
    },
    logout: (endSessionUrl) => follow(endSessionUrl),
    close: () => Promise.resolve(),
  };

  return {
    name: 'mock',
    issuer: server.url,
    callbacks,
    clients: {
      basic: client({
        clientId: 'basic-client',
        clientSecret: basicSecret,
        tokenEndpointAuthMethod: 'client_secret_basic',
      }),
      post: client({
        clientId: 'post-client',
        clientSecret: postSecret,
        tokenEndpointAuthMethod: 'client_secret_post',
      }),
      privateKeyJwt: client({
        clientId: 'jwt-client',
        privateKey: clientPrivateJwk,
        privateCryptoKey: clientKey.privateKey,
        tokenEndpointAuthMethod: 'private_key_jwt',
      }),
      public: client({ clientId: 'public-client', tokenEndpointAuthMethod: 'none' }),
      secretJwt: client({
        clientId: 'secret-jwt-client',
        clientSecret: jwtSecret,
        tokenEndpointAuthMethod: 'client_secret_jwt',
      }),
      backchannelLogout: client({
        clientId: 'logout-client',
        clientSecret: logoutSecret,
        tokenEndpointAuthMethod: 'client_secret_basic',
      }),
    },
    redirectUri,
    postLogoutRedirectUri,
    paths: {
      authorization: '/oauth/authorize',
      token: '/oauth/token',
      jwks: '/oauth/jwks',
      endSession: '/oauth/logout',
    },
    apiTokenAlg: 'RS256',
    deviceInterval: 1,
    newSession: () => Promise.resolve(session),
    login: (url, loginOptions) => session.login(url, loginOptions),
    async approveDevice(device, user, decision) {
      mock.signInAs(users[user].sub);
      await submitDevicePage(device, decision);
    },
    async close() {
      await Promise.all([server.close(), callbacks.close()]);
    },
  };
}

/**
 * Plays the person at the device page: opens `verification_uri_complete` (the form comes filled in
 * with the user code) and submits it with the decision's button.
 */
async function submitDevicePage(device: DeviceAuthorization, decision: Decision): Promise<void> {
  const page = await fetch(device.verification_uri_complete ?? device.verification_uri);
  const html = await page.text();
  const filled = /name="user_code" value="([^"]*)"/.exec(html)?.[1];
  if (!page.ok || filled !== device.user_code) {
    throw new Error(`the device page answered ${page.status} without the user code filled in`);
  }
  const answer = await fetch(device.verification_uri, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user_code: filled, action: decision }),
  });
  if (!answer.ok) {
    throw new Error(`the device page refused the code: ${answer.status}`);
  }
}

/**
 * Plays the browser: follows the mock's redirect, or submits its `form_post` page
 * (`completeAuthorizationCallback`), and sends that request to the page it leads to (the relying
 * party's callback server records it). Resolves to the URL the browser ends up on.
 */
async function follow(start: string | URL): Promise<URL> {
  const request = await completeAuthorizationCallback(start);
  const url = new URL(request.url);
  const landed = await fetch(request);
  if (!landed.ok) {
    throw new Error(`the client's page ${url.pathname} answered ${landed.status}`);
  }
  return url;
}
