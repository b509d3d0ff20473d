import { callerHeaders, headerToken } from './internal/headers.js';
import type { FetchLike } from './internal/http.js';
import type { TokenSource } from './token-source.js';

/** Options of {@link authFetch}. */
export interface AuthFetchOptions {
  /** The underlying `fetch` (default: the global one, bound to `globalThis`). */
  fetch?: FetchLike;
}

/** A client that can sign DPoP proofs for resource requests (`OAuthClient` with `dpop` set). */
interface DpopCapable {
  dpopProof(method: string, url: string, accessToken?: string): Promise<string>;
  /** Keeps a resource server's `DPoP-Nonce` for the next proof to that origin. */
  rememberDpopNonce?(url: string, response: Response): void;
}

/**
 * Wraps `fetch` so every request carries a fresh token from `source`.
 *
 * On a 401 it forces one refresh (single-flight: many requests refused with the same token cause
 * one refresh) and sends the request once more, when its body can be sent again; a streamed body
 * that was already consumed is not replayed and the 401 is returned as is. Other statuses and
 * network errors pass through untouched: nothing is retried on 5xx. With DPoP-bound tokens every
 * `DPoP-Nonce` a resource server sends is kept for the next proof, and a 401 `use_dpop_nonce`
 * challenge is answered by sending the request once more with a proof carrying that nonce (RFC 9449
 * section 9), without refreshing the token.
 *
 * @example
 * ```ts
 * import { authFetch, createTokenSource } from '@keyway/core';
 *
 * const source = createTokenSource({ grant: { type: 'custom', fetchToken: async () => ({ access_token: 't', token_type: 'Bearer' }) } });
 * const api = authFetch(source);
 * const response = await api('https://api.example.com/things');
 * ```
 */
export function authFetch(source: TokenSource, options: AuthFetchOptions = {}): FetchLike {
  const baseFetch: FetchLike = options.fetch ?? (globalThis.fetch.bind(globalThis) as FetchLike);
  const dpop = isDpopCapable(source.client) ? source.client : undefined;

  const send = async (input: string | URL | Request, init: RequestInit | undefined, token: string, type: string) => {
    const headers = callerHeaders(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headerToken(token);
    headerToken(type, 'The token type');
    if (dpop && type.toLowerCase() === 'dpop') {
      const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
      const url = input instanceof Request ? input.url : String(input);
      headers.set('authorization', `DPoP ${token}`);
      headers.set('dpop', await dpop.dpopProof(method.toUpperCase(), url, token));
      const response = await baseFetch(input, { ...init, headers });
      dpop.rememberDpopNonce?.(url, response);
      return response;
    }
    headers.set('authorization', `${type.toLowerCase() === 'bearer' ? 'Bearer' : type} ${token}`);
    return baseFetch(input, { ...init, headers });
  };

  return async (input, init) => {
    const tokens = await source.getToken();
    // A Request's body can be read once: keep a copy for the retries a 401 may need.
    const spare = input instanceof Request && input.body !== null && !input.bodyUsed ? input.clone() : undefined;
    const again = () => (spare ? spare.clone() : input);
    let response = await send(input, init, tokens.access_token, tokens.token_type);
    if (response.status !== 401 || !canReplay(input, init, spare)) {
      return response;
    }
    if (dpop && tokens.token_type.toLowerCase() === 'dpop' && isNonceChallenge(response)) {
      // The token is fine; the proof lacked the server's nonce, which send() has just kept.
      await response.body?.cancel().catch(() => undefined);
      response = await send(again(), init, tokens.access_token, tokens.token_type);
      if (response.status !== 401) {
        return response;
      }
    }
    const fresh = await source.getToken({ rejectedToken: tokens.access_token });
    if (fresh.access_token === tokens.access_token) {
      return response;
    }
    await response.body?.cancel().catch(() => undefined);
    return send(again(), init, fresh.access_token, fresh.token_type);
  };
}

/** A 401 asking for a DPoP proof with the server's nonce (RFC 9449 section 9). */
function isNonceChallenge(response: Response): boolean {
  return (
    response.headers.has('dpop-nonce') &&
    /(?:^|[\s,])error\s*=\s*"?use_dpop_nonce"?/i.test(response.headers.get('www-authenticate') ?? '')
  );
}

function canReplay(input: string | URL | Request, init: RequestInit | undefined, spare: Request | undefined): boolean {
  const body = init?.body;
  if (body !== undefined && body !== null) {
    // A ReadableStream was consumed by the first send; everything else can be sent again.
    return !(typeof ReadableStream !== 'undefined' && body instanceof ReadableStream);
  }
  if (input instanceof Request) {
    return input.body === null || spare !== undefined;
  }
  return true;
}

function isDpopCapable(client: unknown): client is DpopCapable {
  return typeof (client as Partial<DpopCapable> | undefined)?.dpopProof === 'function';
}
