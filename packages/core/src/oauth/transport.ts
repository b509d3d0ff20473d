import type { HttpClient, HttpRequest } from '../internal/http.js';

/** How one oauth4webapi call goes through the shared transport. */
export interface TransportOptions {
  /** True for safe or idempotent calls; never for a code redemption or a device poll. */
  retry: boolean;
  signal?: AbortSignal | undefined;
  /** Sees every response (e.g. to remember a `DPoP-Nonce`). */
  onResponse?: ((url: string, response: Response) => void) | undefined;
}

/**
 * A fetch in oauth4webapi's `[customFetch]` shape that sends through Keyway's `HttpClient`, so OAuth
 * calls get the same timeouts, retries, body cap, client headers and typed errors as the service
 * client. oauth4webapi's own User-Agent is dropped in favour of the transport's.
 */
export function transportFetch(
  http: HttpClient,
  options: TransportOptions,
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
