import { InvalidResponseError } from '../errors.js';
import type { Transport } from '../internal/http-attempt.js';
import { printable } from '../internal/printable.js';
import type { ProviderMetadata } from './types.js';

// Fetching and checking an issuer's discovery document on a `Transport` (the verifier's or a client's), without
// oauth4webapi: a resource server's verifier needs the metadata (for `jwks_uri`), not the OAuth client.

/** Where discovery looks, in order: OpenID Connect Discovery, then RFC 8414. */
type DiscoveryKind = 'oidc' | 'oauth2';

/**
 * The well-known URL of `issuer`'s metadata. OpenID Connect Discovery §4 appends
 * `/.well-known/openid-configuration` to the issuer's path; RFC 8414 §3.1 inserts
 * `/.well-known/oauth-authorization-server` before it (a trailing slash of the path dropped). Query
 * and fragment are kept as given, as oauth4webapi's `discoveryRequest` does.
 */
export function wellKnownUrl(issuer: string | URL, kind: DiscoveryKind): string {
  const url = new URL(issuer);
  const path = url.pathname;
  if (kind === 'oidc') {
    url.pathname = `${path}/.well-known/openid-configuration`.replace('//', '/');
  } else {
    url.pathname =
      path === '/'
        ? '.well-known/oauth-authorization-server'
        : `.well-known/oauth-authorization-server/${path.replace(/\/$/, '')}`.replace('//', '/');
  }
  return url.href;
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

/**
 * The metadata of `issuer`, fetched (retried as a safe request) from the OpenID Connect location, then
 * from the RFC 8414 one when the first does not answer 200. `InvalidResponseError` `invalid_metadata`,
 * `issuer_mismatch` or `discovery_failed` (neither answered 200); transport errors as the transport throws them.
 */
export async function fetchMetadata(issuer: string, http: Transport): Promise<ProviderMetadata> {
  let lastStatus = 0;
  for (const kind of ['oidc', 'oauth2'] as const) {
    const response = await http.send({
      url: wellKnownUrl(issuer, kind),
      headers: { accept: 'application/json' },
      retry: true,
    });
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
