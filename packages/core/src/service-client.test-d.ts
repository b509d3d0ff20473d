import type {
  AccessTokenResult,
  ExternalToken,
  ExternalTokenList,
  OfflineCallbackRequest,
  OfflineConsentRequest,
  OfflineConsentResult,
  OfflineTokenResult,
  OfflineTokenRevocationResult,
  RefreshTokenIdResult,
  TokenValidationResult,
} from '@keyway/openapi';
import { describe, expectTypeOf, it } from 'vitest';
import type { RequestOptions } from './internal/api-transport.js';
import type { KEYWAY_CLIENT_METHODS, KeywayClient, KeywayClientMethod } from './service-client.js';

// The client is mapped from the generated table: these pin the public surface it must keep
// (DESIGN.md), method by method, argument by argument.
describe('KeywayClient (mapped from clientOperations)', () => {
  it('has exactly the agreed resources, methods and members', () => {
    expectTypeOf<keyof KeywayClient>().toEqualTypeOf<
      'baseUrl' | 'setToken' | 'access' | 'refresh' | 'offline' | 'validation' | 'externalTokens'
    >();
    expectTypeOf<keyof KeywayClient['offline']>().toEqualTypeOf<'requestConsent' | 'callback' | 'revoke'>();
    expectTypeOf<keyof KeywayClient['externalTokens']>().toEqualTypeOf<'list' | 'retrieve'>();
    expectTypeOf<KeywayClient['baseUrl']>().toEqualTypeOf<string>();
    expectTypeOf<KeywayClient['setToken']>().toEqualTypeOf<(token: string | undefined) => void>();
  });

  it('takes the operation’s parameters or body, then RequestOptions, and resolves to the generated model', () => {
    expectTypeOf<KeywayClient['access']['retrieve']>().toEqualTypeOf<
      (params: { id: string }, options?: RequestOptions) => Promise<AccessTokenResult>
    >();
    expectTypeOf<KeywayClient['refresh']['store']>().toEqualTypeOf<
      (params: { refresh_token: string }, options?: RequestOptions) => Promise<RefreshTokenIdResult>
    >();
    expectTypeOf<KeywayClient['offline']['requestConsent']>().toEqualTypeOf<
      (params: OfflineConsentRequest, options?: RequestOptions) => Promise<OfflineConsentResult>
    >();
    expectTypeOf<KeywayClient['offline']['callback']>().toEqualTypeOf<
      (params: OfflineCallbackRequest, options?: RequestOptions) => Promise<OfflineTokenResult>
    >();
    expectTypeOf<KeywayClient['offline']['revoke']>().toEqualTypeOf<
      (params: { id: string }, options?: RequestOptions) => Promise<OfflineTokenRevocationResult>
    >();
    expectTypeOf<KeywayClient['externalTokens']['retrieve']>().toEqualTypeOf<
      (params: { provider: string }, options?: RequestOptions) => Promise<ExternalToken>
    >();
  });

  it('takes only RequestOptions where the operation has no parameters and no body', () => {
    expectTypeOf<KeywayClient['validation']['verify']>().toEqualTypeOf<
      (options?: RequestOptions) => Promise<TokenValidationResult>
    >();
    expectTypeOf<KeywayClient['externalTokens']['list']>().toEqualTypeOf<
      (options?: RequestOptions) => Promise<ExternalTokenList>
    >();
  });

  it('refuses a missing or mistyped argument', () => {
    const check = (client: KeywayClient) => {
      // @ts-expect-error the id is required
      void client.access.retrieve({});
      // @ts-expect-error the body is required
      void client.refresh.store();
      // @ts-expect-error verify takes no parameters
      void client.validation.verify({ id: 'x' }, {});
    };
    expectTypeOf(check).toBeFunction();
  });

  it('names every method as resource.method', () => {
    expectTypeOf<KeywayClientMethod>().toEqualTypeOf<
      | 'access.retrieve'
      | 'refresh.store'
      | 'offline.requestConsent'
      | 'offline.callback'
      | 'offline.revoke'
      | 'validation.verify'
      | 'externalTokens.list'
      | 'externalTokens.retrieve'
    >();
    expectTypeOf<(typeof KEYWAY_CLIENT_METHODS)[number]['name']>().toEqualTypeOf<KeywayClientMethod>();
  });
});
