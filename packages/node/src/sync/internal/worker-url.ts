/**
 * Where the built worker entry is. This module is bundled into `dist/index.js` (or a chunk beside it,
 * tsup puts chunks at the root of `dist/`), and tsup emits the worker as `dist/sync/worker.js`; a test
 * checks this against the built package and the packed tarball.
 */
export function defaultWorkerUrl(): URL {
  return new URL('./sync/worker.js', import.meta.url);
}
