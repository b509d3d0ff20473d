import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll } from 'vitest';

/** The built package, typed from the source it is built from. */
export type Built = typeof import('../src/index.js');

/** `dist/index.js` of this package: the sync API needs its built worker (`dist/sync/worker.js`). */
export const distIndex = new URL('../dist/index.js', import.meta.url);

export async function loadBuilt(): Promise<Built> {
  return (await import(/* @vite-ignore */ distIndex.href)) as Built;
}

/** A `@keyway/mocks` server on another thread, driven by messages. */
export interface MockHost {
  url: string;
  apiToken: string;
  call<T = unknown>(path: string, ...args: unknown[]): Promise<T>;
  close(): Promise<void>;
}

/**
 * `mock-host.mjs`, or with `device-host.mjs` a host that approves every device login as soon as its
 * user code is handed out (the person on the other device).
 */
export async function startMockHost(fixture: 'mock-host.mjs' | 'device-host.mjs' = 'mock-host.mjs'): Promise<MockHost> {
  const worker = new Worker(new URL(`./sync-fixtures/${fixture}`, import.meta.url));
  const [ready] = (await once(worker, 'message')) as [{ url: string; apiToken: string }];
  let nextId = 1;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  worker.on('message', (message: { id: number; value?: unknown; error?: string }) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) {
      waiter?.reject(new Error(message.error));
    } else {
      waiter?.resolve(message.value);
    }
  });
  const call = <T>(path: string, ...args: unknown[]): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, path, args });
    });
  return {
    url: ready.url,
    apiToken: ready.apiToken,
    call,
    async close() {
      await call('close');
      await worker.terminate();
    },
  };
}

/** A sync suite's mock host and built package (filled in before the suite runs). */
export interface SyncHost {
  host: MockHost;
  built: Built;
}

/**
 * The mock host (`startMockHost()`) and the built package (`loadBuilt()`) for the file: both made before
 * the suite, the host closed after it.
 */
export function useSyncHost(): SyncHost {
  const context = {} as SyncHost;
  beforeAll(async () => {
    [context.host, context.built] = await Promise.all([startMockHost(), loadBuilt()]);
  });
  afterAll(async () => {
    await context.host?.close();
  });
  return context;
}

/** The error a synchronous call throws (fails the test when it returns). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

/** The file URL of a module, for `workerData.handlers`. */
export const fixtureUrl = (name: string): string =>
  pathToFileURL(new URL(`./sync-fixtures/${name}`, import.meta.url).pathname).href;

/** What a child process did: its exit code (null when killed), the signal that killed it, its output. */
export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command args` as a person's shell would (its own process, `input` on stdin, nothing inherited
 * but `env`), killed with SIGKILL after `timeout` ms so that a hang fails the test instead of the suite.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string; timeout: number },
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeout,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.stdin.end(options.input ?? '');
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
