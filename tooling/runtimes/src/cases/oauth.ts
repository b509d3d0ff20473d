/*
 * The OAuth / OpenID Connect client against the mock's endpoints, with the mock's in-process `fetch`
 * injected: discovery, client credentials with an RFC 9068 access token verified for each signing
 * algorithm, the code flow through the mock's authorize redirect, the device flow, and DPoP.
 */
import { CallbackError, discover, type OAuthClientOptions, TokenValidationError } from '@keyway/core';
import { completeAuthorization, type MockKeyway, type SigningAlg } from '@keyway/mocks';
import { type Case, type Detail, joseHeader, newMock, rejection, tamper } from './types.ts';

const RESOURCE = 'https://api.example.com';
const REDIRECT_URI = 'http://127.0.0.1/callback';

function connect(mock: MockKeyway, options: Partial<OAuthClientOptions> = {}) {
  return discover(mock.issuer, { clientId: 'test-client', clientSecret: 'test-secret', fetch: mock.fetch, ...options });
}

async function clientCredentialsWith(alg: SigningAlg): Promise<Detail> {
  const mock = newMock(`cc-${alg.toLowerCase()}`, { alg });
  const client = await connect(mock);
  const tokens = await client.clientCredentials({ scope: 'api:read', resource: RESOURCE });
  const claims = await client.verifyAccessToken(tokens.access_token, {
    audience: RESOURCE,
    requiredScopes: ['api:read'],
  });
  const forged = await rejection(client.verifyAccessToken(tamper(tokens.access_token), { audience: RESOURCE }));
  const otherAudience = await rejection(
    client.verifyAccessToken(tokens.access_token, { audience: 'https://other.example' }),
  );
  return {
    issuer: client.metadata.issuer === mock.issuer,
    tokenType: tokens.token_type,
    expiresAtInFuture: typeof tokens.expires_at === 'number' && tokens.expires_at > Date.now() / 1000,
    header: { alg: joseHeader(tokens.access_token).alg, typ: joseHeader(tokens.access_token).typ },
    claims: { client_id: claims.client_id, aud: claims.aud, scope: claims.scope, iss: claims.iss === mock.issuer },
    forged: { isValidationError: TokenValidationError.is(forged), code: forged.code },
    otherAudience: { isValidationError: TokenValidationError.is(otherAudience), code: otherAudience.code },
  };
}

export const oauthCases: Record<string, Case> = {
  'client-credentials-rs256': () => clientCredentialsWith('RS256'),
  'client-credentials-es256': () => clientCredentialsWith('ES256'),
  'client-credentials-eddsa': () => clientCredentialsWith('EdDSA'),

  async 'code-flow'() {
    const mock = newMock('code-flow');
    const client = await connect(mock, { redirectUri: REDIRECT_URI });
    const request = await client.createAuthorizationUrl({ scope: 'openid profile email offline_access' });
    const callback = await completeAuthorization(request.url, { fetch: mock.fetch });
    const tokens = await client.handleCallback(callback, request);
    const replay = await rejection(client.handleCallback(callback, request));
    return {
      authorizeStatus: mock.callsTo('authorize').at(-1)?.status,
      callbackOrigin: `${callback.origin}${callback.pathname}`,
      codeChallengeMethod: request.url.searchParams.get('code_challenge_method'),
      callbackIss: callback.searchParams.get('iss') === mock.issuer,
      tokenType: tokens.token_type,
      idTokenAlg: joseHeader(tokens.id_token ?? '').alg,
      claims: {
        sub: tokens.claims?.sub,
        email: tokens.claims?.email,
        nonce: tokens.claims?.nonce === request.nonce,
        aud: tokens.claims?.aud,
      },
      hasRefreshToken: typeof tokens.refresh_token === 'string',
      replay: { isCallbackError: CallbackError.is(replay), code: replay.code },
      tokenRequests: mock.callsTo('token').length,
    };
  },

  async 'device-flow'() {
    const mock = newMock('device-flow', { deviceInterval: 0 });
    const client = await connect(mock);
    const device = await client.deviceAuthorization({ scope: 'openid offline_access' });
    mock.approveDevice(device.user_code);
    const tokens = await client.pollDeviceToken(device);
    return {
      verificationUri: device.verification_uri === `${mock.issuer}/device`,
      userCode: typeof device.user_code === 'string' && device.user_code.length > 0,
      tokenType: tokens.token_type,
      sub: tokens.claims?.sub,
      hasRefreshToken: typeof tokens.refresh_token === 'string',
      pollStatuses: mock.callsTo('token').map((call) => call.status),
    };
  },

  async dpop() {
    const mock = newMock('dpop', { deviceInterval: 0 });
    const client = await connect(mock, { dpop: true });
    const service = await client.clientCredentials({ scope: 'api:read', resource: RESOURCE });
    const claims = await client.verifyAccessToken(service.access_token, { audience: RESOURCE });
    const proof = mock.callsTo('token')[0]?.headers.dpop ?? '';
    // A user's DPoP-bound token, then userinfo with a proof carrying `ath`.
    const device = await client.deviceAuthorization({ scope: 'openid email' });
    mock.approveDevice(device.user_code);
    const user = await client.userinfo(await client.pollDeviceToken(device));
    const userinfoAuthorization = mock.callsTo('getUserInfo')[0]?.headers.authorization ?? '';
    const cnf = claims.cnf as { jkt?: unknown } | undefined;
    return {
      tokenType: service.token_type,
      jkt: typeof cnf?.jkt === 'string' && (cnf.jkt as string).length === 43,
      proofHeader: {
        typ: joseHeader(proof).typ,
        alg: joseHeader(proof).alg,
        hasJwk: joseHeader(proof).jwk !== undefined,
      },
      userinfoScheme: userinfoAuthorization.split(' ')[0],
      userinfoStatus: mock.callsTo('getUserInfo')[0]?.status,
      sub: user.sub,
    };
  },
};
