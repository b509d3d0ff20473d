/*
 * @keyway/edge/hono on Node: the same Hono app as the workerd and Bun suites, served by Node's own HTTP
 * server through Hono's fetch handler, for @keyway/mocks listening on 127.0.0.1.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockKeyway, type MockServer } from '@keyway/mocks';
import { afterAll, beforeAll, it } from 'vitest';
import { honoApp } from './hono-app.ts';
import { expectHonoApp } from './hono-cases.ts';

const mock = createMockKeyway();
let issuer: MockServer;
let http: Server;
let base: string;

beforeAll(async () => {
  issuer = await mock.listen(0);
  const app = honoApp(issuer.url);
  // A minimal Node adapter: the request as a Web Request, the app's Response streamed back.
  http = createServer(async (incoming, outgoing) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (typeof value === 'string') {
        headers.set(name, value);
      }
    }
    const response = await app.fetch(new Request(`https://api.example.com${incoming.url}`, { headers }));
    outgoing.writeHead(response.status, Object.fromEntries(response.headers));
    outgoing.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => http?.close(resolve));
  await issuer?.close();
});

it('keywayAuth guards a Hono app on Node: claims on the context, the same refusals and metadata as withAuth', async () => {
  const userAgent = Number(process.versions.node.split('.')[0]) >= 21 ? 'Node.js' : 'no navigator';
  await expectHonoApp((path, headers = {}) => fetch(`${base}${path}`, { headers }), mock, userAgent);
});
