import type { EdgeAuthError } from './errors.js';
import { requestGuard } from './internal/request-guard.js';
import { waitUntilOf } from './internal/wait-until.js';
import type { VerifierOptions } from './options.js';
import type { AuthContext, Verifier } from './verifier.js';
import type { WaitUntilEvent } from './wait-until.js';
import type { AuthOptions } from './with-auth.js';

/**
 * Options of {@link keywayMiddleware}.
 */
export interface KeywayMiddlewareOptions extends Omit<AuthOptions, 'verifier'> {
  /** A verifier, or the options to create one. */
  verifier: Verifier | VerifierOptions;
  /** The answer to a refused request (default: `error.response`). */
  onError?: (error: EdgeAuthError, request: Request) => Response | Promise<Response>;
  /**
   * Called for a verified request; what it returns is the middleware's answer (`undefined`: go on).
   * Use it to pass claims downstream, e.g. `NextResponse.next({ request: { headers } })`.
   */
  onAuthenticated?: (request: Request, auth: AuthContext) => Response | undefined | Promise<Response | undefined>;
  /** Requests to let through unverified (CORS preflights, health checks). Prefer Next's `matcher` where it fits. */
  skip?: (request: Request) => boolean;
}

/**
 * A Next.js / Vercel Edge middleware helper with no dependency on `next`: it takes a Web `Request`
 * and resolves to a `Response` to send (the refusal, or `onAuthenticated`'s answer) or `undefined`
 * to let the request through — the caller then returns `NextResponse.next()` (or nothing).
 *
 * @example
 * ```ts
 * // middleware.ts
 * import { keywayMiddleware } from '@keyway/edge';
 *
 * const auth = keywayMiddleware({
 *   verifier: { issuer: 'https://auth.example.com', audience: 'https://app.example.com' },
 *   requiredScopes: ['api'],
 * });
 *
 * export async function middleware(request: Request, event: { waitUntil(p: Promise<unknown>): void }) {
 *   const refusal = await auth(request, event);
 *   return refusal; // undefined lets the request through (or: refusal ?? NextResponse.next())
 * }
 *
 * export const config = { matcher: '/api/:path*' };
 * ```
 */
export function keywayMiddleware(
  options: KeywayMiddlewareOptions,
): (request: Request, event?: WaitUntilEvent) => Promise<Response | undefined> {
  const guard = requestGuard(options);
  return async (request, event) => {
    const metadata = guard.metadata(request, undefined);
    if (metadata) {
      return metadata;
    }
    if (options.skip?.(request)) {
      return undefined;
    }
    const { auth, refusal } = await guard.check(request, undefined, waitUntilOf(event));
    if (refusal) {
      return options.onError ? options.onError(refusal, request) : refusal.response;
    }
    return options.onAuthenticated ? options.onAuthenticated(request, auth) : undefined;
  };
}
