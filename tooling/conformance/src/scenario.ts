import type { KeyName } from './keys.ts';

/** The endpoints of the hostile OP, as scenarios and request counts name them. */
export type EndpointName =
  | 'discovery'
  | 'oauthMetadata'
  | 'jwks'
  | 'authorize'
  | 'token'
  | 'userinfo'
  | 'introspection'
  | 'revocation'
  | 'device'
  | 'par'
  | 'endSession';

/**
 * How one answer of an endpoint misbehaves. Fields combine: `status` + `merge` changes the status of
 * the usual body and edits it; `trickleMs` sends whatever body there is one byte at a time.
 */
export interface ResponseOverride {
  status?: number;
  headers?: Record<string, string>;
  /** Replaces the body: an object or array goes out as JSON, a string or Buffer as is. */
  body?: unknown;
  /** Members set on the usual JSON body (`undefined` removes one). */
  merge?: Record<string, unknown>;
  /** Never answer (`before-headers`), or send the headers and then nothing (`after-headers`). */
  hang?: 'before-headers' | 'after-headers';
  /** Send the headers, then the body one byte every `trickleMs` milliseconds. */
  trickleMs?: number;
  /** A body of `bytes` bytes (a JSON string of padding); sent chunked, without Content-Length, unless `declareLength`. */
  hugeBody?: { bytes: number; declareLength?: boolean };
  /** Answer with a redirect (302 unless `status` says otherwise) to this location. */
  redirect?: string;
  /** Close the connection before any byte, or halfway through the body. */
  destroy?: 'before-headers' | 'mid-body';
}

/** How a JWT the OP issues (or mints for a test) is bent. */
export interface TokenTweak {
  /** Claims set on the usual ones (`undefined` removes one). */
  claims?: Record<string, unknown>;
  /** Protected header members set on the usual ones (`undefined` removes one, e.g. `kid`). */
  header?: Record<string, unknown>;
  /** Sign with this key (default `rs`; `impostor` signs under `rs`'s kid with another key). */
  key?: KeyName;
  /** `alg: none`, no signature. */
  none?: boolean;
  /** HS256 with the signing key's public PEM as the secret (`public-key`, algorithm confusion) or this secret. */
  hmac?: 'public-key' | (string & {});
  /** Change the payload after signing. */
  tamper?: boolean;
  /** Pad the payload until the token is at least this many characters. */
  padTo?: number;
  /** Send exactly this string instead of a JWT. */
  raw?: string;
}

/** How the authorization endpoint's redirect back to the client is bent. */
export interface AuthorizationResponseTweak {
  /** Answer with this OAuth error instead of a code. */
  error?: string;
  error_description?: string;
  /** The RFC 9207 `iss` parameter: another value, or `null` to leave it out (default: the issuer). */
  iss?: string | null;
  /** Further parameters appended as is (repeat one to duplicate it). */
  extra?: [string, string][];
}

/**
 * What the OP does wrong in one case. An empty scenario is a correct OP. Each endpoint name takes one
 * override for every answer, or a list applied answer by answer (`null` = the usual answer; after the
 * list, the usual answers).
 */
export type Scenario = {
  [E in EndpointName]?: ResponseOverride | (ResponseOverride | null)[];
} & {
  /** Members set on the discovery document (`undefined` removes one). */
  metadata?: Record<string, unknown>;
  /** The keys the JWKS publishes (default `rs` and `es`). */
  published?: KeyName[];
  /** How issued ID tokens are bent; `omit` leaves them out of token responses. */
  idToken?: TokenTweak | 'omit';
  /** A signed (`application/jwt`) userinfo answer, bent this way. */
  signedUserinfo?: TokenTweak;
  authorizationResponse?: AuthorizationResponseTweak;
  /** OAuth errors answered to successive device-code polls before the tokens (e.g. `authorization_pending`). */
  devicePolls?: string[];
  /** The subject of issued tokens (default `alice`). */
  subject?: string;
};
