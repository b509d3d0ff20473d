import { createServer } from 'node:net';
import type { FetchLike } from '@keyway/core';

/** One request a client sent through a {@link Network}'s fetch. */
export interface SentRequest {
  url: URL;
  method: string;
  headers: Headers;
}

/**
 * A `fetch` to inject into a client: it records every request and answers hosts listed in `fake`
 * itself (nothing leaves the machine for `*.example.test`). Each network is a new function, so
 * each client built with one gets its own discovery and JWKS caches in @keyway/core (they are keyed
 * by `fetch`): cases never see each other's keys.
 */
export interface Network {
  readonly fetch: FetchLike;
  readonly requests: SentRequest[];
  /** How many requests went to `host` (a hostname, or `host:port`). */
  countHost(host: string): number;
}

export type FakeHandler = (request: Request) => Response | Promise<Response>;

export function network(fake: Record<string, FakeHandler> = {}): Network {
  const requests: SentRequest[] = [];
  const fetchImpl: FetchLike = async (input, init) => {
    // Recorded before anything can throw: a request counts as sent once it reaches fetch.
    const url = new URL(input instanceof Request ? input.url : String(input));
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    let headers: Headers;
    try {
      headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    } catch {
      headers = new Headers();
    }
    requests.push({ url, method, headers });
    const handler = fake[url.host] ?? fake[url.hostname];
    if (handler) {
      return handler(new Request(input, init));
    }
    return globalThis.fetch(input, init);
  };
  return {
    fetch: fetchImpl,
    requests,
    countHost: (host) => requests.filter((r) => r.url.host === host || r.url.hostname === host).length,
  };
}

/** A loopback port nothing listens on (a server was bound to it and closed): connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
