// Runs a @keyway/mocks server in its own thread. A synchronous Keyway call blocks the test's thread,
// so a server on that thread could never answer it. The test drives the mock by messages:
// { id, path: 'seed.persistentToken', args } -> { id, value } | { id, error }.
import { parentPort } from 'node:worker_threads';
import { createMockKeyway } from '@keyway/mocks';

const mock = createMockKeyway();
const server = await mock.listen();

parentPort.on('message', async ({ id, path, args }) => {
  try {
    if (path === 'close') {
      await server.close();
      parentPort.postMessage({ id, value: undefined });
      return;
    }
    const parts = path.split('.');
    const name = parts.pop();
    const target = parts.reduce((object, part) => object[part], mock);
    const member = target[name];
    const value = typeof member === 'function' ? await member.apply(target, args) : member;
    // Failure handles and the like are not cloneable; the tests only need plain data back.
    parentPort.postMessage({ id, value: JSON.parse(JSON.stringify(value ?? null)) });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error?.stack ?? error) });
  }
});
parentPort.postMessage({ ready: true, url: server.url, apiToken: mock.apiToken });
