import {
  type AccessTokenClaims,
  type AccessTokenVerificationOptions,
  createAccessTokenVerifier,
  type StateStore,
} from '@keyway/core';
import type { KvNamespaceLike } from '@keyway/token-store/kv';
import type { EdgeAuthError } from './errors.js';
import { type Credentials, credentialsOf, tokenCredentials } from './internal/credentials.js';
import { checkDpopBinding } from './internal/dpop-binding.js';
import { kvSync } from './internal/kv-sync.js';
import { checkScopes, grantedScopes } from './internal/scope-check.js';
import { sharedFetch } from './internal/shared-fetch.js';
import { verificationRefusal } from './internal/token-refusal.js';
import { resolveVerifierOptions } from './internal/verifier-options.js';

/**
 * DPoP (RFC 9449) settings of a verifier.
 *
 * @example
 * ```ts
 * import type { DpopOptions } from '@keyway/edge';
 * const dpop: DpopOptions = { required: true, maxAge: 60 };
 * ```
 */
export interface DpopOptions {
  /** Refuse plain bearer tokens: only `Authorization: DPoP` with a proof (default false). */
  required?: boolean;
  /** Seconds a proof is accepted after its `iat` (default 60), plus the clock tolerance. */
  maxAge?: number;
  /**
   * Where proof `jti`s are recorded to refuse replays (`consume(key, ttl)` resolves `true` the first
   * time). Default: in this isolate only; it never forgets an unexpired proof, and refuses new proofs
   * (`dpop_replay_cache_full`) while it holds 100 000 of them. Give a shared store (a Durable Object)
   * to refuse a proof replayed to another isolate.
   */
  replayStore?: StateStore;
  /** Accepted proof algorithms (default ES256/384/512, RS256/384/512, PS256/384/512, EdDSA). */
  algorithms?: readonly string[];
  /**
   * Server-provided nonces (RFC 9449 §9): the nonce a proof for `request` must carry. A proof without
   * it (or with another) is refused with `use_dpop_nonce`: a 401 with
   * `WWW-Authenticate: DPoP error="use_dpop_nonce"` and a `DPoP-Nonce` header holding this value, so
   * the client retries with it. Rotate the value as often as you like; a client catches up in one retry.
   * The value must be an RFC 9449 nonce (visible ASCII, no `"` or `\\`): anything else, a CR/LF above
   * all, is a `ConfigurationError` `invalid_dpop_nonce` rather than a header it would split.
   */
  nonce?: (request: Request) => string | Promise<string>;
}

/**
 * Where a verifier keeps discovery metadata and the JWKS between isolates.
 *
 * @example
 * ```ts
 * import type { KvCacheOptions } from '@keyway/edge';
 * import type { KvNamespaceLike } from '@keyway/token-store/kv';
 * declare const CACHE: KvNamespaceLike;
 * const kv: KvCacheOptions = { namespace: CACHE, key: 'my-api:keyway', ttl: 3600 };
 * ```
 */
export interface KvCacheOptions {
  /** A Workers KV namespace binding. */
  namespace: KvNamespaceLike;
  /** The KV key (default `keyway:edge:oauth-cache`). */
  key?: string;
  /** KV `expirationTtl` in seconds (default 3600, at least 60). Entries inside expire on their own schedule. */
  ttl?: number;
}

/**
 * Options of {@link createVerifier}: core's {@link AccessTokenVerificationOptions} (issuer, audience,
 * required scopes, clock tolerance, algorithms, transport) and what only the edge has: the challenges'
 * `realm`, DPoP-bound tokens, and a KV copy of discovery and the JWKS.
 *
 * @example
 * ```ts
 * import type { VerifierOptions } from '@keyway/edge';
 * const options: VerifierOptions = {
 *   issuer: 'https://auth.example.com',
 *   audience: 'https://api.example.com',
 *   requiredScopes: ['things:read'],
 * };
 * ```
 */
export interface VerifierOptions extends AccessTokenVerificationOptions {
  /** Scopes every request must carry; `verify(..., { requiredScopes })` adds more. */
  requiredScopes?: readonly string[];
  /** Seconds of tolerance for `exp`, `iat`, `nbf` and DPoP `iat` (default 30). */
  clockTolerance?: number;
  /** The `realm` of `WWW-Authenticate` challenges (default: the audience). */
  realm?: string;
  /** DPoP-bound tokens: `true` (default) accepts them besides bearer tokens, `false` refuses the `DPoP` scheme. */
  dpop?: boolean | DpopOptions;
  /** Persist discovery and the JWKS in KV, so a new isolate verifies without fetching them. */
  kv?: KvNamespaceLike | KvCacheOptions;
  /**
   * Called after a fetch made for this verifier stored new metadata or a new JWKS (the KV write-back
   * runs either way). What it throws is ignored.
   */
  onCacheUpdate?: AccessTokenVerificationOptions['onCacheUpdate'];
}

/**
 * Per-call options of {@link Verifier.verify} and {@link Verifier.authenticate}: the scopes this
 * request needs besides the verifier's, and where the KV write-back runs.
 *
 * @example
 * ```ts
 * import type { VerifyOptions } from '@keyway/edge';
 * declare const ctx: { waitUntil(promise: Promise<unknown>): void };
 * const options: VerifyOptions = { requiredScopes: ['things:write'], waitUntil: (p) => ctx.waitUntil(p) };
 * ```
 */
export interface VerifyOptions extends Pick<AccessTokenVerificationOptions, 'requiredScopes'> {
  /** Runs the KV write-back after the response (a Worker's `ctx.waitUntil`); without it the write is awaited. */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/**
 * A verified request: the token's claims, the token itself (to call other APIs on the caller's
 * behalf) and how it was presented.
 *
 * @example
 * ```ts
 * import type { AuthContext } from '@keyway/edge';
 * declare const auth: AuthContext;
 * console.log(auth.claims.sub, auth.scheme, auth.scopes.includes('things:read'));
 * ```
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
 *
 * @example
 * ```ts
 * import { createVerifier, type Verifier } from '@keyway/edge';
 * const verifier: Verifier = createVerifier({ issuer: 'https://auth.example.com', audience: 'https://api.example.com' });
 * ```
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
  const shared = sharedFetch(options.fetch);
  const tokens = createAccessTokenVerifier({
    ...resolved.core,
    fetch: shared.fetch,
    onCacheUpdate: (event) => {
      shared.updates += 1;
      options.onCacheUpdate?.(event);
    },
  });
  const withKv = kvSync(resolved.kv, shared, options.fetch);

  const check = async (credentials: Credentials, request: Request | undefined): Promise<AccessTokenClaims> => {
    const claims = await tokens.verify(credentials.token).catch((error: unknown) => {
      throw verificationRefusal(error, settings, credentials.scheme);
    });
    await checkDpopBinding(credentials, claims, request, resolved.dpop, settings);
    return claims;
  };

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

  return {
    issuer,
    audience,
    authenticate,
    async verify(input, callOptions) {
      return (await authenticate(input, callOptions)).claims;
    },
  };
}
