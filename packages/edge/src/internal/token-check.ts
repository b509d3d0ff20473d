import { type AccessTokenClaims, createAccessTokenVerifier } from '@keyway/core';
import type { VerifierOptions } from '../options.js';
import type { Credentials } from './credentials.js';
import { checkDpopBinding } from './dpop-binding.js';
import { type SharedFetch, sharedFetch } from './shared-fetch.js';
import { verificationRefusal } from './token-refusal.js';
import type { ResolvedVerifierOptions } from './verifier-options.js';

/** Verifies the token of a request (with its DPoP binding), refusing with an `EdgeAuthError`. */
type TokenCheck = (credentials: Credentials, request: Request | undefined) => Promise<AccessTokenClaims>;

/**
 * Core's access-token verifier on the shared `fetch` of `options.fetch` (one discovery and JWKS cache
 * per underlying fetch, counted in `shared.updates` for the KV write-back), then the token's DPoP
 * binding. Core's refusals become `invalid_token`, its failures to fetch keys `unavailable`.
 */
export function tokenCheck(
  resolved: ResolvedVerifierOptions,
  options: Pick<VerifierOptions, 'fetch' | 'onCacheUpdate'>,
): { check: TokenCheck; shared: SharedFetch } {
  const { settings } = resolved;
  const shared = sharedFetch(options.fetch);
  const tokens = createAccessTokenVerifier({
    ...resolved.core,
    fetch: shared.fetch,
    onCacheUpdate: (event) => {
      shared.updates += 1;
      options.onCacheUpdate?.(event);
    },
  });
  const check: TokenCheck = async (credentials, request) => {
    const claims = await tokens.verify(credentials.token).catch((error: unknown) => {
      throw verificationRefusal(error, settings, credentials.scheme);
    });
    await checkDpopBinding(credentials, claims, request, resolved.dpop, settings);
    return claims;
  };
  return { check, shared };
}
