// @ts-check
/*
 * The runtime-agnostic entry points of the published packages, read once from their package.json
 * `exports` (the single source), for every tool that checks them: tooling/size budgets each one,
 * tooling/runtimes scans each one for Node built-ins. An entry is runtime-agnostic when a worker or
 * browser resolving it (conditions `workerd`, `worker`, `browser`, `import`, `default`, in the
 * package's own key order) reaches a file; an entry whose conditions send such a runtime to `null`
 * (`"node": "./dist/file.js", "default": null`) is Node-only and left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;

/** The conditions a worker or browser bundler matches, as esbuild and wrangler do. */
export const AGNOSTIC_CONDITIONS = ['workerd', 'worker', 'browser', 'import', 'default'];

/**
 * @typedef {{ specifier: string, pkg: string, dir: string, file: string }} AgnosticEntry  One entry:
 *   its import specifier (`@keyway/token-store/kv`), its package, the package directory and the file a
 *   worker or browser resolves it to (relative to the package).
 */

/**
 * What `target` (an `exports` value) resolves to under `conditions`: a file, or `null` when the
 * matching branch is `null` or nothing matches.
 * @param {unknown} target
 * @param {readonly string[]} conditions
 * @returns {string | null}
 */
export function resolveTarget(target, conditions) {
  if (typeof target === 'string') {
    return target;
  }
  if (target === null || typeof target !== 'object' || Array.isArray(target)) {
    return null;
  }
  for (const [condition, value] of Object.entries(target)) {
    if (conditions.includes(condition)) {
      return resolveTarget(value, conditions);
    }
  }
  return null;
}

/**
 * @typedef {{ specifier: string, pkg: string, dir: string, subpath: string, target: unknown }} PublicEntry  One
 *   public entry: its import specifier, its package, the package directory, its `exports` key (`./kv`) and
 *   that key's value.
 */

/**
 * Every public entry of every published package under packages/ (every `exports` key but
 * `./package.json`, whatever runtime it is for), sorted by specifier.
 * @returns {PublicEntry[]}
 */
export function publicEntries() {
  /** @type {PublicEntry[]} */
  const found = [];
  for (const name of readdirSync(join(root, 'packages'))) {
    const dir = join(root, 'packages', name);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    if (manifest.private || typeof manifest.exports !== 'object') {
      continue;
    }
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (subpath !== './package.json') {
        found.push({ specifier: `${manifest.name}${subpath.slice(1)}`, pkg: manifest.name, dir, subpath, target });
      }
    }
  }
  return found.sort((a, b) => a.specifier.localeCompare(b.specifier));
}

/**
 * Every runtime-agnostic entry of every published package under packages/, sorted by specifier.
 * @returns {AgnosticEntry[]}
 */
export function agnosticEntries() {
  /** @type {AgnosticEntry[]} */
  const found = [];
  for (const { specifier, pkg, dir, target } of publicEntries()) {
    const file = resolveTarget(target, AGNOSTIC_CONDITIONS);
    if (file !== null) {
      found.push({ specifier, pkg, dir, file });
    }
  }
  return found;
}
