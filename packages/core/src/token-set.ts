import type { JWTPayload } from 'jose';
import { redactFieldsOnInspect } from './internal/redact.js';

/** Validated ID-token claims. */
export interface IdTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  auth_time?: number;
  azp?: string;
  [claim: string]: unknown;
}

/**
 * The tokens a grant produced, in the protocol's own field names.
 *
 * `expires_at` is computed once at receipt (epoch seconds) from `expires_in`, so a stored token set
 * keeps its meaning after a restart.
 */
export interface TokenSet {
  access_token: string;
  token_type: string;
  /** Epoch seconds; present when the server sent `expires_in`. */
  expires_at?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  /** Validated ID-token claims, when an ID token came with the response. */
  claims?: IdTokenClaims;
  /** RFC 8693: the type of the token a token exchange issued. */
  issued_token_type?: string;
  /** Any other field the server sent (e.g. `authorization_details`). */
  [field: string]: unknown;
}

/**
 * Seconds until `tokens` expires (negative when expired); `Infinity` when the server gave no lifetime.
 *
 * @example
 * ```ts
 * import { expiresIn, type TokenSet } from '@keyway/core';
 * declare const tokens: TokenSet;
 * const left = expiresIn(tokens); // seconds; Infinity when the server gave no lifetime
 * const soon = expiresIn({ expires_at: Date.now() / 1000 + 60 }); // 60
 * ```
 */
export function expiresIn(tokens: Pick<TokenSet, 'expires_at'>, now: number = Date.now() / 1000): number {
  return tokens.expires_at === undefined ? Number.POSITIVE_INFINITY : tokens.expires_at - now;
}

const SECRET_FIELDS = ['access_token', 'refresh_token', 'id_token'] as const;

/**
 * Makes `console.log(tokens)` and `util.inspect(tokens)` print the token set with its tokens redacted.
 * The hook is a non-enumerable symbol: JSON, spreading, `structuredClone` and every store see the
 * plain wire object, tokens included. Returns the same object.
 */
export function redactOnInspect<T extends object>(tokens: T): T {
  return redactFieldsOnInspect(tokens, 'TokenSet', SECRET_FIELDS);
}
