import * as oauth from 'oauth4webapi';
import { InvalidResponseError } from '../errors.js';
import { HttpClient, type HttpOptions } from '../internal/http.js';
import { printable } from '../internal/printable.js';
import { parseServiceUrl } from '../internal/url.js';
import { mapLibraryError } from './errors-map.js';
import { type FetchScope, fetchScope, reportCacheUpdate, ScopedCache } from './fetch-scope.js';
import { OAuthClient, validateClientOptions } from './oauth-client.js';
import { oauthFetch } from './oauth-fetch.js';
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
 * Checks a discovery document: a JSON object whose `issuer` is exactly the issuer asked for (no
 * normalisation: a trailing slash or another host name is another issuer, RFC 8414 §3.3).
 */
function processMetadata(body: unknown, expectedIssuer: string, status: number): ProviderMetadata {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidResponseError('Discovery metadata is not a JSON object.', { code: 'invalid_metadata', status });
  }
  const issuer = (body as { issuer?: unknown }).issuer;
  if (typeof issuer !== 'string') {
    throw new InvalidResponseError('Discovery metadata has no "issuer".', { code: 'invalid_metadata', status });
  }
  if (issuer !== expectedIssuer) {
    throw new InvalidResponseError(`Discovery metadata is for issuer ${printable(issuer)}, not ${expectedIssuer}.`, {
      code: 'issuer_mismatch',
      status,
    });
  }
  return body as ProviderMetadata;
}

async function fetchMetadata(issuer: string, http: HttpClient): Promise<ProviderMetadata> {
  const url = new URL(issuer);
  let lastStatus = 0;
  // OpenID Connect first (appended path), then RFC 8414 (inserted path): both handle an issuer with a path.
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    let response: Response;
    try {
      response = await oauth.discoveryRequest(url, {
        algorithm,
        [oauth.customFetch]: oauthFetch(http, { retry: true }),
        [oauth.allowInsecureRequests]: true,
      });
    } catch (error) {
      throw mapLibraryError(error);
    }
    if (response.status !== 200) {
      lastStatus = response.status;
      continue;
    }
    let body: unknown;
    try {
      body = JSON.parse(await response.text());
    } catch {
      throw new InvalidResponseError('Discovery metadata is not JSON.', { code: 'invalid_metadata', status: 200 });
    }
    return processMetadata(body, issuer, response.status);
  }
  throw new InvalidResponseError(`No discovery metadata for ${issuer} (status ${lastStatus}).`, {
    code: 'discovery_failed',
    status: lastStatus,
  });
}

/**
 * Discovers an authorization server (OpenID Connect Discovery, then RFC 8414) and returns a client
 * for it. Metadata is cached per issuer and `fetch` for an hour, and concurrent calls for one issuer
 * with one `fetch` share one request (clients given different `fetch` functions never share metadata). The metadata's `issuer` must equal `issuer` exactly (`InvalidResponseError`
 * `issuer_mismatch`). Plain `http:` is refused for non-loopback hosts (`ConfigurationError`
 * `insecure_request`) unless `allowInsecureRequests` is set.
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
 * ```
 */
export async function discover(issuer: string | URL, options: OAuthClientOptions): Promise<OAuthClient> {
  // Options are checked before anything is sent: a bad one never costs (or caches) a request.
  validateClientOptions(options);
  return new OAuthClient(await discoverMetadata(issuer, options), options);
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
