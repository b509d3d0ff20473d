#!/usr/bin/env node
// Writes each package's version into its `src/internal/version.ts` (where one exists), so the
// `x-keyway-client` header names the released version. Run after `changeset version`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
for (const dir of readdirSync(join(root, 'packages'))) {
  const file = join(root, 'packages', dir, 'src/internal/version.ts');
  if (!existsSync(file)) {
    continue;
  }
  const { version } = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));
  const source = readFileSync(file, 'utf8');
  const next = source.replace(/export const VERSION = '[^']*';/, `export const VERSION = '${version}';`);
  if (next !== source) {
    writeFileSync(file, next);
    console.log(`${dir}: VERSION = ${version}`);
  }
}
