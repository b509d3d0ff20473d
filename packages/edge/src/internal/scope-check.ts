import type { AccessTokenClaims } from '@keyway/core';
import { authError, type ChallengeSettings, type Scheme } from './challenge.js';

/** The token's scopes: its `scope` claim split on U+0020 only (RFC 6749 §3.3), exactly as core reads it. */
export function grantedScopes(claims: AccessTokenClaims): string[] {
  return typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
}

/**
 * Refuses with `insufficient_scope` (403, the needed scopes in the challenge's `scope`) unless
 * `granted` holds every scope of `required`.
 */
export function checkScopes(
  granted: readonly string[],
  required: readonly string[],
  settings: ChallengeSettings,
  scheme: Scheme,
): void {
  if (required.some((scope) => !granted.includes(scope))) {
    throw authError(
      settings,
      scheme,
      'insufficient_scope',
      'insufficient_scope',
      'The access token lacks a scope this request needs.',
      { scope: [...new Set(required)].join(' ') },
    );
  }
}
