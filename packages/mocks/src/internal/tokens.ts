import type { TokenResponse } from '@keyway/openapi';
import { base64url, SignJWT } from 'jose';
import type { MockUser } from '../types.js';
import type { Engine } from './engine.js';
import { scopes } from './form.js';
import { randomId } from './random.js';

const SCOPE_CLAIMS: Record<string, string[]> = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
};
const STANDARD = new Set(Object.values(SCOPE_CLAIMS).flat());

/** The user's claims the scopes allow (OIDC Core 5.4); custom (non-standard) claims always go along. */
export function userClaims(user: MockUser | undefined, scope: string | undefined): Record<string, unknown> {
  if (!user) {
    return {};
  }
  const granted = scopes(scope);
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(user)) {
    if (name === 'sub' || value === undefined) {
      continue;
    }
    const allowed = !STANDARD.has(name) || granted.some((s) => SCOPE_CLAIMS[s]?.includes(name));
    if (allowed) {
      out[name] = value;
    }
  }
  return out;
}

/** BASE64URL(SHA-256(verifier)): the S256 PKCE challenge. */
export async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url.encode(new Uint8Array(digest));
}

/** Signs an OpenID Connect ID token with the current key. */
export async function signIdToken(engine: Engine, claims: Record<string, unknown>): Promise<string> {
  const key = await engine.keys.current();
  const now = engine.clock.now();
  const payload = { iss: engine.issuer, iat: now, exp: now + engine.ttl.idToken, ...claims };
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
}

interface TokenSetInput {
  clientId: string;
  sub: string;
  /** The scope of the grant: what the refresh token keeps and the ID token's claims follow. */
  scope?: string;
  /** A narrower scope asked for on refresh (RFC 6749 section 6); the grant's scope otherwise. */
  requestedScope?: string;
  resource?: string[];
  nonce?: string;
  authTime?: number;
  /** The session's `sid` for the ID token (OpenID Connect Back-Channel Logout). */
  sid?: string;
  /** Continue an existing grant (refresh); a new one otherwise. */
  grantId?: string;
  /** Issue a refresh token: the grant holds `offline_access` (OIDC Core section 11). */
  refresh: boolean;
  idToken: boolean;
  /** DPoP: the access token (and, for a public client, the refresh token) is bound to this key. */
  jkt?: string;
  /** The client is public: its refresh token is bound to the DPoP key too (RFC 9449 section 5). */
  publicClient?: boolean;
}

/**
 * Access token (+ refresh token when the grant allows one, + ID token for `openid`) of a user grant:
 * code, device and refresh grants. The access token (and the response's `scope`) carries only the
 * scopes its resource accepts; the refresh token keeps the whole grant.
 */
export async function issueTokenSet(engine: Engine, input: TokenSetInput): Promise<TokenResponse> {
  const grantId =
    input.grantId ??
    engine.newGrant({
      sub: input.sub,
      clientId: input.clientId,
      scope: input.scope,
      resource: input.resource,
      authTime: input.authTime,
    });
  const asked = input.requestedScope ?? input.scope;
  const accessScope = engine.accessScope(asked, input.resource);
  const aud = audienceOf(input.resource) ?? engine.issuer;
  const access = await engine.issueAccessToken({
    sub: input.sub,
    clientId: input.clientId,
    scope: accessScope,
    aud,
    grantId,
    jkt: input.jkt,
  });
  const response: TokenResponse = {
    access_token: access.token,
    token_type: input.jkt ? 'DPoP' : 'Bearer',
    expires_in: engine.ttl.accessToken,
    ...(accessScope ? { scope: accessScope } : {}),
  };
  if (input.refresh) {
    const token = randomId('kw_rt_', 40);
    const now = engine.clock.now();
    engine.state.tokens.set(token, {
      token,
      kind: 'refresh',
      jti: randomId('rt_'),
      grantId,
      sub: input.sub,
      clientId: input.clientId,
      scope: input.scope,
      iat: now,
      exp: now + engine.ttl.refreshToken,
      revoked: false,
      ...(input.jkt && input.publicClient ? { jkt: input.jkt } : {}),
    });
    response.refresh_token = token;
  }
  if (input.idToken && scopes(asked).includes('openid')) {
    const user = engine.users.get(input.sub);
    response.id_token = await signIdToken(engine, {
      sub: input.sub,
      aud: input.clientId,
      ...(input.authTime === undefined ? {} : { auth_time: input.authTime }),
      ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
      ...(input.sid === undefined ? {} : { sid: input.sid }),
      ...userClaims(user, asked),
    });
  }
  return response;
}

/** `offline_access` among the scopes: the grant may have a refresh token (OIDC Core section 11). */
export function wantsOffline(scope: string | undefined): boolean {
  return scopes(scope).includes('offline_access');
}

export function audienceOf(resource: string[] | undefined): string | string[] | undefined {
  if (!resource || resource.length === 0) {
    return undefined;
  }
  return resource.length === 1 ? resource[0] : resource;
}
