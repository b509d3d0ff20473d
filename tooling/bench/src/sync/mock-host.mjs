// A @keyway/mocks server in its own thread: a sync call blocks the bench's thread, so a server there
// could never answer it (as packages/node/test/sync-fixtures/mock-host.mjs does for the tests).
import { parentPort } from 'node:worker_threads';
import { createMockKeyway } from '@keyway/mocks';

const mock = createMockKeyway();
const server = await mock.listen();
parentPort.on('message', async () => {
  await server.close();
  process.exit(0);
});
parentPort.postMessage({ url: server.url, token: mock.apiToken });
