import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MockKeyway } from '@keyway/mocks';
import { afterAll, beforeAll } from 'vitest';
import { CLIENT_ID, type MockContext } from './helpers.js';

/** The built bin (the suite's global setup builds it when the sources are newer). */
export const CLI = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist/cli.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * How the CLI tests run `keyway`: a bare environment (a temporary `XDG_CACHE_HOME`, `CI` set, no
 * display), stdin closed, stdout and stderr piped, the issuer and client of `base` unless overridden.
 */
export function cliRunner(base: () => Record<string, string>) {
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    CI: 'true',
    ...base(),
    ...extra,
  });
  const start = (args: string[], extra?: Record<string, string>): { child: ChildProcess; done: Promise<Run> } => {
    const child = spawn(process.execPath, [CLI, ...args], { env: env(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
    return { child, done };
  };
  const run = (args: string[], extra?: Record<string, string>) => start(args, extra).done;
  return { env, start, run };
}

/**
 * A CLI suite against the file's mock (`useMockServer()`): a temporary directory made before the suite and
 * removed after it is `HOME` and `XDG_CACHE_HOME`, and `keyway` runs (as {@link cliRunner}) with the mock's
 * issuer and `clientId` (the mock's public client unless given). `cache(...parts)` is a path in that
 * directory, e.g. `{ XDG_CACHE_HOME: cache('own') }` for a token file of one test's own.
 */
export function useCli(ctx: MockContext, name: string, clientId = CLIENT_ID) {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `keyway-${name}-`));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const cache = (...parts: string[]) => join(dir, ...parts);
  const runner = cliRunner(() => ({
    HOME: dir,
    XDG_CACHE_HOME: dir,
    KEYWAY_ISSUER: ctx.issuer,
    KEYWAY_CLIENT_ID: clientId,
  }));
  return { ...runner, cache };
}

/**
 * Plays the person of a device login: reads the user code the CLI prints on stderr and approves it at
 * the mock. Resolves to the user code.
 */
export function approveFromStderr(child: ChildProcess, mock: MockKeyway): Promise<string> {
  return new Promise<string>((resolve) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /enter the code: (\S+)[\s\S]*expires/.exec(seen);
      if (match) {
        child.stderr!.off('data', onData);
        mock.approveDevice(match[1]!);
        resolve(match[1]!);
      }
    };
    child.stderr!.on('data', onData);
  });
}
