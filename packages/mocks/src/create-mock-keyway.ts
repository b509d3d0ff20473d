import type { ExternalToken, JsonWebKeySet } from '@keyway/openapi';
import type { HttpHandler } from 'msw';
import { buildHandlers } from '#msw';
import { apiRuns } from './internal/api-routes.js';
import type { MockClock } from './internal/clock.js';
import { pageRoutes } from './internal/device-page.js';
import { Engine } from './internal/engine.js';
import { createMockFetch } from './internal/mock-fetch.js';
import type { MswHttp } from './internal/msw-types.js';
import { oauthRuns } from './internal/oauth-routes.js';
import { specRoutes } from './internal/routes.js';
import { createScenario } from './internal/scenario.js';
import { createSeed } from './internal/seed.js';
import { buildHandlersWith, HANDLERS_WITH } from './msw/build-handlers.js';
import type {
  FailOptions,
  FailureHandle,
  MockCall,
  MockClient,
  MockKeywayOptions,
  MockRouteName,
  MockRouteSelector,
  MockServer,
  MockUser,
  SigningAlg,
} from './types.js';

export type { MockClock } from './internal/clock.js';

/** Options of `mock.seed.accessToken()`. */
export interface SeedAccessTokenOptions {
  /** The user (default: the first configured user). */
  sub?: string;
  /** The client (default: the first configured client). */
  clientId?: string;
  scope?: string;
  aud?: string | string[];
  /** Seconds until it expires (default: never). */
  expiresIn?: number;
  /** The token string itself (default: a random opaque token). */
  token?: string;
}

/** Options of `mock.seed.persistentToken()`. */
export interface SeedPersistentTokenOptions {
  /** The persistent token id (default: a random `ptk_...`). */
  id?: string;
  /** The user its access tokens are for (default: the first configured user). */
  sub?: string;
  /** The client (default: the first configured client). */
  clientId?: string;
  scope?: string;
  /** The refresh token behind it, as if stored with `storeRefreshToken`. */
  refreshToken?: string;
}

/** Options of `mock.seed.externalToken()`. */
export interface SeedExternalTokenOptions extends Partial<Omit<ExternalToken, 'provider'>> {
  /** The provider's grant is gone: `retrieveExternalToken` answers 401 `reconsent_required`. */
  reconsent?: boolean;
}

/** Puts state into the mock directly, without going through the HTTP API. */
export interface MockSeed {
  /** Adds (or replaces) a user. */
  user(user: MockUser): MockUser;
  /** Adds (or replaces) a client. */
  client(client: MockClient): MockClient;
  /** An opaque bearer token the mock accepts (token-manager API, userinfo, introspection). */
  accessToken(options?: SeedAccessTokenOptions): string;
  /** A persistent token: `GET /api/v1/access/{id}` answers access tokens for it. Returns the id. */
  persistentToken(options?: SeedPersistentTokenOptions): string;
  /** A federated provider's token held for `user` (a `sub`); `reconsent: true` makes it need consent again. */
  externalToken(user: string, provider: string, options?: SeedExternalTokenOptions): ExternalToken;
}

/** A stateful fake of the Keyway service. Create one with {@link createMockKeyway}. */
export interface MockKeyway {
  /** The issuer URL the mock answers for: the configured one, or the server's URL while `listen()` runs. */
  readonly issuer: string;
  /** A ready bearer token for the token-manager API (an opaque token for the first user and client). */
  readonly apiToken: string;
  /**
   * msw request handlers for the current issuer, for `setupServer()` (Node). msw is an optional peer
   * dependency, loaded on first read: without it installed, reading this throws `MissingDependencyError`.
   * A browser bundle cannot load msw on first read, so there this throws `UnsupportedRuntimeError`: pass
   * `mswHandlers(mock)` of `@keyway/mocks/msw` to `setupWorker()` instead. Where msw cannot load at all
   * (workerd, Vercel Edge, web workers) it throws `UnsupportedRuntimeError` too: use `fetch` there.
   */
  readonly handlers: HttpHandler[];
  /** A `fetch`-compatible function served by the mock in-process: inject it, nothing global is patched. */
  readonly fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Answers one request: the runtime-agnostic core that `handlers`, `fetch` and `listen()` share. */
  handle(request: Request): Promise<Response>;
  /** Serves the mock over real HTTP on 127.0.0.1 (port 0: any free port); the server's URL becomes the issuer. Node only (elsewhere it rejects with `UnsupportedRuntimeError`). */
  listen(port?: number): Promise<MockServer>;
  /** Makes matching requests fail (status, body, network error) or slow down (`delay`). */
  fail(route: MockRouteSelector, options: FailOptions): FailureHandle;
  /** Every request received, oldest first. */
  readonly calls: readonly MockCall[];
  /** The calls of one route (an operationId). */
  callsTo(route: MockRouteName): MockCall[];
  /** Forgets tokens, grants, consents, failures, calls and seeded data; back to the real clock. Keys and `apiToken` stay. */
  reset(): void;
  /** The clock the mock issues and checks tokens with (epoch seconds). */
  readonly clock: MockClock;
  /** Seeding helpers. */
  readonly seed: MockSeed;
  /** Signs an RFC 9068 access token (`typ: at+jwt`) the mock's endpoints accept; `claims` override the defaults. */
  mintAccessToken(claims?: MintClaims): Promise<string>;
  /** Signs an ID token for a user (default: the first) and client (default: the first); `claims` override. */
  mintIdToken(claims?: MintClaims): Promise<string>;
  /** The public JWKS, as `GET /oauth/jwks` serves it. */
  jwks(): Promise<JsonWebKeySet>;
  /** New signing key; the previous one stays published (tokens it signed still verify) unless `retire: true`. */
  rotateKeys(options?: { retire?: boolean; alg?: SigningAlg }): Promise<void>;
  /** Expires every access token the mock issued (`apiToken` excepted), plus refresh tokens with `refreshTokens: true`. */
  expireAll(options?: { refreshTokens?: boolean }): void;
  /** The user the authorize endpoint signs in from now on (a `sub` of a known user, or a new user). */
  signInAs(user: string | MockUser): void;
  /** Makes the authorize endpoint redirect with an error (default `access_denied`); `null` goes back to signing in. */
  denyAuthorization(error?: { error: string; description?: string } | null): void;
  /** Approves a pending device authorization by its user code, for `user` (default: the signed-in user). */
  approveDevice(userCode: string, user?: string | MockUser): void;
  /** Denies a pending device authorization: polling answers `access_denied`. */
  denyDevice(userCode: string): void;
}

/** Claims for `mintAccessToken()` / `mintIdToken()`; `exp` defaults from the mock's `ttl`. */
export interface MintClaims {
  sub?: string;
  aud?: string | string[];
  client_id?: string;
  scope?: string;
  exp?: number;
  iat?: number;
  nonce?: string;
  [claim: string]: unknown;
}

/**
 * Creates a stateful fake of the whole Keyway service — discovery, JWKS, every OAuth grant, PAR,
 * device flow, introspection, revocation, userinfo, logout, and the token-manager API (`/api/v1`) —
 * that signs real JWTs. Serve it in-process (`fetch`, `handle`), through msw (`handlers`) or over
 * HTTP (`listen()`).
 *
 * @example
 * ```ts
 * import { createMockKeyway } from '@keyway/mocks';
 *
 * const mock = createMockKeyway();
 * const id = mock.seed.persistentToken({ sub: 'usr_1', scope: 'api:read' });
 * const res = await mock.fetch(`${mock.issuer}/api/v1/access/${id}`, {
 *   headers: { authorization: `Bearer ${mock.apiToken}` },
 * });
 * const { access_token } = (await res.json()) as { access_token: string };
 * ```
 */
export function createMockKeyway(options: MockKeywayOptions = {}): MockKeyway {
  const engine = new Engine(options, [...specRoutes({ ...oauthRuns, ...apiRuns }), ...pageRoutes]);
  let cachedHandlers: { issuer: string; handlers: HttpHandler[] } | undefined;
  let listening = false;

  const seed = createSeed(engine);

  const mock: MockKeyway = {
    get issuer() {
      return engine.issuer;
    },
    apiToken: engine.apiToken,
    get handlers() {
      if (cachedHandlers?.issuer !== engine.issuer) {
        cachedHandlers = { issuer: engine.issuer, handlers: buildHandlers(engine, engine.issuer) };
      }
      return cachedHandlers.handlers;
    },
    fetch: createMockFetch(engine),
    handle: (request) => engine.handle(request),
    async listen(port = 0) {
      if (listening) {
        throw new Error('@keyway/mocks: this mock is already listening; close() the server first.');
      }
      listening = true;
      try {
        const { serve } = await import('#server');
        const server = await serve((request) => engine.handle(request), port);
        const url = `${server.url}${new URL(engine.configuredIssuer).pathname.replace(/\/+$/, '')}`;
        engine.serveAs(url);
        let closed = false;
        return {
          url,
          port: server.port,
          async close() {
            if (closed) {
              return;
            }
            closed = true;
            engine.serveAs(undefined);
            listening = false;
            await server.close();
          },
        };
      } catch (error) {
        listening = false;
        throw error;
      }
    },
    fail: (route, failOptions) => engine.failures.add(route, failOptions),
    get calls() {
      return [...engine.calls];
    },
    callsTo: (route) => engine.calls.filter((call) => call.route === route),
    reset: () => engine.reset(),
    clock: engine.clock,
    seed,
    ...createScenario(engine),
  };
  Object.defineProperty(mock, HANDLERS_WITH, {
    value: (http: MswHttp) => buildHandlersWith(http, engine, engine.issuer),
  });
  return mock;
}
