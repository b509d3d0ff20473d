import type { PushedAuthorizationResponse } from '@keyway/openapi';
import type { MockClient, MockUser } from '../types.js';
import { signInSession } from './backchannel-logout.js';
import { readClientRequest } from './client-auth.js';
import type { Engine } from './engine.js';
import { checkRepeats, many, one, scopes } from './form.js';
import { type FormFields, formFields, json, oauthError } from './http.js';
import { randomId } from './random.js';
import type { RouteContext } from './routes.js';

const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Exact match, except that loopback redirect URIs match on any port (RFC 8252 7.3). */
export function redirectUriMatches(registered: string, actual: string): boolean {
  if (registered === actual) {
    return true;
  }
  if (!URL.canParse(registered) || !URL.canParse(actual)) {
    return false;
  }
  const a = new URL(registered);
  const b = new URL(actual);
  return (
    a.protocol === 'http:' &&
    b.protocol === 'http:' &&
    LOOPBACK.has(a.hostname) &&
    a.hostname === b.hostname &&
    a.pathname === b.pathname &&
    a.search === b.search
  );
}

/** The redirect URI to use, or the reason the request cannot be redirected back. */
function resolveRedirectUri(client: MockClient, asked: string | undefined): string | { error: string } {
  if (asked !== undefined && !URL.canParse(asked)) {
    return { error: 'redirect_uri is not an absolute URI' };
  }
  const registered = client.redirectUris;
  if (!registered) {
    return asked ?? { error: 'redirect_uri is required' };
  }
  if (asked === undefined) {
    return registered.length === 1 && registered[0] ? registered[0] : { error: 'redirect_uri is required' };
  }
  return registered.some((uri) => redirectUriMatches(uri, asked))
    ? asked
    : { error: 'redirect_uri is not registered for this client' };
}

/** Checks of the authorization parameters that are reported back to the client (by redirect, or as PAR errors). */
function checkParams(engine: Engine, params: FormFields): { error: string; description: string } | undefined {
  if (one(params, 'response_type') !== 'code') {
    return { error: 'unsupported_response_type', description: 'response_type must be code' };
  }
  const challenge = one(params, 'code_challenge');
  if (!challenge) {
    return { error: 'invalid_request', description: 'code_challenge is required (PKCE)' };
  }
  if (one(params, 'code_challenge_method') !== 'S256') {
    return { error: 'invalid_request', description: 'code_challenge_method must be S256' };
  }
  if (challenge.length < 43 || challenge.length > 128) {
    return { error: 'invalid_request', description: 'code_challenge has an invalid length' };
  }
  const target = engine.unknownTarget(many(params, 'resource'));
  if (target !== undefined) {
    return { error: 'invalid_target', description: `${target} is not a registered resource` };
  }
  return undefined;
}

/**
 * The scope the user grants. The mock's sign-in stands for a consent to every scope asked, except
 * `offline_access` where OpenID Connect Core section 11 has it ignored: after a `prompt` without
 * `consent` (no one is asked, so no consent covers it), or for a client that may not use refresh
 * tokens. The device flow has no `prompt`: its approval is the consent.
 */
export function grantedScope(client: MockClient, scope: string | undefined, prompt?: string): string | undefined {
  const asked = scopes(scope);
  if (!asked.includes('offline_access')) {
    return scope;
  }
  const consented = prompt === undefined || scopes(prompt).includes('consent');
  const refreshable = client.grantTypes === undefined || client.grantTypes.includes('refresh_token');
  if (consented && refreshable) {
    return scope;
  }
  const kept = asked.filter((value) => value !== 'offline_access');
  return kept.length > 0 ? kept.join(' ') : undefined;
}

function redirect(target: string, params: Record<string, string | undefined>): Response {
  const url = new URL(target);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) {
      url.searchParams.set(name, value);
    }
  }
  return new Response(null, { status: 302, headers: { location: url.href, 'cache-control': 'no-store' } });
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * OAuth 2.0 Form Post Response Mode: a page whose form POSTs the response to the redirect URI as
 * `application/x-www-form-urlencoded`, submitted on load (a button without script).
 */
function formPost(target: string, params: Record<string, string | undefined>): Response {
  const inputs = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  const html = `<!doctype html><html><head><title>Signing in</title></head><body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(target)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`;
  return new Response(html, {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** The response modes of the authorize endpoint (and in discovery). */
export const RESPONSE_MODES = ['query', 'form_post'];

function pickUser(engine: Engine, loginHint: string | undefined): MockUser {
  if (loginHint !== undefined) {
    for (const user of engine.users.values()) {
      if (user.sub === loginHint || user.email === loginHint) {
        return user;
      }
    }
  }
  return engine.defaultUser();
}

/** `GET /oauth/authorize`: signs in the programmed (or first) user at once and redirects back with a code. */
export function authorize(ctx: RouteContext): Response {
  const { engine } = ctx;
  let params = checkRepeats(formFields(ctx.url.searchParams));
  if (params instanceof Response) {
    return params;
  }
  const clientId = one(params, 'client_id');
  if (!clientId) {
    return oauthError('invalid_request', 'Missing parameter: client_id');
  }
  const requestUri = one(params, 'request_uri');
  if (requestUri !== undefined) {
    const pushed = engine.state.pushed.get(requestUri);
    if (!pushed || pushed.clientId !== clientId) {
      return oauthError('invalid_request_uri', 'request_uri is unknown');
    }
    engine.state.pushed.delete(requestUri);
    if (pushed.exp <= engine.clock.now()) {
      return oauthError('invalid_request_uri', 'request_uri has expired');
    }
    params = pushed.params;
  }

  // An offline-access consent started through the token-manager API: the service is the client here.
  const consent = engine.state.consents.get(one(params, 'state') ?? '');
  if (consent && consent.clientId === clientId && requestUri === undefined) {
    if (!consent.redirectUri) {
      return oauthError('invalid_request', 'This consent has no redirect_uri to return to');
    }
    return engine.state.authorizeError
      ? redirect(consent.redirectUri, { ...errorParams(engine), state: consent.state, iss: engine.issuer })
      : redirect(consent.redirectUri, { code: randomId('oc_', 32), state: consent.state, iss: engine.issuer });
  }

  const client = engine.clients.get(clientId);
  if (!client) {
    return oauthError('invalid_request', 'Unknown client_id');
  }
  const redirectUri = resolveRedirectUri(client, one(params, 'redirect_uri'));
  if (typeof redirectUri !== 'string') {
    return oauthError('invalid_request', redirectUri.error);
  }
  const state = one(params, 'state');
  const mode = one(params, 'response_mode') ?? 'query';
  const back = (fields: Record<string, string | undefined>) =>
    (mode === 'form_post' ? formPost : redirect)(redirectUri, { ...fields, state, iss: engine.issuer });
  if (!RESPONSE_MODES.includes(mode)) {
    return back({ error: 'invalid_request', error_description: `response_mode ${mode} is not supported` });
  }
  const invalid = checkParams(engine, params);
  if (invalid) {
    return back({ error: invalid.error, error_description: invalid.description });
  }
  if (!(client.grantTypes ?? ['authorization_code']).includes('authorization_code')) {
    return back({
      error: 'unauthorized_client',
      error_description: 'authorization_code is not enabled for this client',
    });
  }
  if (engine.state.authorizeError) {
    return back(errorParams(engine));
  }
  const user = pickUser(engine, one(params, 'login_hint'));
  const now = engine.clock.now();
  const code = randomId('ac_', 32);
  engine.state.codes.set(code, {
    code,
    clientId,
    redirectUri: one(params, 'redirect_uri'),
    codeChallenge: one(params, 'code_challenge') ?? '',
    sub: user.sub,
    scope: grantedScope(client, one(params, 'scope'), one(params, 'prompt')),
    nonce: one(params, 'nonce'),
    resource: many(params, 'resource'),
    authTime: now,
    sid: signInSession(engine, user.sub, clientId),
    exp: now + engine.ttl.authorizationCode,
    used: false,
    dpopJkt: one(params, 'dpop_jkt'),
  });
  return back({ code });
}

function errorParams(engine: Engine): Record<string, string | undefined> {
  const programmed = engine.state.authorizeError ?? { error: 'access_denied' };
  return { error: programmed.error, error_description: programmed.description };
}

/** `POST /oauth/par` (RFC 9126): stores the request and answers a one-time `request_uri`. */
export async function pushAuthorizationRequest(ctx: RouteContext): Promise<Response> {
  const read = await readClientRequest(ctx, '/oauth/par');
  if (read instanceof Response) {
    return read;
  }
  const { form, dpop, auth } = read;
  if (one(form, 'request_uri') !== undefined) {
    return oauthError('invalid_request', 'request_uri must not be pushed');
  }
  const redirectUri = resolveRedirectUri(auth.client, one(form, 'redirect_uri'));
  if (typeof redirectUri !== 'string') {
    return oauthError('invalid_request', redirectUri.error);
  }
  const invalid = checkParams(ctx.engine, form);
  if (invalid) {
    return oauthError(invalid.error, invalid.description);
  }
  const params: FormFields = {};
  for (const [name, value] of Object.entries(form)) {
    if (!['client_secret', 'client_assertion', 'client_assertion_type'].includes(name)) {
      params[name] = value;
    }
  }
  params.client_id = auth.client.clientId;
  if (dpop) {
    const named = one(form, 'dpop_jkt');
    if (named !== undefined && named !== dpop.jkt) {
      return oauthError('invalid_request', 'The DPoP proof key does not match dpop_jkt');
    }
    params.dpop_jkt = dpop.jkt;
  }
  const requestUri = `${REQUEST_URI_PREFIX}${randomId('', 32)}`;
  const expiresIn = ctx.engine.ttl.authorizationCode;
  ctx.engine.state.pushed.set(requestUri, {
    requestUri,
    clientId: auth.client.clientId,
    params,
    exp: ctx.engine.clock.now() + expiresIn,
  });
  return json({ request_uri: requestUri, expires_in: expiresIn } satisfies PushedAuthorizationResponse, 201);
}
