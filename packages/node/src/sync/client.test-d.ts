import type { KeywayClient } from '@keyway/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { KeywaySyncClient, SyncRequestOptions } from './client.js';

type Result<F> = F extends (...args: never[]) => Promise<infer R> ? R : never;

// KeywaySyncClient is mapped from core's KeywayClient (itself mapped from the spec's table): these
// pin that the mapping keeps every method, its argument, and unwraps its promise.
describe('KeywaySyncClient (mapped from KeywayClient)', () => {
  it('has the same members and resources as KeywayClient', () => {
    expectTypeOf<keyof KeywaySyncClient>().toEqualTypeOf<keyof KeywayClient>();
    expectTypeOf<keyof KeywaySyncClient['offline']>().toEqualTypeOf<keyof KeywayClient['offline']>();
    expectTypeOf<KeywaySyncClient['baseUrl']>().toEqualTypeOf<string>();
    expectTypeOf<KeywaySyncClient['setToken']>().toEqualTypeOf<KeywayClient['setToken']>();
  });

  it('takes the same parameters, then SyncRequestOptions, and returns the model itself', () => {
    expectTypeOf<KeywaySyncClient['access']['retrieve']>().toEqualTypeOf<
      (params: { id: string }, options?: SyncRequestOptions) => Result<KeywayClient['access']['retrieve']>
    >();
    expectTypeOf<KeywaySyncClient['offline']['requestConsent']>().toEqualTypeOf<
      (
        params: Parameters<KeywayClient['offline']['requestConsent']>[0],
        options?: SyncRequestOptions,
      ) => Result<KeywayClient['offline']['requestConsent']>
    >();
    expectTypeOf<ReturnType<KeywaySyncClient['externalTokens']['retrieve']>['access_token']>().toEqualTypeOf<string>();
  });

  it('takes only SyncRequestOptions where the async method takes only RequestOptions', () => {
    expectTypeOf<KeywaySyncClient['validation']['verify']>().toEqualTypeOf<
      (options?: SyncRequestOptions) => Result<KeywayClient['validation']['verify']>
    >();
    expectTypeOf<KeywaySyncClient['externalTokens']['list']>().parameters.toEqualTypeOf<
      [options?: SyncRequestOptions]
    >();
  });
});
