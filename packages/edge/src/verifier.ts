import {
  type AccessTokenClaims,
  ConfigurationError,
  createAccessTokenVerifier,
  type FetchLike,
  KeywayError,
  type RetryOptions,
  type StateStore,
  TokenValidationError,
  verifyDpopProof,
} from '@keyway/core';
import type { KvNamespaceLike } from '@keyway/token-store/kv';
import type { EdgeAuthError } from './errors.js';
import { authError, type ChallengeSettings, DPOP_ALGORITHMS, type Scheme } from './internal/challenge.js';
import { type Credentials, credentialsOf } from './internal/credentials.js';
import { perNamespace, sharedFetch } from './internal/shared-fetch.js';
import { restore, snapshot } from './snapshot.js';

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
 * Options of {@link createVerifier}.
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
export interface VerifierOptions {
  /** The issuer, exactly as in its metadata; discovered (OpenID Connect or RFC 8414 well-known URL). */
  issuer: string;
  /** This resource server's identifier: it must be in the token's `aud`. */
  audience: string;
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
  /** The `fetch` for discovery and the JWKS (default: the global one). */
  fetch?: FetchLike;
  /** Milliseconds per discovery or JWKS request (default 10 000). */
  timeout?: number;
  /** Retry policy for discovery and the JWKS, or `false`. */
  retry?: RetryOptions | false;
  /** Allow a plain `http:` issuer that is not loopback (never in production). */
  allowInsecureRequests?: boolean;
}

/**
 * Per-call options of {@link Verifier.verify} and {@link Verifier.authenticate}.
 *
 * @example
 * ```ts
 * import type { VerifyOptions } from '@keyway/edge';
 * declare const ctx: { waitUntil(promise: Promise<unknown>): void };
 * const options: VerifyOptions = { requiredScopes: ['things:write'], waitUntil: (p) => ctx.waitUntil(p) };
 * ```
 */
export interface VerifyOptions {
  /** Scopes this request needs besides the verifier's. */
  requiredScopes?: readonly string[];
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

const DESCRIPTIONS: Record<string, string> = {
  token_expired: 'The access token expired.',
  aud_mismatch: 'The access token is not meant for this resource.',
  iss_mismatch: 'The access token was issued by another issuer.',
  nbf_in_future: 'The access token is not valid yet.',
  iat_in_future: 'The access token was issued in the future.',
  invalid_signature: 'The access token signature is invalid.',
  unknown_kid: 'The access token is signed by an unknown key.',
  alg_not_allowed: 'The access token is signed with an algorithm that is not accepted.',
  malformed_jwt: 'The access token is malformed.',
  invalid_typ: 'The access token is not a JWT access token (typ at+jwt).',
};

const DEFAULT_KV_KEY = 'keyway:edge:oauth-cache';

function normaliseKv(kv: VerifierOptions['kv']): Required<KvCacheOptions> | undefined {
  if (!kv) {
    return undefined;
  }
  const options: KvCacheOptions = 'namespace' in kv ? kv : { namespace: kv };
  if (!options.namespace || typeof options.namespace.get !== 'function') {
    throw new ConfigurationError('createVerifier: `kv` must be a KV namespace binding or { namespace }.', {
      code: 'invalid_options',
    });
  }
  return { namespace: options.namespace, key: options.key ?? DEFAULT_KV_KEY, ttl: Math.max(60, options.ttl ?? 3600) };
}

/** RFC 9449 §8.1 `nonce = 1*NQCHAR`: what a `DPoP-Nonce` header and a proof's `nonce` may hold. */
const NQCHARS = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The value of the `dpop.nonce` callback, refused unless it is a valid nonce (never split a header with it). */
function dpopNonce(value: unknown): string {
  if (typeof value !== 'string' || !NQCHARS.test(value)) {
    throw new ConfigurationError(
      'dpop.nonce must return a non-empty string of visible ASCII without `"` or `\\` (RFC 9449 §8.1).',
      { code: 'invalid_dpop_nonce' },
    );
  }
  return value;
}

/** A seconds option: a finite number from 0 to one day, else `ConfigurationError` `invalid_option`. */
function seconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 86_400) {
    throw new ConfigurationError(`${name} must be a number of seconds from 0 to 86400.`, { code: 'invalid_option' });
  }
  return value;
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
  const { issuer, audience } = options ?? {};
  if (typeof issuer !== 'string' || issuer === '' || typeof audience !== 'string' || audience === '') {
    throw new ConfigurationError('createVerifier needs an `issuer` and an `audience`.', { code: 'invalid_options' });
  }
  const dpopOptions: DpopOptions | undefined =
    options.dpop === false ? undefined : options.dpop === true || options.dpop === undefined ? {} : options.dpop;
  const settings: ChallengeSettings = {
    realm: options.realm ?? audience,
    bearer: !dpopOptions?.required,
    dpop: dpopOptions !== undefined,
    dpopAlgorithms: dpopOptions?.algorithms ?? DPOP_ALGORITHMS,
  };
  const clockTolerance = options.clockTolerance ?? 30;
  const dpopMaxAge = seconds(dpopOptions?.maxAge, 'dpop.maxAge', 60);
  const replay = dpopOptions?.replayStore;
  const kv = normaliseKv(options.kv);
  const shared = sharedFetch(options.fetch);

  const fail = (
    scheme: Scheme | undefined,
    code: EdgeAuthError['code'],
    reason: string,
    description: string,
    extra?: { scope?: string; cause?: unknown; dpopNonce?: string },
  ) => authError(settings, scheme, code, reason, description, extra);

  const tokens = createAccessTokenVerifier({
    issuer,
    audience,
    fetch: shared.fetch,
    clockTolerance,
    onCacheUpdate: () => {
      shared.updates += 1;
    },
    ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.allowInsecureRequests ? { allowInsecureRequests: true } : {}),
  });

  const warm = (): Promise<void> | undefined => {
    if (!kv) {
      return undefined;
    }
    return perNamespace(shared.restored, kv.namespace, kv.key, () =>
      (async () => {
        await restore(await kv.namespace.get(kv.key, 'text'), { fetch: options.fetch });
      })().catch(() => {
        // An unreadable or malformed KV entry only costs a network fetch; the next write replaces it.
      }),
    );
  };

  const persist = (waitUntil: VerifyOptions['waitUntil']): Promise<void> | undefined => {
    if (!kv) {
      return undefined;
    }
    const written = perNamespace(shared.persisted, kv.namespace, kv.key, () => ({ updates: 0 }));
    if (shared.updates <= written.updates) {
      return undefined; // another verification already wrote what this one fetched
    }
    written.updates = shared.updates;
    const write = (async () => {
      const value = JSON.stringify(await snapshot({ fetch: options.fetch }));
      await kv.namespace.put(kv.key, value, { expirationTtl: kv.ttl });
    })().catch(() => {
      // KV is a cache: a failed write costs the next isolate a fetch, not this request.
    });
    if (waitUntil) {
      waitUntil(write);
      return undefined;
    }
    return write;
  };

  const check = async (credentials: Credentials, request: Request | undefined): Promise<AccessTokenClaims> => {
    const { scheme, token } = credentials;
    let claims: AccessTokenClaims;
    try {
      claims = await tokens.verify(token);
    } catch (error) {
      if (TokenValidationError.is(error)) {
        throw fail(scheme, 'invalid_token', error.code, DESCRIPTIONS[error.code] ?? 'The access token is invalid.', {
          cause: error,
        });
      }
      // Not the token's fault: discovery or the JWKS could not be had (network, 5xx, a broken JWKS).
      if (KeywayError.is(error) && !ConfigurationError.is(error)) {
        throw fail(
          scheme,
          'unavailable',
          (error as KeywayError).code,
          "The issuer's keys could not be fetched: try again later.",
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    const cnf = claims.cnf as { jkt?: unknown } | undefined;
    const jkt = typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;
    if (scheme === 'Bearer' && jkt !== undefined) {
      throw fail(
        scheme,
        'invalid_token',
        'dpop_bound_token',
        'The access token is bound to a DPoP key: send it with the DPoP scheme and a proof.',
      );
    }
    if (scheme === 'DPoP') {
      if (jkt === undefined) {
        throw fail(scheme, 'invalid_token', 'dpop_binding_missing', 'The access token is not bound to a DPoP key.');
      }
      const proof = request?.headers.get('dpop') ?? null;
      if (proof === null || proof.includes(',')) {
        throw fail(
          scheme,
          'invalid_dpop_proof',
          proof === null ? 'dpop_proof_missing' : 'dpop_proof_multiple',
          'The request needs exactly one DPoP proof header.',
        );
      }
      const nonce = dpopOptions?.nonce && request ? dpopNonce(await dpopOptions.nonce(request)) : undefined;
      try {
        await verifyDpopProof(proof, {
          method: request?.method ?? 'GET',
          url: request?.url ?? '',
          accessToken: token,
          jkt,
          maxAge: dpopMaxAge,
          clockTolerance,
          algorithms: settings.dpopAlgorithms,
          ...(replay ? { replayStore: replay } : {}),
          ...(nonce === undefined ? {} : { nonce }),
        });
      } catch (error) {
        if (TokenValidationError.is(error)) {
          if (error.code === 'use_dpop_nonce' && nonce !== undefined) {
            throw fail(
              scheme,
              'use_dpop_nonce',
              error.code,
              'The DPoP proof must carry the nonce the server provided.',
              {
                dpopNonce: nonce,
              },
            );
          }
          throw fail(scheme, 'invalid_dpop_proof', error.code, error.message);
        }
        throw error;
      }
    }
    return claims;
  };

  const authenticate = async (input: Request | string, callOptions: VerifyOptions = {}): Promise<AuthContext> => {
    let credentials: Credentials;
    if (typeof input === 'string') {
      if (input.trim() === '') {
        throw fail(undefined, 'missing_token', 'no_authorization', 'The request carries no access token.');
      }
      credentials = { scheme: 'Bearer', token: input.trim() };
    } else {
      credentials = credentialsOf(input, settings);
    }
    await warm();
    const before = shared.updates;
    let claims: AccessTokenClaims;
    try {
      claims = await check(credentials, typeof input === 'string' ? undefined : input);
    } finally {
      if (shared.updates !== before) {
        await persist(callOptions.waitUntil);
      }
    }
    // RFC 6749 §3.3: scopes are separated by U+0020 only, exactly as core reads them.
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    const required = [...(options.requiredScopes ?? []), ...(callOptions.requiredScopes ?? [])];
    if (required.some((scope) => !scopes.includes(scope))) {
      const needed = [...new Set(required)].join(' ');
      throw fail(
        credentials.scheme,
        'insufficient_scope',
        'insufficient_scope',
        'The access token lacks a scope this request needs.',
        { scope: needed },
      );
    }
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
