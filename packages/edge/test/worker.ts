/*
 * A Worker as a user writes one: `withAuth` around its handler, the JWKS cached in KV (`CACHE`), and a
 * client-credentials token source on KV (`TOKENS`) for calls to another API. Bundled by
 * workerd.test.ts and run in workerd; every fetch it makes leaves through miniflare's outbound service,
 * where the Node side answers with @keyway/mocks.
 */
import { createEdgeTokenSource, type ExecutionContextLike, restore, snapshot, withAuth } from '../src/index.ts';

interface KvNamespace {
  get(key: string, type: 'text'): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
}

interface Env {
  KEYWAY_ISSUER: string;
  CLIENT_SECRET: string;
  CACHE: KvNamespace;
  TOKENS: KvNamespace;
}

const AUDIENCE = 'https://worker.example.com';

const things = withAuth<Env>(
  (_request, _env, _ctx, auth) => Response.json({ sub: auth.claims.sub, scopes: auth.scopes, scheme: auth.scheme }),
  {
    verifier: (env) => ({ issuer: env.KEYWAY_ISSUER, audience: AUDIENCE, kv: env.CACHE, retry: false }),
    requiredScopes: ['things:read'],
  },
);

const admin = withAuth<Env>((_request, _env, _ctx, auth) => Response.json({ admin: auth.claims.sub }), {
  verifier: (env) => ({ issuer: env.KEYWAY_ISSUER, audience: AUDIENCE, kv: env.CACHE, retry: false }),
  requiredScopes: ['admin'],
});

/** Calls the downstream API with a client-credentials token shared through KV. */
async function callApi(env: Env): Promise<Response> {
  const source = createEdgeTokenSource({
    issuer: env.KEYWAY_ISSUER,
    clientId: 'test-client',
    clientSecret: env.CLIENT_SECRET,
    scope: 'things:read',
    kv: env.TOKENS,
  });
  const upstream = await source.authFetch('https://api.example.com/echo');
  return Response.json({ upstream: await upstream.text(), key: source.key });
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContextLike): Promise<Response> {
    const { pathname } = new URL(request.url);
    switch (pathname) {
      case '/things':
        return things(request, env, ctx);
      case '/admin':
        return admin(request, env, ctx);
      case '/call':
        return callApi(env);
      case '/snapshot':
        return Response.json(await snapshot());
      case '/restore':
        await restore(await request.text());
        return new Response(null, { status: 204 });
      case '/runtime':
        return Response.json({
          userAgent: navigator.userAgent,
          process: typeof (globalThis as { process?: unknown }).process,
        });
      default:
        return new Response('not found', { status: 404 });
    }
  },
};
