import type {
  DeviceAuthorizationResponse as SpecDeviceAuthorization,
  IntrospectionResponse as SpecIntrospection,
} from '@keyway/openapi';
import type { WebCryptoKey, WebCryptoKeyPair } from '@keyway/token-store';
import type { JWK, JWTPayload } from 'jose';
import type { AuthorizationServer } from 'oauth4webapi';
import type { HttpOptions } from '../internal/http.js';
import type { StateStore } from './state-store.js';

/**
 * The metadata of any authorization server (RFC 8414) or OpenID Provider (OpenID Connect Discovery),
 * as discovered: only `issuer` is certain, every endpoint is optional. The Keyway service's own
 * document, `@keyway/openapi`'s `AuthorizationServerMetadata`, is one of these (it fits this type).
 */
export type ProviderMetadata = AuthorizationServer;

/**
 * @deprecated Use {@link ProviderMetadata}, the same type. `@keyway/openapi` gives this name to the
 * Keyway service's own metadata, whose required fields another provider may lack.
 */
export type AuthorizationServerMetadata = ProviderMetadata;

/**
 * How the client authenticates at the token, PAR, device authorization, introspection and revocation
 * endpoints (the last two may each use another: `introspectionEndpointAuthMethod`,
 * `revocationEndpointAuthMethod`). `client_secret_jwt` signs an HS256 assertion with the client secret.
 */
export type TokenEndpointAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt'
  | 'private_key_jwt'
  | 'none';

/**
 * A private key for `private_key_jwt`: a `CryptoKey`, a private JWK (its `kid` and `alg` are used),
 * or a `CryptoKey` with the `kid` to put in the assertion header.
 */
export type PrivateKeyInput = WebCryptoKey | JWK | { key: WebCryptoKey; kid?: string };

/**
 * What `onCacheUpdate` is told: a fetch stored new discovery metadata (`url` is the issuer) or a new
 * JWKS (`url` is the `jwks_uri`) in the process-wide caches.
 */
export interface OAuthCacheUpdate {
  kind: 'metadata' | 'jwks';
  url: string;
}

/**
 * Options of {@link discover} and the `OAuthClient` constructor.
 */
export interface OAuthClientOptions extends HttpOptions {
  /** The registered `client_id`. */
  clientId: string;
  /** The client secret, for `client_secret_basic` / `client_secret_post` / `client_secret_jwt`. */
  clientSecret?: string;
  /** The private key for `private_key_jwt`. */
  privateKey?: PrivateKeyInput;
  /**
   * Default: `client_secret_basic` with a `clientSecret`, `private_key_jwt` with a `privateKey`,
   * else `none` (a public client). Also used at the PAR and device authorization endpoints.
   */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod;
  /**
   * How to authenticate at the introspection endpoint (RFC 7662), when the client registered another
   * method there (`introspection_endpoint_auth_method`). Default: `tokenEndpointAuthMethod`.
   */
  introspectionEndpointAuthMethod?: TokenEndpointAuthMethod;
  /**
   * How to authenticate at the revocation endpoint (RFC 7009), when the client registered another
   * method there (`revocation_endpoint_auth_method`). Default: `tokenEndpointAuthMethod`.
   */
  revocationEndpointAuthMethod?: TokenEndpointAuthMethod;
  /** The registered redirect URI; needed for the authorization code flow. */
  redirectUri?: string;
  /** Tolerance in seconds for `exp`, `iat`, `nbf` and `auth_time` checks (default 30). */
  clockTolerance?: number;
  /** The registered ID token signing algorithm (default `RS256`). `none` only when set explicitly. */
  idTokenSignedResponseAlg?: string;
  /**
   * DPoP (RFC 9449): a key pair whose public key is extractable, or `true` to generate an ES256 pair.
   * Tokens then come bound to the key, and `OAuthClient.dpopProof()` signs proofs for resource requests.
   */
  dpop?: WebCryptoKeyPair | true;
  /** Allows plain `http:` to non-loopback hosts. Loopback hosts are always allowed. */
  allowInsecureRequests?: boolean;
  /**
   * Where `handleCallback()` records consumed states and `handleCallback()` / `exchangeCode()` the
   * codes they redeem (replay protection). Default: in memory, shared by every client of this issuer
   * and `client_id` in the process, each value kept 10 minutes (at most 10 000). Give a shared store (Redis `SET NX EX`, see {@link StateStore}) when several
   * instances may receive one callback.
   */
  stateStore?: StateStore;
  /**
   * Called after a fetch made for this client stored new metadata or a new JWKS in the shared caches
   * (not for cache hits or restores): the moment to write a snapshot (`snapshotOAuthCache()`). Runs
   * synchronously; what it throws is ignored.
   */
  onCacheUpdate?: (event: OAuthCacheUpdate) => void;
}

/**
 * A device authorization (RFC 8628 §3.2) as any provider sends it: the spec's wire model
 * (`@keyway/openapi`'s `DeviceAuthorizationResponse`) with `interval` optional (5 s when absent) and
 * room for the provider's other fields.
 */
export interface DeviceAuthorization extends Omit<SpecDeviceAuthorization, 'interval'> {
  /** Seconds between polls; 5 when the server sent none. */
  interval?: number;
  [field: string]: unknown;
}

/**
 * @deprecated Use {@link DeviceAuthorization}, the same type. `@keyway/openapi` gives this name to
 * the Keyway service's own answer, which always carries `interval`.
 */
export type DeviceAuthorizationResponse = DeviceAuthorization;

/**
 * A token introspection (RFC 7662 §2.2) as any provider sends it: the spec's wire model
 * (`@keyway/openapi`'s `IntrospectionResponse`) with the token's key binding (`cnf`, RFC 9449 §6.2 /
 * RFC 8705) and room for the provider's other fields.
 */
export interface TokenIntrospection extends SpecIntrospection {
  cnf?: { jkt?: string; 'x5t#S256'?: string; [field: string]: unknown };
  [field: string]: unknown;
}

/**
 * @deprecated Use {@link TokenIntrospection}, the same type. `@keyway/openapi` gives this name to the
 * spec's wire model, without `cnf` or other fields.
 */
export type IntrospectionResponse = TokenIntrospection;

/**
 * An OpenID Connect UserInfo response.
 */
export interface UserinfoResponse {
  sub: string;
  name?: string;
  email?: string;
  email_verified?: boolean;
  [claim: string]: unknown;
}

/**
 * The verified claims of an RFC 9068 JWT access token.
 */
export interface AccessTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope?: string;
  [claim: string]: unknown;
}
