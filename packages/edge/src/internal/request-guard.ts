import { EdgeAuthError } from '../errors.js';
import type { ResourceMetadataOptions } from '../resource-metadata.js';
import type { AuthContext } from '../verifier.js';
import type { WaitUntilLike } from '../wait-until.js';
import { protectedResource } from './protected-resource.js';
import { type VerifierSource, verifierResolver } from './verifier-resolver.js';

/** What `withAuth`, `keywayMiddleware` and the Hono middleware share: their `verifier`, `requiredScopes` and `resourceMetadata`. */
interface GuardOptions<Env> {
  verifier: VerifierSource<Env>;
  requiredScopes?: readonly string[] | undefined;
  resourceMetadata?: ResourceMetadataOptions | undefined;
}

/** The outcome of checking one request: its `AuthContext`, or the refusal to answer with. */
type GuardResult = { auth: AuthContext; refusal?: undefined } | { auth?: undefined; refusal: EdgeAuthError };

/** What a request helper runs for each request. */
interface RequestGuard<Env> {
  /** The answer to a request for the RFC 9728 metadata document, when `resourceMetadata` asks for one. */
  metadata(request: Request, env: Env): Response | undefined;
  /** The request's token through the verifier of `env`, handing the KV write-back to `waitUntil`. */
  check(request: Request, env: Env, waitUntil: WaitUntilLike['waitUntil'] | undefined): Promise<GuardResult>;
}

/**
 * What every request helper runs: the metadata document when `resourceMetadata` asks for one and the
 * request is for it; the request's token through the verifier of `env`, with the helper's scopes. A
 * refusal is returned (to answer with or hand to `onError`), with `resource_metadata` in its
 * challenges; any other error is thrown as it is. The options are checked here, when the helper is made.
 */
export function requestGuard<Env>(options: GuardOptions<Env>): RequestGuard<Env> {
  const verifierFor = verifierResolver(options.verifier);
  const { requiredScopes } = options;
  const resource =
    options.resourceMetadata === undefined ? undefined : protectedResource(options.resourceMetadata, requiredScopes);
  return {
    metadata: (request, env) => resource?.serve(request, verifierFor(env)),
    async check(request, env, waitUntil) {
      try {
        const auth = await verifierFor(env).authenticate(request, {
          ...(requiredScopes ? { requiredScopes } : {}),
          ...(waitUntil ? { waitUntil } : {}),
        });
        return { auth };
      } catch (error) {
        if (EdgeAuthError.is(error)) {
          return { refusal: resource ? resource.refuse(error) : error };
        }
        throw error;
      }
    },
  };
}
