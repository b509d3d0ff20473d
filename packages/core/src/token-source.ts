import { type TokenStore, tokenKey } from '@keyway/token-store';
import { ConfigurationError, LoginRequiredError, OAuthError } from './errors.js';
import { numberOption } from './internal/options.js';
import { redactOnInspect, type TokenSet } from './token-set.js';

/** What the token source needs from an OAuth client (`OAuthClient` satisfies it). */
export interface TokenSourceOAuthClient {
  readonly issuer: string;
  readonly clientId: string;
  clientCredentials(params?: { scope?: string; resource?: string }): Promise<TokenSet>;
  refresh(tokens: TokenSet | string, options?: { expectedSubject?: string }): Promise<TokenSet>;
}

/** What the token source needs from the typed service client (`KeywayClient` satisfies it). */
export interface TokenSourceServiceClient {
  readonly baseUrl: string;
  readonly access: {
    retrieve(params: {
      id: string;
    }): Promise<{ access_token: string; expires_in: number; token_type?: string; scope?: string }>;
  };
}

/** How a token source obtains tokens. */
export type TokenGrant =
  | { type: 'client_credentials'; scope?: string; resource?: string }
  | { type: 'refresh_token' }
  | { type: 'persistent'; id: string }
  | { type: 'custom'; fetchToken: () => Promise<TokenSet> };

/** Options of {@link createTokenSource}. */
export interface TokenSourceOptions {
  /** An `OAuthClient` for `client_credentials` and `refresh_token`; the service client for `persistent`. */
  client?: TokenSourceOAuthClient | TokenSourceServiceClient;
  grant: TokenGrant;
  /** Where tokens are kept between calls and processes; without one they live in this source only. */
  store?: TokenStore;
  /** The store key; defaults to `tokenKey({ issuer, clientId, audience: resource, scope })`. */
  key?: string;
  /** Seconds before expiry at which a token counts as expired (default 30). */
  skew?: number;
  /** Clock in epoch milliseconds, for tests. */
  now?: () => number;
}

/** Options of {@link TokenSource.getToken}. */
export interface GetTokenOptions {
  /** Ignore the cache and obtain a new token (single-flight still applies). */
  forceRefresh?: boolean;
  /**
   * The access token a server just refused: refresh only if the cached token is still this one
   * (many requests failing with one token cause one refresh).
   */
  rejectedToken?: string;
}

/** A source of fresh tokens for one key. */
export interface TokenSource {
  /** The store key. */
  readonly key: string;
  /** A token valid for at least `skew` seconds: cached, or obtained once for all concurrent callers. */
  getToken(options?: GetTokenOptions): Promise<TokenSet>;
  /** Seeds the source (and its store) with a token set, e.g. the result of a login. */
  set(tokens: TokenSet): Promise<void>;
  /** Forgets the cached token set and deletes it from the store. */
  clear(): Promise<void>;
  /** The OAuth client, when the source has one (authFetch uses it for DPoP proofs). */
  readonly client: TokenSourceOAuthClient | TokenSourceServiceClient | undefined;
}

// One in-flight acquisition per (store, key) in this process, shared by every source on that store.
const inflightByStore = new WeakMap<object, Map<string, Promise<TokenSet>>>();

/**
 * Creates a token source: cached tokens, refreshed ahead of expiry, one refresh in flight per key
 * (in this process, and across processes through the store's lock), refresh tokens never dropped.
 *
 * @example
 * ```ts
 * import { createTokenSource, discover, authFetch } from '@keyway/core';
 * import { MemoryTokenStore } from '@keyway/token-store';
 *
 * const client = await discover('https://auth.example.com', { clientId: 'svc', clientSecret: 's3cr3t' });
 * const source = createTokenSource({ client, grant: { type: 'client_credentials', scope: 'api' }, store: new MemoryTokenStore() });
 * const api = authFetch(source);
 * await api('https://api.example.com/things');
 * ```
 */
export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { grant, store } = options;
  const skew = numberOption(options.skew, 'skew', 30, { max: 86_400 });
  const now = options.now ?? Date.now;
  const key = options.key ?? defaultKey(options);
  const inflightOwner: object = store ?? {};
  let inflight = inflightByStore.get(inflightOwner);
  if (!inflight) {
    inflight = new Map();
    inflightByStore.set(inflightOwner, inflight);
  }
  const flights = inflight;

  let cached: TokenSet | undefined;
  let cachedPromise: Promise<TokenSet> | undefined;
  // Refresh at `expires_at - skew`; Infinity when the token carries no lifetime.
  let freshUntil = 0;

  /**
   * `arrived`: the token set was just issued (to us, or to another process while we waited for the
   * lock). A token that lives no longer than `skew` would otherwise be stale on arrival and refreshed
   * on every call: such a token is used for the first half of its remaining life.
   */
  const remember = (tokens: TokenSet, arrived = false) => {
    cached = redactOnInspect(tokens);
    cachedPromise = Promise.resolve(tokens);
    if (tokens.expires_at === undefined) {
      freshUntil = Number.POSITIVE_INFINITY;
      return;
    }
    const expiresAt = tokens.expires_at * 1000;
    freshUntil = expiresAt - skew * 1000;
    if (arrived) {
      const at = now();
      freshUntil = Math.max(freshUntil, at + (expiresAt - at) / 2);
    }
  };
  const forget = () => {
    cached = undefined;
    cachedPromise = undefined;
    freshUntil = 0;
  };
  const isExpired = (tokens: TokenSet) =>
    typeof tokens.access_token !== 'string' || (tokens.expires_at !== undefined && tokens.expires_at * 1000 <= now());
  const isFresh = (tokens: TokenSet | undefined): tokens is TokenSet =>
    tokens !== undefined &&
    typeof tokens.access_token === 'string' &&
    (tokens.expires_at === undefined || (tokens.expires_at - skew) * 1000 > now());

  const persist = async (tokens: TokenSet) => {
    // Memory first: if the store write fails, this process still holds the only copy of a rotated
    // refresh token and keeps using it.
    remember(tokens, true);
    await store?.set(key, tokens);
  };

  const obtain = async (previous: TokenSet | undefined): Promise<TokenSet> => {
    switch (grant.type) {
      case 'client_credentials': {
        const client = oauthClient(options.client, grant.type);
        return client.clientCredentials(withoutUndefined({ scope: grant.scope, resource: grant.resource }));
      }
      case 'persistent': {
        const client = serviceClient(options.client);
        const result = await client.access.retrieve({ id: grant.id });
        const tokens: TokenSet = {
          access_token: result.access_token,
          token_type: result.token_type ?? 'Bearer',
          expires_at: Math.floor(now() / 1000) + result.expires_in,
        };
        if (result.scope !== undefined) {
          tokens.scope = result.scope;
        }
        return tokens;
      }
      case 'custom':
        return grant.fetchToken();
      case 'refresh_token':
        return refreshWith(previous);
    }
  };

  const refreshWith = async (previous: TokenSet | undefined): Promise<TokenSet> => {
    const client = oauthClient(options.client, grant.type);
    if (!previous?.refresh_token) {
      throw new LoginRequiredError('No refresh token is stored for this key: log in again.');
    }
    try {
      return await client.refresh(previous);
    } catch (firstError) {
      if (!(OAuthError.is(firstError) && firstError.error === 'invalid_grant')) {
        throw firstError;
      }
      let error: unknown = firstError;
      // Another process may have rotated the refresh token after we read it: re-read once.
      const latest = store ? await store.get(key) : undefined;
      if (latest && latest.refresh_token !== previous.refresh_token) {
        if (isFresh(latest as TokenSet)) {
          return latest as TokenSet;
        }
        try {
          return await client.refresh(latest as TokenSet);
        } catch (retryError) {
          error = retryError;
        }
      }
      if (OAuthError.is(error) && error.error === 'invalid_grant') {
        forget();
        await store?.delete(key);
        throw new LoginRequiredError('The refresh token was refused (invalid_grant): log in again.', { cause: error });
      }
      throw error;
    }
  };

  const acquire = async (force: boolean, avoid: string | undefined): Promise<TokenSet> => {
    // The access token known to be stale: the refused one, or the one the store held before the lock.
    let stale = avoid;
    if (!force) {
      const fromStore = store ? ((await store.get(key)) as TokenSet | undefined) : undefined;
      stale = fromStore?.access_token ?? avoid;
      if (isFresh(fromStore)) {
        remember(fromStore);
        return fromStore;
      }
    }
    const run = async () => {
      // Under the lock: another process may have refreshed while we waited. A token set that replaced
      // the stale one meanwhile was just issued: take it while it has not expired, even within `skew`.
      const latest = store ? ((await store.get(key)) as TokenSet | undefined) : undefined;
      const replaced = latest !== undefined && latest.access_token !== stale && !isExpired(latest);
      if (replaced || (!force && isFresh(latest))) {
        remember(latest as TokenSet, replaced);
        return latest as TokenSet;
      }
      const tokens = await obtain(latest ?? cached);
      await persist(tokens);
      return tokens;
    };
    return store?.lock ? store.lock(key, run) : run();
  };

  const getToken = (getOptions?: GetTokenOptions): Promise<TokenSet> => {
    const fresh = cachedPromise !== undefined && freshUntil > now();
    // Hot path: a pre-resolved promise, no allocation.
    if (fresh && getOptions === undefined) {
      return cachedPromise!;
    }
    const rejected = getOptions?.rejectedToken;
    const force = getOptions?.forceRefresh === true || rejected !== undefined;
    // A token other than the refused one is already cached: someone refreshed in the meantime.
    if (fresh && (!force || (rejected !== undefined && cached?.access_token !== rejected))) {
      return cachedPromise!;
    }
    const running = flights.get(key);
    if (running) {
      return running;
    }
    const flight = acquire(force, rejected ?? cached?.access_token).finally(() => {
      flights.delete(key);
    });
    flights.set(key, flight);
    return flight;
  };

  return {
    key,
    client: options.client,
    getToken,
    async set(tokens) {
      await persist(tokens);
    },
    async clear() {
      forget();
      await store?.delete(key);
    },
  };
}

function defaultKey(options: TokenSourceOptions): string {
  const { grant, client } = options;
  if (grant.type === 'persistent') {
    return tokenKey({ issuer: serviceClient(client).baseUrl, clientId: 'keyway:persistent', subject: grant.id });
  }
  if (grant.type === 'custom') {
    if (options.store) {
      throw new ConfigurationError('A custom grant with a store needs an explicit `key`.', { code: 'missing_key' });
    }
    return 'keyway:custom';
  }
  const oauth = oauthClient(client, grant.type);
  return tokenKey(
    withoutUndefined({
      issuer: oauth.issuer,
      clientId: oauth.clientId,
      audience: grant.type === 'client_credentials' ? grant.resource : undefined,
      scope: grant.type === 'client_credentials' ? grant.scope : undefined,
    }),
  );
}

function oauthClient(client: TokenSourceOptions['client'], grant: string): TokenSourceOAuthClient {
  if (!client || !('refresh' in client) || !('clientCredentials' in client)) {
    throw new ConfigurationError(`The ${grant} grant needs an OAuthClient as \`client\`.`, { code: 'missing_client' });
  }
  return client;
}

function serviceClient(client: TokenSourceOptions['client']): TokenSourceServiceClient {
  if (!client || !('access' in client)) {
    throw new ConfigurationError('The persistent grant needs the Keyway service client as `client`.', {
      code: 'missing_client',
    });
  }
  return client;
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) {
    if (field !== undefined) {
      out[name] = field;
    }
  }
  return out as { [K in keyof T]: Exclude<T[K], undefined> };
}
