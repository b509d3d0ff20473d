import type { AccessTokenVerificationOptions, StateStore } from '@keyway/core';
import type { KvNamespaceLike } from '@keyway/token-store/kv';
import type { WaitUntilLike } from './wait-until.js';

/**
 * DPoP (RFC 9449) settings of a verifier.
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
 * Options of `createVerifier()`: core's {@link AccessTokenVerificationOptions} (issuer, audience,
 * required scopes, clock tolerance, algorithms, transport) and what only the edge has: the challenges'
 * `realm`, DPoP-bound tokens, and a KV copy of discovery and the JWKS.
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
 * Per-call options of `Verifier.verify()` and `Verifier.authenticate()`: the scopes this
 * request needs besides the verifier's, and where the KV write-back runs.
 */
export interface VerifyOptions extends Pick<AccessTokenVerificationOptions, 'requiredScopes'> {
  /** Runs the KV write-back after the response (a Worker's `ctx.waitUntil`); without it the write is awaited. */
  waitUntil?: WaitUntilLike['waitUntil'];
}
