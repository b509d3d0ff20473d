import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockHost, startMockHost } from './sync-helpers.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const script = fileURLToPath(new URL('./sync-fixtures/sync-script.mjs', import.meta.url));

let host: MockHost;
const temps: string[] = [];

beforeAll(async () => {
  host = await startMockHost();
});
afterAll(async () => {
  await host?.close();
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** Runs `file` with node; the script must finish and exit on its own well within the timeout. */
async function runScript(file: string, cwd: string) {
  const started = performance.now();
  const { stdout } = await run(process.execPath, [file], {
    cwd,
    timeout: 10_000,
    env: { ...process.env, KEYWAY_API_URL: host.url, KEYWAY_API_TOKEN: host.apiToken },
  });
  return { result: JSON.parse(stdout) as unknown, ms: performance.now() - started };
}

describe('a synchronous script', () => {
  it('uses the built package with no await and exits by itself (the worker never holds the process)', async () => {
    const { result, ms } = await runScript(script, packageDir);
    expect(result).toEqual({ valid: true, notFound: true });
    expect(ms).toBeLessThan(5_000);
  });

  it('works from the packed tarball: dist/sync/worker.js is shipped and found', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'keyway-node-pack-'));
    temps.push(dir);
    await run('pnpm', ['pack', '--pack-destination', dir], { cwd: packageDir });
    const [tarball] = (await readdir(dir)).filter((name) => name.endsWith('.tgz'));
    const installed = join(dir, 'node_modules', '@keyway', 'node');
    await mkdir(installed, { recursive: true });
    await run('tar', ['-xzf', join(dir, tarball!), '-C', installed, '--strip-components=1']);
    const { stdout: listing } = await run('tar', ['-tzf', join(dir, tarball!)]);
    expect(listing.split('\n')).toEqual(
      expect.arrayContaining(['package/dist/sync/worker.js', 'package/dist/sync/guard.cjs']),
    );
    // The workspace's own builds stand in for the registry's copies of the dependencies.
    for (const dependency of ['core', 'token-store']) {
      await symlink(join(packageDir, '..', dependency), join(dir, 'node_modules', '@keyway', dependency), 'dir');
    }
    await symlink(await realpath(join(packageDir, 'node_modules', 'uqr')), join(dir, 'node_modules', 'uqr'), 'dir');
    const copy = join(dir, 'script.mjs');
    await run('cp', [script, copy]);
    const { result } = await runScript(copy, dir);
    expect(result).toEqual({ valid: true, notFound: true });
  });
});
