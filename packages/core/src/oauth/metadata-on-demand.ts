import type { Transport } from '../internal/http-attempt.js';
import { parseServiceUrl } from '../internal/url.js';
import type { Clock } from './clock.js';
import { cachedMetadata, METADATA_TTL, restoreMetadata } from './discover.js';
import { fetchMetadata } from './discovery-document.js';
import { type FetchScope, reportCacheUpdate } from './fetch-scope.js';
import type { OAuthCacheUpdate, ProviderMetadata } from './types.js';

// An issuer's metadata for the clients that need it without `discover()` and its OAuthClient (the
// resource-server verifier, the client-credentials client): found in discover()'s cache, else fetched
// on the given transport and put there.

/** What a metadata lookup needs from its owner's options. */
interface MetadataOptions {
  allowInsecureRequests?: boolean | undefined;
  onCacheUpdate?: ((event: OAuthCacheUpdate) => void) | undefined;
}

/**
 * The issuer's metadata from the cache `discover()` fills for this `fetch`, else fetched and put there
 * (so `discover()`, other clients and `snapshotOAuthCache()` see it), without the OAuth client.
 */
async function sharedMetadata(
  issuer: string,
  options: MetadataOptions,
  http: Transport,
  scope: FetchScope,
): Promise<ProviderMetadata> {
  parseServiceUrl(issuer, 'The issuer', options.allowInsecureRequests);
  const cached = cachedMetadata(scope).find((entry) => entry.issuer === issuer);
  if (cached) {
    return cached.metadata;
  }
  const fetchedAt = Date.now();
  const metadata = await fetchMetadata(issuer, http);
  restoreMetadata(scope, issuer, metadata, fetchedAt);
  reportCacheUpdate(options.onCacheUpdate, { kind: 'metadata', url: issuer });
  return metadata;
}

/**
 * The issuer's metadata for one client: looked up on first use, again after {@link METADATA_TTL}, and
 * again by the next call after a failed discovery. Concurrent calls share one lookup.
 */
export function metadataOnDemand(
  issuer: string,
  options: MetadataOptions,
  http: Transport,
  scope: FetchScope,
): (clock: Clock) => Promise<ProviderMetadata> {
  let metadata: { value: Promise<ProviderMetadata>; at: number } | undefined;
  return (clock) => {
    if (!metadata || clock.now() - metadata.at >= METADATA_TTL) {
      const current = { value: sharedMetadata(issuer, options, http, scope), at: clock.now() };
      metadata = current;
      current.value.catch(() => {
        if (metadata === current) {
          metadata = undefined;
        }
      });
    }
    return metadata.value;
  };
}
