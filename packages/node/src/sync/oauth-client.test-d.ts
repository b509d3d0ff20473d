import type { AuthorizationRequest, OAuthClient, TokenSet } from '@keyway/core';
import { describe, expectTypeOf, it } from 'vitest';
import type { OAuthSyncClient } from './oauth-client.js';

/** The members of OAuthClient that are methods, by name. */
type Methods<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];

/** Every method of OAuthClient with the same parameters on the twin, and the promise's value returned. */
type Parity = {
  [K in Methods<OAuthClient>]: OAuthSyncClient[K] extends (...args: infer A) => infer R
    ? [A, R] extends [Parameters<OAuthClient[K]>, Awaited<ReturnType<OAuthClient[K]>>]
      ? [Parameters<OAuthClient[K]>, Awaited<ReturnType<OAuthClient[K]>>] extends [A, R]
        ? true
        : false
      : false
    : false;
};

// OAuthSyncClient is mapped from core's OAuthClient: these pin that the mapping keeps every member,
// every argument, and unwraps every promise.
describe('OAuthSyncClient (mapped from OAuthClient)', () => {
  it('has exactly the members of OAuthClient', () => {
    expectTypeOf<keyof OAuthSyncClient>().toEqualTypeOf<keyof OAuthClient>();
    expectTypeOf<Methods<OAuthSyncClient>>().toEqualTypeOf<Methods<OAuthClient>>();
  });

  it('every method takes the same arguments and returns the awaited result', () => {
    expectTypeOf<Parity[Methods<OAuthClient>]>().toEqualTypeOf<true>();
  });

  it('unwraps promises, keeps synchronous results and properties as they are', () => {
    expectTypeOf<OAuthSyncClient['createAuthorizationUrl']>().returns.toEqualTypeOf<AuthorizationRequest>();
    expectTypeOf<OAuthSyncClient['handleCallback']>().returns.toEqualTypeOf<TokenSet>();
    expectTypeOf<OAuthSyncClient['revoke']>().returns.toEqualTypeOf<void>();
    expectTypeOf<OAuthSyncClient['endSessionUrl']>().toEqualTypeOf<OAuthClient['endSessionUrl']>();
    expectTypeOf<OAuthSyncClient['metadata']>().toEqualTypeOf<OAuthClient['metadata']>();
    expectTypeOf<OAuthSyncClient['handleCallback']>().parameters.toEqualTypeOf<
      Parameters<OAuthClient['handleCallback']>
    >();
  });
});
