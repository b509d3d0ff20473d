import {
  authFetch,
  ConfigurationError,
  createClientCredentialsClient,
  createTokenSource,
  type FetchLike,
  type PrivateKeyInput,
  type RetryOptions,
  type TokenEndpointAuthMethod,
  type TokenSource,
  type TokenSourceOAuthClient,
} from '@keyway/core';
import { MemoryTokenStore, type TokenStore } from '@keyway/token-store';
import { type KvNamespaceLike, KvTokenStore } from '@keyway/token-store/kv';
import type { TokenCoordinatorNamespace } from './coordinator.js';
import { type CoordinatedClient, coordinatedClient } from './internal/coordinator-client.js';
import type { CoordinatorRequest } from './internal/coordinator-protocol.js';
import { perNamespace, sharedFetch } from './internal/shared-fetch.js';

/**
 * Options of {@link createEdgeTokenSource}.
 */
export interface EdgeTokenSourceOptions {
  issuer: string;
  clientId: string;
  /** The client secret (`client_secret_basic` unless `tokenEndpointAuthMethod` says otherwise). */
  clientSecret?: string;
  /** A private key for `private_key_jwt`, instead of a secret. */
  privateKey?: PrivateKeyInput;
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  scope?: string;
  /** The API the tokens are for (RFC 8707). */
  resource?: string;
  /** A Workers KV namespace: tokens are shared by every isolate (a `KvTokenStore`). */
  kv?: KvNamespaceLike;
  /** The KV key prefix (default `keyway:tokens:`). */
  prefix?: string;
  /**
   * Any other store instead of `kv` (default: in memory, this source only; with `coordinator`, in memory
   * for every source of this isolate on that binding and credentials).
   */
  store?: TokenStore;
  /** Seconds before expiry at which a token is renewed (default 30). */
  skew?: number;
  /**
   * A Durable Object namespace bound to {@link TokenCoordinator} (`env.KEYWAY_TOKENS`): every isolate
   * asks the one object for this client, issuer, audience and scope, which makes one token request
   * per expiry for all of them. The client's credentials travel to the object in each request's body.
   * When the object cannot be reached or fails, the isolate requests the token itself and says so in
   * one log line (`log`). Tokens are still cached in the isolate (and in `kv` or `store` when given).
   */
  coordinator?: TokenCoordinatorNamespace;
  /** Where the coordinator's fallback line goes (default `console.warn`); it never holds a secret. */
  log?: (message: string) => void;
  /** The `fetch` for discovery and the token endpoint, and under `authFetch` (default: the global one). */
  fetch?: FetchLike;
  /** Milliseconds per request to the issuer (default 10 000). */
  timeout?: number;
  retry?: RetryOptions | false;
  allowInsecureRequests?: boolean;
}

/**
 * A client-credentials token source for Workers: core's `TokenSource` plus where it keeps tokens and
 * a `fetch` that sends them.
 */
export interface EdgeTokenSource extends TokenSource {
  /** The store the tokens live in (a `KvTokenStore` with `kv`): pass `{ store, key }` to `snapshot()`. */
  readonly store: TokenStore;
  /** A `fetch` that adds `Authorization: Bearer <token>` and retries once on 401 with a new token (core's `authFetch`). */
  readonly authFetch: FetchLike;
}

/**
 * Creates a token source for the client-credentials grant whose tokens are cached in Workers KV: a
 * token obtained in one isolate is used by every other until `skew` seconds before it expires, so a
 * fleet of isolates asks the issuer about once per token lifetime (KV has no lock: isolates that
 * start at the same moment with an empty cache may each ask once). For exactly one request per
 * expiry across every isolate, pass a Durable Object binding as `coordinator` (see
 * {@link TokenCoordinator}). Discovery is lazy (the first `getToken()`), cached in the isolate and
 * included in `snapshot()`.
 *
 * @example
 * ```ts
 * import { createEdgeTokenSource } from '@keyway/edge';
 * import type { KvNamespaceLike } from '@keyway/token-store/kv';
 *
 * interface Env {
 *   TOKENS: KvNamespaceLike;
 *   CLIENT_SECRET: string;
 * }
 *
 * export default {
 *   async fetch(_request: Request, env: Env): Promise<Response> {
 *     const source = createEdgeTokenSource({
 *       issuer: 'https://auth.example.com',
 *       clientId: 'my-worker',
 *       clientSecret: env.CLIENT_SECRET,
 *       scope: 'things:read',
 *       kv: env.TOKENS,
 *     });
 *     return source.authFetch('https://api.example.com/things');
 *   },
 * };
 * ```
 */
export function createEdgeTokenSource(options: EdgeTokenSourceOptions): EdgeTokenSource {
  const { issuer, clientId } = options ?? {};
  if (typeof issuer !== 'string' || issuer === '' || typeof clientId !== 'string' || clientId === '') {
    throw new ConfigurationError('createEdgeTokenSource needs an `issuer` and a `clientId`.', {
      code: 'invalid_options',
    });
  }
  const direct = lazyOAuthClient(options);
  const grant = {
    type: 'client_credentials' as const,
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    ...(options.resource === undefined ? {} : { resource: options.resource }),
  };
  // Named after the source's key (issuer, client, audience, scope): other clients get other objects.
  const coordinated = Object.hasOwn(options, 'coordinator')
    ? withCoordinator(options, direct, () => source.key)
    : undefined;
  const store: TokenStore =
    options.store ??
    (options.kv
      ? new KvTokenStore({ namespace: options.kv, prefix: options.prefix ?? 'keyway:tokens:' })
      : options.coordinator
        ? isolateStore(options)
        : new MemoryTokenStore());
  const source = createTokenSource({
    client: coordinated?.client ?? direct,
    grant,
    store,
    ...(options.skew === undefined ? {} : { skew: options.skew }),
  });
  const edgeSource: EdgeTokenSource = {
    get key() {
      return source.key;
    },
    get client() {
      return source.client;
    },
    getToken: (getOptions) => {
      coordinated?.note(getOptions);
      return source.getToken(getOptions);
    },
    set: (tokens) => source.set(tokens),
    clear: () => source.clear(),
    store,
    authFetch: (input, init) => sendWith(input, init),
  };
  // Over this source's getToken: the retry after a 401 tells the coordinator which token was refused.
  const sendWith = authFetch(edgeSource, options.fetch ? { fetch: options.fetch } : {});
  return edgeSource;
}

/** The client settings a token request needs, wherever it is made: in the isolate or in the TokenCoordinator. */
type ClientSettings = Pick<
  EdgeTokenSourceOptions,
  | 'issuer'
  | 'clientId'
  | 'clientSecret'
  | 'privateKey'
  | 'tokenEndpointAuthMethod'
  | 'timeout'
  | 'retry'
  | 'allowInsecureRequests'
  | 'fetch'
>;

/**
 * The client of a token source: core's client-credentials client, which discovers the issuer at its
 * first token request (creating a source per request costs nothing), again after a failed discovery,
 * and carries neither oauth4webapi nor the OAuthClient (tooling/bench/README.md, "Departures").
 */
export function lazyOAuthClient(settings: ClientSettings): TokenSourceOAuthClient {
  const { issuer, clientId } = settings;
  // Made at the first request, so that a careless option rejects that request (as a failed discovery
  // does) rather than the creation of a source.
  let client: TokenSourceOAuthClient | undefined;
  const made = () =>
    (client ??= createClientCredentialsClient({
      issuer,
      clientId,
      fetch: sharedFetch(settings.fetch).fetch,
      ...(settings.clientSecret === undefined ? {} : { clientSecret: settings.clientSecret }),
      ...(settings.privateKey === undefined ? {} : { privateKey: settings.privateKey }),
      ...(settings.tokenEndpointAuthMethod === undefined
        ? {}
        : { tokenEndpointAuthMethod: settings.tokenEndpointAuthMethod }),
      ...(settings.timeout === undefined ? {} : { timeout: settings.timeout }),
      ...(settings.retry === undefined ? {} : { retry: settings.retry }),
      ...(settings.allowInsecureRequests ? { allowInsecureRequests: true } : {}),
    }));
  return {
    issuer,
    clientId,
    clientCredentials: async (params) => made().clientCredentials(params),
    refresh: async (tokens, refreshOptions) => made().refresh(tokens, refreshOptions),
  };
}

/** The client that asks the TokenCoordinator named `name()` (core validates `skew` before anything is sent). */
function withCoordinator(
  options: EdgeTokenSourceOptions,
  direct: TokenSourceOAuthClient,
  name: () => string,
): CoordinatedClient {
  const { coordinator, log, privateKey } = options;
  // `coordinator: env.KEYWAY_TOKENS` with the binding missing from wrangler.toml is `undefined`: say so,
  // rather than quietly making one token request per isolate.
  if (typeof coordinator?.idFromName !== 'function' || typeof coordinator.get !== 'function') {
    throw new ConfigurationError(
      '`coordinator` must be a Durable Object namespace bound to TokenCoordinator (is the binding in wrangler.toml?).',
      { code: 'invalid_options' },
    );
  }
  // Sent as JSON and the bound of the wait for the object: finite (JSON has no NaN or Infinity).
  const { timeout } = options;
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && timeout <= MAX_TIMER_MS)) {
    throw new ConfigurationError(
      `With a \`coordinator\`, \`timeout\` must be a number of milliseconds > 0 and <= ${MAX_TIMER_MS}.`,
      { code: 'invalid_options' },
    );
  }
  if (log !== undefined && typeof log !== 'function') {
    throw new ConfigurationError('`log` must be a function.', { code: 'invalid_options' });
  }
  if (privateKey !== undefined && (isCryptoKey(privateKey) || ('key' in privateKey && isCryptoKey(privateKey.key)))) {
    throw new ConfigurationError(
      'A token source with a `coordinator` sends its credentials to the TokenCoordinator: pass `privateKey` as a JWK, not a CryptoKey.',
      { code: 'invalid_options' },
    );
  }
  const skew = options.skew ?? 30;
  const request: CoordinatorRequest = {
    issuer: options.issuer,
    clientId: options.clientId,
    skew,
    ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
    ...(privateKey === undefined ? {} : { privateKey: privateKey as unknown as Record<string, unknown> }),
    ...(options.tokenEndpointAuthMethod === undefined
      ? {}
      : { tokenEndpointAuthMethod: options.tokenEndpointAuthMethod }),
    ...(options.scope === undefined ? {} : { scope: options.scope }),
    ...(options.resource === undefined ? {} : { resource: options.resource }),
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.allowInsecureRequests ? { allowInsecureRequests: true } : {}),
  };
  return coordinatedClient({
    namespace: coordinator,
    name,
    request,
    direct,
    // biome-ignore lint/suspicious/noConsole: the fallback's one line, where a Worker's logs are read.
    log: log ?? ((message) => console.warn(message)),
  });
}

// With a coordinator, sources made per request share one memory store per binding and credentials in
// the isolate: the object is asked once per isolate and expiry (core's single flight is per store and
// key), not on every request — one object per client must not see every request of the fleet.
const isolateStores = new WeakMap<object, Map<string, MemoryTokenStore>>();

function isolateStore(options: EdgeTokenSourceOptions): MemoryTokenStore {
  const credentials = JSON.stringify([options.tokenEndpointAuthMethod, options.clientSecret, options.privateKey]);
  return perNamespace(isolateStores, options.coordinator as object, credentials, () => new MemoryTokenStore());
}

/** The longest a timer waits (a longer one fires at once on every JavaScript runtime). */
const MAX_TIMER_MS = 2 ** 31 - 1;

function isCryptoKey(value: unknown): boolean {
  return typeof CryptoKey === 'function' && value instanceof CryptoKey;
}
