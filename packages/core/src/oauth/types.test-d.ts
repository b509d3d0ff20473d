/* Type tests (checked by `tsc`): core's OAuth types against the spec's wire models of `@keyway/openapi`. */
import type * as spec from '@keyway/openapi';
import { expectTypeOf } from 'vitest';
import type {
  AuthorizationServerMetadata,
  DeviceAuthorization,
  DeviceAuthorizationResponse,
  IntrospectionResponse,
  ProviderMetadata,
  TokenIntrospection,
} from './types.js';

// What the Keyway service sends fits what core takes from any provider.
expectTypeOf<spec.AuthorizationServerMetadata>().toExtend<ProviderMetadata>();
expectTypeOf<spec.DeviceAuthorizationResponse>().toExtend<DeviceAuthorization>();
expectTypeOf<spec.IntrospectionResponse>().toExtend<TokenIntrospection>();

// ...but not the other way round: another provider may leave out what the service always sends.
expectTypeOf<ProviderMetadata>().not.toExtend<spec.AuthorizationServerMetadata>();
expectTypeOf<DeviceAuthorization>().not.toExtend<spec.DeviceAuthorizationResponse>();

// The wire fields are the spec's.
expectTypeOf<DeviceAuthorization['expires_in']>().toEqualTypeOf<spec.DeviceAuthorizationResponse['expires_in']>();
expectTypeOf<TokenIntrospection['aud']>().toEqualTypeOf<spec.IntrospectionResponse['aud']>();

// The old names are deprecated aliases of the new ones.
expectTypeOf<AuthorizationServerMetadata>().toEqualTypeOf<ProviderMetadata>();
expectTypeOf<DeviceAuthorizationResponse>().toEqualTypeOf<DeviceAuthorization>();
expectTypeOf<IntrospectionResponse>().toEqualTypeOf<TokenIntrospection>();
