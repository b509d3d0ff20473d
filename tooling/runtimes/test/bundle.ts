/*
 * Bundles src/worker.ts the way a Worker's build does (`bundleWorker` of @keyway/test-support: esbuild, ESM,
 * browser platform with the `workerd`/`worker`/`browser` conditions, every dependency inlined). `@keyway/*`
 * resolve through their package.json `exports` to the built `dist`, so the bundle holds what users install.
 * src/driver.ts, for Node, Deno and Bun, is bundled the same way with the conditions of those runtimes.
 */
import { bundleModule, bundleWorker } from '@keyway/test-support';
import { transform } from 'esbuild';

const entry = new URL('../src/worker.ts', import.meta.url);
const driverEntry = new URL('../src/driver.ts', import.meta.url);

let pending: Promise<string> | undefined;

/** The Worker as one ES module (built once per test file). */
export function workerModule(): Promise<string> {
  pending ??= bundleWorker(entry);
  return pending;
}

/**
 * The same bundle as a classic script for Vercel's edge-runtime, which evaluates scripts, not modules:
 * the module's default export lands on `globalThis[name]`.
 */
export async function workerScript(name: string): Promise<string> {
  const result = await transform(await workerModule(), { format: 'iife', globalName: name, target: 'es2022' });
  return result.code;
}

/**
 * src/driver.ts as one ES module for a server runtime, resolved with that runtime's `conditions` (Node:
 * `node`; Deno: `deno`, `node`; Bun: `bun`, `node`), as the runtime itself would resolve the packages.
 * Node built-ins stay imports (the mock server's `http`, imported but never called by a case), which all three provide.
 */
export function driverModule(conditions: string[]): Promise<string> {
  return bundleModule(driverEntry, { platform: 'node', conditions });
}

/** Every case the Worker knows, in the order the suites run them. */
export const caseNames = [
  'runtime',
  'service-access-retrieve',
  'service-validation-verify',
  'service-retry-503',
  'service-not-found',
  'service-timeout',
  'client-credentials-rs256',
  'client-credentials-es256',
  'client-credentials-eddsa',
  'code-flow',
  'device-flow',
  'dpop',
  'token-source-auth-fetch',
  'memory-store',
  'encrypted-store',
] as const;
