/*
 * The built SDK under Node 22, Node 24, Deno and Bun: src/driver.ts, bundled with each runtime's export
 * conditions, runs every case in ONE child process per runtime (all four started together) and prints one
 * JSON line. One vitest test per (runtime, case) asserts the same details as the workerd and edge-runtime
 * suites (test/cases.ts), plus one per runtime that it really is that runtime, at the pinned version.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseResult } from '../src/cases/types.ts';
import { driverModule } from './bundle.ts';
import { describeCases } from './cases.ts';
import { executable, type Identity, type ServerRuntime, serverRuntimes } from './server-runtimes.ts';

type DriverOutput = { identity: Identity; results: Record<string, CaseResult | undefined> };

const run = promisify(execFile);
let dir: string;
const bundles = new Map<string, Promise<string>>();
const outputs = new Map<ServerRuntime['name'], Promise<DriverOutput>>();

/** The driver bundle for these conditions, written once to the temporary directory. */
function bundleFor(conditions: string[]): Promise<string> {
  const key = conditions.join(',');
  let bundle = bundles.get(key);
  if (!bundle) {
    const path = join(dir, `driver.${conditions[0]}.mjs`);
    bundle = driverModule(conditions).then(async (code) => {
      await writeFile(path, code);
      return path;
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

async function runDriver(runtime: ServerRuntime): Promise<DriverOutput> {
  const binary = executable(runtime);
  const bundle = await bundleFor(runtime.conditions);
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    NO_COLOR: '1',
    DENO_DIR: join(dir, 'deno-cache'),
    DENO_NO_UPDATE_CHECK: '1',
    BUN_RUNTIME_TRANSPILER_CACHE_PATH: '0',
    DO_NOT_TRACK: '1',
  };
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await run(binary, [...runtime.args, bundle], { cwd: dir, env, timeout: 60_000 }));
  } catch (error) {
    const { code, signal, stderr: text } = error as { code?: unknown; signal?: unknown; stderr?: string };
    throw new Error(`${runtime.title} (${binary}) exited with ${code ?? signal}:\n${text?.slice(-4_000) ?? ''}`);
  }
  const line = stdout.trim().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(line) as DriverOutput;
  } catch {
    throw new Error(`${runtime.title} printed no JSON line.\nstdout: ${stdout.slice(-2_000)}\nstderr: ${stderr}`);
  }
}

/** The runtime's output, from the child started in beforeAll (or now, if a test runs alone). */
function outputOf(runtime: ServerRuntime): Promise<DriverOutput> {
  let output = outputs.get(runtime.name);
  if (!output) {
    output = runDriver(runtime);
    // Each of the runtime's tests awaits it and reports the failure; this keeps it from going unhandled.
    output.catch(() => {});
    outputs.set(runtime.name, output);
  }
  return output;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keyway-runtimes-'));
  for (const runtime of serverRuntimes) {
    outputOf(runtime);
  }
});

afterAll(async () => {
  await Promise.allSettled(outputs.values());
  await rm(dir, { recursive: true, force: true });
});

for (const runtime of serverRuntimes) {
  describe(`${runtime.title} itself`, () => {
    it(`is ${runtime.title} ${runtime.version}, with Web Crypto`, async () => {
      const { identity, results } = await outputOf(runtime);
      expect(identity).toEqual(
        'process' in runtime.identity ? runtime.identity : { ...runtime.identity, process: expect.any(String) },
      );
      expect(results.runtime).toMatchObject({
        ok: true,
        detail: { userAgent: runtime.userAgent, edgeRuntime: null, webCrypto: true },
      });
    });
  });

  describeCases(runtime.title, async (name) => {
    const { results } = await outputOf(runtime);
    return results[name] ?? { ok: false, error: `the driver reported no case ${JSON.stringify(name)}`, code: null };
  });
}
