// @keyway/node's SyncBridge from its BUILT dist. The package exports no bridge (only
// createKeywaySyncClient and authenticateSync), so the dist chunk that holds it is copied to .tmp/
// with one line added, `export { SyncBridge }`, and its relative imports pointed back at dist/.
// Nothing else in the built code changes; it drives the built dist/sync/worker.js.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export async function loadKeywayBridge() {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@keyway/node'));
  for (const name of await readdir(dist)) {
    if (!name.endsWith('.js')) {
      continue;
    }
    const text = await readFile(join(dist, name), 'utf8');
    if (!text.includes('var SyncBridge = class')) {
      continue;
    }
    const distUrl = pathToFileURL(`${dist}/`).href;
    const patched = `${text.replaceAll(/from "\.\/([^"]+)"/g, (_, file) => `from "${distUrl}${file}"`)}\nexport { SyncBridge as BenchSyncBridge };\n`;
    const out = fileURLToPath(new URL(`../../.tmp/node-${name}`, import.meta.url));
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, patched);
    const { BenchSyncBridge } = await import(pathToFileURL(out).href);
    return {
      chunk: `packages/node/dist/${name}`,
      create: () =>
        new BenchSyncBridge({
          workerUrl: new URL('sync/worker.js', distUrl),
          handlers: new URL('./keyway-handlers.mjs', import.meta.url).href,
        }),
    };
  }
  throw new Error(`No SyncBridge found in ${dist}: run pnpm build`);
}
