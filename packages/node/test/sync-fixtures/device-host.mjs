// A @keyway/mocks server on its own thread that plays the person of a device login: it serves the mock
// through its own loopback server and approves each device authorization as soon as the mock hands out
// its user code. The test's thread is blocked in authenticateSync() and could not approve it itself.
// Messages: { id, path: 'callsTo', args } -> { id, value } | { id, error }, as mock-host.mjs.
import { createServer } from 'node:http';
import { parentPort } from 'node:worker_threads';
import { createMockKeyway } from '@keyway/mocks';

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}`;
const mock = createMockKeyway({ issuer: url, deviceInterval: 0 });
const approved = [];

server.on('request', async (req, res) => {
  const chunks = [];
  for await (const chunk of req) {
    chunks.push(chunk);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const headers = Object.entries(req.headers).flatMap(([name, value]) =>
    [value ?? []].flat().map((one) => [name, one]),
  );
  const response = await mock.handle(
    new Request(new URL(req.url, url), {
      method: req.method,
      headers,
      body: hasBody ? Buffer.concat(chunks) : undefined,
    }),
  );
  if (req.method === 'POST' && response.ok && response.headers.get('content-type')?.includes('json')) {
    const answer = await response.clone().json();
    if (typeof answer.user_code === 'string' && typeof answer.device_code === 'string') {
      mock.approveDevice(answer.user_code);
      approved.push(answer.user_code);
    }
  }
  res.writeHead(response.status, [...response.headers].flat());
  res.end(Buffer.from(await response.arrayBuffer()));
});

parentPort.on('message', async ({ id, path, args }) => {
  try {
    if (path === 'close') {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      parentPort.postMessage({ id, value: undefined });
      return;
    }
    const value = path === 'approved' ? approved : mock[path](...args);
    parentPort.postMessage({ id, value: JSON.parse(JSON.stringify(value ?? null)) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.stack ?? error) });
  }
});
parentPort.postMessage({ ready: true, url, apiToken: mock.apiToken });
