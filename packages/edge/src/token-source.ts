import {
  authFetch,
  ConfigurationError,
  createTokenSource,
  discover,
  type FetchLike,
  type OAuthClient,
  type PrivateKeyInput,
  type RetryOptions,
  type TokenEndpointAuthMethod,
  type TokenSet,
  type TokenSource,
  type TokenSourceOAuthClient,
} from '@keyway/core';
import { MemoryTokenStore, type TokenStore } from '@keyway/token-store';
import { type KvNamespaceLike, KvTokenStore } from '@keyway/token-store/kv';
import { sharedFetch } from './internal/shared-fetch.js';

/**
 * Options of {@link createEdgeTokenSource}.
 *
 * @example
 * ```ts
 * import type { EdgeTokenSourceOptions } from '@keyway/edge';
 * import type { KvNamespaceLike } from '@keyway/token-store/kv';
 * declare const env: { TOKENS: KvNamespaceLike; CLIENT_SECRET: string };
 * const options: EdgeTokenSourceOptions = {
 *   issuer: 'https://auth.example.com',
 *   clientId: 'my-worker',
 *   clientSecret: env.CLIENT_SECRET,
 *   scope: 'things:read',
 *   resource: 'https://api.example.com',
 *   kv: env.TOKENS,
 * };
 * ```
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
  /** Any other store instead of `kv` (default: in memory, this isolate only). */
  store?: TokenStore;
  /** Seconds before expiry at which a token is renewed (default 30). */
  skew?: number;
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
 *
 * @example
 * ```ts
 * import type { EdgeTokenSource } from '@keyway/edge';
 * declare const source: EdgeTokenSource;
 * const response = await source.authFetch('https://api.example.com/things');
 * ```
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
 * start at the same moment with an empty cache may each ask once). Discovery is lazy (the first
 * `getToken()`), cached in the isolate and included in `snapshot()`.
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
  const shared = sharedFetch(options.fetch);
  let discovered: Promise<OAuthClient> | undefined;
  const oauthClient = (): Promise<OAuthClient> => {
    discovered ??= discover(issuer, {
      clientId,
      fetch: shared.fetch,
      ...(options.clientSecret === undefined ? {} : { clientSecret: options.clientSecret }),
      ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
      ...(options.tokenEndpointAuthMethod === undefined
        ? {}
        : { tokenEndpointAuthMethod: options.tokenEndpointAuthMethod }),
      ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      ...(options.allowInsecureRequests ? { allowInsecureRequests: true } : {}),
    });
    discovered.catch(() => {
      discovered = undefined;
    });
    return discovered;
  };
  // Discovery waits for the first token request: creating a source per request costs nothing.
  const client: TokenSourceOAuthClient = {
    issuer,
    clientId,
    async clientCredentials(params): Promise<TokenSet> {
      return (await oauthClient()).clientCredentials(params);
    },
    async refresh(tokens, refreshOptions): Promise<TokenSet> {
      return (await oauthClient()).refresh(tokens, refreshOptions);
    },
  };
  const store: TokenStore =
    options.store ??
    (options.kv
      ? new KvTokenStore({ namespace: options.kv, prefix: options.prefix ?? 'keyway:tokens:' })
      : new MemoryTokenStore());
  const source = createTokenSource({
    client,
    grant: {
      type: 'client_credentials',
      ...(options.scope === undefined ? {} : { scope: options.scope }),
      ...(options.resource === undefined ? {} : { resource: options.resource }),
    },
    store,
    ...(options.skew === undefined ? {} : { skew: options.skew }),
  });
  const sendWith = authFetch(source, options.fetch ? { fetch: options.fetch } : {});
  return {
    get key() {
      return source.key;
    },
    get client() {
      return source.client;
    },
    getToken: (getOptions) => source.getToken(getOptions),
    set: (tokens) => source.set(tokens),
    clear: () => source.clear(),
    store,
    authFetch: sendWith,
  };
}
