/*
 * An API on Cloudflare Workers: every route needs a Keyway access token for this API, `/things` also
 * the `things:read` scope. The issuer's keys are cached in the CACHE KV namespace, so a cold isolate
 * verifies without calling the issuer.
 */
import { type ExecutionContextLike, type WithAuthOptions, withAuth } from '@keyway/edge';
import type { KvNamespaceLike } from '@keyway/token-store/kv';

export interface Env {
  /** The issuer, e.g. https://auth.example.com (a `[vars]` entry in wrangler.toml). */
  KEYWAY_ISSUER: string;
  /** This API's identifier: tokens must name it in `aud`. */
  API_AUDIENCE: string;
  CACHE: KvNamespaceLike;
}

// One verifier per env (withAuth memoises it); both routes share its caches.
const verifier: WithAuthOptions<Env>['verifier'] = (env) => ({
  issuer: env.KEYWAY_ISSUER,
  audience: env.API_AUDIENCE,
  kv: env.CACHE,
});

const me = withAuth<Env>(
  (_request, _env, _ctx, auth) =>
    Response.json({ sub: auth.claims.sub, client_id: auth.claims.client_id, scopes: auth.scopes }),
  { verifier },
);

const things = withAuth<Env>((_request, _env, _ctx, auth) => Response.json([{ id: 1, owner: auth.claims.sub }]), {
  verifier,
  requiredScopes: ['things:read'],
});

export default {
  fetch(request: Request, env: Env, ctx: ExecutionContextLike): Promise<Response> | Response {
    switch (new URL(request.url).pathname) {
      case '/me':
        return me(request, env, ctx);
      case '/things':
        return things(request, env, ctx);
      default:
        return new Response('not found', { status: 404 });
    }
  },
};
