import type {
  AuthorizationServerMetadata,
  DeviceAuthorizationResponse,
  IntrospectionResponse,
  UserInfo,
} from '@keyway/openapi';
import { compactVerify, decodeJwt } from 'jose';
import { authorize, grantedScope, pushAuthorizationRequest, RESPONSE_MODES, redirectUriMatches } from './authorize.js';
import { endSessionWithBackchannel } from './backchannel-logout.js';
import { authenticateClient, HMAC_ALGS, isPublic } from './client-auth.js';
import { checkDpopProof, DPOP_ALGS } from './dpop.js';
import type { Engine } from './engine.js';
import { checkRepeats, many, oauthForm, one, scopes } from './form.js';
import { authorizationToken, bearerToken, formFields, invalidTarget, json, oauthError } from './http.js';
import { randomId, randomUserCode } from './random.js';
import { registerClient } from './registration.js';
import type { OperationRuns, RouteContext } from './routes.js';
import { GRANT_TYPES, tokenEndpoint } from './token-endpoint.js';
import { userClaims } from './tokens.js';

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'];

/** The discovery document; both well-known URLs serve it. */
function metadata(engine: Engine): AuthorizationServerMetadata {
  const iss = engine.issuer;
  return {
    issuer: iss,
    authorization_endpoint: `${iss}/oauth/authorize`,
    token_endpoint: `${iss}/oauth/token`,
    jwks_uri: `${iss}/oauth/jwks`,
    userinfo_endpoint: `${iss}/oauth/userinfo`,
    end_session_endpoint: `${iss}/oauth/logout`,
    device_authorization_endpoint: `${iss}/oauth/device/code`,
    introspection_endpoint: `${iss}/oauth/introspect`,
    revocation_endpoint: `${iss}/oauth/revoke`,
    pushed_authorization_request_endpoint: `${iss}/oauth/par`,
    registration_endpoint: `${iss}/oauth/register`,
    require_pushed_authorization_requests: false,
    authorization_response_iss_parameter_supported: true,
    grant_types_supported: GRANT_TYPES,
    response_types_supported: ['code'],
    response_modes_supported: RESPONSE_MODES,
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA', ...HMAC_ALGS],
    introspection_endpoint_auth_methods_supported: AUTH_METHODS.filter((m) => m !== 'none'),
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    id_token_signing_alg_values_supported: [engine.keys.alg],
    dpop_signing_alg_values_supported: DPOP_ALGS,
    subject_types_supported: ['public'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'name', 'email', 'email_verified'],
    request_uri_parameter_supported: true,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
}

const discovery = (ctx: RouteContext) => json(metadata(ctx.engine), 200, { 'cache-control': 'public, max-age=300' });

async function jwks(ctx: RouteContext): Promise<Response> {
  return json(await ctx.engine.keys.jwks(), 200, { 'cache-control': 'public, max-age=300' });
}

async function deviceAuthorization(ctx: RouteContext): Promise<Response> {
  const form = oauthForm(ctx);
  if (form instanceof Response) {
    return form;
  }
  const auth = await authenticateClient(ctx.engine, ctx.request, form, '/oauth/device/code');
  if (auth instanceof Response) {
    return auth;
  }
  const grantTypes = auth.client.grantTypes;
  if (grantTypes && !grantTypes.includes('urn:ietf:params:oauth:grant-type:device_code')) {
    return oauthError('unauthorized_client', 'The device flow is not enabled for this client');
  }
  const { engine } = ctx;
  const target = engine.unknownTarget(many(form, 'resource'));
  if (target !== undefined) {
    return invalidTarget(target);
  }
  const deviceCode = randomId('dc_', 40);
  const userCode = randomUserCode();
  const interval = engine.deviceInterval;
  engine.state.devices.set(deviceCode, {
    deviceCode,
    userCode,
    clientId: auth.client.clientId,
    scope: grantedScope(auth.client, one(form, 'scope')),
    resource: many(form, 'resource'),
    exp: engine.clock.now() + engine.ttl.deviceCode,
    interval,
    status: 'pending',
  });
  const verification = `${engine.issuer}/device`;
  return json({
    device_code: deviceCode,
    user_code: userCode,
    verification_uri: verification,
    verification_uri_complete: `${verification}?user_code=${encodeURIComponent(userCode)}`,
    expires_in: engine.ttl.deviceCode,
    // RFC 8628 wants a positive interval; `deviceInterval: 0` only turns off slow_down.
    interval: Math.max(1, interval),
  } satisfies DeviceAuthorizationResponse);
}

async function introspect(ctx: RouteContext): Promise<Response> {
  const form = oauthForm(ctx);
  if (form instanceof Response) {
    return form;
  }
  const { engine } = ctx;
  const bearer = bearerToken(ctx.request);
  if (bearer === undefined || !engine.activeToken(bearer)) {
    const auth = await authenticateClient(engine, ctx.request, form, '/oauth/introspect');
    if (auth instanceof Response) {
      return auth;
    }
    if (isPublic(auth.client)) {
      return oauthError('invalid_client', 'Public clients may not introspect', 401);
    }
  }
  const token = one(form, 'token');
  if (!token) {
    return oauthError('invalid_request', 'Missing parameter: token');
  }
  const issued = engine.activeToken(token, 'access') ?? engine.activeToken(token, 'refresh');
  if (!issued) {
    return json({ active: false } satisfies IntrospectionResponse);
  }
  const user = issued.sub ? engine.users.get(issued.sub) : undefined;
  const username = user?.preferred_username ?? user?.email;
  const body: IntrospectionResponse = {
    active: true,
    ...(issued.scope ? { scope: issued.scope } : {}),
    client_id: issued.clientId,
    ...(typeof username === 'string' ? { username } : {}),
    token_type: issued.kind === 'refresh' ? 'refresh_token' : issued.jkt ? 'DPoP' : 'Bearer',
    ...(issued.exp === undefined ? {} : { exp: issued.exp }),
    iat: issued.iat,
    nbf: issued.iat,
    ...(issued.sub ? { sub: issued.sub } : {}),
    ...(issued.aud === undefined ? {} : { aud: issued.aud }),
    iss: engine.issuer,
    jti: issued.jti,
    ...(issued.jkt ? { cnf: { jkt: issued.jkt } } : {}),
  };
  return json(body);
}

async function revoke(ctx: RouteContext): Promise<Response> {
  const form = oauthForm(ctx);
  if (form instanceof Response) {
    return form;
  }
  const { engine } = ctx;
  const auth = await authenticateClient(engine, ctx.request, form, '/oauth/revoke');
  if (auth instanceof Response) {
    return auth;
  }
  const token = one(form, 'token');
  if (!token) {
    return oauthError('invalid_request', 'Missing parameter: token');
  }
  const issued = engine.state.tokens.get(token);
  // RFC 7009: unknown tokens, and tokens of other clients, answer 200 all the same.
  if (issued && issued.clientId === auth.client.clientId) {
    if (issued.kind === 'refresh') {
      engine.revokeGrant(issued.grantId);
    } else {
      issued.revoked = true;
    }
  }
  return new Response(null, { status: 200, headers: { 'cache-control': 'no-store' } });
}

async function userinfo(ctx: RouteContext): Promise<Response> {
  const { engine } = ctx;
  const presented = authorizationToken(ctx.request);
  if (presented === undefined) {
    return oauthError('invalid_token', 'A bearer token is required in the Authorization header', 401, {
      'www-authenticate': 'Bearer realm="keyway"',
    });
  }
  const { scheme, token } = presented;
  const issued = engine.activeToken(token);
  const challenge = (description: string) =>
    oauthError('invalid_token', description, 401, {
      'www-authenticate': `${issued?.jkt ? 'DPoP' : 'Bearer'} realm="keyway", error="invalid_token"`,
    });
  if (!issued?.sub) {
    return challenge('The access token is expired, revoked or unknown');
  }
  if (issued.jkt !== undefined || scheme === 'dpop') {
    // RFC 9449 section 7: a DPoP-bound token comes with the DPoP scheme and a proof by its key.
    if (issued.jkt === undefined || scheme !== 'dpop') {
      return challenge(issued.jkt ? 'A DPoP-bound token must be sent with the DPoP scheme' : 'Not a DPoP-bound token');
    }
    const proof = await checkDpopProof(engine, ctx.request, 'resource', token);
    if (proof instanceof Response) {
      return proof;
    }
    if (proof?.jkt !== issued.jkt) {
      return challenge(proof ? 'The DPoP proof is signed by another key' : 'A DPoP proof is required');
    }
  }
  if (!scopes(issued.scope).includes('openid')) {
    return oauthError('insufficient_scope', 'The openid scope is required', 403, {
      'www-authenticate': 'Bearer realm="keyway", error="insufficient_scope", scope="openid"',
    });
  }
  const body: UserInfo = { ...userClaims(engine.users.get(issued.sub), issued.scope), sub: issued.sub };
  return json(body);
}

async function endSession(ctx: RouteContext): Promise<Response> {
  const { engine } = ctx;
  const params = checkRepeats(formFields(ctx.url.searchParams));
  if (params instanceof Response) {
    return params;
  }
  const hint = one(params, 'id_token_hint');
  let clientId = one(params, 'client_id');
  if (hint !== undefined) {
    const verified = await verifiesWithOurKeys(engine, hint);
    if (!verified) {
      return oauthError('invalid_request', 'id_token_hint was not issued by this server');
    }
    const aud = decodeJwt(hint).aud;
    const hinted = Array.isArray(aud) ? aud[0] : aud;
    if (clientId !== undefined && hinted !== clientId) {
      return oauthError('invalid_request', 'client_id does not match id_token_hint');
    }
    clientId = hinted;
  }
  const target = one(params, 'post_logout_redirect_uri');
  const hinted = hint === undefined ? undefined : decodeJwt(hint);
  engine.state.endedSessions.push({ clientId, sub: hinted?.sub });
  if (typeof hinted?.sub === 'string') {
    await endSessionWithBackchannel(engine, hinted.sub, typeof hinted.sid === 'string' ? hinted.sid : undefined);
  }
  if (target === undefined) {
    return new Response('<!doctype html><title>Signed out</title><p>You are signed out of Keyway.</p>', {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
  }
  const client = clientId === undefined ? undefined : engine.clients.get(clientId);
  const registered = client?.postLogoutRedirectUris;
  if (!client || !URL.canParse(target) || (registered && !registered.some((uri) => redirectUriMatches(uri, target)))) {
    return oauthError('invalid_request', 'post_logout_redirect_uri is not registered for this client');
  }
  const url = new URL(target);
  const state = one(params, 'state');
  if (state !== undefined) {
    url.searchParams.set('state', state);
  }
  return new Response(null, { status: 302, headers: { location: url.href } });
}

/** Signature check of an ID token hint: any current or retired key, expiry ignored (OIDC RP-Initiated Logout). */
async function verifiesWithOurKeys(engine: Engine, jwt: string): Promise<boolean> {
  for (const key of await engine.keys.verificationKeys()) {
    try {
      await compactVerify(jwt, key.publicKey);
      return decodeJwt(jwt).iss === engine.issuer;
    } catch {
      // Try the next key.
    }
  }
  return false;
}

/** The answers of the OAuth / OIDC endpoints of the spec, by operationId. */
export const oauthRuns = {
  getOpenIdConfiguration: discovery,
  getAuthorizationServerMetadata: discovery,
  getJwks: jwks,
  authorize,
  pushAuthorizationRequest,
  token: tokenEndpoint,
  deviceAuthorization,
  introspect,
  revoke,
  registerClient,
  getUserInfo: userinfo,
  postUserInfo: userinfo,
  endSession,
} satisfies Partial<OperationRuns>;
