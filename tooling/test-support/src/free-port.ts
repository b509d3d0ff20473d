import { createServer } from 'node:net';

/**
 * A port free right now on 127.0.0.1: listens on port 0, reads the port the system chose, closes. For
 * a process the test starts that cannot listen on port 0 and report back (redis-server), or for an
 * address where nothing listens.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
