/*
 * @keyway/edge/hono in workerd: a Hono app (test/hono-worker.ts) as a Worker, the issuer (@keyway/mocks
 * on 127.0.0.1) from a binding, fetched by the Worker itself.
 */
import { createMockKeyway, type MockServer } from '@keyway/mocks';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectHonoApp } from './hono-cases.ts';
import { bundleWorker, startWorker } from './workerd.ts';

const mock = createMockKeyway();
let server: MockServer;
let worker: Miniflare;
let script: string;

beforeAll(async () => {
  server = await mock.listen(0);
  script = await bundleWorker('./hono-worker.ts');
  worker = await startWorker(script, { bindings: { KEYWAY_ISSUER: server.url } });
}, 60_000);

afterAll(async () => {
  await worker?.dispose();
  await server?.close();
});

it('keywayAuth guards a Hono Worker: claims on the context, the same refusals and metadata as withAuth', async () => {
  expect(script).not.toMatch(/from ["']node:/);
  await expectHonoApp(
    async (path, headers = {}) =>
      (await worker.dispatchFetch(`https://api.example.com${path}`, { headers })) as unknown as Response,
    mock,
    'Cloudflare-Workers',
  );
});
