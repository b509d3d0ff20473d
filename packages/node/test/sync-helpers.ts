import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

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

/** The file URL of a module, for `workerData.handlers`. */
export const fixtureUrl = (name: string): string =>
  pathToFileURL(new URL(`./sync-fixtures/${name}`, import.meta.url).pathname).href;
