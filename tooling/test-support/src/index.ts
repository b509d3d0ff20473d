/**
 * `@keyway/test-support`: the monorepo's own test helpers (private, never published). Helpers a
 * downstream test suite would also want (completing an authorization, DPoP proofs, a fake KV
 * namespace) are public API of `@keyway/mocks` instead.
 */
export { type BundleOptions, bundleModule, bundleWorker, WORKER_CONDITIONS } from './bundle.ts';
export { CHROMIUM_ARGS, chromiumPath, DEFAULT_CHROMIUM_PATH, launchChromium } from './chromium.ts';
export { type ErrorClass, expectError } from './expect-error.ts';
export { freePort } from './free-port.ts';
export { type NpmProjectOptions, npmProject, type PackedWorkspace, packWorkspace } from './packed.ts';
export { REDIS_SERVER_PATH, type RedisServer, startRedisServer } from './redis-server.ts';
export { reporters } from './reporters.ts';
export { Screen, Terminals } from './tmux-screen.ts';
export { type PackageTestOptions, packageTestConfig, type RuntimeProject } from './vitest-config.ts';
