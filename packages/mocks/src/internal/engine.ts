import { SignJWT } from 'jose';
import type {
  FailOptions,
  MockCall,
  MockClient,
  MockKeywayOptions,
  MockResource,
  MockTtl,
  MockUser,
} from '../types.js';
import { createClock, type MockClock } from './clock.js';
import { FailureRules } from './failures.js';
import { scopes } from './form.js';
import { formFields, headersRecord, json, oauthError, problem, problemCode, readBody, sleep } from './http.js';
import { KeyRing } from './keys.js';
import { randomId } from './random.js';
import { type RouteDef, Router } from './routes.js';
import { type IssuedToken, MockState } from './state.js';

const DEFAULT_ISSUER = 'https://keyway.test';

/** Scopes of OpenID Connect itself (Core 5.4, 11): about the user and the grant, never for a resource server. */
const OIDC_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'address', 'phone', 'offline_access']);

const DEFAULT_USERS: MockUser[] = [
  { sub: 'usr_test', name: 'Test User', email: 'test@example.com', email_verified: true },
];

const DEFAULT_CLIENTS: MockClient[] = [
  { clientId: 'test-client', clientSecret: 'test-secret' },
  { clientId: 'test-public-client', tokenEndpointAuthMethod: 'none' },
];

const DEFAULT_TTL: Required<MockTtl> = {
  accessToken: 3600,
  idToken: 3600,
  refreshToken: 30 * 24 * 3600,
  authorizationCode: 60,
  deviceCode: 600,
};

export interface AccessTokenInput {
  sub?: string;
  clientId: string;
  scope?: string;
  aud?: string | string[];
  grantId?: string;
  ttl?: number;
  claims?: Record<string, unknown>;
  /** DPoP: bind the token to this key thumbprint (`cnf.jkt`). */
  jkt?: string;
}

/** The runtime-agnostic heart of the mock: state, keys, clock, and `handle(request)`. */
export class Engine {
  readonly state = new MockState();
  readonly clock: MockClock = createClock();
  readonly keys: KeyRing;
  readonly failures = new FailureRules();
  readonly calls: MockCall[] = [];
  readonly ttl: Required<MockTtl>;
  readonly apiToken = randomId('kw_test_', 32);
  readonly users = new Map<string, MockUser>();
  /** Seconds between device-flow polls (RFC 8628 `interval`). */
  readonly deviceInterval: number;
  /** DPoP proofs must carry the mock's nonce. */
  readonly dpopNonce: boolean;
  /** Registered resource servers by indicator; `undefined` accepts any. */
  readonly resources: ReadonlyMap<string, MockResource> | undefined;
  readonly clients = new Map<string, MockClient>();
  #configuredIssuer: string;
  #servingIssuer: string | undefined;
  #router: Router;
  #options: MockKeywayOptions;
  /** The fetch of the mock's own requests (back-channel logout tokens). */
  readonly outboundFetch: (input: string, init: RequestInit) => Promise<Response>;

  constructor(options: MockKeywayOptions, routes: RouteDef[]) {
    this.#options = options;
    if (options.outboundFetch !== undefined && typeof options.outboundFetch !== 'function') {
      throw new TypeError('@keyway/mocks: outboundFetch must be a fetch function.');
    }
    this.outboundFetch = options.outboundFetch ?? ((input, init) => globalThis.fetch(input, init));
    this.#configuredIssuer = normalizeIssuer(options.issuer ?? DEFAULT_ISSUER);
    if (options.keySeed !== undefined && (typeof options.keySeed !== 'string' || options.keySeed === '')) {
      throw new TypeError('@keyway/mocks: keySeed must be a non-empty string.');
    }
    this.keys = new KeyRing(options.alg ?? 'RS256', options.keySeed);
    const ttl = typeof options.ttl === 'number' ? { accessToken: options.ttl } : (options.ttl ?? {});
    this.ttl = { ...DEFAULT_TTL, ...ttl };
    this.deviceInterval = options.deviceInterval ?? 5;
    this.dpopNonce = options.dpopNonce ?? false;
    this.resources = options.resources
      ? new Map(
          options.resources.map((entry) => {
            const resource = typeof entry === 'string' ? { uri: entry } : entry;
            return [resource.uri, resource] as const;
          }),
        )
      : undefined;
    this.#router = new Router(routes);
    this.reset();
  }

  get issuer(): string {
    return this.#servingIssuer ?? this.#configuredIssuer;
  }

  get configuredIssuer(): string {
    return this.#configuredIssuer;
  }

  /** While `listen()` serves, the server's URL is the issuer. */
  serveAs(issuer: string | undefined): void {
    this.#servingIssuer = issuer === undefined ? undefined : normalizeIssuer(issuer);
  }

  get routes(): readonly RouteDef[] {
    return this.#router.routes;
  }

  reset(): void {
    Object.assign(this.state, new MockState());
    this.failures.clear();
    this.calls.length = 0;
    this.clock.useRealTime();
    this.users.clear();
    for (const user of this.#options.users ?? DEFAULT_USERS) {
      this.users.set(user.sub, { ...user });
    }
    this.clients.clear();
    for (const client of this.#options.clients ?? DEFAULT_CLIENTS) {
      this.clients.set(client.clientId, { ...client });
    }
    const firstUser = this.users.keys().next().value;
    const firstClient = this.clients.keys().next().value ?? 'test-client';
    this.registerOpaqueAccessToken(this.apiToken, { sub: firstUser, clientId: firstClient, scope: 'api' });
  }

  /** The user a flow acts for when the test did not name one. */
  defaultUser(): MockUser {
    const sub = this.state.nextUser ?? this.users.keys().next().value;
    return (sub && this.users.get(sub)) || { sub: sub ?? 'usr_test' };
  }

  registerOpaqueAccessToken(
    token: string,
    input: { sub?: string; clientId: string; scope?: string; aud?: string | string[]; exp?: number },
  ): IssuedToken {
    const grantId = randomId('grt_');
    this.state.grants.set(grantId, {
      id: grantId,
      sub: input.sub,
      clientId: input.clientId,
      scope: input.scope,
      revoked: false,
    });
    const issued: IssuedToken = {
      token,
      kind: 'access',
      jti: randomId('at_'),
      grantId,
      sub: input.sub,
      clientId: input.clientId,
      scope: input.scope,
      aud: input.aud,
      iat: this.clock.now(),
      exp: input.exp,
      revoked: false,
    };
    this.state.tokens.set(token, issued);
    return issued;
  }

  /** Signs an RFC 9068 JWT access token and remembers it, so the mock's endpoints accept it. */
  async issueAccessToken(input: AccessTokenInput): Promise<IssuedToken> {
    const key = await this.keys.current();
    const now = this.clock.now();
    const exp = now + (input.ttl ?? this.ttl.accessToken);
    const jti = randomId('at_');
    const grantId = input.grantId ?? this.newGrant({ sub: input.sub, clientId: input.clientId, scope: input.scope });
    const aud = input.aud ?? this.issuer;
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      ...(input.sub === undefined ? {} : { sub: input.sub }),
      aud,
      client_id: input.clientId,
      iat: now,
      exp,
      jti,
      ...(input.scope ? { scope: input.scope } : {}),
      ...(input.jkt ? { cnf: { jkt: input.jkt } } : {}),
      ...input.claims,
    };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .sign(key.privateKey);
    const issued: IssuedToken = {
      token,
      kind: 'access',
      jti,
      grantId,
      sub: typeof claims.sub === 'string' ? claims.sub : undefined,
      clientId: input.clientId,
      scope: typeof claims.scope === 'string' ? claims.scope : undefined,
      aud: claims.aud as string | string[],
      iat: typeof claims.iat === 'number' ? claims.iat : now,
      exp: typeof claims.exp === 'number' ? claims.exp : exp,
      revoked: false,
      ...(input.jkt ? { jkt: input.jkt } : {}),
    };
    this.state.tokens.set(token, issued);
    return issued;
  }

  newGrant(input: { sub?: string; clientId: string; scope?: string; resource?: string[]; authTime?: number }): string {
    const id = randomId('grt_');
    this.state.grants.set(id, { id, ...input, revoked: false });
    return id;
  }

  /**
   * The first target the mock refuses (`invalid_target`): a `resource` that is no absolute URI without
   * a fragment (RFC 8707 section 2), or a resource or audience that is not registered.
   */
  unknownTarget(resources: string[], audiences: string[] = []): string | undefined {
    const malformed = resources.find(
      (value) => !URL.canParse(value) || new URL(value).hash !== '' || value.includes('#'),
    );
    if (malformed !== undefined) {
      return malformed;
    }
    const registered = this.resources;
    return registered ? [...resources, ...audiences].find((value) => !registered.has(value)) : undefined;
  }

  /**
   * The scope of an access token (RFC 8707 section 2.2): without a resource, the scope asked for;
   * for resources, only the scopes they accept (their `scopes`, else every scope but the OpenID
   * Connect ones, which belong in the ID token and at userinfo). `undefined` when nothing is left.
   */
  accessScope(scope: string | undefined, resources: string[] | undefined): string | undefined {
    if (!resources || resources.length === 0) {
      return scope;
    }
    const accepted = resources.map((uri) => this.resources?.get(uri)?.scopes);
    const kept = scopes(scope).filter((value) =>
      accepted.some((list) => (list ? list.includes(value) : !OIDC_SCOPES.has(value))),
    );
    return kept.length > 0 ? kept.join(' ') : undefined;
  }

  /** A token the mock issued that is still good: known, not revoked, its grant alive, not expired. */
  activeToken(token: string | undefined, kind: IssuedToken['kind'] = 'access'): IssuedToken | undefined {
    const issued = token === undefined ? undefined : this.state.tokens.get(token);
    if (!issued || issued.kind !== kind || issued.revoked || issued.used) {
      return undefined;
    }
    if (this.state.grants.get(issued.grantId)?.revoked) {
      return undefined;
    }
    if (issued.exp !== undefined && issued.exp <= this.clock.now()) {
      return undefined;
    }
    return issued;
  }

  revokeGrant(grantId: string): void {
    const grant = this.state.grants.get(grantId);
    if (grant) {
      grant.revoked = true;
    }
    for (const token of this.state.tokens.values()) {
      if (token.grantId === grantId) {
        token.revoked = true;
      }
    }
  }

  /** Answers one request. Never throws: a bug in a route becomes a 500, as a real server would answer. */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const base = new URL(this.issuer);
    const prefix = base.pathname.replace(/\/+$/, '');
    const inside = url.origin === base.origin && (url.pathname === prefix || url.pathname.startsWith(`${prefix}/`));
    const path = inside ? url.pathname.slice(prefix.length) || '/' : url.pathname;
    const method = request.method.toUpperCase();
    const match = inside ? this.#router.match(method, path) : ({ kind: 'not-found', api: false } as const);
    const route = match.kind === 'route' ? match.route : undefined;
    const api = match.kind === 'route' ? match.route.api : match.api;
    const requestId = api ? randomId('req_', 26) : undefined;
    const { body, malformed } = await readBody(request);
    const call: MockCall = {
      route: route?.name ?? 'unknown',
      method,
      url: url.href,
      path,
      params: match.kind === 'route' ? match.params : {},
      query: formFields(url.searchParams),
      headers: headersRecord(request.headers),
      body,
      status: undefined,
      ...(requestId ? { requestId } : {}),
      time: this.clock.now(),
    };
    this.calls.push(call);

    let response: Response;
    try {
      const failure = route ? this.failures.take(route, method, path) : undefined;
      if (failure?.delay) {
        await sleep(failure.delay, request.signal);
      }
      if (failure?.network) {
        response = Response.error();
      } else if (failure?.status !== undefined) {
        response = failureResponse(failure, failure.status, api, requestId);
      } else if (match.kind === 'route') {
        response = await match.route.run({
          engine: this,
          request,
          url,
          params: match.params,
          body,
          malformed,
          requestId: requestId ?? '',
        });
      } else if (match.kind === 'method-not-allowed') {
        const allow = { allow: match.allow.join(', ') };
        response = requestId
          ? problem(405, requestId, { detail: `${method} is not allowed here` }, allow)
          : oauthError('invalid_request', `${method} is not allowed here`, 405, allow);
      } else {
        response = requestId
          ? problem(404, requestId, { detail: `No route ${method} ${path}` })
          : json({ error: 'not_found', error_description: `No route ${method} ${path}` }, 404);
      }
    } catch (error) {
      if (request.signal.aborted) {
        call.status = 0;
        throw error;
      }
      const detail = error instanceof Error ? error.message : String(error);
      response = requestId
        ? problem(500, requestId, { detail: `Mock failure: ${detail}` })
        : oauthError('server_error', `Mock failure: ${detail}`, 500);
    }
    if (requestId && response.type !== 'error' && !response.headers.has('x-request-id')) {
      response.headers.set('x-request-id', requestId);
    }
    call.status = response.type === 'error' ? 0 : response.status;
    this.#options.onCall?.(call);
    return response;
  }
}

function failureResponse(failure: FailOptions, status: number, api: boolean, requestId: string | undefined): Response {
  const headers: Record<string, string> = {};
  if (status === 429 || status === 503) {
    headers['retry-after'] = String(failure.retryAfter ?? 1);
  }
  if (requestId) {
    headers['x-request-id'] = requestId;
  }
  let body: string | null;
  if (typeof failure.body === 'string') {
    headers['content-type'] = failure.body.trimStart().startsWith('<')
      ? 'text/html; charset=utf-8'
      : 'text/plain; charset=utf-8';
    body = failure.body;
  } else if (failure.body !== undefined) {
    headers['content-type'] = api ? 'application/problem+json' : 'application/json';
    body = JSON.stringify(failure.body);
  } else if (status < 300 || status === 304) {
    body = null;
  } else if (requestId) {
    const res = problem(status, requestId, { detail: `Injected failure (${problemCode(status)})` }, headers);
    for (const [name, value] of Object.entries(failure.headers ?? {})) {
      res.headers.set(name, value);
    }
    return res;
  } else {
    headers['content-type'] = 'application/json';
    body = JSON.stringify({ error: oauthErrorFor(status), error_description: `Injected failure (${status})` });
  }
  return new Response(body, { status, headers: { ...headers, ...lowerKeys(failure.headers) } });
}

function oauthErrorFor(status: number): string {
  if (status === 401) {
    return 'invalid_client';
  }
  if (status === 429 || status === 503) {
    return 'temporarily_unavailable';
  }
  return status >= 500 ? 'server_error' : 'invalid_request';
}

function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

function normalizeIssuer(issuer: string): string {
  const url = new URL(issuer);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
