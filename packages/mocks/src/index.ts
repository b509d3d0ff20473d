/**
 * `@keyway/mocks`: a stateful fake of the Keyway service for tests — msw handlers, an in-process
 * `fetch`, and a real loopback HTTP server — with seeding, failure injection and a request log.
 *
 * @example
 * ```ts
 * import { createMockKeyway } from '@keyway/mocks';
 *
 * const mock = createMockKeyway();
 * const server = await mock.listen();
 * console.log(`Keyway mock at ${server.url}`);
 * await server.close();
 * ```
 *
 * @packageDocumentation
 */
export {
  type CompleteAuthorizationOptions,
  completeAuthorization,
  completeAuthorizationCallback,
} from './complete-authorization.js';
export {
  createMockKeyway,
  type MintClaims,
  type MockClock,
  type MockKeyway,
  type MockSeed,
  type SeedAccessTokenOptions,
  type SeedExternalTokenOptions,
  type SeedPersistentTokenOptions,
} from './create-mock-keyway.js';
export {
  createDpopProof,
  type DpopAlg,
  type DpopKey,
  type DpopProofOptions,
  generateDpopKey,
} from './dpop-proof.js';
export {
  MissingDependencyError,
  MockServerStartError,
  type OptionalDependency,
  type UnsupportedFeature,
  UnsupportedRuntimeError,
} from './errors.js';
export {
  createFakeKv,
  type FakeKv,
  type FakeKvOptions,
  type FakeKvPut,
  type FakeKvPutOptions,
} from './fake-kv.js';
export type {
  ClientAuthMethod,
  FailOptions,
  FailureHandle,
  MockCall,
  MockClient,
  MockKeywayOptions,
  MockPageName,
  MockResource,
  MockRouteName,
  MockRouteSelector,
  MockServer,
  MockTtl,
  MockUser,
  SigningAlg,
} from './types.js';
