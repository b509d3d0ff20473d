export type { AuthFetchOptions } from './auth-fetch.js';
export { authFetch } from './auth-fetch.js';
export type { KeywayErrorOptions, OAuthErrorFields, ResponseHeaders } from './errors.js';
export {
  AuthenticationError,
  BadRequestError,
  CallbackError,
  ConfigurationError,
  ConflictError,
  DeviceFlowError,
  InternalServerError,
  InvalidResponseError,
  KeywayAbortError,
  KeywayApiError,
  KeywayConnectionError,
  KeywayError,
  KeywayTimeoutError,
  LoginRequiredError,
  NotFoundError,
  OAuthError,
  PermissionDeniedError,
  RateLimitError,
  TokenValidationError,
  UnprocessableEntityError,
} from './errors.js';
export type { RequestOptions } from './internal/api-transport.js';
export type { FetchLike, HttpOptions, RetryOptions } from './internal/http.js';
export type {
  AccessTokenClaims,
  AccessTokenVerificationOptions,
  AccessTokenVerifier,
  AccessTokenVerifierOptions,
  AccessTokenVerifyOptions,
  AuthorizationRequest,
  AuthorizationServerMetadata,
  AuthorizationUrlOptions,
  CallbackChecks,
  ClientCredentialsClientOptions,
  ClientRegistration,
  ClientRegistrationMetadata,
  DeviceAuthorization,
  DeviceAuthorizationResponse,
  DiscoverOptions,
  DpopProof,
  EndSessionParams,
  ExchangeCodeOptions,
  GrantParams,
  IntrospectionResponse,
  LogoutTokenClaims,
  OAuthCacheOptions,
  OAuthCacheSnapshot,
  OAuthCacheUpdate,
  OAuthClientOptions,
  PollDeviceTokenOptions,
  PrivateKeyInput,
  ProviderMetadata,
  RefreshOptions,
  RegisterClientOptions,
  StateStore,
  TokenEndpointAuthMethod,
  TokenExchangeParams,
  TokenHintOptions,
  TokenIntrospection,
  UserinfoOptions,
  UserinfoResponse,
  VerifyAccessTokenOptions,
  VerifyDpopProofOptions,
} from './oauth/index.js';
export {
  createAccessTokenVerifier,
  createClientCredentialsClient,
  DPOP_ALGORITHMS,
  discover,
  OAuthClient,
  registerClient,
  restoreOAuthCache,
  snapshotOAuthCache,
  verifyDpopProof,
} from './oauth/index.js';
export type {
  KeywayClient,
  KeywayClientMethod,
  KeywayClientOptions,
  KeywayClientResources,
} from './service-client.js';
export { createKeywayClient, KEYWAY_CLIENT_METHODS } from './service-client.js';
export type { IdTokenClaims, TokenSet } from './token-set.js';
export { expiresIn, redactOnInspect } from './token-set.js';
export type {
  GetTokenOptions,
  TokenGrant,
  TokenSource,
  TokenSourceOAuthClient,
  TokenSourceOptions,
  TokenSourceServiceClient,
} from './token-source.js';
export { createTokenSource } from './token-source.js';
