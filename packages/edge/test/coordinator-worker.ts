/*
 * A Worker that calls an API with client credentials, as a user writes one with a TokenCoordinator:
 * it exports the Durable Object class and passes its binding (`KEYWAY_TOKENS`) to a token source made
 * per request. Bundled by coordinator.test.ts and run by miniflare as several Workers that share one
 * object namespace. The issuer is @keyway/mocks listening on 127.0.0.1, reached with the global fetch.
 *
 * Query parameters replace the issuer, the secret, the scope and the skew; `own` gives each request a
 * token store of its own (no cache in the isolate). Routes: /token (through the coordinator), /direct (no coordinator: a token source with one memory
 * store per isolate, the best an isolate can do alone), /broken (a binding whose object throws), and
 * /raw (the request's body handed to the object as is).
 */
import { MemoryTokenStore } from '@keyway/token-store';
import { createEdgeTokenSource, type EdgeTokenSourceOptions, type TokenCoordinatorNamespace } from '../src/index.ts';

export { TokenCoordinator } from '../src/index.ts';

/** A Durable Object that fails every request, as an object that is out of reach would. */
export class BrokenCoordinator {
  async fetch(): Promise<Response> {
    throw new Error('the object is down');
  }
}

interface Env {
  ISSUER: string;
  CLIENT_SECRET: string;
  KEYWAY_TOKENS: TokenCoordinatorNamespace;
  BROKEN_TOKENS: TokenCoordinatorNamespace;
}

const isolateStore = new MemoryTokenStore();

function options(env: Env, url: URL): EdgeTokenSourceOptions {
  const skew = url.searchParams.get('skew');
  return {
    issuer: url.searchParams.get('issuer') ?? env.ISSUER,
    clientId: 'test-client',
    clientSecret: url.searchParams.get('secret') ?? env.CLIENT_SECRET,
    scope: url.searchParams.get('scope') ?? 'things:read',
    ...(skew === null ? {} : { skew: Number(skew) }),
    // `own`: a store for this request only, so that every caller asks the object itself.
    ...(url.searchParams.has('own') ? { store: new MemoryTokenStore() } : {}),
  };
}

async function answer(source: ReturnType<typeof createEdgeTokenSource>, logs: string[] = []): Promise<Response> {
  try {
    const tokens = await source.getToken();
    return Response.json({ access_token: tokens.access_token, expires_at: tokens.expires_at, logs });
  } catch (error) {
    const { name, code, status } = error as { name: string; code?: string; status?: number };
    return Response.json({ error: { name, code, status }, logs }, { status: 500 });
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    switch (url.pathname) {
      case '/token':
        return answer(createEdgeTokenSource({ ...options(env, url), coordinator: env.KEYWAY_TOKENS }));
      case '/direct':
        return answer(createEdgeTokenSource({ ...options(env, url), store: isolateStore }));
      case '/broken': {
        const logs: string[] = [];
        const source = createEdgeTokenSource({
          ...options(env, url),
          coordinator: env.BROKEN_TOKENS,
          log: (line) => logs.push(line),
        });
        return answer(source, logs);
      }
      case '/raw': {
        const stub = env.KEYWAY_TOKENS.get(env.KEYWAY_TOKENS.idFromName('raw'));
        return stub.fetch(new Request('https://coordinator/v1/token', { method: request.method, body: request.body }));
      }
      default:
        return new Response('not found', { status: 404 });
    }
  },
};
