import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createMockKeyway, type MockKeyway } from '@keyway/mocks';

/** A `@keyway/mocks` provider that also lets clients register (RFC 7591), over HTTP on 127.0.0.1. */
export interface RegisteringMock {
  mock: MockKeyway;
  issuer: string;
  /** The JSON bodies POSTed to `/register`, in order. */
  registrations: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * The mock behind a small RFC 7591 endpoint (the mock has none): discovery gains
 * `registration_endpoint`, and `/register` answers 201 with `answer` (by default `client_id`
 * `test-public-client`, a public client the mock knows, so the rest of a login runs against the mock).
 */
export async function startRegisteringMock(
  answer: Record<string, unknown> = { client_id: 'test-public-client' },
): Promise<RegisteringMock> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const mock = createMockKeyway({ issuer, deviceInterval: 0 });
  const registrations: Record<string, unknown>[] = [];

  server.on('request', async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (req.method === 'POST' && path === '/register') {
      const sent = JSON.parse(body.toString()) as Record<string, unknown>;
      registrations.push(sent);
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...sent, ...answer }));
      return;
    }
    const headers = Object.entries(req.headers).flatMap(([name, value]) =>
      [value ?? []].flat().map((one): [string, string] => [name, one]),
    );
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    let response = await mock.handle(
      new Request(new URL(req.url ?? '/', issuer), { method: req.method, headers, body: hasBody ? body : undefined }),
    );
    if (path === '/.well-known/openid-configuration' && response.ok) {
      const metadata = (await response.json()) as Record<string, unknown>;
      response = Response.json({ ...metadata, registration_endpoint: `${issuer}/register` });
    }
    res.writeHead(response.status, [...response.headers].flat());
    res.end(Buffer.from(await response.arrayBuffer()));
  });

  return {
    mock,
    issuer,
    registrations,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
