export type {
  AccessTokenVerificationOptions,
  AccessTokenVerifierOptions,
  AccessTokenVerifyOptions,
  VerifyAccessTokenOptions,
} from './access-token.js';
export type { AccessTokenVerifier } from './access-token-verifier.js';
export { createAccessTokenVerifier } from './access-token-verifier.js';
export type { AuthorizationRequest, AuthorizationUrlOptions } from './authorization-url.js';
export type { OAuthCacheOptions, OAuthCacheSnapshot } from './cache-snapshot.js';
export { restoreOAuthCache, snapshotOAuthCache } from './cache-snapshot.js';
export type { ClientCredentialsClientOptions } from './client-credentials-client.js';
export { createClientCredentialsClient } from './client-credentials-client.js';
export type { PollDeviceTokenOptions } from './device-flow.js';
export type { DiscoverOptions } from './discover.js';
export { discover } from './discover.js';
export type { DpopProof, VerifyDpopProofOptions } from './dpop-verify.js';
export { DPOP_ALGORITHMS, verifyDpopProof } from './dpop-verify.js';
export type { TokenHintOptions } from './introspection.js';
export type { LogoutTokenClaims } from './logout-token.js';
export { OAuthClient } from './oauth-client.js';
export type {
  CallbackChecks,
  EndSessionParams,
  ExchangeCodeOptions,
  GrantParams,
  RefreshOptions,
  TokenExchangeParams,
} from './params.js';
export type { ClientRegistration, ClientRegistrationMetadata, RegisterClientOptions } from './registration.js';
export { registerClient } from './registration.js';
export type { StateStore } from './state-store.js';
export type {
  AccessTokenClaims,
  AuthorizationServerMetadata,
  DeviceAuthorization,
  DeviceAuthorizationResponse,
  IntrospectionResponse,
  OAuthCacheUpdate,
  OAuthClientOptions,
  PrivateKeyInput,
  ProviderMetadata,
  TokenEndpointAuthMethod,
  TokenIntrospection,
  UserinfoResponse,
} from './types.js';
export type { UserinfoOptions } from './userinfo.js';
