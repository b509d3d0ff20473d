export {
  type AuthenticatedTokenSet,
  type AuthenticateOptions,
  authenticate,
  DEFAULT_SCOPE,
  login,
  loginKey,
} from './authenticate.js';
export { CodeFlow, type CodeFlowOptions, type CodeFlowStart } from './code-flow.js';
export {
  type DeviceCodeInfo,
  DeviceFlow,
  type DeviceFlowOptions,
  type PrintDeviceCodeOptions,
  printDeviceCode,
} from './device-flow.js';
export { InteractionRequiredError, LoginTimeoutError } from './errors.js';
export { type AuthenticateSyncOptions, authenticateSync } from './sync/authenticate-sync.js';
export {
  createKeywaySyncClient,
  type KeywaySyncClient,
  type KeywaySyncClientOptions,
  type SyncRequestOptions,
} from './sync/client.js';
export { SyncWorkerError } from './sync/errors.js';
export { type DiscoverSyncOptions, discoverSync, type OAuthSyncClient } from './sync/oauth-client.js';

import { VERSION } from './internal/version.js';

/**
 * The version of `@keyway/node`.
 *
 * @example
 * ```ts
 * import { version } from '@keyway/node';
 * process.stderr.write(`@keyway/node ${version}\n`);
 * ```
 */
export const version: string = VERSION;
