/*
 * @keyway/edge/hono on Bun: test/hono-bun.ts (the Hono app of hono-app.ts under Bun.serve) bundled with
 * Bun's export conditions and run by Bun 1 from the npm registry (`npx -y bun@1`), for @keyway/mocks
 * listening on 127.0.0.1; this process sends the requests over HTTP.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { createMockKeyway, type MockServer } from '@keyway/mocks';
import { build } from 'esbuild';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectHonoApp } from './hono-cases.ts';

const mock = createMockKeyway();
let issuer: MockServer;
let dir: string;
let bun: ChildProcess | undefined;
let served: { url: string; bun: string };

/** The Bun executable of the registry's `bun@1` package (npx installs it once into its cache). */
async function bunExecutable(): Promise<string> {
  const { stdout } = await promisify(execFile)('npx', ['-y', 'bun@1', '-e', 'console.log(process.execPath)'], {
    timeout: 240_000,
    env: { ...process.env, npm_config_yes: 'true', DO_NOT_TRACK: '1' },
  });
  return stdout.trim().split('\n').at(-1) ?? '';
}

beforeAll(async () => {
  issuer = await mock.listen(0);
  dir = await mkdtemp(join(tmpdir(), 'keyway-edge-bun-'));
  const bundle = await build({
    entryPoints: [new URL('./hono-bun.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'node',
    conditions: ['bun', 'node'],
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const script = join(dir, 'hono-bun.mjs');
  await writeFile(script, bundle.outputFiles[0]!.text);
  const child = spawn(await bunExecutable(), ['run', script, issuer.url], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1', DO_NOT_TRACK: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  bun = child;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`bun exited with ${code ?? signal} before listening`))),
  );
  const line = new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  served = JSON.parse(await Promise.race([line, exited])) as typeof served;
}, 300_000);

afterAll(async () => {
  if (bun?.pid !== undefined && bun.exitCode === null) {
    const exit = new Promise((resolve) => bun!.once('exit', resolve));
    process.kill(bun.pid);
    await exit;
  }
  await issuer?.close();
  if (dir) {
    await rm(dir, { recursive: true, force: true });
  }
});

it('keywayAuth guards a Hono app on Bun: claims on the context, the same refusals and metadata as withAuth', async () => {
  expect(served.bun).toMatch(/^1\./);
  await expectHonoApp((path, headers = {}) => fetch(new URL(path, served.url), { headers }), mock, 'Bun/');
});
