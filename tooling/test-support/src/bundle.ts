import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The export conditions a Worker's build resolves packages with (wrangler's, and Vercel's edge build). */
export const WORKER_CONDITIONS: readonly string[] = ['workerd', 'worker', 'browser'];

/** How {@link bundleModule} resolves: the platform esbuild builds for and the export conditions it honours. */
export interface BundleOptions {
  /** `browser` (a Worker: no Node built-ins) or `node` (Node built-ins stay imports). */
  platform: 'browser' | 'node';
  /** The package.json export conditions to resolve with, as the runtime would. */
  conditions: readonly string[];
}

/**
 * `entry` (a file path or `file:` URL) and everything it imports as one ES module (ES2022), nothing written
 * to disk. Workspace packages resolve through their package.json `exports` to their built `dist`, so the
 * bundle holds what users install. Rejects with esbuild's errors when the entry does not build.
 *
 * @example
 * ```ts
 * const code = await bundleModule(new URL('./driver.ts', import.meta.url), {
 *   platform: 'node',
 *   conditions: ['deno', 'node'],
 * });
 * ```
 */
export async function bundleModule(entry: string | URL, options: BundleOptions): Promise<string> {
  const result = await build({
    entryPoints: [entry instanceof URL ? fileURLToPath(entry) : entry],
    bundle: true,
    format: 'esm',
    platform: options.platform,
    conditions: [...options.conditions],
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/**
 * `entry` bundled the way a Worker's build does it: one ES module, browser platform, the
 * {@link WORKER_CONDITIONS}, every dependency inlined. Run it in workerd (miniflare) or edge-runtime.
 *
 * @example
 * ```ts
 * const script = await bundleWorker(new URL('./fixtures/worker.ts', import.meta.url));
 * const mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-06-01' });
 * ```
 */
export function bundleWorker(entry: string | URL): Promise<string> {
  return bundleModule(entry, { platform: 'browser', conditions: WORKER_CONDITIONS });
}
