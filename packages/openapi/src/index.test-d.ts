import { describe, expectTypeOf, it } from 'vitest';
import type {
  AccessTokenResult,
  Audience,
  ExternalToken,
  ExternalTokenList,
  ExternalTokenReconsentProblem,
  OAuthErrorResponse,
  operations,
  Problem,
  paths,
  TokenExchangeGrantRequest,
  TokenRequest,
  TokenResponse,
  TokenValidationResult,
  UserInfo,
} from './index.js';
import {
  type ClientOperationInfo,
  clientOperations,
  type OperationInfo,
  operations as operationTable,
} from './index.js';

describe('OAuth models', () => {
  it('TokenResponse has the RFC 6749 / RFC 8693 fields, with the right optionality', () => {
    expectTypeOf<TokenResponse['access_token']>().toEqualTypeOf<string>();
    expectTypeOf<TokenResponse['token_type']>().toEqualTypeOf<string>();
    expectTypeOf<TokenResponse>().toHaveProperty('expires_in').toEqualTypeOf<number | undefined>();
    expectTypeOf<TokenResponse>().toHaveProperty('refresh_token').toEqualTypeOf<string | undefined>();
    expectTypeOf<TokenResponse>().toHaveProperty('id_token').toEqualTypeOf<string | undefined>();
    expectTypeOf<TokenResponse>().toHaveProperty('issued_token_type').toEqualTypeOf<string | undefined>();
    // @ts-expect-error token_type is required
    const missing: TokenResponse = { access_token: 'at' };
    expectTypeOf(missing).toEqualTypeOf<TokenResponse>();
  });

  it('TokenRequest narrows on grant_type', () => {
    expectTypeOf<TokenRequest['grant_type']>().toEqualTypeOf<
      | 'authorization_code'
      | 'refresh_token'
      | 'client_credentials'
      | 'urn:ietf:params:oauth:grant-type:device_code'
      | 'urn:ietf:params:oauth:grant-type:token-exchange'
    >();
    const narrow = (request: TokenRequest) => {
      if (request.grant_type === 'urn:ietf:params:oauth:grant-type:token-exchange') {
        expectTypeOf(request.subject_token).toEqualTypeOf<string>();
        expectTypeOf(request.subject_token_type).toEqualTypeOf<string>();
        expectTypeOf(request.audience).toEqualTypeOf<string[] | undefined>();
      } else if (request.grant_type === 'authorization_code') {
        expectTypeOf(request.code_verifier).toEqualTypeOf<string>();
      }
    };
    expectTypeOf(narrow).parameter(0).toEqualTypeOf<TokenRequest>();
    expectTypeOf<TokenExchangeGrantRequest>().toHaveProperty('client_assertion').toEqualTypeOf<string | undefined>();
  });

  it('OAuthErrorResponse has error, error_description?, error_uri?', () => {
    expectTypeOf<OAuthErrorResponse>().toEqualTypeOf<{
      error: string;
      error_description?: string;
      error_uri?: string;
    }>();
  });

  it('UserInfo requires sub and admits any other claim', () => {
    expectTypeOf<UserInfo['sub']>().toEqualTypeOf<string>();
    expectTypeOf<UserInfo['email_verified']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<UserInfo['https://example.org/roles']>().toEqualTypeOf<unknown>();
  });

  it('Audience is one string or several', () => {
    expectTypeOf<Audience>().toEqualTypeOf<string | string[]>();
  });
});

describe('token-manager models', () => {
  it('AccessTokenResult has access_token and expires_in, token_type? and scope?', () => {
    expectTypeOf<AccessTokenResult>().toEqualTypeOf<{
      access_token: string;
      expires_in: number;
      token_type?: string;
      scope?: string;
    }>();
  });

  it('TokenValidationResult requires only valid', () => {
    const invalid: TokenValidationResult = { valid: false };
    expectTypeOf(invalid.valid).toEqualTypeOf<boolean>();
    expectTypeOf<TokenValidationResult['aud']>().toEqualTypeOf<Audience | undefined>();
  });

  it('ExternalTokenList holds ExternalToken entries', () => {
    expectTypeOf<ExternalTokenList['data']>().toEqualTypeOf<ExternalToken[]>();
    expectTypeOf<ExternalToken>().toHaveProperty('expires_at').toEqualTypeOf<number | undefined>();
  });

  it('ExternalTokenReconsentProblem is a Problem with code reconsent_required and consent_url', () => {
    expectTypeOf<ExternalTokenReconsentProblem>().toExtend<Problem>();
    expectTypeOf<ExternalTokenReconsentProblem['code']>().toEqualTypeOf<'reconsent_required'>();
    expectTypeOf<ExternalTokenReconsentProblem['consent_url']>().toEqualTypeOf<string>();
    expectTypeOf<Problem['status']>().toEqualTypeOf<number>();
  });
});

describe('generated maps', () => {
  it('paths and operations point at the aliased schemas', () => {
    expectTypeOf<
      paths['/api/v1/access/{id}']['get']['responses'][200]['content']['application/json']
    >().toEqualTypeOf<AccessTokenResult>();
    expectTypeOf<paths['/api/v1/access/{id}']['get']['parameters']['path']>().toEqualTypeOf<{ id: string }>();
    expectTypeOf<
      NonNullable<operations['token']['requestBody']>['content']['application/x-www-form-urlencoded']
    >().toEqualTypeOf<TokenRequest>();
    expectTypeOf<
      operations['retrieveExternalToken']['responses'][401]['content']['application/problem+json']
    >().toEqualTypeOf<ExternalTokenReconsentProblem | Problem>();
  });
});

describe('operations: type map and runtime table under one name', () => {
  it('the table has exactly the operationIds of the type map', () => {
    expectTypeOf<keyof typeof operationTable>().toEqualTypeOf<keyof operations>();
  });

  it('keeps literal flags, methods and paths', () => {
    expectTypeOf(operationTable.storeRefreshToken.idempotent).toEqualTypeOf<true>();
    expectTypeOf(operationTable.offlineCallback.idempotent).toEqualTypeOf<false>();
    expectTypeOf(operationTable.retrieveAccessToken.method).toEqualTypeOf<'get'>();
    expectTypeOf(operationTable.retrieveAccessToken.path).toEqualTypeOf<'/api/v1/access/{id}'>();
    expectTypeOf(operationTable.retrieveAccessToken).toExtend<OperationInfo>();
    expectTypeOf<OperationInfo['path']>().toEqualTypeOf<keyof paths>();
  });
});

describe('clientOperations: the service client’s methods', () => {
  it('keeps literal operationIds, parameter names and field types', () => {
    expectTypeOf(clientOperations.access.retrieve.operationId).toEqualTypeOf<'retrieveAccessToken'>();
    expectTypeOf(clientOperations.access.retrieve.pathParams).toEqualTypeOf<readonly ['id']>();
    expectTypeOf(clientOperations.refresh.store.jsonBody).toEqualTypeOf<true>();
    expectTypeOf(clientOperations.validation.verify.jsonBody).toEqualTypeOf<false>();
    expectTypeOf(clientOperations.offline.revoke.responseFields).toEqualTypeOf<{ readonly revoked: 'boolean' }>();
  });

  it('names operations of the type map', () => {
    expectTypeOf(clientOperations.externalTokens.list).toExtend<ClientOperationInfo>();
    expectTypeOf<ClientOperationInfo['operationId']>().toEqualTypeOf<keyof operations>();
  });
});
