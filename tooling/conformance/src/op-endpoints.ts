import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { base64url } from 'jose';
import { applyPatch, halfHash, type Signer, signJws, tamper } from './jws.ts';
import type { KeyRing } from './keys.ts';
import type { Answer } from './op-respond.ts';
import type { EndpointName, Scenario, TokenTweak } from './scenario.ts';
import { newSecret, registerSecret } from './secrets.ts';

/** The `client_id` the suite uses at the OP (any other is accepted too). */
export const CLIENT_ID = 'conformance-client';
/** The audience (resource server identifier) of the JWT access tokens the OP mints. */
export const RESOURCE = 'https://api.conformance.test';

/** An authorization code the OP issued, and what it was issued for. */
interface IssuedCode {
  clientId: string;
  nonce: string | undefined;
  challenge: string | undefined;
  scope: string;
  maxAge: string | undefined;
  used: boolean;
}

/** What the endpoints share: keys, the scenario, issued codes, pushed requests, device polls. */
export interface OpState {
  readonly issuer: string;
  readonly keys: KeyRing;
  scenario: Scenario;
  codes: Map<string, IssuedCode>;
  pushed: Map<string, URLSearchParams>;
  /** Polls answered so far, per device code. */
  devicePolls: Map<string, number>;
}

export interface Routed {
  endpoint: EndpointName | 'unknown';
  answer: Answer;
}

const now = () => Math.floor(Date.now() / 1000);

/** The discovery document, scenario `metadata` applied. */
export function discoveryOf(state: OpState): Record<string, unknown> {
  const { issuer } = state;
  return applyPatch(
    {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
      userinfo_endpoint: `${issuer}/userinfo`,
      introspection_endpoint: `${issuer}/introspect`,
      revocation_endpoint: `${issuer}/revoke`,
      device_authorization_endpoint: `${issuer}/device`,
      pushed_authorization_request_endpoint: `${issuer}/par`,
      end_session_endpoint: `${issuer}/logout`,
      response_types_supported: ['code'],
      grant_types_supported: [
        'authorization_code',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:device_code',
      ],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      dpop_signing_alg_values_supported: ['ES256', 'RS256'],
    },
    state.scenario.metadata,
  );
}

function jwks(state: OpState): Record<string, unknown> {
  const names = state.scenario.published ?? ['rs', 'es'];
  return { keys: names.map((name) => state.keys[name].jwk) };
}

export interface Minted {
  jwt: string;
  claims: Record<string, unknown>;
}

/**
 * Signs an ID token (`id`) or an RFC 9068 access token (`at`) the way the OP does, with `tweak`
 * applied; `base` are claims of the flow (nonce, at_hash, aud, sub...). Registered as a secret.
 */
export async function mintToken(
  state: OpState,
  kind: 'id' | 'at',
  tweak: TokenTweak | undefined,
  base: Record<string, unknown> = {},
): Promise<Minted> {
  if (tweak?.raw !== undefined) {
    registerSecret(tweak.raw);
    return { jwt: tweak.raw, claims: {} };
  }
  const key = state.keys[tweak?.key ?? 'rs'];
  const t = now();
  const claims: Record<string, unknown> =
    kind === 'id'
      ? { iss: state.issuer, sub: state.scenario.subject ?? 'alice', aud: CLIENT_ID, exp: t + 300, iat: t, ...base }
      : {
          iss: state.issuer,
          sub: state.scenario.subject ?? 'alice',
          aud: RESOURCE,
          exp: t + 300,
          iat: t,
          jti: base64url.encode(randomBytes(12)),
          client_id: CLIENT_ID,
          scope: 'read write',
          ...base,
        };
  applyPatch(claims, tweak?.claims);
  const header: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: kind === 'id' ? 'JWT' : 'at+jwt' };
  let signer: Signer = { key };
  if (tweak?.none) {
    signer = { none: true };
    header.alg = 'none';
  } else if (tweak?.hmac !== undefined) {
    signer = { hmac: tweak.hmac === 'public-key' ? key.pem : tweak.hmac };
    header.alg = 'HS256';
  }
  applyPatch(header, tweak?.header);
  if (tweak?.padTo !== undefined) {
    claims.pad = 'x'.repeat(Math.ceil((tweak.padTo * 3) / 4));
  }
  let jwt = await signJws(header, claims, signer);
  if (tweak?.tamper) {
    jwt = tamper(jwt);
  }
  registerSecret(jwt);
  return { jwt, claims };
}

function oauthError(error: string, status = 400, description?: string): Answer {
  return { status, body: { error, ...(description ? { error_description: description } : {}) } };
}

/** The client the request authenticates as (Basic or form), its secret registered with the scan. */
function clientOf(req: IncomingMessage, form: URLSearchParams): string {
  const auth = req.headers.authorization;
  if (auth?.toLowerCase().startsWith('basic ')) {
    const [id, pass] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
    registerSecret(decodeURIComponent(pass ?? ''));
    return decodeURIComponent(id ?? CLIENT_ID);
  }
  registerSecret(form.get('client_secret'));
  return form.get('client_id') ?? CLIENT_ID;
}

async function tokenAnswer(
  state: OpState,
  clientId: string,
  options: { scope: string; nonce?: string | undefined; idToken: boolean; authTime?: boolean },
): Promise<Answer> {
  const accessToken = newSecret('at');
  const body: Record<string, unknown> = {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: newSecret('rt'),
    scope: options.scope,
  };
  const tweak = state.scenario.idToken;
  if (options.idToken && tweak !== 'omit') {
    const base: Record<string, unknown> = { aud: clientId, at_hash: halfHash(accessToken) };
    if (options.nonce !== undefined) {
      base.nonce = options.nonce;
    }
    if (options.authTime) {
      base.auth_time = now() - 5;
    }
    body.id_token = (await mintToken(state, 'id', tweak, base)).jwt;
  }
  return { status: 200, body };
}

async function token(state: OpState, req: IncomingMessage, form: URLSearchParams): Promise<Answer> {
  const clientId = clientOf(req, form);
  switch (form.get('grant_type')) {
    case 'authorization_code': {
      const issued = state.codes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier');
      registerSecret(verifier);
      if (!issued || issued.used) {
        return oauthError('invalid_grant', 400, 'unknown or used code');
      }
      issued.used = true;
      const s256 = verifier ? base64url.encode(createHash('sha256').update(verifier).digest()) : undefined;
      if (issued.challenge !== undefined && s256 !== issued.challenge) {
        return oauthError('invalid_grant', 400, 'PKCE verification failed');
      }
      return tokenAnswer(state, clientId, {
        scope: issued.scope,
        nonce: issued.nonce,
        idToken: issued.scope.split(' ').includes('openid'),
        authTime: true,
      });
    }
    case 'refresh_token':
      registerSecret(form.get('refresh_token'));
      return tokenAnswer(state, clientId, { scope: 'openid offline_access', idToken: true });
    case 'client_credentials':
      return tokenAnswer(state, clientId, { scope: form.get('scope') ?? '', idToken: false });
    case 'urn:ietf:params:oauth:grant-type:device_code': {
      const code = form.get('device_code') ?? '';
      registerSecret(code);
      const n = state.devicePolls.get(code) ?? 0;
      state.devicePolls.set(code, n + 1);
      const pending = state.scenario.devicePolls?.[n];
      if (pending !== undefined) {
        return oauthError(pending);
      }
      return tokenAnswer(state, clientId, { scope: 'openid offline_access', idToken: true });
    }
    default:
      return oauthError('unsupported_grant_type');
  }
}

function authorize(state: OpState, url: URL): Answer {
  let params = url.searchParams;
  const requestUri = params.get('request_uri');
  if (requestUri !== null) {
    params = state.pushed.get(requestUri) ?? new URLSearchParams();
  }
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri) {
    return { status: 400, body: 'hostile OP: no redirect_uri' };
  }
  const tweak = state.scenario.authorizationResponse ?? {};
  const target = new URL(redirectUri);
  if (tweak.error !== undefined) {
    target.searchParams.set('error', tweak.error);
    if (tweak.error_description !== undefined) {
      target.searchParams.set('error_description', tweak.error_description);
    }
  } else {
    const code = base64url.encode(randomBytes(16));
    state.codes.set(code, {
      clientId: params.get('client_id') ?? CLIENT_ID,
      nonce: params.get('nonce') ?? undefined,
      challenge: params.get('code_challenge') ?? undefined,
      scope: params.get('scope') ?? 'openid',
      maxAge: params.get('max_age') ?? undefined,
      used: false,
    });
    target.searchParams.set('code', code);
  }
  const stateParam = params.get('state');
  if (stateParam !== null) {
    target.searchParams.set('state', stateParam);
  }
  const iss = tweak.iss === undefined ? state.issuer : tweak.iss;
  if (iss !== null) {
    target.searchParams.set('iss', iss);
  }
  for (const [name, value] of tweak.extra ?? []) {
    target.searchParams.append(name, value);
  }
  return { status: 302, headers: { location: target.href } };
}

async function userinfo(state: OpState, req: IncomingMessage, url: URL, form: URLSearchParams): Promise<Answer> {
  const auth = req.headers.authorization ?? '';
  const token =
    /^(?:bearer|dpop) (.+)$/i.exec(auth)?.[1] ?? url.searchParams.get('access_token') ?? form.get('access_token');
  if (!token) {
    return { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
  }
  registerSecret(token);
  const claims = { sub: state.scenario.subject ?? 'alice', email: 'alice@conformance.test' };
  if (state.scenario.signedUserinfo) {
    const { jwt } = await mintToken(state, 'id', state.scenario.signedUserinfo, claims);
    return { status: 200, headers: { 'content-type': 'application/jwt' }, body: jwt };
  }
  return { status: 200, body: claims };
}

function device(state: OpState): Answer {
  return {
    status: 200,
    body: {
      device_code: newSecret('dc'),
      user_code: 'WDJB-MJHT',
      verification_uri: `${state.issuer}/device`,
      verification_uri_complete: `${state.issuer}/device?user_code=WDJB-MJHT`,
      expires_in: 600,
      interval: 5,
    },
  };
}

function par(state: OpState, req: IncomingMessage, form: URLSearchParams): Answer {
  clientOf(req, form);
  const requestUri = `urn:ietf:params:oauth:request_uri:${base64url.encode(randomBytes(12))}`;
  state.pushed.set(requestUri, form);
  return { status: 201, body: { request_uri: requestUri, expires_in: 60 } };
}

/** Routes a request to its endpoint and computes the answer a correct OP would give. */
export async function route(state: OpState, req: IncomingMessage, url: URL, form: URLSearchParams): Promise<Routed> {
  const key = `${req.method} ${url.pathname}`;
  switch (key) {
    case 'GET /.well-known/openid-configuration':
      return { endpoint: 'discovery', answer: { status: 200, body: discoveryOf(state) } };
    case 'GET /.well-known/oauth-authorization-server':
      return { endpoint: 'oauthMetadata', answer: { status: 200, body: discoveryOf(state) } };
    case 'GET /jwks':
      return { endpoint: 'jwks', answer: { status: 200, body: jwks(state) } };
    case 'GET /authorize':
      return { endpoint: 'authorize', answer: authorize(state, url) };
    case 'POST /token':
      return { endpoint: 'token', answer: await token(state, req, form) };
    case 'GET /userinfo':
    case 'POST /userinfo':
      return { endpoint: 'userinfo', answer: await userinfo(state, req, url, form) };
    case 'POST /introspect':
      clientOf(req, form);
      registerSecret(form.get('token'));
      return {
        endpoint: 'introspection',
        answer: { status: 200, body: { active: true, sub: 'alice', client_id: CLIENT_ID, scope: 'openid' } },
      };
    case 'POST /revoke':
      clientOf(req, form);
      registerSecret(form.get('token'));
      return { endpoint: 'revocation', answer: { status: 200 } };
    case 'POST /device':
      clientOf(req, form);
      return { endpoint: 'device', answer: device(state) };
    case 'POST /par':
      return { endpoint: 'par', answer: par(state, req, form) };
    case 'GET /logout':
      return { endpoint: 'endSession', answer: { status: 200, body: 'signed out' } };
    default:
      return { endpoint: 'unknown', answer: { status: 404, body: 'hostile OP: no such endpoint' } };
  }
}
