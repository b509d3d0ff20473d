import type {
  AccessTokenResult,
  ExternalToken,
  ExternalTokenList,
  ExternalTokenReconsentProblem,
  OfflineConsentResult,
  OfflineTokenResult,
  OfflineTokenRevocationResult,
  RefreshTokenIdResult,
  TokenValidationResult,
} from '@keyway/openapi';
import { bearerToken, json, problem } from './http.js';
import { randomId } from './random.js';
import type { OperationRuns, RouteContext } from './routes.js';
import type { IssuedToken } from './state.js';

type Authenticated = (ctx: RouteContext, caller: IssuedToken) => Promise<Response> | Response;

/** The 401 of the token-manager API for a request without a bearer token. */
function bearerRequired(ctx: RouteContext): Response {
  return problem(
    401,
    ctx.requestId,
    { code: 'invalid_token', detail: 'A bearer token is required' },
    { 'www-authenticate': 'Bearer realm="keyway"' },
  );
}

/** Bearer authentication of the token-manager API: a token the mock issued or seeded, still active. */
function withBearer(run: Authenticated): (ctx: RouteContext) => Promise<Response> | Response {
  return (ctx) => {
    const token = bearerToken(ctx.request);
    if (token === undefined) {
      return bearerRequired(ctx);
    }
    const caller = ctx.engine.activeToken(token);
    if (!caller) {
      return problem(
        401,
        ctx.requestId,
        { code: 'invalid_token', detail: 'The bearer token is expired, revoked or unknown' },
        { 'www-authenticate': 'Bearer realm="keyway", error="invalid_token"' },
      );
    }
    return run(ctx, caller);
  };
}

function objectBody(ctx: RouteContext): Record<string, unknown> | Response {
  if (ctx.malformed) {
    return problem(400, ctx.requestId, { detail: 'The body is not valid JSON' });
  }
  if (typeof ctx.body !== 'object' || ctx.body === null || Array.isArray(ctx.body)) {
    return problem(400, ctx.requestId, { detail: 'The body must be a JSON object' });
  }
  return ctx.body as Record<string, unknown>;
}

/** The first field that is not a non-empty string, as a `validation_error`; `optional` fields may be absent. */
function checkStrings(
  ctx: RouteContext,
  body: Record<string, unknown>,
  required: string[],
  optional: string[] = [],
): Response | undefined {
  for (const name of required) {
    if (typeof body[name] !== 'string' || body[name] === '') {
      return problem(400, ctx.requestId, { detail: `${name}: required` });
    }
  }
  for (const name of optional) {
    if (body[name] !== undefined && typeof body[name] !== 'string') {
      return problem(400, ctx.requestId, { detail: `${name}: must be a string` });
    }
  }
  return undefined;
}

const retrieveAccessToken = withBearer(async (ctx) => {
  const id = ctx.params.id ?? '';
  const persistent = ctx.engine.state.persistent.get(id);
  if (!persistent || persistent.revoked) {
    return problem(404, ctx.requestId, { detail: `No persistent token ${id}`, instance: ctx.url.pathname });
  }
  const issued = await ctx.engine.issueAccessToken({
    sub: persistent.sub,
    clientId: persistent.clientId,
    scope: persistent.scope,
  });
  const body = {
    access_token: issued.token,
    // The lifetime it was issued with, as a real server reports it: reading the clock again after
    // signing would lose a second whenever the signature straddles one.
    expires_in: ctx.engine.ttl.accessToken,
    token_type: 'Bearer',
    ...(persistent.scope ? { scope: persistent.scope } : {}),
  } satisfies AccessTokenResult;
  return json(body);
});

const storeRefreshToken = withBearer((ctx, caller) => {
  const body = objectBody(ctx);
  if (body instanceof Response) {
    return body;
  }
  const invalid = checkStrings(ctx, body, ['refresh_token']);
  if (invalid) {
    return invalid;
  }
  const refreshToken = body.refresh_token as string;
  // A refresh token the mock issued itself keeps its user and client; any other is taken at face value.
  const known = ctx.engine.state.tokens.get(refreshToken);
  const sub = known?.sub ?? caller.sub;
  const clientId = known?.clientId ?? caller.clientId;
  // Idempotent, as the spec promises (`x-keyway-idempotent: true`): storing the same refresh token
  // again for the same user and client answers the id of the first store, so a retry after a lost
  // answer creates no second persistent token. A revoked id is not handed out again.
  for (const existing of ctx.engine.state.persistent.values()) {
    if (
      !existing.revoked &&
      existing.refreshToken === refreshToken &&
      existing.sub === sub &&
      existing.clientId === clientId
    ) {
      return json({ id: existing.id } satisfies RefreshTokenIdResult, 201);
    }
  }
  const id = randomId('ptk_');
  ctx.engine.state.persistent.set(id, { id, sub, clientId, scope: known?.scope, refreshToken, revoked: false });
  return json({ id } satisfies RefreshTokenIdResult, 201);
});

const requestOfflineConsent = withBearer((ctx) => {
  const body = objectBody(ctx);
  if (body instanceof Response) {
    return body;
  }
  const invalid = checkStrings(ctx, body, ['client_id', 'user_id'], ['scope', 'redirect_uri']);
  if (invalid) {
    return invalid;
  }
  const clientId = body.client_id as string;
  const redirectUri = body.redirect_uri as string | undefined;
  const client = ctx.engine.clients.get(clientId);
  if (redirectUri !== undefined) {
    if (!URL.canParse(redirectUri)) {
      return problem(400, ctx.requestId, { detail: 'redirect_uri: must be an absolute URI' });
    }
    if (client?.redirectUris && !client.redirectUris.includes(redirectUri)) {
      return problem(400, ctx.requestId, { detail: 'redirect_uri: not registered for this client' });
    }
  }
  const state = randomId('st_', 20);
  const scope = withOfflineAccess(body.scope as string | undefined);
  ctx.engine.state.consents.set(state, {
    state,
    clientId,
    userId: body.user_id as string,
    scope,
    redirectUri,
    createdAt: ctx.engine.clock.now(),
  });
  const consentUrl = new URL(`${ctx.engine.issuer}/oauth/authorize`);
  consentUrl.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    scope,
    state,
    login_hint: body.user_id as string,
    ...(redirectUri ? { redirect_uri: redirectUri } : {}),
  }).toString();
  return json({ consent_url: consentUrl.href, state } satisfies OfflineConsentResult);
});

function withOfflineAccess(scope: string | undefined): string {
  const scopes = new Set((scope ?? '').split(' ').filter(Boolean));
  scopes.add('offline_access');
  return [...scopes].join(' ');
}

const offlineCallback = withBearer((ctx) => {
  const body = objectBody(ctx);
  if (body instanceof Response) {
    return body;
  }
  const invalid = checkStrings(ctx, body, ['state'], ['code', 'error', 'error_description']);
  if (invalid) {
    return invalid;
  }
  const consent = ctx.engine.state.consents.get(body.state as string);
  if (!consent) {
    return problem(400, ctx.requestId, {
      code: 'invalid_state',
      title: 'Invalid state',
      detail: 'The state is unknown, expired or already used',
    });
  }
  // A state is single-use, whatever the outcome.
  ctx.engine.state.consents.delete(consent.state);
  if (typeof body.error === 'string') {
    const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
    return problem(400, ctx.requestId, {
      code: 'consent_denied',
      title: 'Consent denied',
      detail: `${body.error}${description}`,
    });
  }
  if (typeof body.code !== 'string' || body.code === '') {
    return problem(400, ctx.requestId, { detail: 'code: required unless error is present' });
  }
  const id = randomId('ptk_');
  ctx.engine.state.persistent.set(id, {
    id,
    sub: consent.userId,
    clientId: consent.clientId,
    scope: consent.scope,
    revoked: false,
  });
  return json({ persistent_token_id: id } satisfies OfflineTokenResult);
});

const revokeOfflineToken = withBearer((ctx) => {
  const id = ctx.params.id ?? '';
  const persistent = ctx.engine.state.persistent.get(id);
  if (!persistent) {
    return problem(404, ctx.requestId, { detail: `No persistent token ${id}`, instance: ctx.url.pathname });
  }
  const revoked = !persistent.revoked;
  persistent.revoked = true;
  return json({ revoked } satisfies OfflineTokenRevocationResult);
});

/** `validateToken` answers 200 `{ valid: false }` for a bad token; only a missing one is a 401. */
function validateToken(ctx: RouteContext): Response {
  const token = bearerToken(ctx.request);
  if (token === undefined) {
    return bearerRequired(ctx);
  }
  const issued = ctx.engine.activeToken(token);
  if (!issued) {
    return json({ valid: false } satisfies TokenValidationResult);
  }
  const body: TokenValidationResult = {
    valid: true,
    ...(issued.sub ? { sub: issued.sub } : {}),
    client_id: issued.clientId,
    ...(issued.scope ? { scope: issued.scope } : {}),
    ...(issued.exp === undefined ? {} : { exp: issued.exp }),
    iat: issued.iat,
    ...(issued.aud === undefined ? {} : { aud: issued.aud }),
    iss: ctx.engine.issuer,
  };
  return json(body);
}

function publicExternal(record: ExternalToken & { reconsent: boolean }): ExternalToken {
  const { reconsent: _, ...token } = record;
  return token;
}

const listExternalTokens = withBearer((ctx, caller) => {
  const tokens = ctx.engine.state.external.get(caller.sub ?? '') ?? new Map();
  const data = [...tokens.values()].filter((t) => !t.reconsent).map(publicExternal);
  return json({ data } satisfies ExternalTokenList);
});

const retrieveExternalToken = withBearer((ctx, caller) => {
  const provider = ctx.params.provider ?? '';
  const record = ctx.engine.state.external.get(caller.sub ?? '')?.get(provider);
  if (!record) {
    return problem(404, ctx.requestId, {
      detail: `No ${provider} connection for this user`,
      instance: ctx.url.pathname,
    });
  }
  if (record.reconsent) {
    const consentUrl = new URL(`${ctx.engine.issuer}/connections/${encodeURIComponent(provider)}/consent`);
    const body = {
      type: 'https://keyway.dev/problems/reconsent-required',
      title: 'Reconsent required',
      status: 401,
      detail: `The ${provider} grant needs the user's consent again`,
      code: 'reconsent_required',
      consent_url: consentUrl.href,
    } satisfies ExternalTokenReconsentProblem;
    return problem(401, ctx.requestId, body, { 'www-authenticate': 'Bearer realm="keyway"' });
  }
  return json(publicExternal(record));
});

/** The answers of the token-manager API (`/api/v1`), by operationId. */
export const apiRuns = {
  retrieveAccessToken,
  storeRefreshToken,
  requestOfflineConsent,
  offlineCallback,
  revokeOfflineToken,
  validateToken,
  listExternalTokens,
  retrieveExternalToken,
} satisfies Partial<OperationRuns>;
