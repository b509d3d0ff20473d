/**
 * Near-valid protocol documents (token, error, introspection, device authorization, userinfo,
 * PAR, discovery, JWKS), the bases that `mutatedObject` changes field by field.
 */
import fc from 'fast-check';
import { edgeNumber, mutatedObject, numberishString, oddValue } from './json.ts';
import { compactLike } from './jwt.ts';
import { anyString } from './strings.ts';

const expiresIn = fc.oneof(edgeNumber, numberishString, fc.constantFrom(3600, 0, -3600, null, '3600', [3600], {}));

/** An RFC 6749 §5.1 token response. */
export const tokenDocument = mutatedObject(
  {
    access_token: 'at-1',
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: 'rt-1',
    scope: 'read write',
    issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
  },
  {
    access_token: fc.constantFrom('', 'x', ' '),
    token_type: fc.constantFrom(
      'Bearer',
      'bearer',
      'BEARER',
      'DPoP',
      'dpop',
      'N_A',
      'n_a',
      'mac',
      '',
      'Bearer ',
      'Basic',
    ),
    expires_in: expiresIn,
    refresh_token: fc.constantFrom('', 'rt-2'),
    id_token: compactLike,
    scope: fc.oneof(fc.constantFrom('', ' ', 'openid'), anyString),
    issued_token_type: fc.constantFrom('', 'urn:ietf:params:oauth:token-type:id_token'),
    authorization_details: oddValue,
  },
);

/** An RFC 6749 §5.2 error response. */
export const errorDocument = mutatedObject(
  { error: 'invalid_grant', error_description: 'The grant is invalid.', error_uri: 'https://issuer.fuzz.test/e' },
  {
    error: fc.oneof(
      fc.constantFrom(
        'use_dpop_nonce',
        'authorization_pending',
        'slow_down',
        'access_denied',
        'expired_token',
        'invalid_client',
        '',
      ),
      anyString,
    ),
    error_description: anyString,
  },
);

/** An RFC 7662 introspection response. */
export const introspectionDocument = mutatedObject(
  {
    active: true,
    scope: 'read',
    client_id: 'fuzz-client',
    token_type: 'Bearer',
    exp: 4102444800,
    sub: 'user-1',
    aud: 'https://api.fuzz.test',
    cnf: { jkt: 'abc' },
  },
  { active: fc.constantFrom(true, false, 'true', 1, null) },
);

/** An RFC 8628 §3.2 device authorization response. */
export const deviceDocument = mutatedObject(
  {
    device_code: 'dc-1',
    user_code: 'ABCD-EFGH',
    verification_uri: 'https://issuer.fuzz.test/device',
    verification_uri_complete: 'https://issuer.fuzz.test/device?user_code=ABCD-EFGH',
    expires_in: 600,
    interval: 5,
  },
  { expires_in: expiresIn, interval: expiresIn, verification_uri: anyString },
);

/** An OpenID Connect UserInfo response. */
export const userinfoDocument = mutatedObject(
  { sub: 'user-1', name: 'Fuzz', email: 'fuzz@example.com', email_verified: true },
  { sub: fc.constantFrom('user-1', 'user-2', '', 0) },
);

/** An RFC 9126 pushed authorization response. */
export const parDocument = mutatedObject(
  { request_uri: 'urn:ietf:params:oauth:request_uri:abc', expires_in: 60 },
  { request_uri: anyString, expires_in: expiresIn },
);

/** Every protocol document (an endpoint may be sent any of them: cross-wired servers exist). */
export const protocolDocuments = [
  tokenDocument,
  errorDocument,
  introspectionDocument,
  deviceDocument,
  userinfoDocument,
  parDocument,
];
