import type { EdgeAuthError } from './errors.js';
import { requestGuard } from './internal/request-guard.js';
import type { VerifierSource } from './internal/verifier-resolver.js';
import { waitUntilOf } from './internal/wait-until.js';
import type { ResourceMetadataOptions } from './resource-metadata.js';
import type { AuthContext } from './verifier.js';
import type { ExecutionContextLike } from './wait-until.js';

/**
 * A Workers `fetch` handler that runs only for verified requests: the usual `(request, env, ctx)`
 * plus the {@link AuthContext}.
 */
export type AuthenticatedHandler<Env = unknown, Ctx extends ExecutionContextLike = ExecutionContextLike> = (
  request: Request,
  env: Env,
  ctx: Ctx,
  auth: AuthContext,
) => Response | Promise<Response>;

/**
 * Options shared by {@link withAuth} and {@link keywayMiddleware}: a verifier (or one made from the
 * Worker's `env`, once per `env`), or the options to create one.
 */
export interface AuthOptions<Env = unknown> {
  /** A verifier, its options, or a function of `env` returning either (called once per `env` object). */
  verifier: VerifierSource<Env>;
  /** Scopes this handler needs besides the verifier's. */
  requiredScopes?: readonly string[];
  /**
   * Serve RFC 9728 Protected Resource Metadata at `/.well-known/oauth-protected-resource` (and the
   * path-suffixed URL of a resource with a path), naming the verifier's issuer as the authorization
   * server, and add `resource_metadata="<its URL>"` to every `WWW-Authenticate` challenge, so a client
   * that starts from a 401 (an MCP client) finds the issuer. Checked when the helper is made
   * (`ConfigurationError` `invalid_option`).
   */
  resourceMetadata?: ResourceMetadataOptions;
}

/**
 * Options of {@link withAuth}.
 */
export interface WithAuthOptions<Env = unknown, Ctx extends ExecutionContextLike = ExecutionContextLike>
  extends AuthOptions<Env> {
  /** The answer to a refused request (default: `error.response`). Other errors are thrown as they are. */
  onError?: (error: EdgeAuthError, request: Request, env: Env, ctx: Ctx) => Response | Promise<Response>;
}

/**
 * Wraps a Cloudflare Workers `fetch` handler so it runs only for requests with a valid access token:
 * the handler gets `(request, env, ctx, auth)` with the verified claims in `auth.claims`; anything
 * else is answered with the {@link EdgeAuthError}'s response (401/403/400/503 with
 * `WWW-Authenticate`), or `onError`'s. The KV write-back of a verifier with `kv` goes to
 * `ctx.waitUntil`.
 *
 * @example
 * ```ts
 * import { withAuth } from '@keyway/edge';
 * import type { KvNamespaceLike } from '@keyway/token-store/kv';
 *
 * interface Env {
 *   KEYWAY_ISSUER: string;
 *   CACHE: KvNamespaceLike;
 * }
 *
 * export default {
 *   fetch: withAuth<Env>(
 *     async (_request, _env, _ctx, auth) => Response.json({ sub: auth.claims.sub, scopes: auth.scopes }),
 *     {
 *       verifier: (env) => ({ issuer: env.KEYWAY_ISSUER, audience: 'https://api.example.com', kv: env.CACHE }),
 *       requiredScopes: ['things:read'],
 *     },
 *   ),
 * };
 * ```
 */
export function withAuth<Env = unknown, Ctx extends ExecutionContextLike = ExecutionContextLike>(
  handler: AuthenticatedHandler<Env, Ctx>,
  options: WithAuthOptions<Env, Ctx>,
): (request: Request, env: Env, ctx: Ctx) => Promise<Response> {
  const guard = requestGuard(options);
  return async (request, env, ctx) => {
    const metadata = guard.metadata(request, env);
    if (metadata) {
      return metadata;
    }
    const { auth, refusal } = await guard.check(request, env, waitUntilOf(ctx));
    if (refusal) {
      return options.onError ? options.onError(refusal, request, env, ctx) : refusal.response;
    }
    return handler(request, env, ctx, auth);
  };
}
