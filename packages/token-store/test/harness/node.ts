/* Node-side helpers of the test suites: temp dirs, the built package, child processes. Free ports,
 * redis-server and Chromium come from @keyway/test-support. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = fileURLToPath(new URL('../..', import.meta.url));
export const fixturesDir = fileURLToPath(new URL('../fixtures', import.meta.url));

/** Fails (never skips) when the package has not been built: the process tests run the built files. */
export function requireDist(): void {
  for (const entry of ['index.js', 'file.js', 'kv.js', 'web.js', 'redis.js']) {
    if (!existsSync(join(packageDir, 'dist', entry))) {
      throw new Error(
        `dist/${entry} is missing: run \`pnpm --filter @keyway/token-store build\` first (turbo does it before tests).`,
      );
    }
  }
}

/** Fails (never skips) when a binary the suite needs is not installed. */
export function requireBinary(path: string, install: string): void {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: this suite needs it (install it with \`${install}\`).`);
  }
}

export async function makeTempDir(label: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `keyway-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs `node <script> ...args` to completion; rejects on a non-zero exit with its stderr. */
export function runNode(script: string, args: string[], timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        resolve(stdout);
      } else {
        reject(new Error(`${script} exited with ${code ?? signal}: ${stderr}`));
      }
    });
  });
}
