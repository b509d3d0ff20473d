import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Builds dist/ (tsup) when dist/cli.js is missing or older than a source file, package.json (the
 * version the build writes in) or tsup.config.ts.
 */
export default function setup(): void {
  let built = 0;
  try {
    built = statSync(join(root, 'dist/cli.js')).mtimeMs;
  } catch {}
  const inputs = ['package.json', 'tsup.config.ts'].map((file) => statSync(join(root, file)).mtimeMs);
  if (built < Math.max(newest(join(root, 'src')), ...inputs)) {
    execFileSync('pnpm', ['exec', 'tsup'], { cwd: root, stdio: 'ignore' });
  }
}
