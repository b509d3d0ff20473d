/**
 * The fuzzed issuer: its identifiers, metadata, valid claims (the base that mutations start from),
 * and a `fetch` that serves discovery and the JWKS, with any route overridable per case.
 */
import fc from 'fast-check';
import { type FakeAnswer, jsonAnswer, routedFetch } from './http.ts';
import { jwksOf, type KeyRing } from './jwt.ts';
import { anyString } from './strings.ts';

export const ISSUER = 'https://issuer.fuzz.test';
export const AUDIENCE = 'https://api.fuzz.test';
export const CLIENT_ID = 'fuzz-client';
export const REDIRECT_URI = 'https://app.fuzz.test/callback';

export const ENDPOINTS = {
  discovery: `${ISSUER}/.well-known/openid-configuration`,
  discoveryOauth: `https://issuer.fuzz.test/.well-known/oauth-authorization-server`,
  jwks: `${ISSUER}/jwks`,
  token: `${ISSUER}/token`,
  authorize: `${ISSUER}/authorize`,
  device: `${ISSUER}/device`,
  introspect: `${ISSUER}/introspect`,
  revoke: `${ISSUER}/revoke`,
  userinfo: `${ISSUER}/userinfo`,
  endSession: `${ISSUER}/logout`,
  par: `${ISSUER}/par`,
} as const;

/** The issuer's discovery document. */
export const METADATA = {
  issuer: ISSUER,
  authorization_endpoint: ENDPOINTS.authorize,
  token_endpoint: ENDPOINTS.token,
  jwks_uri: ENDPOINTS.jwks,
  device_authorization_endpoint: ENDPOINTS.device,
  introspection_endpoint: ENDPOINTS.introspect,
  revocation_endpoint: ENDPOINTS.revoke,
  userinfo_endpoint: ENDPOINTS.userinfo,
  end_session_endpoint: ENDPOINTS.endSession,
  pushed_authorization_request_endpoint: ENDPOINTS.par,
  id_token_signing_alg_values_supported: ['RS256', 'ES256', 'EdDSA', 'PS256'],
  code_challenge_methods_supported: ['S256'],
  dpop_signing_alg_values_supported: ['ES256'],
};

const now = () => Math.floor(Date.now() / 1000);

/** Valid RFC 9068 access-token claims for {@link AUDIENCE}, issued now. */
export function accessClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const t = now();
  return {
    iss: ISSUER,
    sub: 'user-1',
    aud: AUDIENCE,
    exp: t + 3600,
    iat: t - 10,
    nbf: t - 10,
    jti: `jti-${Math.random().toString(36).slice(2)}`,
    client_id: CLIENT_ID,
    scope: 'read write',
    ...extra,
  };
}

/** Valid ID-token claims for {@link CLIENT_ID}, issued now. */
export function idClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const t = now();
  return { iss: ISSUER, sub: 'user-1', aud: CLIENT_ID, exp: t + 3600, iat: t - 10, auth_time: t - 100, ...extra };
}

/** Claim values that sit near each check's edge. */
export function claimCandidates(): Record<string, fc.Arbitrary<unknown>> {
  const t = now();
  const times = fc.oneof(
    fc.constantFrom(t, t - 31, t + 31, t - 3600, t + 3600, 0, -1, 1e308, t + 0.5),
    fc.integer({ min: t - 100_000, max: t + 100_000 }),
  );
  return {
    iss: fc.constantFrom(ISSUER, `${ISSUER}/`, ISSUER.toUpperCase(), ''),
    aud: fc.constantFrom(AUDIENCE, CLIENT_ID, [AUDIENCE, 'x'], [CLIENT_ID, 'other'], [], [null], [[CLIENT_ID]]),
    azp: fc.constantFrom(CLIENT_ID, 'other', ''),
    sub: fc.constantFrom('user-1', 'user-2', ''),
    exp: times,
    iat: times,
    nbf: times,
    auth_time: times,
    nonce: fc.constantFrom('nonce-1', 'nonce-2', ''),
    scope: fc.oneof(fc.constantFrom('read', 'read write', ' read  write ', ''), anyString),
    client_id: fc.constantFrom(CLIENT_ID, ''),
    jti: fc.constantFrom('j', ''),
    cnf: fc.oneof(fc.constantFrom({ jkt: 'x' }, { jkt: 1 }, {}, null), fc.record({ jkt: anyString })),
  };
}

/** A fetch serving the issuer's discovery document and JWKS; `routes` adds or replaces endpoints. */
export function issuerFetch(
  keys: KeyRing,
  routes: Record<
    string,
    (init: RequestInit | undefined) => FakeAnswer | Response | Promise<FakeAnswer | Response>
  > = {},
) {
  return routedFetch({
    [ENDPOINTS.discovery]: () => jsonAnswer(METADATA),
    [ENDPOINTS.jwks]: () => jsonAnswer(jwksOf(keys)),
    ...routes,
  });
}

/** A route that gives `answers` in turn (the last one again once they run out). */
export function inTurn(answers: readonly FakeAnswer[]): () => FakeAnswer {
  let i = 0;
  return () => answers[Math.min(i++, answers.length - 1)] as FakeAnswer;
}
