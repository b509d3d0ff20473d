import type { operations } from '@keyway/openapi';
import type { JWK } from 'jose';
import type { SigningAlg } from './internal/keys.js';

export type { SigningAlg } from './internal/keys.js';

/** A user the mock knows: `sub` plus any claims it reports (ID token, userinfo, introspection). */
export interface MockUser {
  /** The subject identifier. */
  sub: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
  [claim: string]: unknown;
}

/** How a client authenticates at the token, PAR, device, introspection and revocation endpoints. */
export type ClientAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt'
  | 'private_key_jwt'
  | 'none';

/** A registered OAuth client of the mock. */
export interface MockClient {
  clientId: string;
  /** Confidential clients with a secret may use `client_secret_basic`, `client_secret_post` or `client_secret_jwt`. */
  clientSecret?: string;
  /** Public keys (a JWKS) for `private_key_jwt` client assertions. */
  jwks?: { keys: JWK[] };
  /** Pin one method; by default every method the client's credentials allow is accepted. */
  tokenEndpointAuthMethod?: ClientAuthMethod;
  /** Registered redirect URIs; loopback URIs match on any port (RFC 8252). Default: any URI. */
  redirectUris?: string[];
  /** Registered `post_logout_redirect_uri` values. Default: any URI. */
  postLogoutRedirectUris?: string[];
  /** Grants the client may use. Default: all of them (public clients: all but client_credentials). */
  grantTypes?: string[];
  /**
   * OpenID Connect Back-Channel Logout 1.0: on a logout of one of the client's sessions (the logout
   * endpoint with an `id_token_hint` for it), the mock POSTs a logout token here.
   */
  backchannelLogoutUri?: string;
}

/** A registered resource server (RFC 8707). */
export interface MockResource {
  /** The resource indicator: an absolute URI without a fragment; the `aud` of its access tokens. */
  uri: string;
  /** The scopes it accepts; an access token for it carries only these. Default: any but the OpenID Connect scopes. */
  scopes?: string[];
}

/** Lifetimes in seconds. */
export interface MockTtl {
  /** Access tokens (default 3600). */
  accessToken?: number;
  /** ID tokens (default 3600). */
  idToken?: number;
  /** Refresh tokens (default 30 days). */
  refreshToken?: number;
  /** Authorization codes and pushed request URIs (default 60). */
  authorizationCode?: number;
  /** Device codes (default 600). */
  deviceCode?: number;
}

/** Options of `createMockKeyway`. */
export interface MockKeywayOptions {
  /** The issuer the handlers answer for (default `https://keyway.test`); `listen()` replaces it while serving. */
  issuer?: string;
  /** Registered clients. Default: `test-client`/`test-secret` (confidential) and `test-public-client` (public). */
  clients?: MockClient[];
  /** Known users; the first one signs in at the authorize endpoint. Default: one user, `usr_test`. */
  users?: MockUser[];
  /** Signature algorithm of tokens and the JWKS (default `RS256`). */
  alg?: SigningAlg;
  /**
   * Derive the signing keys from this string instead of generating random ones: mocks with the same
   * `keySeed` and `alg` sign with the same keys (and the same keys after each `rotateKeys()`), so a
   * token or JWKS can be reproduced across runs. Without it every mock has keys of its own, made on
   * first use. The keys are test keys: a seed anyone can read must never guard anything real.
   * (Named `keySeed`, not `seed`, because `mock.seed` seeds data.)
   */
  keySeed?: string;
  /** Seconds a device-flow client must wait between polls (default 5). `0` announces 1 and never answers `slow_down`. */
  deviceInterval?: number;
  /**
   * Registered resource servers (RFC 8707 `resource`, RFC 8693 `audience`): any other target is
   * refused with `invalid_target`, as the service refuses an unregistered resource. A URI, or
   * `{ uri, scopes }` to name the scopes the resource accepts. Default: any absolute URI (and any
   * audience) is accepted.
   *
   * An access token for a resource carries only the requested scopes that resource accepts: its
   * `scopes`, or, when it names none, every scope but the OpenID Connect ones (`openid`, `profile`,
   * `email`, `address`, `phone`, `offline_access`), which are for the ID token and userinfo.
   */
  resources?: Array<string | MockResource>;
  /**
   * Require a server-provided nonce in DPoP proofs (RFC 9449 section 8): a proof without the current
   * nonce is answered `use_dpop_nonce` with a `DPoP-Nonce` header, as many providers do. Default false.
   */
  dpopNonce?: boolean;
  /**
   * The `fetch` the mock sends its own requests with: logout tokens to a client's
   * `backchannelLogoutUri` (OpenID Connect Back-Channel Logout). Default: the global `fetch`.
   */
  outboundFetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Called with each request once it is answered (the `keyway-mock-server` bin logs with it). */
  onCall?: (call: MockCall) => void;
  /** Token lifetimes in seconds; a number sets the access-token lifetime. */
  ttl?: number | MockTtl;
}

/**
 * The names `fail()` and `calls` use for routes: the operationIds of the Keyway spec, plus the pages
 * the mock serves to people outside the spec ({@link MockPageName}).
 */
export type MockRouteName = (keyof operations & string) | MockPageName;

/**
 * Pages for a person's browser, outside the OpenAPI spec (they are HTML, not API operations):
 * `GET /device` (`deviceVerificationPage`) shows the device flow's user-code form, and
 * `POST /device` (`deviceVerificationSubmit`) approves or denies the device for the signed-in user.
 */
export type MockPageName = 'deviceVerificationPage' | 'deviceVerificationSubmit';

/**
 * A route selector: an operationId (`'token'`, `'retrieveAccessToken'`), `'METHOD /path'` with the
 * spec's templated or a concrete path (`'GET /api/v1/access/{id}'`, `'POST /oauth/token'`), a bare
 * path (any method), or `'*'` for every route.
 */
export type MockRouteSelector =
  | MockRouteName
  | '*'
  | `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} /${string}`
  | `/${string}`;

/** What `fail()` does to matching requests. */
export interface FailOptions {
  /** The status to answer with. Leave out (with `delay`) to slow down the real answer instead. */
  status?: number;
  /**
   * The body: a string is sent as is (`text/html` when it starts with `<`), an object as JSON.
   * Default: a problem detail (API routes) or an OAuth error (OAuth routes) for the status.
   */
  body?: string | Record<string, unknown> | unknown[];
  /** Extra or replacing response headers. */
  headers?: Record<string, string>;
  /** `Retry-After` in seconds for 429 and 503 answers (default 1). */
  retryAfter?: number;
  /** How many requests fail (default: every one until `reset()` or `handle.clear()`). */
  times?: number;
  /** Milliseconds to wait before answering (a slow response). */
  delay?: number;
  /** Fail at the network level: `mock.fetch` rejects, msw reports a network error, `listen()` resets the connection. */
  network?: true;
}

/** A failure rule installed by `fail()`. */
export interface FailureHandle {
  /** Requests this rule has failed so far. */
  readonly hits: number;
  /** Removes the rule. */
  clear(): void;
}

/** One request the mock received. */
export interface MockCall {
  /** The operationId of the route (`'unknown'` for a path the spec does not have). */
  route: MockRouteName | 'unknown';
  method: string;
  /** The full URL. */
  url: string;
  /** The path below the issuer, e.g. `/api/v1/access/ptk_1`. */
  path: string;
  /** Path parameters, e.g. `{ id: 'ptk_1' }`. */
  params: Record<string, string>;
  /** Query parameters (repeated ones as arrays). */
  query: Record<string, string | string[]>;
  /** Request headers, lower-cased names. */
  headers: Record<string, string>;
  /** The parsed body: JSON, form fields (repeated ones as arrays), text, or `undefined`. */
  body: unknown;
  /** The status answered (`0` for an injected network error); `undefined` while in flight. */
  status: number | undefined;
  /** The `x-request-id` of a token-manager API answer. */
  requestId?: string;
  /** When it arrived, in the mock clock's epoch seconds. */
  time: number;
}

/** A running `listen()` server. */
export interface MockServer {
  /** `http://127.0.0.1:<port>`: the issuer while the server runs. */
  readonly url: string;
  readonly port: number;
  /** Stops the server (dropping open connections) and restores the previous issuer. */
  close(): Promise<void>;
}
