import type { Context, Env, MiddlewareHandler } from 'hono';
import type { EdgeAuthError } from './errors.js';
import { requestGuard } from './internal/request-guard.js';
import type { VerifierSource } from './internal/verifier-resolver.js';
import { waitUntilOf } from './internal/wait-until.js';
import type { ResourceMetadataOptions } from './resource-metadata.js';
import type { AuthContext } from './verifier.js';
import type { WaitUntilLike } from './wait-until.js';

/**
 * The context variables {@link keywayAuth} sets: `c.get('auth')` is the request's {@link AuthContext}.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import type { KeywayVariables } from '@keyway/edge/hono';
 * const app = new Hono<{ Variables: KeywayVariables }>();
 * app.get('/me', (c) => c.json({ sub: c.get('auth').claims.sub }));
 * ```
 */
export interface KeywayVariables {
  auth: AuthContext;
}

/**
 * Options of {@link keywayAuth}: those of `withAuth`, with `c.env` (a Worker's bindings) in place of
 * `env` and the Hono context in `onError`.
 */
export interface KeywayAuthOptions<E extends Env = Env> {
  /** A verifier, its options, or a function of `c.env` returning either (called once per `c.env` object). */
  verifier: VerifierSource<E['Bindings']>;
  /** Scopes the routes behind the middleware need besides the verifier's. */
  requiredScopes?: readonly string[];
  /** Serve RFC 9728 Protected Resource Metadata and name it in every challenge (see `withAuth`). */
  resourceMetadata?: ResourceMetadataOptions;
  /** The answer to a refused request (default: `error.response`). Other errors are thrown as they are. */
  onError?: (error: EdgeAuthError, c: Context<E>) => Response | Promise<Response>;
}

/** The context's `executionCtx`, which Hono's getter throws for outside Workers-like runtimes. */
function executionContext(c: Context): WaitUntilLike | undefined {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
}

/**
 * Hono middleware that lets through only requests with a valid access token, with the same checks,
 * refusals and `WWW-Authenticate` challenges as `withAuth` (401/403/400/503, or `onError`'s answer):
 * the verified {@link AuthContext} is `c.get('auth')`. On Workers the KV write-back of a verifier
 * with `kv` goes to `c.executionCtx.waitUntil`. With `resourceMetadata` it also serves RFC 9728
 * Protected Resource Metadata (mount it where the well-known path reaches it, e.g. `app.use('*', ...)`).
 * Runs wherever Hono runs: Workers, Node, Bun, Deno, Vercel Edge.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { keywayAuth } from '@keyway/edge/hono';
 *
 * type Bindings = { KEYWAY_ISSUER: string };
 *
 * const app = new Hono<{ Bindings: Bindings }>()
 *   .use(
 *     '/api/*',
 *     keywayAuth<{ Bindings: Bindings }>({
 *       verifier: (env) => ({ issuer: env.KEYWAY_ISSUER, audience: 'https://api.example.com' }),
 *       requiredScopes: ['things:read'],
 *     }),
 *   )
 *   .get('/api/me', (c) => c.json({ sub: c.get('auth').claims.sub }));
 *
 * export default app;
 * ```
 */
export function keywayAuth<E extends Env = Env>(
  options: KeywayAuthOptions<E>,
): MiddlewareHandler<E & { Variables: KeywayVariables }> {
  const guard = requestGuard(options);
  return async (c, next) => {
    const request = c.req.raw;
    const metadata = guard.metadata(request, c.env);
    if (metadata) {
      return metadata;
    }
    const { auth, refusal } = await guard.check(request, c.env, waitUntilOf(executionContext(c)));
    if (refusal) {
      return options.onError ? options.onError(refusal, c as unknown as Context<E>) : refusal.response;
    }
    c.set('auth', auth);
    await next();
    return undefined;
  };
}
