import { ConfigurationError, OAuthClient, type OAuthClientOptions } from '@keyway/core';
import {
  type OAuthCallPayload,
  type OAuthDiscovered,
  type OAuthDiscoverPayload,
  oauthClientMethods,
  type WorkerClientOptions,
} from './internal/oauth-call.js';
import { decodeSyncValue, encodeSyncValue } from './internal/oauth-codec.js';
import { OP_OAUTH_CALL, OP_OAUTH_DISCOVER } from './internal/protocol.js';
import { sharedBridge } from './internal/shared-bridge.js';
import { syncDeadline } from './internal/sync-timeout.js';

/** The options of `discover()` that are functions or live objects: they cannot reach the worker thread. */
const UNSUPPORTED = ['fetch', 'stateStore', 'onCacheUpdate'] as const;

/**
 * Options of {@link discoverSync}: those of `discover()` from `@keyway/core`, plus `syncTimeout`.
 * `clientId` may be left out where the provider has a `registration_endpoint`: a public native client
 * is then registered (core's `discover()`).
 *
 * Not supported (a function or a live object cannot cross to the worker thread; passing one throws
 * `ConfigurationError` `unsupported_option`): `fetch`, `stateStore` (the worker's in-memory store is
 * used) and `onCacheUpdate`. `privateKey` and `dpop` may be `CryptoKey`s: they cross as they are
 * (non-extractable keys included); `dpop: true` makes one ES256 pair, used by every call of the twin.
 */
export interface DiscoverSyncOptions extends Omit<OAuthClientOptions, 'clientId' | (typeof UNSUPPORTED)[number]> {
  /** The registered `client_id`; leave it out to register a public native client (RFC 7591). */
  clientId?: string;
  fetch?: never;
  stateStore?: never;
  onCacheUpdate?: never;
  /**
   * Milliseconds one call may block in total, retries included. Default: `timeout` × (retries + 1)
   * plus the retry backoff plus 5 s; `pollDeviceToken()` adds the device code's lifetime. When it runs
   * out the call throws `KeywayTimeoutError` (code `sync_timeout`) and the worker is restarted.
   */
  syncTimeout?: number;
}

/** One member of `OAuthClient`, blocking: the same arguments, the promise's value returned (or thrown). */
type Blocking<F> = F extends (...args: infer A) => Promise<infer R> ? (...args: A) => R : F;

/**
 * The blocking twin of `OAuthClient` from `@keyway/core`, mapped from it: the same properties and
 * methods with the same arguments, each returning what the promise resolves to (`Promise<T>` becomes
 * `T`) or throwing core's own error classes. A method added to `OAuthClient` reaches this type and
 * {@link discoverSync}'s twin without an edit here.
 *
 * Arguments that structured cloning cannot carry: a `URL` and a `Response` (for `rememberDpopNonce`:
 * its status and headers) are rebuilt in the worker; a `Request` crosses as its URL, method and
 * headers, and one **with a body** is refused (`ConfigurationError` `unsupported_argument`: reading
 * it needs the blocked event loop; pass a `form_post` callback's fields as a URL query instead); an
 * `AbortSignal` is refused (use `syncTimeout`).
 */
export type OAuthSyncClient = { readonly [K in keyof OAuthClient]: Blocking<OAuthClient[K]> };

function checkOptions(options: DiscoverSyncOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError('discoverSync() needs an options object.', { code: 'invalid_option' });
  }
  for (const name of UNSUPPORTED) {
    if ((options as Record<string, unknown>)[name] !== undefined) {
      throw new ConfigurationError(
        `discoverSync() does not support \`${name}\`: its client runs in a worker thread, which a function or a live object cannot reach. ` +
          'Use discover() from @keyway/core for that.',
        { code: 'unsupported_option' },
      );
    }
  }
}

/** How long a call may block: `pollDeviceToken` may wait out the device code's lifetime. */
function callDeadline(base: number, explicit: boolean, method: string, args: readonly unknown[]): number {
  if (explicit || method !== 'pollDeviceToken') {
    return base;
  }
  const expiresIn = (args[0] as { expires_in?: unknown } | undefined)?.expires_in;
  return typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? base + expiresIn * 1000 : base;
}

/**
 * `discover()` for synchronous code: discovers the provider (registering a public native client when
 * `clientId` is left out and the provider allows it) and returns an {@link OAuthSyncClient}, whose
 * every `OAuthClient` method blocks until its answer: create the authorization URL, redeem the code,
 * refresh, exchange a token, introspect, revoke, read userinfo, verify tokens. Errors are core's
 * classes (`e instanceof OAuthError` holds), thrown where the call is.
 *
 * The calls run in the worker thread of the sync API while this thread waits in `Atomics.wait`, so
 * each **blocks the event loop**: for scripts, CLIs and synchronous APIs, never servers. An idle twin
 * never keeps the process alive. Options are those of `discover()` plus `syncTimeout`; `fetch`,
 * `stateStore` and `onCacheUpdate` are not supported.
 *
 * @example
 * ```ts
 * import { OAuthError } from '@keyway/core';
 * import { discoverSync } from '@keyway/node';
 *
 * const client = discoverSync('https://auth.example.com', { clientId: 'svc', clientSecret: process.env.CLIENT_SECRET });
 * try {
 *   const tokens = client.clientCredentials({ scope: 'api:read' }); // no await
 *   const claims = client.introspect(tokens.access_token);
 *   process.stdout.write(`active: ${claims.active}\n`);
 * } catch (error) {
 *   if (error instanceof OAuthError) process.stderr.write(`${error.error}\n`);
 *   else throw error;
 * }
 * ```
 */
export function discoverSync(issuer: string | URL, options: DiscoverSyncOptions): OAuthSyncClient {
  checkOptions(options);
  const { syncTimeout, ...clientOptions } = options;
  const base = syncDeadline(clientOptions, undefined, syncTimeout);
  const bridge = sharedBridge();
  const found = bridge.call(
    OP_OAUTH_DISCOVER,
    { issuer: String(issuer), options: clientOptions } satisfies OAuthDiscoverPayload,
    // Discovery, and a registration without a client id: two requests.
    syncTimeout ?? 2 * base,
  ) as OAuthDiscovered;
  const { dpop: _asked, ...plain } = clientOptions;
  const workerOptions: WorkerClientOptions = {
    ...plain,
    clientId: found.clientId,
    ...(found.dpop ? { dpop: found.dpop } : {}),
  };
  // The same client on this thread, never called: it checks the options and holds the properties.
  const local = new OAuthClient(found.metadata, workerOptions);
  const twin = crypto.randomUUID();

  const twinClient: Record<string, unknown> = { ...local };
  for (const method of oauthClientMethods()) {
    twinClient[method] = (...args: unknown[]): unknown => {
      const payload: OAuthCallPayload = {
        twin,
        metadata: found.metadata,
        options: workerOptions,
        method,
        args: encodeSyncValue(args) as unknown[],
      };
      const deadline = callDeadline(base, syncTimeout !== undefined, method, args);
      return decodeSyncValue(bridge.call(OP_OAUTH_CALL, payload, deadline));
    };
  }
  return Object.freeze(twinClient) as unknown as OAuthSyncClient;
}
