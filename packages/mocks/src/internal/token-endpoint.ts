import type { TokenResponse } from '@keyway/openapi';
import type { MockClient } from '../types.js';
import { isPublic, readClientRequest } from './client-auth.js';
import type { DpopKey } from './dpop.js';
import type { AccessTokenInput, Engine } from './engine.js';
import { many, one, scopes } from './form.js';
import { type FormFields, invalidTarget, json, oauthError } from './http.js';
import type { RouteContext } from './routes.js';
import { audienceOf, issueTokenSet, s256, wantsOffline } from './tokens.js';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const TOKEN_TYPES = new Set([
  ACCESS_TOKEN_TYPE,
  'urn:ietf:params:oauth:token-type:jwt',
  'urn:ietf:params:oauth:token-type:refresh_token',
  'urn:ietf:params:oauth:token-type:id_token',
]);

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_GRANT, EXCHANGE_GRANT];

/** A grant handler; `dpop` is the verified proof's key when the request carried one. */
type Grant = (engine: Engine, client: MockClient, form: FormFields, dpop: DpopKey | undefined) => Promise<Response>;

/** DPoP binding of the tokens a grant issues: the access token always, the refresh token of a public client. */
const binding = (client: MockClient, dpop: DpopKey | undefined) =>
  dpop ? { jkt: dpop.jkt, publicClient: isPublic(client) } : {};

function tokens(body: TokenResponse): Response {
  return json(body, 200, { pragma: 'no-cache' });
}

const invalidGrant = (description: string) => oauthError('invalid_grant', description);

/**
 * Issues an access token alone (client credentials, token exchange: no refresh or ID token) for the
 * resources or audiences in `targets` — only the scopes they accept, the first as `aud` — and answers it.
 */
async function accessTokenOnly(
  engine: Engine,
  dpop: DpopKey | undefined,
  input: Omit<AccessTokenInput, 'aud' | 'jkt'> & { targets: string[] },
  extra: Partial<TokenResponse> = {},
): Promise<Response> {
  const { targets, ...token } = input;
  const scope = engine.accessScope(input.scope, targets);
  const aud = audienceOf(targets) ?? engine.issuer;
  const access = await engine.issueAccessToken({ ...token, scope, aud, jkt: dpop?.jkt });
  return tokens({
    access_token: access.token,
    token_type: dpop ? 'DPoP' : 'Bearer',
    expires_in: input.ttl ?? engine.ttl.accessToken,
    ...extra,
    ...(scope ? { scope } : {}),
  });
}

const authorizationCode: Grant = async (engine, client, form, dpop) => {
  const code = one(form, 'code');
  const verifier = one(form, 'code_verifier');
  if (!code) {
    return oauthError('invalid_request', 'Missing parameter: code');
  }
  if (!verifier) {
    return oauthError('invalid_request', 'Missing parameter: code_verifier (PKCE is required)');
  }
  const record = engine.state.codes.get(code);
  if (!record || record.clientId !== client.clientId) {
    return invalidGrant('The authorization code is invalid');
  }
  if (record.used) {
    // RFC 9700 4.1.2: a replayed code revokes what it already issued.
    if (record.grantId) {
      engine.revokeGrant(record.grantId);
    }
    return invalidGrant('The authorization code has already been used');
  }
  record.used = true;
  if (record.exp <= engine.clock.now()) {
    return invalidGrant('The authorization code has expired');
  }
  if (record.redirectUri !== undefined && one(form, 'redirect_uri') !== record.redirectUri) {
    return invalidGrant('redirect_uri does not match the authorization request');
  }
  if ((await s256(verifier)) !== record.codeChallenge) {
    return invalidGrant('PKCE verification failed');
  }
  if (record.dpopJkt !== undefined && record.dpopJkt !== dpop?.jkt) {
    // RFC 9449 section 10: the code is bound to the key named by dpop_jkt.
    return invalidGrant('The DPoP proof key does not match dpop_jkt of the authorization request');
  }
  const body = await issueTokenSet(engine, {
    clientId: client.clientId,
    sub: record.sub,
    scope: record.scope,
    resource: many(form, 'resource').length > 0 ? many(form, 'resource') : record.resource,
    nonce: record.nonce,
    authTime: record.authTime,
    sid: record.sid,
    // OIDC Core section 11: a refresh token only for a grant of offline_access.
    refresh: wantsOffline(record.scope),
    idToken: true,
    ...binding(client, dpop),
  });
  record.grantId = engine.activeToken(body.access_token)?.grantId;
  return tokens(body);
};

const refreshToken: Grant = async (engine, client, form, dpop) => {
  const token = one(form, 'refresh_token');
  if (!token) {
    return oauthError('invalid_request', 'Missing parameter: refresh_token');
  }
  const record = engine.state.tokens.get(token);
  if (record?.kind !== 'refresh' || record.clientId !== client.clientId) {
    return invalidGrant('The refresh token is invalid');
  }
  if (record.used) {
    // Reuse of a rotated refresh token: assume theft and end the whole grant.
    engine.revokeGrant(record.grantId);
    return invalidGrant('The refresh token was already used; the grant is revoked');
  }
  const grant = engine.state.grants.get(record.grantId);
  if (record.revoked || grant?.revoked) {
    return invalidGrant('The refresh token is revoked');
  }
  if (record.exp !== undefined && record.exp <= engine.clock.now()) {
    return invalidGrant('The refresh token has expired');
  }
  if (record.jkt !== undefined && record.jkt !== dpop?.jkt) {
    return invalidGrant('The refresh token is bound to another DPoP key');
  }
  const granted = scopes(record.scope);
  const asked = one(form, 'scope');
  if (asked !== undefined && !scopes(asked).every((s) => granted.includes(s))) {
    return oauthError('invalid_scope', 'The scope exceeds the original grant');
  }
  record.used = true;
  const body = await issueTokenSet(engine, {
    clientId: client.clientId,
    sub: record.sub ?? '',
    // The new refresh token keeps the grant's scope (RFC 6749 section 6); a narrower ask is for the access token.
    scope: record.scope,
    ...(asked === undefined ? {} : { requestedScope: asked }),
    resource: many(form, 'resource').length > 0 ? many(form, 'resource') : grant?.resource,
    authTime: grant?.authTime,
    grantId: record.grantId,
    refresh: true,
    idToken: true,
    ...binding(client, dpop),
  });
  return tokens(body);
};

const clientCredentials: Grant = async (engine, client, form, dpop) => {
  if (isPublic(client)) {
    return oauthError('unauthorized_client', 'client_credentials needs a confidential client');
  }
  // Never a refresh token (RFC 6749 section 4.4.3).
  return accessTokenOnly(engine, dpop, {
    clientId: client.clientId,
    sub: client.clientId,
    scope: one(form, 'scope'),
    targets: many(form, 'resource'),
  });
};

const deviceCode: Grant = async (engine, client, form, dpop) => {
  const code = one(form, 'device_code');
  if (!code) {
    return oauthError('invalid_request', 'Missing parameter: device_code');
  }
  const device = engine.state.devices.get(code);
  if (!device || device.clientId !== client.clientId || device.status === 'redeemed') {
    return invalidGrant('The device code is invalid');
  }
  const now = engine.clock.now();
  if (device.exp <= now) {
    return oauthError('expired_token', 'The device code has expired; start again');
  }
  if (device.status === 'denied') {
    return oauthError('access_denied', 'The user denied the request');
  }
  if (device.status === 'pending') {
    const tooSoon = device.interval > 0 && device.lastPoll !== undefined && now - device.lastPoll < device.interval;
    device.lastPoll = now;
    return tooSoon ? oauthError('slow_down', undefined) : oauthError('authorization_pending', undefined);
  }
  device.status = 'redeemed';
  return tokens(
    await issueTokenSet(engine, {
      clientId: client.clientId,
      sub: device.sub ?? engine.defaultUser().sub,
      scope: device.scope,
      resource: device.resource,
      authTime: now,
      refresh: wantsOffline(device.scope),
      idToken: true,
      ...binding(client, dpop),
    }),
  );
};

const tokenExchange: Grant = async (engine, client, form, dpop) => {
  const subjectToken = one(form, 'subject_token');
  const subjectType = one(form, 'subject_token_type');
  if (!subjectToken || !subjectType) {
    return oauthError('invalid_request', 'subject_token and subject_token_type are required');
  }
  if (subjectType !== ACCESS_TOKEN_TYPE && subjectType !== 'urn:ietf:params:oauth:token-type:jwt') {
    return oauthError('invalid_request', `Unsupported subject_token_type ${subjectType}`);
  }
  const requested = one(form, 'requested_token_type') ?? ACCESS_TOKEN_TYPE;
  if (!TOKEN_TYPES.has(requested) || requested.endsWith(':refresh_token') || requested.endsWith(':id_token')) {
    return oauthError('invalid_request', `Unsupported requested_token_type ${requested}`);
  }
  const subject = engine.activeToken(subjectToken);
  if (!subject) {
    return invalidGrant('The subject token is invalid, expired or revoked');
  }
  const actorToken = one(form, 'actor_token');
  let act: { sub: string } | undefined;
  if (actorToken !== undefined) {
    if (!one(form, 'actor_token_type')) {
      return oauthError('invalid_request', 'actor_token_type is required with actor_token');
    }
    const actor = engine.activeToken(actorToken);
    if (!actor) {
      return invalidGrant('The actor token is invalid, expired or revoked');
    }
    act = { sub: actor.sub ?? actor.clientId };
  }
  const asked = one(form, 'scope');
  const granted = scopes(subject.scope);
  if (asked !== undefined && subject.scope !== undefined && !scopes(asked).every((s) => granted.includes(s))) {
    return oauthError('invalid_scope', 'The scope exceeds the subject token');
  }
  return accessTokenOnly(
    engine,
    dpop,
    {
      sub: subject.sub,
      clientId: client.clientId,
      scope: asked ?? subject.scope,
      targets: [...many(form, 'audience'), ...many(form, 'resource')],
      ttl: Math.min(engine.ttl.accessToken, 300),
      claims: act ? { act } : {},
    },
    { issued_token_type: requested },
  );
};

const GRANTS: Record<string, Grant> = {
  authorization_code: authorizationCode,
  refresh_token: refreshToken,
  client_credentials: clientCredentials,
  [DEVICE_GRANT]: deviceCode,
  [EXCHANGE_GRANT]: tokenExchange,
};

/** `POST /oauth/token`: every grant of the spec, with client authentication and RFC 6749 errors. */
export async function tokenEndpoint(ctx: RouteContext): Promise<Response> {
  const read = await readClientRequest(ctx, '/oauth/token');
  if (read instanceof Response) {
    return read;
  }
  const { form, dpop, auth } = read;
  const grantType = one(form, 'grant_type');
  if (!grantType) {
    return oauthError('invalid_request', 'Missing parameter: grant_type');
  }
  const grant = GRANTS[grantType];
  if (!grant) {
    return oauthError('unsupported_grant_type', `${grantType} is not supported`);
  }
  const allowed = auth.client.grantTypes ?? GRANT_TYPES;
  if (!allowed.includes(grantType)) {
    return oauthError('unauthorized_client', `${grantType} is not enabled for this client`);
  }
  const target = ctx.engine.unknownTarget(many(form, 'resource'), many(form, 'audience'));
  if (target !== undefined) {
    return invalidTarget(target);
  }
  return grant(ctx.engine, auth.client, form, dpop);
}
