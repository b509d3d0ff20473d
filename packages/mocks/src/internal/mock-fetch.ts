import type { Engine } from './engine.js';

/** A fetch-compatible function that hands requests straight to the engine: no sockets, no global patching. */
export function createMockFetch(
  engine: Engine,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const request = new Request(input, init);
    const issuer = new URL(engine.issuer);
    const url = new URL(request.url);
    const prefix = issuer.pathname.replace(/\/+$/, '');
    if (url.origin !== issuer.origin || !(url.pathname === prefix || url.pathname.startsWith(`${prefix}/`))) {
      throw new TypeError(`@keyway/mocks: mock.fetch only serves ${engine.issuer}, not ${url.origin}${url.pathname}`);
    }
    if (request.signal.aborted) {
      throw request.signal.reason;
    }
    const response = await new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(request.signal.reason);
      request.signal.addEventListener('abort', onAbort, { once: true });
      engine.handle(request).then(
        (value) => {
          request.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          request.signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
    if (response.type === 'error') {
      // What undici and browsers throw when the connection drops.
      throw new TypeError('fetch failed', { cause: new Error('ECONNRESET: network error injected by @keyway/mocks') });
    }
    return response;
  };
}
