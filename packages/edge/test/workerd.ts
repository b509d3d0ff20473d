/*
 * Workers for the workerd suites: a test Worker bundled the way a Worker's build does (`bundleWorker` of
 * @keyway/test-support: esbuild, ESM, conditions workerd/worker/browser, every dependency inlined) and run
 * by miniflare without nodejs_compat. Node only (esbuild, miniflare).
 */
import { bundleWorker as bundleWorkerAt } from '@keyway/test-support';
import { Miniflare, type MiniflareOptions } from 'miniflare';

/** `entry` (a path relative to this directory) as one ES module, bundled as a Worker's build does. */
export function bundleWorker(entry: string): Promise<string> {
  return bundleWorkerAt(new URL(entry, import.meta.url));
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
