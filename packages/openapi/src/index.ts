/**
 * Types of the Keyway service's HTTP API, generated from `openapi/keyway.yaml` by openapi-typescript,
 * and two small runtime tables: `operations`, each operation's method, path and idempotent flag
 * (`x-keyway-idempotent`), and `clientOperations`, the service client's methods
 * (`x-keyway-client`). The tables are plain data, so the package has no side effects.
 *
 * @example
 * ```ts
 * import { clientOperations, operations, type paths, type TokenResponse } from '@keyway/openapi';
 * import createClient from 'openapi-fetch';
 *
 * const api = createClient<paths>({ baseUrl: 'https://auth.keyway.dev' });
 * const expiresIn = (tokens: TokenResponse): number | undefined => tokens.expires_in;
 * const retryable: boolean = operations.storeRefreshToken.idempotent; // true
 * const called: string = clientOperations.access.retrieve.operationId; // 'retrieveAccessToken'
 * ```
 *
 * @packageDocumentation
 */
import type { components } from './generated/schema.js';

/**
 * `clientOperations`, by resource then method (`clientOperations.access.retrieve`), says how each
 * method of the service client calls its operation: the operationId, which keys of its argument are
 * path or query parameters, whether the rest is the JSON body, and the answer's required fields with
 * their JSON types. `@keyway/core` builds `createKeywayClient()` from it.
 */
export {
  type ClientOperationInfo,
  clientOperations,
  type JsonType,
} from './generated/client-operations.js';
/**
 * `operations`, keyed by operationId, is both the generated type map (request and response types,
 * as openapi-typescript names it) and a runtime table: `operations.storeRefreshToken` is
 * `{ method: 'post', path: '/api/v1/refresh', idempotent: true }`. `OperationInfo` is one entry.
 */
export { type OperationInfo, operations } from './generated/operations.js';
/**
 * The raw generated maps: `paths` (for openapi-fetch's `createClient<paths>()`) and `components`
 * (schemas, responses, parameters, headers).
 */
export type { components, paths } from './generated/schema.js';

/**
 * Errors. OAuth endpoints answer RFC 6749 error objects; the token-manager API answers RFC 9457
 * problem details (`application/problem+json`) with a stable `code`.
 */
export type OAuthErrorResponse = components['schemas']['OAuthErrorResponse'];
/** An RFC 9457 problem detail from the token-manager API. */
export type Problem = components['schemas']['Problem'];
/** The 401 problem of a provider that needs re-consent: `code: "reconsent_required"` and `consent_url`. */
export type ExternalTokenReconsentProblem = components['schemas']['ExternalTokenReconsentProblem'];

/**
 * Discovery: authorization server / OpenID Provider metadata (RFC 8414, OIDC Discovery) and the
 * JSON Web Key Set that verifies the service's JWTs.
 */
export type AuthorizationServerMetadata = components['schemas']['AuthorizationServerMetadata'];
/** A JSON Web Key Set (RFC 7517). */
export type JsonWebKeySet = components['schemas']['JsonWebKeySet'];
/** One public JSON Web Key. */
export type JsonWebKey = components['schemas']['JsonWebKey'];

/**
 * Authorization: client authentication in a form body, and pushed authorization requests (RFC 9126).
 */
export type ClientAuthenticationParameters = components['schemas']['ClientAuthenticationParameters'];
/** The form body of a pushed authorization request. */
export type PushedAuthorizationRequest = components['schemas']['PushedAuthorizationRequest'];
/** The answer to a pushed authorization request: `request_uri` and `expires_in`. */
export type PushedAuthorizationResponse = components['schemas']['PushedAuthorizationResponse'];

/**
 * The token endpoint: `TokenRequest` is the union of the grant requests, discriminated by
 * `grant_type`; `TokenResponse` is the successful answer to every grant.
 */
export type TokenRequest = components['schemas']['TokenRequest'];
/** `grant_type=authorization_code`, with the PKCE `code_verifier`. */
export type AuthorizationCodeGrantRequest = components['schemas']['AuthorizationCodeGrantRequest'];
/** `grant_type=refresh_token`. */
export type RefreshTokenGrantRequest = components['schemas']['RefreshTokenGrantRequest'];
/** `grant_type=client_credentials`. */
export type ClientCredentialsGrantRequest = components['schemas']['ClientCredentialsGrantRequest'];
/** `grant_type=urn:ietf:params:oauth:grant-type:device_code` (RFC 8628). */
export type DeviceCodeGrantRequest = components['schemas']['DeviceCodeGrantRequest'];
/** `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693). */
export type TokenExchangeGrantRequest = components['schemas']['TokenExchangeGrantRequest'];
/** A successful token response. */
export type TokenResponse = components['schemas']['TokenResponse'];

/**
 * Device authorization (RFC 8628), introspection (RFC 7662) and revocation (RFC 7009).
 */
export type DeviceAuthorizationRequest = components['schemas']['DeviceAuthorizationRequest'];
/** The codes of a device authorization: `device_code`, `user_code`, `verification_uri`, ... */
export type DeviceAuthorizationResponse = components['schemas']['DeviceAuthorizationResponse'];
/** The form body of an introspection request. */
export type IntrospectionRequest = components['schemas']['IntrospectionRequest'];
/** An introspection answer; an inactive token yields `{ active: false }` alone. */
export type IntrospectionResponse = components['schemas']['IntrospectionResponse'];
/** The form body of a revocation request. */
export type RevocationRequest = components['schemas']['RevocationRequest'];
/** Client metadata for dynamic registration (RFC 7591): redirect URIs, grant types, auth method, ... */
export type ClientMetadata = components['schemas']['ClientMetadata'];
/** A registered client: its metadata plus `client_id` (and `client_secret` for a confidential client). */
export type ClientRegistrationResponse = components['schemas']['ClientRegistrationResponse'];
/** A JWT `aud` claim: one audience or several. */
export type Audience = components['schemas']['Audience'];

/**
 * OpenID Connect: UserInfo claims (`sub` always; other standard and custom claims may appear).
 */
export type UserInfo = components['schemas']['UserInfo'];

/**
 * The token-manager API (`/api/v1`): persistent tokens, offline-access consent and validation.
 */
export type AccessTokenResult = components['schemas']['AccessTokenResult'];
/** The body of `storeRefreshToken`. */
export type StoreRefreshTokenRequest = components['schemas']['StoreRefreshTokenRequest'];
/** The persistent token id a stored refresh token now answers to. */
export type RefreshTokenIdResult = components['schemas']['RefreshTokenIdResult'];
/** The body of `requestOfflineConsent`. */
export type OfflineConsentRequest = components['schemas']['OfflineConsentRequest'];
/** Where to send the user for consent, and the state to expect back. */
export type OfflineConsentResult = components['schemas']['OfflineConsentResult'];
/** The body of `offlineCallback`: the consent redirect's parameters. */
export type OfflineCallbackRequest = components['schemas']['OfflineCallbackRequest'];
/** The persistent token id of a completed offline consent. */
export type OfflineTokenResult = components['schemas']['OfflineTokenResult'];
/** The answer to `revokeOfflineToken`. */
export type OfflineTokenRevocationResult = components['schemas']['OfflineTokenRevocationResult'];
/** The answer to `validateToken`; an invalid token yields `{ valid: false }` alone. */
export type TokenValidationResult = components['schemas']['TokenValidationResult'];

/**
 * External tokens: federated providers' tokens held by the service for the user.
 */
export type ExternalTokenList = components['schemas']['ExternalTokenList'];
/** One provider's token. */
export type ExternalToken = components['schemas']['ExternalToken'];
