// @keyway/node's SyncBridge from its BUILT dist, through the non-public entry dist/sync/bench-entry.js
// (built by the package's tsup config, reached by path: no `exports` path leads to it). It drives the
// built dist/sync/worker.js.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

export async function loadKeywayBridge() {
  const require = createRequire(import.meta.url);
  const distUrl = pathToFileURL(`${dirname(require.resolve('@keyway/node'))}/`).href;
  const { SyncBridge } = await import(new URL('sync/bench-entry.js', distUrl).href);
  return {
    chunk: 'packages/node/dist/sync/bench-entry.js',
    create: () =>
      new SyncBridge({
        workerUrl: new URL('sync/worker.js', distUrl),
        handlers: new URL('./keyway-handlers.mjs', import.meta.url).href,
      }),
  };
}
