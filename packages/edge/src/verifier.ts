import type { AccessTokenClaims } from '@keyway/core';
import type { EdgeAuthError } from './errors.js';
import { credentialsOf, tokenCredentials } from './internal/credentials.js';
import { kvSync } from './internal/kv-sync.js';
import { checkScopes, grantedScopes } from './internal/scope-check.js';
import { tokenCheck } from './internal/token-check.js';
import { rememberVerifier } from './internal/verifier-facts.js';
import { resolveVerifierOptions } from './internal/verifier-options.js';
import type { VerifierOptions, VerifyOptions } from './options.js';

/**
 * A verified request: the token's claims, the token itself (to call other APIs on the caller's
 * behalf) and how it was presented.
 */
export interface AuthContext {
  claims: AccessTokenClaims;
  token: string;
  /** `DPoP` when the token was bound to a key and the proof checked out. */
  scheme: 'Bearer' | 'DPoP';
  /** The token's scopes (its `scope` claim, split). */
  scopes: string[];
}

/**
 * Verifies RFC 9068 JWT access tokens for one issuer and audience. Create it once (module scope, or
 * per `env` with the same options: verifiers with the same `fetch` share one cache).
 */
export interface Verifier {
  readonly issuer: string;
  readonly audience: string;
  /**
   * The verified claims of the request's access token (or of a token string, taken as a bearer
   * token), or a rejection with an {@link EdgeAuthError} whose `response` is ready to send.
   */
  verify(input: Request | string, options?: VerifyOptions): Promise<AccessTokenClaims>;
  /** Like `verify`, resolving to the whole {@link AuthContext}. */
  authenticate(input: Request | string, options?: VerifyOptions): Promise<AuthContext>;
}

/**
 * Creates a verifier for RFC 9068 JWT access tokens at the edge: the token from the `Authorization`
 * header (`Bearer`, or `DPoP` with its proof checked), the signature against the issuer's JWKS
 * (discovered, cached in the isolate by @keyway/core and, with `kv`, in Workers KV), then `iss`,
 * `aud`, `exp`/`nbf`/`iat` with `clockTolerance`, and the required scopes. Every refusal is an
 * {@link EdgeAuthError} carrying the response to send (401 with `WWW-Authenticate`, 403
 * `insufficient_scope`, 400 for a token in the query string).
 *
 * With `kv`, the first verification in an isolate reads the snapshot from KV (one read per isolate),
 * and a verification that had to fetch discovery or the JWKS writes it back (through `waitUntil`
 * when given), so a new isolate verifies its first token without a network round trip.
 *
 * @example
 * ```ts
 * import { createVerifier, EdgeAuthError } from '@keyway/edge';
 *
 * const verifier = createVerifier({
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   requiredScopes: ['things:read'],
 * });
 *
 * export default {
 *   async fetch(request: Request): Promise<Response> {
 *     try {
 *       const claims = await verifier.verify(request);
 *       return Response.json({ sub: claims.sub });
 *     } catch (error) {
 *       if (EdgeAuthError.is(error)) return error.response;
 *       throw error;
 *     }
 *   },
 * };
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const resolved = resolveVerifierOptions(options);
  const { issuer, audience, settings } = resolved;
  const { check, shared } = tokenCheck(resolved, options);
  const withKv = kvSync(resolved.kv, shared, options.fetch);

  const authenticate = async (input: Request | string, callOptions: VerifyOptions = {}): Promise<AuthContext> => {
    const credentials = typeof input === 'string' ? tokenCredentials(input, settings) : credentialsOf(input, settings);
    const request = typeof input === 'string' ? undefined : input;
    const claims = await withKv(() => check(credentials, request), callOptions.waitUntil);
    const scopes = grantedScopes(claims);
    checkScopes(
      scopes,
      [...resolved.requiredScopes, ...(callOptions.requiredScopes ?? [])],
      settings,
      credentials.scheme,
    );
    return { claims, token: credentials.token, scheme: credentials.scheme, scopes };
  };

  return rememberVerifier(
    {
      issuer,
      audience,
      authenticate,
      async verify(input, callOptions) {
        return (await authenticate(input, callOptions)).claims;
      },
    },
    resolved,
  );
}
