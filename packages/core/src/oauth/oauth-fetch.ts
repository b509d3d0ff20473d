import type { HttpClient, HttpRequest } from '../internal/http.js';

/** How one oauth4webapi call goes through {@link HttpClient}. */
interface OAuthFetchOptions {
  /** True for safe or idempotent calls; never for a code redemption or a device poll. */
  retry: boolean;
  signal?: AbortSignal | undefined;
  /** Sees every response (e.g. to remember a `DPoP-Nonce`). */
  onResponse?: ((url: string, response: Response) => void) | undefined;
}

/**
 * The OAuth layer's adapter to the one HTTP transport (`HttpClient`, internal/http.ts): a fetch in
 * oauth4webapi's `[customFetch]` shape, so discovery and every OAuth endpoint call get the same
 * timeouts, retries, body cap, client headers and typed errors as the service client (whose adapter,
 * for openapi-fetch, is `apiFetch` in internal/api-transport.ts). oauth4webapi's own User-Agent is
 * dropped in favour of the transport's.
 */
export function oauthFetch(
  http: HttpClient,
  options: OAuthFetchOptions,
): (url: string, init: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const headers = new Headers(init.headers);
    if (headers.get('user-agent')?.startsWith('oauth4webapi/')) {
      headers.delete('user-agent');
    }
    const response = await http.send({
      url,
      method: init.method ?? 'GET',
      headers,
      body: (init.body ?? null) as HttpRequest['body'],
      retry: options.retry,
      signal: options.signal ?? init.signal ?? undefined,
    });
    options.onResponse?.(url, response);
    return response;
  };
}
