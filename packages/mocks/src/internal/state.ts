import type { ExternalToken } from '@keyway/openapi';
import { randomId } from './random.js';

/** A token the mock issued (or a test seeded). Access tokens are JWTs or opaque; refresh tokens are opaque. */
export interface IssuedToken {
  token: string;
  kind: 'access' | 'refresh';
  jti: string;
  /** Grant family: revoking or replaying a refresh token revokes every token of its grant. */
  grantId: string;
  sub?: string;
  clientId: string;
  scope?: string;
  aud?: string | string[];
  iat: number;
  exp?: number;
  revoked: boolean;
  /** A rotated refresh token: presenting it again is reuse. */
  used?: boolean;
  /** DPoP (RFC 9449): the thumbprint of the key the token is bound to. */
  jkt?: string;
}

/** One grant: what a user (or a client, for client credentials) consented to. */
interface Grant {
  id: string;
  sub?: string;
  clientId: string;
  scope?: string;
  resource?: string[];
  authTime?: number;
  nonce?: string;
  revoked: boolean;
}

interface PersistentToken {
  id: string;
  sub?: string;
  clientId: string;
  scope?: string;
  refreshToken?: string;
  revoked: boolean;
}

interface ConsentRequest {
  state: string;
  clientId: string;
  userId: string;
  scope?: string;
  redirectUri?: string;
  createdAt: number;
}

interface ExternalTokenRecord extends ExternalToken {
  reconsent: boolean;
}

interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri?: string;
  codeChallenge: string;
  sub: string;
  scope?: string;
  nonce?: string;
  resource?: string[];
  authTime: number;
  /** The OpenID Connect session the code was issued in (the ID token's `sid`). */
  sid?: string;
  exp: number;
  used: boolean;
  /** Tokens issued for the code: revoked if the code is replayed. */
  grantId?: string;
  /** The `dpop_jkt` of the authorization request: the code is redeemed only with a proof by that key. */
  dpopJkt?: string;
}

interface PushedRequest {
  requestUri: string;
  clientId: string;
  params: Record<string, string | string[]>;
  exp: number;
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  clientId: string;
  scope?: string;
  resource?: string[];
  exp: number;
  interval: number;
  lastPoll?: number;
  status: 'pending' | 'approved' | 'denied' | 'redeemed';
  sub?: string;
}

/** Everything `reset()` forgets. */
export class MockState {
  tokens = new Map<string, IssuedToken>();
  grants = new Map<string, Grant>();
  persistent = new Map<string, PersistentToken>();
  consents = new Map<string, ConsentRequest>();
  /** External tokens by user (`sub`), then provider. */
  external = new Map<string, Map<string, ExternalTokenRecord>>();
  codes = new Map<string, AuthorizationCode>();
  pushed = new Map<string, PushedRequest>();
  devices = new Map<string, DeviceAuthorization>();
  /** `jti`s of client assertions already used (replay protection). */
  assertionIds = new Set<string>();
  /** `jti`s of DPoP proofs already used (replay protection). */
  dpopProofIds = new Set<string>();
  /** The nonce DPoP proofs must carry when the mock requires nonces. */
  dpopNonce = randomId('dpn_', 24);
  /** Signed-in sessions by user: the OpenID Connect `sid` and the clients that signed in through it. */
  sessions = new Map<string, { sid: string; clients: Set<string> }>();
  /** RP-initiated logouts received, for assertions. */
  endedSessions: Array<{ clientId?: string; sub?: string }> = [];
  /** The user the authorize endpoint signs in next (`signInAs`), else the first user. */
  nextUser: string | undefined;
  /** Answer the next authorization requests with this error instead (`denyAuthorization`). */
  authorizeError: { error: string; description?: string } | undefined;
}
