import { EdgeAuthError } from '../errors.js';
import type { AuthContext } from '../verifier.js';
import type { WaitUntilLike } from '../wait-until.js';
import { type VerifierSource, verifierResolver } from './verifier-resolver.js';

/** What `withAuth`, `keywayMiddleware` and the Hono middleware share: the `verifier` and `requiredScopes` options. */
export interface GuardOptions<Env> {
  verifier: VerifierSource<Env>;
  requiredScopes?: readonly string[] | undefined;
}

/** The outcome of guarding one request: its `AuthContext`, or the refusal to answer with. */
export type GuardResult = { auth: AuthContext; refusal?: undefined } | { auth?: undefined; refusal: EdgeAuthError };

/**
 * The check every request helper runs: the request's token through the verifier of `env`, with the
 * helper's scopes and the KV write-back handed to `waitUntil`. A refusal is returned (to answer with
 * or hand to `onError`); any other error is thrown as it is.
 */
export function requestGuard<Env>(
  options: GuardOptions<Env>,
): (request: Request, env: Env, waitUntil: WaitUntilLike['waitUntil'] | undefined) => Promise<GuardResult> {
  const verifierFor = verifierResolver(options.verifier);
  const { requiredScopes } = options;
  return async (request, env, waitUntil) => {
    try {
      const auth = await verifierFor(env).authenticate(request, {
        ...(requiredScopes ? { requiredScopes } : {}),
        ...(waitUntil ? { waitUntil } : {}),
      });
      return { auth };
    } catch (error) {
      if (EdgeAuthError.is(error)) {
        return { refusal: error };
      }
      throw error;
    }
  };
}
