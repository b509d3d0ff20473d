/**
 * `@keyway/mocks/node`: Node-only helpers — msw's `setupServer` around a mock, and the emulator
 * (`keyway-mock-server`) in a child process for code that blocks its thread.
 *
 * @example
 * ```ts
 * import { createMockKeyway } from '@keyway/mocks';
 * import { setupMockServer } from '@keyway/mocks/node';
 *
 * const mock = createMockKeyway();
 * const server = setupMockServer(mock);
 * server.listen();
 * // ... fetch(`${mock.issuer}/...`) is answered by the mock ...
 * server.close();
 * ```
 *
 * @packageDocumentation
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SetupServer } from 'msw/node';
import { setupServer } from '#msw';
import type { MockServerConfig } from './cli/mock-server.js';
import type { MockKeyway } from './create-mock-keyway.js';
import { MockServerStartError } from './errors.js';

/**
 * An msw `setupServer` with the mock's handlers: `fetch` (and `http`) calls to the mock's issuer are
 * answered in-process once you call `listen()`. Other requests are left to msw's `onUnhandledRequest`.
 * Needs the optional peer dependency `msw` (else a `MissingDependencyError`).
 *
 * @example
 * ```ts
 * import { createMockKeyway } from '@keyway/mocks';
 * import { setupMockServer } from '@keyway/mocks/node';
 *
 * const server = setupMockServer(createMockKeyway());
 * server.listen({ onUnhandledRequest: 'error' });
 * ```
 */
export function setupMockServer(mock: MockKeyway): SetupServer {
  return setupServer(() => mock.handlers, 'setupMockServer()');
}

export type { MockServerConfig } from './cli/mock-server.js';

/** Options of {@link spawnMockServer}. */
export interface SpawnMockServerOptions {
  /** What `keyway-mock-server --config` reads: users, clients, alg, ttl, seeded tokens. */
  config?: MockServerConfig;
  /** How long the child may take to print its URL, in ms (default 15 000). */
  timeout?: number;
}

/** The emulator running in a child process. */
export interface SpawnedMockServer {
  /** `http://127.0.0.1:<port>`, also the issuer. */
  readonly url: string;
  /** The bearer token its service API accepts. */
  readonly apiToken: string;
  /** The child's process id. */
  readonly pid: number;
  /** Stops the child (SIGTERM, then SIGKILL after 5 s) and removes its config file. */
  close(): Promise<void>;
}

/**
 * Starts `keyway-mock-server` in a child process on 127.0.0.1 (a free port) and resolves with its URL
 * and API token. For code under test that blocks its thread — `authenticateSync`,
 * `createKeywaySyncClient` and `discoverSync` of `@keyway/node` wait in `Atomics.wait` — an in-process
 * mock (`createMockKeyway().listen()`) cannot answer while the thread waits; a child process can. The
 * child never outlives this process, and does not keep it alive. `MockServerStartError` when it does
 * not come up.
 *
 * @example
 * ```ts
 * import { spawnMockServer } from '@keyway/mocks/node';
 *
 * const server = await spawnMockServer({ config: { users: [{ sub: 'usr_1' }] } });
 * // createKeywaySyncClient({ baseUrl: server.url, token: server.apiToken }) answers synchronously
 * await server.close();
 * ```
 */
export async function spawnMockServer(options: SpawnMockServerOptions = {}): Promise<SpawnedMockServer> {
  const timeout = options.timeout ?? 15_000;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0 || timeout > 2_147_483_647) {
    throw new TypeError(`spawnMockServer: timeout must be a positive number of milliseconds, got ${String(timeout)}.`);
  }
  // The bin sits beside this module in dist/ (dist/node.js, dist/bin/keyway-mock-server.js).
  const bin = fileURLToPath(new URL('./bin/keyway-mock-server.js', import.meta.url));
  const args = [bin, '--port', '0', '--quiet'];
  let dir: string | undefined;
  if (options.config !== undefined) {
    dir = await mkdtemp(join(tmpdir(), 'keyway-mock-'));
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify(options.config), { mode: 0o600 });
    args.push('--config', file);
  }
  const removeConfig = async () => {
    if (dir !== undefined) {
      await rm(dir, { recursive: true, force: true });
    }
  };
  const { NODE_OPTIONS: _, ...env } = process.env;
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-2000);
  });
  let ready: { url: string; apiToken: string };
  try {
    ready = await new Promise((resolve, reject) => {
      const fail = (message: string, code: number | null, cause?: unknown) => {
        clearTimeout(timer);
        child.kill('SIGKILL');
        const tail = stderr.trim();
        reject(new MockServerStartError(`${message}${tail === '' ? '' : `\n${tail}`}`, code, { cause }));
      };
      const timer = setTimeout(() => fail(`keyway-mock-server printed no URL within ${timeout} ms.`, null), timeout);
      const onError = (error: Error) => fail(`keyway-mock-server could not be started: ${error.message}`, null, error);
      const onExit = (code: number | null) =>
        fail(`keyway-mock-server exited (code ${String(code)}) before it listened.`, code);
      child.once('error', onError);
      child.once('exit', onExit);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
        const url = /listening on (http:\/\/127\.0\.0\.1:\d+)\r?\n/.exec(stdout)?.[1];
        const apiToken = /API token\s+(\S+)\r?\n/.exec(stdout)?.[1];
        if (url !== undefined && apiToken !== undefined) {
          clearTimeout(timer);
          child.off('error', onError);
          child.off('exit', onExit);
          resolve({ url, apiToken });
        }
      });
    });
  } catch (error) {
    process.off('exit', killOnExit);
    await removeConfig();
    throw error;
  }
  // It serves on: the pipes and the child no longer hold this process's event loop.
  child.on('error', () => {
    // A failed kill() later on: close() still settles through 'exit'.
  });
  child.stdout.removeAllListeners('data');
  child.stdout.resume();
  child.unref();
  (child.stdout as unknown as { unref(): void }).unref();
  (child.stderr as unknown as { unref(): void }).unref();

  let closing: Promise<void> | undefined;
  return {
    url: ready.url,
    apiToken: ready.apiToken,
    pid: child.pid ?? 0,
    close() {
      closing ??= (async () => {
        process.off('exit', killOnExit);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
          await exited;
          clearTimeout(force);
        }
        await removeConfig();
      })();
      return closing;
    },
  };
}
