/*
 * Workers for the workerd suites: a test Worker bundled the way a Worker's build does (esbuild, ESM,
 * conditions workerd/worker/browser, every dependency inlined) and run by miniflare without
 * nodejs_compat. Node only (esbuild, miniflare).
 */
import { build } from 'esbuild';
import { Miniflare, type MiniflareOptions } from 'miniflare';

/** `entry` (a path relative to this directory) as one ES module. */
export async function bundleWorker(entry: string): Promise<string> {
  const bundle = await build({
    entryPoints: [new URL(entry, import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return bundle.outputFiles[0]!.text;
}

/** A workerd isolate running `script`, ready; the caller disposes of it. */
export async function startWorker(
  script: string,
  options: Omit<MiniflareOptions, 'modules' | 'script' | 'compatibilityDate'> = {},
): Promise<Miniflare> {
  const mf = new Miniflare({ modules: true, script, compatibilityDate: '2025-06-01', ...options } as MiniflareOptions);
  await mf.ready;
  return mf;
}
