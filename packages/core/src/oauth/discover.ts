import { ConfigurationError } from '../errors.js';
import { HttpClient, type HttpOptions } from '../internal/http.js';
import { parseServiceUrl } from '../internal/url.js';
import { fetchMetadata } from './discovery-document.js';
import { type FetchScope, fetchScope, reportCacheUpdate, ScopedCache } from './fetch-scope.js';
import { OAuthClient, validateClientOptions } from './oauth-client.js';
import { type ClientRegistration, registerClient } from './registration.js';
import type { OAuthCacheUpdate, OAuthClientOptions, ProviderMetadata } from './types.js';

/** Discovered metadata is reused for this long (ms) before a new `discover()` fetches it again. */
export const METADATA_TTL = 60 * 60_000;

interface MetadataEntry {
  metadata: Promise<ProviderMetadata>;
  /** Set once the metadata arrived (what a snapshot holds). */
  resolved?: ProviderMetadata;
  /** When the request was sent (ms since the epoch). */
  fetchedAt: number;
}

/**
 * Discovered metadata per `fetch` and issuer: `discover()` calls that share a fetch share one entry
 * (and one request in flight); a client with another fetch (another mock at the same issuer)
 * discovers on its own.
 */
const cache = /* @__PURE__ */ new ScopedCache<MetadataEntry>();

/** Internal (tests only): forgets every discovered issuer. */
export function clearDiscoveryCache(): void {
  cache.clear();
  registrations.clear();
}

/** The discovered metadata of `scope` (for snapshots), by issuer, with when it was fetched. */
export function cachedMetadata(scope: FetchScope): { issuer: string; metadata: ProviderMetadata; fetchedAt: number }[] {
  const now = Date.now();
  const found = [];
  for (const [issuer, entry] of cache.map(scope) ?? []) {
    if (entry.resolved && now - entry.fetchedAt < METADATA_TTL) {
      found.push({ issuer, metadata: entry.resolved, fetchedAt: entry.fetchedAt });
    }
  }
  return found;
}

/** Adds metadata fetched elsewhere (a snapshot), unless the cache holds newer metadata for `issuer`. */
export function restoreMetadata(
  scope: FetchScope,
  issuer: string,
  metadata: ProviderMetadata,
  fetchedAt: number,
): void {
  const current = cache.get(scope, issuer);
  if (!current || current.fetchedAt < fetchedAt) {
    cache.set(scope, issuer, { metadata: Promise.resolve(metadata), resolved: metadata, fetchedAt });
  }
}

/**
 * Options of {@link discover}: those of the `OAuthClient` constructor, where `clientId` may be left
 * out for a provider that lets a public native client register itself (RFC 7591, RFC 8252), plus
 * `onRegister`, told of that registration.
 */
export type DiscoverOptions = Omit<OAuthClientOptions, 'clientId'> & {
  /** The registered `client_id`. Left out: a public native client is registered (see {@link discover}). */
  clientId?: string | undefined;
  /**
   * Told the registration a `discover()` without `clientId` uses (a new one, or the one this process
   * registered before), to keep it across processes: then pass its `client_id` (and
   * `client_secret`, if the provider issued one) next time. It holds secrets: store it like tokens.
   */
  onRegister?: ((registration: ClientRegistration) => void) | undefined;
};

/**
 * Discovers an authorization server (OpenID Connect Discovery, then RFC 8414) and returns a client
 * for it. Metadata is cached per issuer and `fetch` for an hour, and concurrent calls for one issuer
 * with one `fetch` share one request (clients given different `fetch` functions never share metadata). The metadata's `issuer` must equal `issuer` exactly (`InvalidResponseError`
 * `issuer_mismatch`). Plain `http:` is refused for non-loopback hosts (`ConfigurationError`
 * `insecure_request`) unless `allowInsecureRequests` is set.
 *
 * Without `clientId`, a provider that advertises a `registration_endpoint` registers a public native
 * client (RFC 7591 / RFC 8252: `application_type` `native`, no client authentication, the loopback
 * redirect `redirectUri` or `http://127.0.0.1/callback`, the code and refresh grants plus the device
 * grant where the provider has a device endpoint) once per process, issuer, redirect URI and `fetch`;
 * later calls reuse it, and `onRegister` is told of it each time. A provider without one is a
 * `ConfigurationError` `missing_client_id` (a client id is needed), as is a `clientSecret` or
 * `privateKey` without a client id.
 *
 * @example
 * ```ts
 * import { discover } from '@keyway/core';
 *
 * const client = await discover('https://auth.example.com', {
 *   clientId: 'my-app',
 *   clientSecret: process.env.CLIENT_SECRET,
 *   redirectUri: 'https://app.example.com/callback',
 * });
 * const tokens = await client.clientCredentials({ scope: 'api:read' });
 *
 * // No client id: a public native client registers itself where the provider allows it.
 * const cli = await discover('https://auth.example.com', { onRegister: (registration) => console.log(registration.client_id) });
 * ```
 */
export async function discover(issuer: string | URL, options: DiscoverOptions): Promise<OAuthClient> {
  const { onRegister, ...clientOptions } = options ?? {};
  if (clientOptions.clientId === undefined) {
    return discoverRegistered(issuer, clientOptions, onRegister);
  }
  // Options are checked before anything is sent: a bad one never costs (or caches) a request.
  validateClientOptions(clientOptions as OAuthClientOptions);
  return new OAuthClient(await discoverMetadata(issuer, clientOptions), clientOptions as OAuthClientOptions);
}

/** The loopback redirect a native client registers when the caller names none (RFC 8252 §7.3: any port). */
const NATIVE_REDIRECT_URI = 'http://127.0.0.1/callback';
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Registrations made by `discover()` in this process, per `fetch`, by issuer and redirect URI. */
const registrations = /* @__PURE__ */ new ScopedCache<Promise<ClientRegistration>>();

function missingClientId(message: string): never {
  throw new ConfigurationError(message, { code: 'missing_client_id' });
}

/** `discover()` without a client id: registers a public native client (once), then builds its client. */
async function discoverRegistered(
  issuer: string | URL,
  options: Omit<OAuthClientOptions, 'clientId'>,
  onRegister: DiscoverOptions['onRegister'],
): Promise<OAuthClient> {
  if (options.clientSecret !== undefined || options.privateKey !== undefined) {
    missingClientId('A client secret or private key needs the clientId it was issued with.');
  }
  if (onRegister !== undefined && typeof onRegister !== 'function') {
    throw new ConfigurationError('onRegister must be a function.', { code: 'invalid_option' });
  }
  // Every other option is checked (with a stand-in id) before anything is sent.
  validateClientOptions({ ...options, clientId: 'unregistered' });
  const metadata = await discoverMetadata(issuer, options);
  if (typeof metadata.registration_endpoint !== 'string') {
    missingClientId(
      `clientId is required: ${metadata.issuer} advertises no registration_endpoint, so a client cannot register itself there.`,
    );
  }
  const redirectUri = options.redirectUri ?? NATIVE_REDIRECT_URI;
  const scope = fetchScope(options.fetch);
  const slot = `${metadata.issuer} ${redirectUri}`;
  let registration = registrations.get(scope, slot);
  if (!registration) {
    const pending = registerClient(
      issuer,
      {
        application_type: 'native',
        client_name: 'Keyway',
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'none',
        response_types: ['code'],
        grant_types: [
          'authorization_code',
          'refresh_token',
          ...(typeof metadata.device_authorization_endpoint === 'string' ? [DEVICE_GRANT] : []),
        ],
      },
      options,
    );
    registration = pending;
    registrations.set(scope, slot, pending);
    // Failures are not kept: the next call tries again.
    pending.catch(() => {
      if (registrations.get(scope, slot) === pending) {
        registrations.delete(scope, slot);
      }
    });
  }
  const registered = await registration;
  onRegister?.(registered);
  return new OAuthClient(metadata, {
    ...options,
    clientId: registered.client_id,
    ...(typeof registered.client_secret === 'string' ? { clientSecret: registered.client_secret } : {}),
    ...registeredAuthMethod(registered),
  });
}

/** The client authentication the provider registered, when it is one Keyway implements. */
function registeredAuthMethod(registration: ClientRegistration): Pick<OAuthClientOptions, 'tokenEndpointAuthMethod'> {
  const method = registration.token_endpoint_auth_method;
  if (method === 'none' && registration.client_secret === undefined) {
    return { tokenEndpointAuthMethod: 'none' };
  }
  if (
    typeof registration.client_secret === 'string' &&
    (method === 'client_secret_basic' || method === 'client_secret_post' || method === 'client_secret_jwt')
  ) {
    return { tokenEndpointAuthMethod: method };
  }
  return {};
}

/** What {@link discoverMetadata} needs: the transport, and whether plain `http:` is allowed. */
interface DiscoveryOptions extends HttpOptions {
  allowInsecureRequests?: boolean | undefined;
  onCacheUpdate?: ((event: OAuthCacheUpdate) => void) | undefined;
}

/**
 * The metadata of `issuer` from the cache of `options.fetch`, fetched (once for concurrent callers)
 * when absent or older than {@link METADATA_TTL}. What `discover()` and resource-server verifiers share.
 */
export async function discoverMetadata(issuer: string | URL, options: DiscoveryOptions): Promise<ProviderMetadata> {
  const expected = String(issuer);
  parseServiceUrl(expected, 'The issuer', options.allowInsecureRequests);
  const now = Date.now();
  const scope = fetchScope(options.fetch);
  let entry = cache.get(scope, expected);
  if (!entry || now - entry.fetchedAt >= METADATA_TTL) {
    const metadata = fetchMetadata(expected, new HttpClient(options));
    const current: MetadataEntry = { metadata, fetchedAt: now };
    entry = current;
    cache.set(scope, expected, current);
    metadata.then(
      (value) => {
        current.resolved = value;
        reportCacheUpdate(options.onCacheUpdate, { kind: 'metadata', url: expected });
      },
      () => {
        // Failures are not cached: the next call tries again.
        if (cache.get(scope, expected) === current) {
          cache.delete(scope, expected);
        }
      },
    );
  }
  return entry.metadata;
}
