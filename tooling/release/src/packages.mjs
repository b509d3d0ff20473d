// @ts-check
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shortName } from './tags.mjs';

/** The monorepo holding this script. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

/**
 * The published packages: every `packages/<dir>/package.json` that is not private and is named `@keyway/<short>`,
 * sorted by short name.
 *
 * @param {string} [root]
 * @returns {import('./tags.mjs').WorkspacePackage[]}
 */
export function loadPackages(root = REPO_ROOT) {
  const base = join(root, 'packages');
  /** @type {import('./tags.mjs').WorkspacePackage[]} */
  const found = [];
  for (const entry of readdirSync(base, { withFileTypes: true })) {
    if (!entry.isDirectory()) {
      continue;
    }
    const dir = join(base, entry.name);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch (error) {
      if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') {
        continue;
      }
      throw error;
    }
    if (manifest.private || typeof manifest.name !== 'string' || !shortName(manifest.name)) {
      continue;
    }
    found.push({ name: manifest.name, version: String(manifest.version), dir });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
