// A minimal resource server in its own process, so its CPU is not charged to the client.
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const ok = typeof req.headers.authorization === 'string' && req.headers.authorization.startsWith('Bearer ');
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json', 'content-length': '11' });
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: server.address().port });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
