import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerModule } from '../internal/server-types.js';

async function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Promise<Request> {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  const method = req.method ?? 'GET';
  const body = method === 'GET' || method === 'HEAD' || chunks.length === 0 ? undefined : Buffer.concat(chunks);
  return new Request(new URL(req.url ?? '/', origin), { method, headers, body, signal });
}

async function writeResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) {
    headers['set-cookie'] = cookies;
  }
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
  res.writeHead(response.status, headers);
  res.end(body);
}

/** A real HTTP server on 127.0.0.1 that hands every request to `handle`. */
export const serve: ServerModule['serve'] = (handle, port) =>
  new Promise((resolve, reject) => {
    let origin = '';
    const server = createServer((req, res) => {
      const controller = new AbortController();
      res.on('close', () => {
        if (!res.writableFinished) {
          controller.abort();
        }
      });
      toRequest(req, origin, controller.signal)
        .then(handle)
        .then(async (response) => {
          if (response.type === 'error') {
            // An injected network failure: the peer sees the connection reset.
            req.socket.resetAndDestroy();
            return;
          }
          await writeResponse(res, response);
        })
        .catch(() => {
          if (!res.headersSent) {
            req.socket.destroy();
          }
        });
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address() as AddressInfo;
      origin = `http://127.0.0.1:${address.port}`;
      resolve({
        url: origin,
        port: address.port,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
