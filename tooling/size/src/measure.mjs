// @ts-check
/*
 * Bundle sizes of the public entry points users import in browsers and edge runtimes: each is bundled
 * by esbuild the way an app's bundler would (ESM, browser platform, minified, tree-shaken, every
 * dependency — oauth4webapi, jose, openapi-fetch — inlined) and measured raw and gzipped (zlib level 9).
 * esbuild and zlib are deterministic: the same build gives the same bytes on every machine.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { AGNOSTIC_CONDITIONS, agnosticEntries } from '../../scripts/agnostic-entries.mjs';

const packageDir = new URL('..', import.meta.url).pathname;

/**
 * @typedef {{ name: string, code: string, resolveDir?: string }} Entry  What an app imports, as the module
 *   esbuild bundles (resolved from this package unless `resolveDir` says otherwise).
 * @typedef {{ name: string, raw: number, gzip: number, packages: string[], inputs: [string, number][] }} Measurement
 *   Bytes of one entry's bundle, the packages (workspace and third-party) that ended up in it, and the raw
 *   bytes each input file left in it (largest first; paths as esbuild names them).
 * @typedef {Record<string, { raw: number, gzip: number }>} Limits  Budgets per entry name.
 */

/**
 * What an app imports: a few single functions by hand (what tree shaking must keep apart), a Worker
 * that serves one handler through `withAuth` (what a resource server on Workers ships), then every
 * runtime-agnostic entry of every package whole (`export *`), read from the packages' `exports`
 * (tooling/scripts/agnostic-entries.mjs, shared with tooling/runtimes): a new entry gets a row, and
 * needs a budget, without an edit here.
 * @type {Entry[]}
 */
export const entries = [
  { name: '@keyway/core: createKeywayClient', code: "export { createKeywayClient } from '@keyway/core';" },
  { name: '@keyway/core: discover + OAuthClient', code: "export { discover, OAuthClient } from '@keyway/core';" },
  {
    name: '@keyway/core: createTokenSource + authFetch',
    code: "export { authFetch, createTokenSource } from '@keyway/core';",
  },
  {
    name: '@keyway/core: createAccessTokenVerifier',
    code: "export { createAccessTokenVerifier } from '@keyway/core';",
  },
  { name: '@keyway/edge: createVerifier + withAuth', code: "export { createVerifier, withAuth } from '@keyway/edge';" },
  {
    name: '@keyway/edge: a withAuth Worker',
    code: [
      "import { withAuth } from '@keyway/edge';",
      'export default {',
      '  fetch: withAuth((_request, _env, _ctx, auth) => new Response(auth.claims.sub), {',
      "    verifier: { issuer: 'https://auth.example.com', audience: 'https://api.example.com' },",
      '  }),',
      '};',
    ].join('\n'),
  },
  { name: '@keyway/edge: keywayMiddleware', code: "export { keywayMiddleware } from '@keyway/edge';" },
  {
    name: '@keyway/edge: createEdgeTokenSource',
    code: "export { createEdgeTokenSource } from '@keyway/edge';",
  },
  ...agnosticEntries().map(({ specifier }) => ({
    name: `${specifier} (export *)`,
    code: `export * from '${specifier}';`,
  })),
];

/**
 * What an app would ship doing the same with the libraries alone, printed beside the budgets by
 * `pnpm size` (no budget: they are not ours). Resolved from packages/core, which depends on all three.
 * @type {Entry[]}
 */
export const peerEntries = [
  {
    name: 'peer: jose jwtVerify + createRemoteJWKSet',
    code: "export { createRemoteJWKSet, jwtVerify } from 'jose';",
    resolveDir: new URL('../../../packages/core/', import.meta.url).pathname,
  },
  {
    name: 'peer: oauth4webapi discovery + validateJwtAccessToken',
    code: "export { discoveryRequest, processDiscoveryResponse, validateJwtAccessToken } from 'oauth4webapi';",
    resolveDir: new URL('../../../packages/core/', import.meta.url).pathname,
  },
  {
    name: 'peer: openapi-fetch createClient',
    code: "export { default } from 'openapi-fetch';",
    resolveDir: new URL('../../../packages/core/', import.meta.url).pathname,
  },
];

/** The file name esbuild gives an entry's code. */
const STDIN = 'entry.js';

const packagesDir = new URL('../../../packages/', import.meta.url).pathname;

/**
 * Every workspace entry as its source file (`@keyway/core` -> packages/core/src/index.ts,
 * `@keyway/edge/hono` -> packages/edge/src/hono.ts), for `--explain`: a built `dist/index.js` is one
 * input to esbuild, its sources are many.
 * @returns {Record<string, string>}
 */
function sourceAliases() {
  /** @type {Record<string, string>} */
  const aliases = {};
  for (const name of readdirSync(packagesDir)) {
    const src = `${packagesDir}${name}/src/`;
    if (!existsSync(`${src}index.ts`)) {
      continue;
    }
    aliases[`@keyway/${name}`] = `${src}index.ts`;
    for (const file of readdirSync(src).filter((f) => f.endsWith('.ts') && !f.includes('.test'))) {
      aliases[`@keyway/${name}/${file.slice(0, -3)}`] = `${src}${file}`;
    }
  }
  return aliases;
}

/**
 * Bundles one entry and measures it: from the built packages, or with `fromSource` from the packages'
 * sources (what `--explain` lists per file; the bytes differ slightly from the build's).
 * @param {Entry} entry
 * @param {{ fromSource?: boolean }} [options]
 * @returns {Promise<Measurement>}
 */
export async function measure(entry, options = {}) {
  const result = await build({
    ...(options.fromSource ? { alias: sourceAliases() } : {}),
    stdin: { contents: entry.code, resolveDir: entry.resolveDir ?? packageDir, sourcefile: STDIN, loader: 'js' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    // What wrangler and browser bundlers match (esbuild adds `browser`, `import` and `default` itself).
    conditions: AGNOSTIC_CONDITIONS.filter((condition) => !['browser', 'import', 'default'].includes(condition)),
    target: 'es2022',
    // The packages' own tsconfig.json `paths` exist only in this repository, not in the tarballs.
    tsconfigRaw: '{}',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0]?.contents ?? new Uint8Array();
  const inputs = Object.entries(result.metafile.outputs)
    .flatMap(([, output]) => Object.entries(output.inputs))
    // The entry module itself (esbuild's stdin) is not a package.
    .filter(([path, input]) => input.bytesInOutput > 0 && path !== STDIN)
    .map(([path, input]) => /** @type {[string, number]} */ ([path, input.bytesInOutput]))
    .sort((a, b) => b[1] - a[1]);
  const packages = new Set(inputs.map(([path]) => packageOf(path)));
  return {
    name: entry.name,
    raw: bytes.byteLength,
    gzip: gzipSync(bytes, { level: 9 }).byteLength,
    packages: [...packages].sort(),
    inputs,
  };
}

/**
 * The package an input file belongs to: `jose` for `.../node_modules/jose/dist/...`, `@keyway/core`
 * for `../../packages/core/dist/...`.
 * @param {string} path
 */
function packageOf(path) {
  const inModules = path.split('node_modules/').at(-1) ?? path;
  if (inModules !== path) {
    const parts = inModules.split('/');
    return inModules.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? path);
  }
  const workspace = /packages\/([^/]+)\//.exec(path);
  return workspace ? `@keyway/${workspace[1]}` : path;
}

/** @returns {Promise<Measurement[]>} every entry, in order */
export async function measureAll() {
  return Promise.all(entries.map((entry) => measure(entry)));
}

/** @returns {Limits} the budgets in size-limits.json */
export function readLimits() {
  return JSON.parse(readFileSync(new URL('../size-limits.json', import.meta.url), 'utf8'));
}

/**
 * A budget about 10 % above a measurement, rounded up to the next 100 bytes.
 * @param {number} bytes
 */
export function budgetFor(bytes) {
  return Math.ceil((bytes * 1.1) / 100) * 100;
}

/**
 * Where an entry's bytes come from: each input file's raw bytes in the bundle, largest first (the
 * `--explain` output of `pnpm size`).
 * @param {Measurement} measurement
 * @param {number} [top]  how many files to list
 */
export function explain({ name, raw, inputs }, top = 25) {
  const lines = inputs.slice(0, top).map(([path, bytes]) => `${String(bytes).padStart(8)}  ${shortPath(path)}`);
  const rest = inputs.slice(top).reduce((sum, [, bytes]) => sum + bytes, 0);
  return [
    `${name}: ${raw} bytes raw`,
    ...lines,
    ...(rest > 0 ? [`${String(rest).padStart(8)}  (${inputs.length - top} more files)`] : []),
  ].join('\n');
}

/**
 * `packages/core/dist/index.js` for a workspace file, `jose/dist/webapi/lib/key.js` for a dependency's.
 * @param {string} path
 */
function shortPath(path) {
  const inModules = path.split('node_modules/').at(-1) ?? path;
  return inModules !== path ? inModules : path.replace(/^(\.\.\/)+/, '');
}

/** @param {number} bytes */
function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

/**
 * The measurements against their budgets as a markdown table.
 * @param {Measurement[]} measurements
 * @param {Limits} limits
 */
export function table(measurements, limits) {
  const rows = measurements.map(({ name, raw, gzip, packages }) => {
    const limit = limits[name];
    const over = limit !== undefined && (raw > limit.raw || gzip > limit.gzip);
    const status = limit === undefined ? 'no budget' : over ? 'OVER' : 'ok';
    return [
      `\`${name}\``,
      `${raw} (${kb(raw)})`,
      `${gzip} (${kb(gzip)})`,
      limit ? `${limit.raw} / ${limit.gzip}` : '-',
      status,
      packages.join(', '),
    ];
  });
  const header = ['entry', 'raw bytes', 'gzip bytes', 'budget raw / gzip', 'status', 'bundled packages'];
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i]?.length ?? 0)));
  /** @param {string[]} cells */
  const line = (cells) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
